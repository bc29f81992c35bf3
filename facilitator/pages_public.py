"""Pages anyone in the room may open: joining, the participant view, the projector.

Participants need no account: joining stores a secret token in a cookie and
in the phone's local storage, so a reload, a locked screen or a dropped Wi-Fi
brings them back as the same person.
"""

from __future__ import annotations

import hmac

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from facilitator.i18n import UI_LANGUAGES, _
from facilitator.methods import ActionError
from facilitator.qr import qr_svg
from facilitator.render import live_config, public_url
from facilitator.security import safe_redirect_target
from facilitator.vocabulary import ORG_TYPES

bp = Blueprint("public", __name__)
COOKIE_AGE = 60 * 60 * 24 * 180


def core():
    """The app's :class:`facilitator.core.Core`."""
    return current_app.extensions["facilitator"]


def participant_cookie(workshop_id: str) -> str:
    """Name of the cookie holding a participant's token for one workshop."""
    return f"fp_{workshop_id}"


def current_participant(workshop: dict) -> dict | None:
    """The participant this browser is in ``workshop``, if any (and not removed)."""
    token = request.cookies.get(participant_cookie(workshop["id"]))
    if not token:
        return None
    try:
        participant = core().people.by_token(token)
    except ActionError:
        return None
    return participant if participant["workshop_id"] == workshop["id"] else None


def join_fields(workshop: dict, data) -> dict:
    """The join form's fields that are stored for ``workshop``.

    In anonymous mode the organisation is neither asked for (templates/join.html)
    nor stored, even if a client sends one: together with the type it could name
    the person.
    """
    fields = data.to_dict() if hasattr(data, "to_dict") else dict(data or {})
    if workshop["privacy"] != "named":
        fields.pop("organisation", None)
    return fields


def wants_json() -> bool:
    """Did the client send or ask for JSON (a protocol client rather than a form)?"""
    return request.is_json or request.accept_mimetypes.best == "application/json"


@bp.get("/")
def index():
    """Landing page: enter a join code (facilitators are sent to their dashboard)."""
    from flask import session

    if session.get("facilitator"):
        return redirect(url_for("facilitator.home"))
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("public.join", code=code.upper()))
    return render_template("index.html")


@bp.route("/j/<code>", methods=["GET", "POST"])
def join(code: str):
    """Join form (GET), joining (POST, form or JSON), or the live participant view."""
    try:
        workshop = core().workshops.by_code(code)
    except ActionError as exc:
        if wants_json():
            return jsonify(ok=False, error={"code": exc.code, "message": exc.message}), 404
        return render_template("index.html", error=exc.message, code=code), 404
    # A browser that prefers none of the UI languages gets the workshop's (facilitator/i18n.py).
    g.workshop_language = workshop["language"]
    if request.method == "POST":
        current_app.extensions["facilitator.limits"].check_join(request.remote_addr)  # 429 when over
        data = request.get_json(silent=True) if request.is_json else request.form
        if request.is_json and not isinstance(data, dict):
            error = {"code": "invalid", "message": _("Send the join details as a JSON object.")}
            return jsonify(ok=False, error=error), 400
        try:
            participant = core().people.join(workshop["id"], join_fields(workshop, data))
        except ActionError as exc:
            if wants_json():
                return jsonify(ok=False, error={"code": exc.code, "message": exc.message}), 400
            return render_template(
                "join.html", workshop=workshop, error=exc.message, form=data, org_types=ORG_TYPES
            ), 400
        if wants_json():
            response = jsonify(
                ok=True, participant_id=participant["id"], token=participant["token"],
                workshop_id=workshop["id"],
            )
        else:
            response = redirect(url_for("public.join", code=workshop["join_code"]))
        response.set_cookie(
            participant_cookie(workshop["id"]), participant["token"], max_age=COOKIE_AGE,
            httponly=True, samesite="Lax",
        )
        response.set_cookie("lang", participant["language"], max_age=COOKIE_AGE, samesite="Lax")
        return response
    participant = current_participant(workshop)
    if participant is None:
        return render_template("join.html", workshop=workshop, form={}, org_types=ORG_TYPES)
    g.language = participant["language"]
    return render_template(
        "participant.html",
        workshop=workshop,
        participant=participant,
        live=live_config("participant", workshop, token=participant["token"]),
    )


@bp.post("/j/<code>/resume")
def resume(code: str):
    """Restore the cookie from the token the phone kept in local storage."""
    try:
        workshop = core().workshops.by_code(code)
        body = request.get_json(silent=True)
        participant = core().people.by_token(body.get("token") if isinstance(body, dict) else None)
    except ActionError as exc:
        return jsonify(ok=False, error={"code": exc.code, "message": exc.message}), 400
    if participant["workshop_id"] != workshop["id"]:
        message = _("Please join the workshop again.")
        return jsonify(ok=False, error={"code": "unknown_participant", "message": message}), 400
    response = jsonify(ok=True)
    response.set_cookie(
        participant_cookie(workshop["id"]), participant["token"], max_age=COOKIE_AGE,
        httponly=True, samesite="Lax",
    )
    return response


@bp.post("/j/<code>/leave")
def leave(code: str):
    """Leave the workshop on this phone: the token stops working, methods let the
    person go (e.g. a chair is freed), and the record stays for the minutes."""
    try:
        workshop = core().workshops.by_code(code)
    except ActionError:
        return redirect(url_for("public.index"))
    participant = current_participant(workshop)
    if participant is not None:
        core().engine.participant_left(workshop["id"], participant["id"])
    response = redirect(url_for("public.join", code=workshop["join_code"]))
    response.delete_cookie(participant_cookie(workshop["id"]))
    return response


@bp.post("/lang")
def set_language():
    """Choose the UI language of this browser (kept in a cookie), on every page
    (the facilitator's too), then go back to ``next`` if that is a page of this site."""
    language = request.form.get("language", "")
    response = redirect(safe_redirect_target(request.form.get("next"), url_for("public.index")))
    if language in UI_LANGUAGES:
        response.set_cookie("lang", language, max_age=COOKIE_AGE, samesite="Lax")
    return response


def check_projector_key(workshop_id: str) -> dict:
    """The workshop, if the request carries its projector key; else 404."""
    try:
        workshop = core().workshops.get(workshop_id)
    except ActionError:
        abort(404)
    key = request.args.get("key", "")
    if not hmac.compare_digest(key.encode(), workshop["projector_key"].encode()):
        abort(404)
    return workshop


@bp.get("/p/<workshop_id>")
def projector(workshop_id: str):
    """The projector view: full screen, the join QR code, the active session."""
    workshop = check_projector_key(workshop_id)
    g.language = workshop["language"]
    return render_template(
        "projector.html",
        workshop=workshop,
        join_url=public_url(f"/j/{workshop['join_code']}"),
        live=live_config("projector", workshop, key=workshop["projector_key"]),
    )


@bp.get("/qr/<code>.svg")
def qr(code: str):
    """The QR code of a workshop's join URL, as SVG."""
    try:
        workshop = core().workshops.by_code(code)
    except ActionError:
        abort(404)
    response = make_response(qr_svg(public_url(f"/j/{workshop['join_code']}")))
    response.headers["Content-Type"] = "image/svg+xml"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/plugins/<slug>/static/<path:filename>")
def plugin_static(slug: str, filename: str):
    """Static files a method ships in its ``static/`` folder."""
    method = core().methods.get(slug)
    if method is None:
        abort(404)
    return send_from_directory(method.root_dir() / "static", filename)


def init_app(app: Flask) -> None:
    """Register the public pages."""
    app.register_blueprint(bp)
