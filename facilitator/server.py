"""Serving the app on gevent's WSGI server: what ``facilitator serve`` runs on.

:class:`gevent.pywsgi.WSGIServer` is a production-grade server (no "development
server" warning). It serves every connection in a greenlet instead of a thread,
so one process carries thousands of phones, and Flask-SocketIO
(``async_mode="gevent"``) gets its WebSockets through simple-websocket. gevent
ships wheels for Windows, macOS and Linux.

The process must be monkey-patched (``gevent.monkey.patch_all()``) before the
app is imported, so that the core's locks and background tasks are
cooperative; :func:`facilitator.cli.main` does that for ``facilitator serve``.

Request bodies are checked before the application runs (:func:`body_limits`):
a body larger than allowed (64 KiB for the Socket.IO long-polling POSTs,
``MAX_CONTENT_LENGTH`` for the pages) is answered ``413`` at once, from its
headers, without reading it; the connection is then closed after a short,
bounded linger. Without this, Engine.IO refuses an oversized POST by closing
its session and waiting for a poll that a gone client never sends: one
request greenlet (and its socket) per such request stays behind forever.
"""

from __future__ import annotations

import signal
import socket
import time
from collections.abc import Callable
from typing import Any

#: Pending connections the OS queues while the server is busy (a room joining at once).
BACKLOG = 1024
#: Seconds that running requests get to finish once the server is stopping.
STOP_TIMEOUT = 1.0
#: How often (seconds) the main greenlet wakes up while it waits for a stop signal,
#: so that Python runs signal handlers promptly on every platform.
WAKE_INTERVAL = 0.5
#: The signals that stop the server, where the platform has them
#: (SIGBREAK is Ctrl+Break in a Windows console).
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGBREAK")
#: The URL path of Socket.IO (long-polling POSTs carry Engine.IO packets).
SOCKETIO_PATH = "/socket.io"
#: After refusing a body: how long (seconds) and how much (bytes) of it to read and
#: drop before closing, so that the client sees the answer instead of a reset.
LINGER_SECONDS = 1.0
LINGER_BYTES = 1 << 20


def body_limits(app: Any) -> tuple[int | None, int | None]:
    """The largest request bodies (bytes): for Socket.IO's POSTs, and for everything else.

    The first is Engine.IO's ``max_http_buffer_size`` (``maxPayload``), the
    second Flask's ``MAX_CONTENT_LENGTH``; ``None`` means no limit.
    """
    socketio = getattr(app, "extensions", {}).get("socketio")
    socket_limit = socketio.server.eio.max_http_buffer_size if socketio is not None else None
    return socket_limit, getattr(app, "config", {}).get("MAX_CONTENT_LENGTH")


class _TooLarge(ValueError):
    """A request whose body is refused from its headers alone."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


def handler_class(socket_limit: int | None, page_limit: int | None) -> type:
    """A :class:`gevent.pywsgi.WSGIHandler` that refuses too large bodies before the app runs.

    ``413`` when ``Content-Length`` is over the limit of the path; ``411`` for a
    chunked body to Socket.IO (Engine.IO reads only ``Content-Length`` bytes,
    and gevent would read the rest, however long, to keep the connection).
    """
    from gevent.pywsgi import WSGIHandler

    class LimitedHandler(WSGIHandler):
        def read_request(self, raw_requestline):
            result = super().read_request(raw_requestline)
            path = self.path.split("?", 1)[0]
            to_socketio = path == SOCKETIO_PATH or path.startswith(SOCKETIO_PATH + "/")
            limit = socket_limit if to_socketio else page_limit
            if limit is not None and (self.content_length or 0) > limit:
                raise _TooLarge("413 Request Entity Too Large")
            if to_socketio and self.headers.get("transfer-encoding", "").lower() == "chunked":
                raise _TooLarge("411 Length Required")
            return result

        def _handle_client_error(self, ex):
            if not isinstance(ex, _TooLarge):
                return super()._handle_client_error(ex)
            _refuse(self.socket, ex.status)
            self.status = ex.status
            return None  # gevent closes the connection

    return LimitedHandler


def _refuse(sock: Any, status: str) -> None:
    """Answer ``status`` and close, reading (and dropping) at most a little of the body first."""
    body = status.encode("ascii")
    head = (f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode("ascii")
    try:
        sock.sendall(head + body)
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + LINGER_SECONDS
        drained = 0
        while drained < LINGER_BYTES:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            chunk = sock.recv(65536)
            if not chunk:
                break
            drained += len(chunk)
    except OSError:  # the client is gone, or the linger timed out
        pass


class ListenError(RuntimeError):
    """The server could not listen on the address (port in use, no such address, …)."""


def run(app: Any, host: str, port: int, on_listening: Callable[[], None]) -> None:
    """Serve ``app`` on ``host:port`` until Ctrl+C or SIGTERM, then return.

    The socket is bound and accepting before ``on_listening`` is called (it
    prints the links), so every printed link works at once. No access log:
    only errors go to stderr.

    :raises ListenError: when the address cannot be bound; nothing is printed then.
    """
    from gevent import monkey
    from gevent.event import Event
    from gevent.pywsgi import WSGIServer

    if not monkey.is_module_patched("threading"):
        raise RuntimeError("call gevent.monkey.patch_all() before importing the app "
                           "(facilitator.cli.main does it for `facilitator serve`)")
    server = WSGIServer((host, port), app, backlog=BACKLOG, log=None, error_log="default",
                        handler_class=handler_class(*body_limits(app)))
    try:
        server.start()  # bind, listen and accept: connections succeed from here on
    except OSError as exc:
        raise ListenError(f"cannot listen on {host}:{port}: {_reason(exc, host, port)}") from None
    stopping = Event()
    previous = _install_stop_handlers(lambda *_args: stopping.set())
    try:
        on_listening()
        while not stopping.wait(timeout=WAKE_INTERVAL):
            pass
    finally:
        _restore_handlers(previous)  # a second Ctrl+C while stopping ends the process
        server.stop(timeout=STOP_TIMEOUT)


def _reason(exc: OSError, host: str, port: int) -> str:
    """The OS's words for a failed bind, without the address gevent appends to them."""
    reason = exc.strerror or str(exc)
    suffix = ": " + repr((host, port))
    return reason.removesuffix(suffix)


def _install_stop_handlers(handler: Callable[..., None]) -> dict[int, Any]:
    """Make the stop signals call ``handler``; returns the previous handlers.

    Only signals the platform has are touched (SIGTERM exists on Windows too,
    but ``TerminateProcess`` does not raise it). Outside the main thread
    signals cannot be handled, and the caller has to stop the server itself.
    """
    previous: dict[int, Any] = {}
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            previous[number] = signal.signal(number, handler)
        except (ValueError, OSError):  # not the main thread, or not allowed here
            continue
    return previous


def _restore_handlers(previous: dict[int, Any]) -> None:
    for number, handler in previous.items():
        try:
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        except (ValueError, OSError):
            continue
