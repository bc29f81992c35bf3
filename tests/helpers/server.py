"""Start a real ``facilitator serve`` on 127.0.0.1 for tests, and stop it by its pid."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A ``facilitator serve`` subprocess; ``links`` holds the printed Join/Facilitator/Projector URLs."""

    def __init__(self, data_dir: Path, port: int | None = None, demo: bool = True) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.demo = demo
        self.process: subprocess.Popen | None = None
        self.links: dict[str, str] = {}

    def start(self, timeout: float = 20.0) -> Server:
        """Start and wait (bounded) until the links are printed and the port answers."""
        args = [sys.executable, "-m", "facilitator", "serve", "--host", "127.0.0.1",
                "--port", str(self.port), "--data-dir", str(self.data_dir)]
        if self.demo:
            args.append("--demo")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.links) < 3:
            line = self.process.stdout.readline()
            if not line:
                break
            for key in ("Join", "Facilitator", "Projector"):
                if line.startswith(key + ":"):
                    self.links[key] = line.split(":", 1)[1].strip()
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not start: {self.links}")

    @property
    def base(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """Kill -9, as a crash or a pulled plug would."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Terminate gracefully (then kill) and wait."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process and self.process.stdout:
            self.process.stdout.close()
