"""The Socket.IO transport: authorise every connection and event, then act.

Every event handler answers through the acknowledgement callback with either
``{"ok": true, ...}`` or ``{"ok": false, "error": {"code": ..., "message": ...}}``.
The full protocol is documented in ``docs/protocol.md``.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request, session
from flask_socketio import SocketIO, disconnect
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from facilitator.broadcast import Broadcaster, Connection
from facilitator.errors import ActionError, ConfigError
from facilitator.i18n import UI_LANGUAGES, _, force_locale, select_locale
from facilitator.methods import Actor

log = logging.getLogger(__name__)


class _LenientJSON:
    """JSON codec for packets: lazy translated strings are sent as text."""

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        """Encode ``obj``; anything JSON does not know becomes ``str(value)``."""
        return json.dumps(obj, default=str, **kwargs)

    @staticmethod
    def loads(text: str | bytes, **kwargs: Any) -> Any:
        """Decode a packet."""
        return json.loads(text, **kwargs)


def _core():
    return current_app.extensions["facilitator"]


def _broadcaster() -> Broadcaster:
    return current_app.extensions["facilitator.broadcaster"]


def _conn() -> Connection | None:
    return _broadcaster().connections.get(request.sid)


def error(code: str, message: str) -> dict:
    """The reply for a refused event."""
    return {"ok": False, "error": {"code": code, "message": message}}


def event(socketio: SocketIO, name: str, roles: tuple[str, ...]) -> Callable:
    """Register a handler for ``name`` that only ``roles`` may send.

    The wrapper checks the role and that the data is an object, translates
    messages into the connection's language and turns refusals into replies.
    """

    def decorator(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def wrapper(data: Any = None) -> dict:
            conn = _conn()
            if conn is None:
                return error("not_connected", _("Please reload the page."))
            with force_locale(conn.language):
                if conn.role not in roles:
                    return error("forbidden", _("You may not do this in your role."))
                if not isinstance(data, dict):
                    return error("invalid", _("The event's data must be an object."))
                try:
                    return {"ok": True, **(handler(conn, data) or {})}
                except ActionError as exc:
                    return error(exc.code, exc.message)
                except ConfigError as exc:
                    return {**error("invalid_config", str(exc)), "fields": exc.errors}
                except Exception:
                    log.exception("Event %s failed", name)
                    return error("internal_error", _("Something went wrong; nothing was changed."))

        socketio.on_event(name, wrapper)
        return wrapper

    return decorator


def authenticate(auth: Any) -> Connection:
    """Check the connect ``auth`` object and return who is connecting."""
    core = _core()
    if not isinstance(auth, dict):
        raise ActionError("auth_required", _("Connect with an auth object naming your role."))
    role = auth.get("role")
    if role not in ("participant", "projector", "facilitator"):
        raise ActionError("invalid_role", _("Unknown role."))
    if role == "participant":
        participant = core.people.by_token(auth.get("token"))
        return Connection(request.sid, role, participant["workshop_id"], participant["language"], participant["id"])
    workshop = core.workshops.get(auth.get("workshop"))
    if role == "projector":
        if not hmac.compare_digest(str(auth.get("key", "")).encode(), workshop["projector_key"].encode()):
            raise ActionError("forbidden", _("This projector link is not valid."))
        return Connection(request.sid, role, workshop["id"], workshop["language"])
    if role == "facilitator":
        token = str(auth.get("token", ""))
        expected = current_app.config["FACILITATOR_TOKEN"]
        if not (session.get("facilitator") or hmac.compare_digest(token.encode(), expected.encode())):
            raise ActionError("forbidden", _("Open the facilitator link printed by the server."))
        language = auth.get("language")
        if language not in UI_LANGUAGES:
            language = select_locale()  # the same choice as the dashboard page it came from
        return Connection(request.sid, role, workshop["id"], language)
    raise ActionError("invalid_role", _("Unknown role."))


def register_handlers(socketio: SocketIO) -> None:
    """Attach the connect/disconnect handlers and every event."""

    @socketio.on("connect")
    def on_connect(auth: Any = None):
        """Authorise the connection; the current view follows within ``LIVE_INTERVAL``."""
        try:
            conn = authenticate(auth)
        except ActionError as exc:
            # socketio's own exception: its extra argument reaches the client as ``err.data``.
            raise SocketRefused(exc.message, {"code": exc.code, "message": exc.message}) from None
        # Registering marks the workshop: the new client gets its first view from the
        # broadcaster, i.e. after the server has sent the CONNECT packet. Emitting here
        # would reach a client before it counts itself connected.
        _broadcaster().add(conn)

    @socketio.on("disconnect")
    def on_disconnect(*_args):
        """Forget the connection."""
        _broadcaster().remove(request.sid)

    @socketio.on("*")
    def on_unknown(name: str, *_args: Any) -> dict:
        """Any event the protocol does not define: answered, never silently dropped."""
        conn = _conn()
        with force_locale(conn.language if conn else "de"):
            return error("unknown_event", _("Unknown event: %(name)s.", name=str(name)[:40]))

    @event(socketio, "action", ("participant", "facilitator"))
    def on_action(conn: Connection, data: dict) -> dict:
        """Apply a method action: ``{session_id, action, payload, action_id}``."""
        core = _core()
        workshop = core.workshops.get(conn.workshop_id)
        if conn.participant_id:
            actor = core.people.actor(workshop, core.people.get(workshop["id"], conn.participant_id))
        else:
            actor = Actor(role=conn.role)
        reply = core.engine.apply_action(
            workshop["id"], actor, data.get("session_id"), data.get("action"),
            data.get("payload"), data.get("action_id"),
        )
        return {"reply": reply}

    @event(socketio, "language", ("participant", "facilitator"))
    def on_language(conn: Connection, data: dict) -> dict:
        """Switch this connection's (and a participant's stored) language."""
        language = data.get("language")
        if language not in UI_LANGUAGES:
            raise ActionError("invalid_choice", _("Please choose a valid value for “%(field)s”.", field=_("Language")))
        if conn.participant_id:
            core = _core()
            core.people.set_language(conn.workshop_id, conn.participant_id, language)
        conn.language = language
        conn.last_digest = ""
        _broadcaster().flush(conn.workshop_id, only_sid=conn.sid)
        return {}

    @event(socketio, "session.activate", ("facilitator",))
    def on_activate(conn: Connection, data: dict) -> dict:
        """Move the room into a session (``session_id``) or to the lobby (``null``)."""
        _core().engine.activate_session(conn.workshop_id, data.get("session_id"))
        return {}

    @event(socketio, "session.close", ("facilitator",))
    def on_close(conn: Connection, data: dict) -> dict:
        """Close a session: visible, but no more actions."""
        _core().engine.close_session(conn.workshop_id, data.get("session_id"))
        return {}

    @event(socketio, "session.move", ("facilitator",))
    def on_move(conn: Connection, data: dict) -> dict:
        """Move a session to another position in the agenda."""
        _core().workshops.move_session(conn.workshop_id, data.get("session_id"), data.get("position"))
        return {}

    @event(socketio, "session.delete", ("facilitator",))
    def on_delete(conn: Connection, data: dict) -> dict:
        """Delete a session and its agreements."""
        _core().workshops.delete_session(conn.workshop_id, data.get("session_id"))
        return {}

    @event(socketio, "participant.remove", ("facilitator",))
    def on_remove(conn: Connection, data: dict) -> dict:
        """Remove a participant; their phones are told and disconnected."""
        pid = data.get("participant_id")
        _core().engine.remove_participant(conn.workshop_id, pid)
        for other in _broadcaster().of_workshop(conn.workshop_id):
            if other.participant_id == pid:
                socketio.emit("removed", {"reason": "removed"}, to=other.sid)
                disconnect(sid=other.sid)
        return {}

    @event(socketio, "agreement.save", ("facilitator",))
    def on_agreement_save(conn: Connection, data: dict) -> dict:
        """Create (no ``id``) or edit (with ``id``) an agreement."""
        agreement = _core().ledger.save(conn.workshop_id, data)
        return {"agreement": agreement}

    @event(socketio, "agreement.status", ("facilitator",))
    def on_agreement_status(conn: Connection, data: dict) -> dict:
        """Change an agreement's status (``open``, ``in_progress``, ``done``, ``dropped``)
        with a ``note`` and optionally a new ``due`` date; any workshop's agreement."""
        agreement = _core().ledger.set_status(data.get("id"), data.get("status"), data.get("note", ""),
                                              data.get("due"))
        return {"agreement": agreement}

    @event(socketio, "agreement.delete", ("facilitator",))
    def on_agreement_delete(conn: Connection, data: dict) -> dict:
        """Delete an agreement."""
        _core().ledger.delete(conn.workshop_id, data.get("id"))
        return {}


def init_app(app: Flask) -> SocketIO:
    """Create the app's Socket.IO server (same-origin only) and its broadcaster."""
    socketio = SocketIO(
        app,
        async_mode=app.config["ASYNC_MODE"],
        cors_allowed_origins=app.config.get("CORS_ALLOWED_ORIGINS"),
        max_http_buffer_size=64 * 1024,
        ping_interval=10,
        ping_timeout=20,
        json=_LenientJSON,
    )
    broadcaster = Broadcaster(app, socketio)
    app.extensions["facilitator.broadcaster"] = broadcaster
    register_handlers(socketio)
    core = app.extensions["facilitator"]
    core.engine.resume_jobs()  # computations a stopped server left unfinished
    if not app.config["LIVE_SYNC"]:
        broadcaster.start()  # timers fire also before anybody connects
    return socketio
