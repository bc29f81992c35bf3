"""``facilitator serve`` as a real process: gevent's server, links printed only once it listens.

Every process started here is stopped by its pid (terminate, then kill after a
bounded wait). Everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import socketio
from helpers.server import free_port

HOST = "127.0.0.1"
TIMEOUT = 20.0  # seconds for a start-up or a stop
DEV_SERVER = ("development server", "WARNING: This is a development server")


class Process:
    """``python -m facilitator serve`` whose stdout lines arrive in a queue."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.port = port
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stdout: list[str] = []
        self.ended = False  # stdout closed
        self.stderr_path = Path(tempfile.mkstemp(prefix="facilitator-serve-", suffix=".log")[1])
        with open(self.stderr_path, "w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "facilitator", "serve", "--host", HOST, "--port", str(port),
                 "--data-dir", str(data_dir), "--demo"],
                stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, text=True,
                encoding="utf-8", errors="replace",  # the QR code is drawn with block characters
                env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"},
            )
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:  # keep draining stdout so the server never blocks on a full pipe
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def read_until(self, prefix: str, timeout: float = TIMEOUT) -> str:
        """The rest of the first stdout line starting with ``prefix`` (bounded wait)."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:  # the server exited
                self.ended = True
                break
            self.stdout.append(line)
            if line.startswith(prefix):
                return line[len(prefix):].strip()
        pytest.fail(f"no {prefix!r} line (exit code {self.process.poll()}):\n"
                    + "\n".join(self.stdout) + "\n" + self.stderr())

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, how: str = "terminate") -> int:
        """Stop by pid (SIGTERM, or SIGINT for ``how="interrupt"``), kill after a bounded wait."""
        if self.process.poll() is None:
            if how == "interrupt":
                self.process.send_signal(signal.SIGINT)
            else:
                self.process.terminate()
            try:
                self.process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=TIMEOUT)
        return self.process.returncode

    def output(self) -> str:
        """Everything on stdout and stderr (once stopped)."""
        while not self.ended:
            try:
                line = self.lines.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                self.ended = True
            else:
                self.stdout.append(line)
        return "\n".join(self.stdout) + "\n" + self.stderr()


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        response.read()
        return response.status


def projector_sees_a_view(base: str, projector_url: str) -> dict:
    """Connect a real Socket.IO client (WebSocket only) as the projector; return its first view."""
    link = urlsplit(projector_url)
    auth = {"role": "projector", "workshop": link.path.rsplit("/", 1)[1],
            "key": parse_qs(link.query)["key"][0]}
    views: queue.Queue[dict] = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("view", views.put)
    try:
        client.connect(base, auth=auth, transports=["websocket"], wait_timeout=5)
        assert client.transport() == "websocket"
        return views.get(timeout=10)
    finally:
        client.disconnect()


def test_links_work_as_soon_as_they_are_printed(tmp_path):
    for attempt in range(3):
        port = free_port()
        server = Process(tmp_path / "data", port)
        try:
            join_url = server.read_until("Join: ")
            # no sleep, no retry: the port accepts before anything is printed
            with socket.create_connection((HOST, port), timeout=5):
                pass
            base = f"http://{HOST}:{port}"
            assert get(base + "/") == 200
            assert urlsplit(join_url).port == port
            assert get(f"{base}{urlsplit(join_url).path}") == 200
            server.read_until("Code: ")
            server.read_until("Facilitator: ")
            projector_url = server.read_until("Projector: ")
            view = projector_sees_a_view(base, projector_url)
            assert "html" in view, f"attempt {attempt}: {view!r}"
        finally:
            code = server.stop()
        output = server.output()
        server.stderr_path.unlink(missing_ok=True)
        for text in DEV_SERVER:
            assert text not in output
        assert "GET /" not in output  # no access log
        assert "Traceback" not in output, output
        assert "MonkeyPatchWarning" not in output, output  # patched before anything else
        if os.name == "posix":
            assert code == 0, output  # SIGTERM stops cleanly


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a process")
def test_ctrl_c_stops_cleanly(tmp_path):
    server = Process(tmp_path / "data", free_port())
    try:
        server.read_until("Projector: ")
    finally:
        code = server.stop("interrupt")
    output = server.output()
    server.stderr_path.unlink(missing_ok=True)
    assert code == 0, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output and "Aborted" not in output
    # the store was closed: the data folder is free for the next server
    again = Process(tmp_path / "data", free_port())
    try:
        again.read_until("Join: ")
    finally:
        again.stop()
        again.stderr_path.unlink(missing_ok=True)


def test_port_in_use_fails_before_printing_links(tmp_path):
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        server = Process(tmp_path / "data", taken.getsockname()[1])
        try:
            code = server.process.wait(timeout=TIMEOUT)
        finally:
            server.stop()
    output = server.output()
    server.stderr_path.unlink(missing_ok=True)
    assert code != 0
    assert "cannot listen on" in output and "Join:" not in output
    assert "Traceback" not in output, output


def test_importing_the_cli_stays_light():
    """``main`` monkey-patches for gevent after importing this module: nothing imported before
    may create locks, threads or sockets gevent cannot patch (see ``facilitator.cli.main``)."""
    heavy = ["flask", "werkzeug", "engineio", "socketio", "flask_socketio", "facilitator.app",
             "facilitator.core", "facilitator.realtime", "facilitator.broadcast", "webbrowser",
             "ssl", "concurrent.futures"]
    script = ("import sys, threading, facilitator.cli\n"
              f"print(sorted(m for m in {heavy!r} if m in sys.modules), threading.active_count())")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=TIMEOUT, check=True)
    assert result.stdout.split() == ["[]", "1"], result.stdout + result.stderr
