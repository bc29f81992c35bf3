"""The Socket.IO transport: authorise every connection and event, then act.

Every event handler answers through the acknowledgement callback with either
``{"ok": true, ...}`` or ``{"ok": false, "error": {"code": ..., "message": ...}}``.
The full protocol is documented in ``docs/protocol.md``.

Before python-socketio dispatches an event, :class:`EventGuard` looks at it
(cheaply, without Flask or the core): events over the rate limits
(:mod:`facilitator.ratelimit`) are answered ``rate_limited``, frames that are
not a list starting with an event name (not JSON, binary, ``42{}``) are
answered ``invalid``, and the names python-socketio reserves for the
connection's own lifecycle (``connect``, ``disconnect``, …) are answered
``unknown_event`` instead of running that lifecycle. Frames without an ack id
cannot be answered; they change nothing.

:func:`init_app` also installs the per-address limits of the HTTP pages that
check secrets (join codes, projector keys, tokens): see :func:`install_http_limits`.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request, session
from flask_socketio import SocketIO, disconnect
from socketio import packet as sio_packet
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from facilitator.broadcast import Broadcaster, Connection
from facilitator.errors import ActionError, ConfigError
from facilitator.i18n import DEFAULT_LANGUAGE, UI_LANGUAGES, _, force_locale, select_locale
from facilitator.methods import Actor
from facilitator.ratelimit import GUESSES, Limits, RateLimited, Settings, Verdict, too_fast_message

log = logging.getLogger(__name__)

#: Event names a client may not send: python-socketio runs the connection's own
#: handlers for ``connect``/``disconnect`` (and ``*`` would reach the catch-all
#: with its arguments shifted); the others are client-side or Flask-SocketIO names.
RESERVED_EVENTS = frozenset({"connect", "disconnect", "connect_error", "message", "json", "*"})
#: Largest Engine.IO packet (bytes), also the largest long-polling POST body.
MAX_PACKET = 64 * 1024
#: The endpoints that check a secret in their URL or body, and the statuses that mean
#: "wrong secret": these count as failed guesses of the client's address.
GUESS_ENDPOINTS = {
    "public.join": {404},  # unknown join code
    "public.resume": {400, 404},  # unknown token or join code
    "public.projector": {404},  # wrong workshop or projector key
    "public.qr": {404},  # unknown join code
    "enter": {403},  # wrong facilitator token
}


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


class _Packet(sio_packet.Packet):
    """Socket.IO packets that never fail to decode.

    A packet whose data is not JSON, or that announces binary attachments
    (the protocol has none), keeps its type and ack id and gets ``data = None``
    and ``malformed = True``: :class:`EventGuard` answers such an event
    ``invalid``. Without this python-socketio raises while decoding, before it
    knows the ack id, and the client never hears back.
    """

    malformed = False

    def decode(self, encoded_packet: Any) -> int:
        try:
            attachments = super().decode(encoded_packet)
        except Exception:  # noqa: BLE001 (any undecodable frame)
            self.malformed, self.data = True, None
            return 0
        if self.packet_type in (sio_packet.BINARY_EVENT, sio_packet.BINARY_ACK):
            binary_event = self.packet_type == sio_packet.BINARY_EVENT
            self.packet_type = sio_packet.EVENT if binary_event else sio_packet.ACK
            self.malformed, self.data = True, None
            return 0
        return attachments


def _core():
    return current_app.extensions["facilitator"]


def _broadcaster() -> Broadcaster:
    return current_app.extensions["facilitator.broadcaster"]


def _limits() -> Limits:
    return current_app.extensions["facilitator.limits"]


def _conn() -> Connection | None:
    return _broadcaster().connections.get(request.sid)


def error(code: str, message: str) -> dict:
    """The reply for a refused event."""
    return {"ok": False, "error": {"code": code, "message": message}}


def _invalid_data() -> str:
    return _("The event's data must be an object.")


#: Stands for the data of an event sent with more than one argument.
_NOT_ONE_OBJECT = object()


def event(socketio: SocketIO, name: str, roles: tuple[str, ...]) -> Callable:
    """Register a handler for ``name`` that only ``roles`` may send.

    The wrapper checks the role and that the data is one object, translates
    messages into the connection's language and turns refusals into replies.
    """

    def decorator(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def wrapper(*args: Any) -> dict:
            data = args[0] if len(args) == 1 else (None if not args else _NOT_ONE_OBJECT)
            conn = _conn()
            if conn is None:
                return error("not_connected", _("Please reload the page."))
            with force_locale(conn.language):
                if conn.role not in roles:
                    return error("forbidden", _("You may not do this in your role."))
                if not isinstance(data, dict):
                    return error("invalid", _invalid_data())
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


def _text(value: Any) -> str:
    """A credential as text: anything that is not a string counts as empty."""
    return value if isinstance(value, str) else ""


def _same_secret(given: str, expected: str) -> bool:
    """Compare secrets in constant time (any text, even a lone surrogate, is just wrong)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())


