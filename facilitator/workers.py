"""Running long work off the core's lock, in a real operating-system thread. Pure Python (no Flask).

Under ``facilitator serve`` the standard library is monkey-patched by gevent,
so ``threading.Thread`` is a greenlet: CPU-bound work there would stop every
phone. :func:`run_off_lock` then uses gevent's pool of real threads and
delivers the result back in the event loop.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
Done = Callable[[Any, "BaseException | None"], None]


def _gevent_patched() -> bool:
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


def run_inline(function: Callable[..., Any], args: tuple, done: Done) -> None:
    """Run ``function(*args)`` at once, in the caller's thread, then ``done(result, error)``."""
    try:
        result = function(*args)
    except Exception as exc:  # noqa: BLE001 (handed on, not swallowed)
        done(None, exc)
    else:
        done(result, None)


def run_off_lock(function: Callable[..., Any], args: tuple, done: Done) -> None:
    """Run ``function(*args)`` in a worker thread, then ``done(result, error)``.

    ``done`` runs in the caller's world: a greenlet under gevent, a thread otherwise.
    """
    def finish(result: Any, error: BaseException | None) -> None:
        try:
            done(result, error)
        except Exception:  # a failing delivery must not kill the worker silently
            log.exception("Delivering the result of %r failed", function)

    if _gevent_patched():
        import gevent

        def in_pool(*call_args: Any) -> Any:  # a real thread; this greenlet waits cooperatively
            return gevent.get_hub().threadpool.apply(function, call_args)

        gevent.spawn(run_inline, in_pool, args, finish)
        return
    threading.Thread(target=run_inline, args=(function, args, finish), name="facilitator-worker",
                     daemon=True).start()
