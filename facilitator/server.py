"""Serving the app on gevent's WSGI server: what ``facilitator serve`` runs on.

:class:`gevent.pywsgi.WSGIServer` is a production-grade server (no "development
server" warning). It serves every connection in a greenlet instead of a thread,
so one process carries thousands of phones, and Flask-SocketIO
(``async_mode="gevent"``) gets its WebSockets through simple-websocket. gevent
ships wheels for Windows, macOS and Linux.

The process must be monkey-patched (``gevent.monkey.patch_all()``) before the
app is imported, so that the core's locks and background tasks are
cooperative; :func:`facilitator.cli.main` does that for ``facilitator serve``.
"""

from __future__ import annotations

import signal
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
    server = WSGIServer((host, port), app, backlog=BACKLOG, log=None, error_log="default")
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