def _language(value: Any) -> str | None:
    """``value`` if it names a UI language, else ``None`` (also for lists, objects, numbers)."""
    return value if isinstance(value, str) and value in UI_LANGUAGES else None


def authenticate(auth: Any) -> Connection:
    """Check the connect ``auth`` object and return who is connecting.

    The checks run in the order of ``docs/protocol.md`` §4. Every field may
    hold any JSON value: what is not a string is treated as missing (a list as
    ``role`` is an unknown role, a dict as token a wrong one).
    """
    core = _core()
    if not isinstance(auth, dict):
        raise ActionError("auth_required", _("Connect with an auth object naming your role."))
    role = _text(auth.get("role"))
    if role == "participant":
        participant = core.people.by_token(_text(auth.get("token")))
        _limits().check_participant(participant["id"])
        return Connection(request.sid, role, participant["workshop_id"], participant["language"], participant["id"])
    workshop = core.workshops.get(_text(auth.get("workshop")))
    if role == "projector":
        if not _same_secret(_text(auth.get("key")), workshop["projector_key"]):
            raise ActionError("forbidden", _("This projector link is not valid."))
        return Connection(request.sid, role, workshop["id"], workshop["language"])
    if role != "facilitator":
        raise ActionError("invalid_role", _("Unknown role."))
    token = _text(auth.get("token"))
    expected = current_app.config["FACILITATOR_TOKEN"]
    if not (session.get("facilitator") or _same_secret(token, expected)):
        raise ActionError("forbidden", _("Open the facilitator link printed by the server."))
    # Without a valid choice: the same as the dashboard page it came from.
    language = _language(auth.get("language")) or select_locale()
    return Connection(request.sid, role, workshop["id"], language)


def _refuse(exc: ActionError) -> SocketRefused:
    """socketio's own exception: its extra argument reaches the client as ``err.data``."""
    return SocketRefused(exc.message, {"code": exc.code, "message": exc.message})


def register_handlers(socketio: SocketIO) -> None:
    """Attach the connect/disconnect handlers and every event."""

    @socketio.on("connect")
    def on_connect(auth: Any = None):
        """Authorise the connection; the current view follows within ``LIVE_INTERVAL``."""
        limits, address = _limits(), request.remote_addr
        try:
            limits.check_connect(address)  # lock-out, rate and open connections of the address
            conn = authenticate(auth)
        except ActionError as exc:
            if exc.code in GUESSES:
                limits.failed(address, GUESSES[exc.code])
            raise _refuse(exc) from None
        except Exception:  # a bug: refuse clearly (Flask-SocketIO would retry without auth)
            log.exception("Connect failed")
            raise _refuse(ActionError("internal_error", _("Something went wrong; nothing was changed."))) from None
        # Registering marks the workshop: the new client gets its first view from the
        # broadcaster, i.e. after the server has sent the CONNECT packet. Emitting here
        # would reach a client before it counts itself connected.
        limits.connected(conn.sid, address)
        _broadcaster().add(conn)

    @socketio.on("disconnect")
    def on_disconnect(*_args):
        """Forget the connection."""
        _broadcaster().remove(request.sid)
        _limits().disconnected(request.sid)

    @socketio.on("*")
    def on_unknown(name: str, *_args: Any) -> dict:
        """Any event the protocol does not define: answered, never silently dropped."""
        conn = _conn()
        with force_locale(conn.language if conn else DEFAULT_LANGUAGE):
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
        language = _language(data.get("language"))
        if language is None:
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


