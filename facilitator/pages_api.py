"""JSON endpoints for scripts that set up workshops and sessions (docs/protocol.md, §13).

Every request carries ``Authorization: Bearer <facilitator token>``; no cookie counts here.
That is what makes the endpoints safe without a CSRF token: another site can make a
browser send its cookies, never this header. Bodies are JSON objects; answers are
``{"ok": true, ...}`` or ``{"ok": false, "error": {"code", "message"[, "fields"]}}``.
"""

from __future__ import annotations

import functools
import hmac

from flask import Blueprint, Flask, current_app, jsonify, request

from facilitator.errors import ActionError, ConfigError
from facilitator.fields import parse_config
from facilitator.i18n import _
from facilitator.workshops import clean_workshop

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: Workshop fields a script may set.
WORKSHOP_FIELDS = ("title", "date", "place", "organiser", "language", "privacy")


def core():
    """The app's :class:`facilitator.core.Core`."""
    return current_app.extensions["facilitator"]


def fail(code: str, message: str, status: int = 400, **extra):
    """A JSON error answer."""
    return jsonify(ok=False, error={"code": code, "message": str(message), **extra}), status


def token_required(view):
    """Only a request with the facilitator token as bearer token runs ``view``."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        expected = current_app.config["FACILITATOR_TOKEN"].encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
            return fail("unauthorized", _("Send the facilitator token as “Authorization: Bearer <token>”."), 401)
        if request.method in ("POST", "PATCH", "PUT") and not request.is_json:
            return fail("invalid", _("Send a JSON object with “Content-Type: application/json”."), 415)
        try:
            return view(*args, **kwargs)
        except ConfigError as exc:
            return fail("invalid_config", _("Please correct the marked fields."), 400, fields=exc.errors)
        except ActionError as exc:
            status = 404 if exc.code in ("unknown_workshop", "unknown_session", "unknown_method") else 400
            if exc.code == "workshop_running":
                status = 409
            return fail(exc.code, exc.message, status)

    return wrapped


def body() -> dict:
    """The JSON object of the request.

    :raises ActionError: ``invalid`` when the body is not a JSON object.
    """
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ActionError("invalid", _("The request body must be a JSON object."))
    return data


def _session(s: dict) -> dict:
    return {k: s[k] for k in ("id", "method", "title", "config", "status")}


def _workshop(w: dict) -> dict:
    sessions = [s for s in core().workshops.sessions(w["id"]) if s]
    return {**{k: w.get(k) for k in ("id", "join_code", "active_session_id", *WORKSHOP_FIELDS)},
            "sessions": [_session(s) for s in sessions]}


@bp.get("/methods")
@token_required
def methods():
    """The installed methods and their config fields."""
    found = []
    for slug, method in core().methods.items():
        fields = [{"name": f.name, "kind": f.kind, "label": str(f.label),
                   "required": bool(getattr(f, "required", False))} for f in method.config_fields()]
        found.append({"slug": slug, "name": str(method.name), "fields": fields})
    return jsonify(ok=True, methods=found)


@bp.get("/workshops")
@token_required
def workshops():
    """Every workshop with its sessions."""
    return jsonify(ok=True, workshops=[_workshop(w) for w in core().workshops.all()])


@bp.post("/workshops")
@token_required
def create_workshop():
    """Create a workshop; optionally with ``sessions`` (each ``{"method", "title", ...config}``).

    All of it is checked first: a bad session leaves no workshop behind.
    """
    data = body()
    sessions = data.get("sessions", [])
    if not isinstance(sessions, list) or not all(isinstance(s, dict) for s in sessions):
        raise ActionError("invalid", _("“sessions” must be a list of objects."))
    clean_workshop({k: data.get(k) for k in WORKSHOP_FIELDS})  # everything is checked first
    for number, s in enumerate(sessions):
        try:
            parse_config(core().methods.method(s.get("method")), s)
        except ConfigError as exc:
            raise ConfigError({f"sessions[{number}].{k}": v for k, v in exc.errors.items()}) from None
    workshop = core().workshops.create({k: data.get(k) for k in WORKSHOP_FIELDS})
    for s in sessions:
        core().workshops.add_session(workshop["id"], s["method"], s)
    return jsonify(ok=True, workshop=_workshop(core().workshops.get(workshop["id"]))), 201


@bp.get("/workshops/<workshop_id>")
@token_required
def get_workshop(workshop_id: str):
    """One workshop with its sessions."""
    return jsonify(ok=True, workshop=_workshop(core().workshops.get(workshop_id)))


@bp.patch("/workshops/<workshop_id>")
@token_required
def update_workshop(workshop_id: str):
    """Change some of a workshop's fields (the others stay)."""
    data = body()
    current = core().workshops.get(workshop_id)
    merged = {k: data.get(k, current.get(k)) for k in WORKSHOP_FIELDS}
    workshop = core().workshops.update(workshop_id, merged)
    return jsonify(ok=True, workshop=_workshop(workshop))


@bp.delete("/workshops/<workshop_id>")
@token_required
def delete_workshop(workshop_id: str):
    """Delete a workshop completely (refused while a session runs)."""
    from facilitator.archive import delete_workshop as delete

    delete(core(), workshop_id)
    return jsonify(ok=True)


@bp.post("/workshops/<workshop_id>/sessions")
@token_required
def add_session(workshop_id: str):
    """Add a session: ``{"method": slug, "title": ..., <config fields>}``."""
    data = body()
    core().workshops.get(workshop_id)
    session = core().workshops.add_session(workshop_id, data.get("method"), data)
    return jsonify(ok=True, session=_session(session)), 201


@bp.patch("/workshops/<workshop_id>/sessions/<session_id>")
@token_required
def configure_session(workshop_id: str, session_id: str):
    """Change a session's title and (until it starts) its config; omitted fields stay."""
    data = body()
    current = core().workshops.session(workshop_id, session_id)
    merged = {"title": current["title"], **current["config"], **data}
    session = core().workshops.configure_session(workshop_id, session_id, merged)
    return jsonify(ok=True, session=_session(session))


@bp.post("/workshops/<workshop_id>/sessions/<session_id>/move")
@token_required
def move_session(workshop_id: str, session_id: str):
    """Move a session to ``{"position": n}`` (0-based) in the agenda."""
    core().workshops.move_session(workshop_id, session_id, body().get("position"))
    return jsonify(ok=True, workshop=_workshop(core().workshops.get(workshop_id)))


@bp.delete("/workshops/<workshop_id>/sessions/<session_id>")
@token_required
def delete_session(workshop_id: str, session_id: str):
    """Remove a session (with its agreements)."""
    core().workshops.delete_session(workshop_id, session_id)
    return jsonify(ok=True)


def init_app(app: Flask) -> None:
    """Register the set-up API."""
    app.register_blueprint(bp)
