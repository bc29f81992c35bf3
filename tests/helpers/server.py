"""Start a real ``facilitator serve`` on 127.0.0.1 for tests, and stop it by its pid.

Used by the integration tests and the browser fixtures. Output is drained in a
thread (so the server never blocks on a full pipe) and stderr goes to a log
file that start-up failures quote.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

LINKS = ("Join", "Facilitator", "Projector", "Code")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A ``facilitator serve`` subprocess; ``links`` holds the printed Join/Facilitator/Projector/Code."""

    def __init__(self, data_dir: Path, port: int | None = None, demo: bool = True,
                 env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.env = env or {}
        self.port = port or free_port()
        self.demo = demo
        self.process: subprocess.Popen | None = None
        self.links: dict[str, str] = {}
        self.output: list[str] = []
        self.stderr_path = Path(tempfile.mkstemp(prefix="facilitator-stderr-", suffix=".log")[1])
        self._printed = threading.Event()

    def _drain(self) -> None:
        for line in self.process.stdout:
            line = line.rstrip("\n")
            self.output.append(line)
            key, _, value = line.partition(":")
            if key in LINKS and key not in self.links:
                self.links[key] = value.strip()
            self._printed.set()
        self._printed.set()

    def start(self, timeout: float = 20.0) -> Server:
        """Start and wait (bounded) until the links are printed; then the port answers.

        The server binds its port before it prints anything, so once the links
        are there a single connection check suffices (tests/test_serve.py tests it).
        """
        args = [sys.executable, "-m", "facilitator", "serve", "--host", "127.0.0.1",
                "--port", str(self.port), "--data-dir", str(self.data_dir)]
        if self.demo:
            args.append("--demo")
        with open(self.stderr_path, "w") as stderr:
            self.process = subprocess.Popen(
                args, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, text=True,
                encoding="utf-8", errors="replace",
                env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", **self.env},
            )
        threading.Thread(target=self._drain, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not all(k in self.links for k in LINKS) and self.process.poll() is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._printed.wait(min(remaining, 0.1))
            self._printed.clear()
        if all(k in self.links for k in LINKS) and self.process.poll() is None:
            with socket.socket() as probe:
                probe.settimeout(5)
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
        message = (f"the server did not start (exit code {self.process.poll()}):\n"
                   + "\n".join(self.output) + "\n" + self.stderr_path.read_text())
        self.stop()
        raise RuntimeError(message)

    @property
    def base(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """Kill -9 (TerminateProcess on Windows), as a crash or a pulled plug would."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Terminate by pid (SIGTERM, then SIGKILL after 5 s) and wait."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        self.stderr_path.unlink(missing_ok=True)