class EventGuard:
    """Looks at every EVENT packet before python-socketio dispatches it.

    python-socketio 5 hands each decoded EVENT packet to
    ``Server._handle_event(eio_sid, namespace, id, data)``, which starts the
    handler (in its own task) through ``_trigger_event``; ``connect`` and
    ``disconnect`` there reach the lifecycle handlers, not the catch-all. The
    guard replaces that method on the server instance and passes on only
    well-formed events with names a client may send, within the rate limits.
    Its answers need neither a Flask context nor the core: a flood is refused
    for the price of a dictionary lookup and one small packet.
    """

    def __init__(self, app: Flask, socketio: SocketIO, limits: Limits, broadcaster: Broadcaster) -> None:
        self.app = app
        self.server = socketio.server
        self.limits = limits
        self.connections = broadcaster.connections
        self._dispatch = self.server._handle_event
        self._receive = self.server._handle_eio_message
        self._messages: dict[tuple[str, str, str], str] = {}
        self.server._handle_event = self.handle_event
        self.server._handle_eio_message = self.handle_message
        self.server.eio.on("message", self.handle_message)  # Engine.IO kept the original

    def handle_message(self, eio_sid: str, data: Any) -> None:
        """python-socketio's ``_handle_eio_message``, minus its complaints about packet types.

        A client may send packet types it must not (``CONNECT_ERROR``, ``7``):
        python-socketio raises ``ValueError`` for them, which Engine.IO logs with
        a traceback, once per packet. They are dropped quietly instead.
        """
        try:
            self._receive(eio_sid, data)
        except ValueError as exc:
            log.debug("Dropped a packet from %s: %s", eio_sid, exc)

    def handle_event(self, eio_sid: str, namespace: str | None, id: int | None, data: Any) -> None:
        """python-socketio's ``_handle_event``, guarded."""
        namespace = namespace or "/"
        manager = self.server.manager
        sid = manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is None or not manager.is_connected(sid, namespace):
            return self._dispatch(eio_sid, namespace, id, data)  # ignored there
        conn = self.connections.get(sid)
        verdict = self.limits.event(sid, conn.participant_id if conn else None)
        if verdict is not Verdict.OK:
            self._answer(eio_sid, namespace, id, conn, "rate_limited")
            if verdict is Verdict.KICK:
                self._kick(sid, eio_sid, namespace, conn)
            return None
        if not (isinstance(data, list) and data and isinstance(data[0], str)):
            return self._answer(eio_sid, namespace, id, conn, "invalid")  # not JSON, binary, 42{}, 42[5]
        if data[0] in RESERVED_EVENTS:
            return self._answer(eio_sid, namespace, id, conn, "unknown_event", data[0])
        return self._dispatch(eio_sid, namespace, id, data)

    def _answer(self, eio_sid: str, namespace: str, id: int | None, conn: Connection | None,
                code: str, name: str = "") -> None:
        if id is None:
            return  # the client asked for no answer
        language = conn.language if conn else DEFAULT_LANGUAGE
        reply = error(code, self._message(code, language, name))
        self.server._send_packet(eio_sid, self.server.packet_class(
            sio_packet.ACK, namespace=namespace, id=id, data=[reply]))

    def _message(self, code: str, language: str, name: str) -> str:
        """The translated message, rendered once per code, language and (reserved) name."""
        key = (code, language, name)
        message = self._messages.get(key)
        if message is None:
            with self.app.app_context(), force_locale(language):
                if code == "rate_limited":
                    message = too_fast_message()
                elif code == "unknown_event":
                    message = _("Unknown event: %(name)s.", name=name)
                else:
                    message = _invalid_data()
            self._messages[key] = message
        return message

    def _kick(self, sid: str, eio_sid: str, namespace: str, conn: Connection | None) -> None:
        """Disconnect a connection that keeps sending after being refused."""
        participant = conn.participant_id if conn else None
        log.warning("Disconnecting %s (%s): it keeps sending events over the rate limit",
                    participant or (conn.role if conn else "connection"),
                    (self.server.environ.get(eio_sid) or {}).get("REMOTE_ADDR", "?"))
        self.limits.kicked(participant)
        self.server.disconnect(sid, namespace=namespace)  # tells the client: no reconnect
        transport = getattr(self.server.eio, "sockets", {}).get(eio_sid)
        if transport is not None:  # and close the Engine.IO connection, without waiting for it
            transport.close(wait=False, abort=False, reason=self.server.eio.reason.SERVER_DISCONNECT)


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def install_http_limits(app: Flask, limits: Limits) -> None:
    """The per-address limits of the HTTP pages.

    * A :class:`~facilitator.ratelimit.RateLimited` raised by a view (e.g. the
      join limit, ``limits.check_join(request.remote_addr)`` in
      :mod:`facilitator.pages_public`) answers HTTP 429 with ``Retry-After``:
      JSON ``{"ok": false, "error": {"code": "rate_limited", ...}}`` for JSON
      clients, else the error page.
    * The pages of :data:`GUESS_ENDPOINTS` count their "wrong secret" answers
      as failed guesses of the address, and answer 429 while it is locked out.
    """

    @app.errorhandler(RateLimited)
    def rate_limited(exc: RateLimited):
        """429 with the time to wait."""
        if _wants_json():
            response = jsonify(ok=False, error={"code": exc.code, "message": exc.message})
        else:
            response = app.make_response(render_template("error.html", message=exc.message))
        response.status_code = 429
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.before_request
    def refuse_locked_out():
        """An address that guessed too often may not check secrets for a while."""
        if request.endpoint in GUESS_ENDPOINTS:
            limits.check_guess(request.remote_addr)

    @app.after_request
    def count_failed_guesses(response):
        """A wrong join code, token or key counts against the address."""
        if response.status_code in GUESS_ENDPOINTS.get(request.endpoint, ()):
            limits.failed(request.remote_addr, f"{request.endpoint} ({response.status_code})")
        return response


def init_app(app: Flask) -> SocketIO:
    """Create the app's Socket.IO server (same-origin only), its broadcaster and its limits.

    ``app.config["RATE_LIMITS"]`` (optional) overrides numbers of
    :class:`facilitator.ratelimit.Settings`.
    """
    socketio = SocketIO(
        app,
        async_mode=app.config["ASYNC_MODE"],
        cors_allowed_origins=app.config.get("CORS_ALLOWED_ORIGINS"),
        max_http_buffer_size=MAX_PACKET,
        ping_interval=10,
        ping_timeout=20,
        json=_LenientJSON,
        serializer=_Packet,
    )
    limits = Limits(Settings.from_mapping(app.config.get("RATE_LIMITS")))
    app.extensions["facilitator.limits"] = limits
    broadcaster = Broadcaster(app, socketio)
    app.extensions["facilitator.broadcaster"] = broadcaster
    register_handlers(socketio)
    EventGuard(app, socketio, limits, broadcaster)
    install_http_limits(app, limits)
    core = app.extensions["facilitator"]
    core.engine.resume_jobs()  # computations a stopped server left unfinished
    if not app.config["LIVE_SYNC"]:
        broadcaster.start()  # timers fire also before anybody connects
    return socketio
