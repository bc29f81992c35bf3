"""The facilitator's pages: workshops, agenda forms, dashboard, minutes, handout.

Access is by the unguessable link the server prints at start (as Jupyter
does): opening it stores a flag in the signed session cookie. Forms are
plain POSTs with a CSRF token, checked by :mod:`facilitator.security` (as is
their origin); live controls go over Socket.IO. The language switch in the
header is the public one (``POST /lang``).
"""

from __future__ import annotations

import functools
import hmac

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from facilitator.fields import decode_upload, form_values
from facilitator.methods import ActionError, ConfigError
from facilitator.render import live_config, public_url
from facilitator.vocabulary import ORG_TYPES, PRIVACY_MODES

bp = Blueprint("facilitator", __name__, url_prefix="/facilitator")


def core():
    """The app's :class:`facilitator.core.Core`."""
    return current_app.extensions["facilitator"]


def session_required(*roles: str, locked: str = "facilitator/locked.html"):
    """A view decorator: only a browser that opened the secret link of one of ``roles``
    (``"facilitator"``, ``"organiser"``) may open the view; others get ``locked`` (403)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not any(session.get(role) for role in roles):
                return render_template(locked), 403
            return view(*args, **kwargs)

        return wrapped

    return decorator


#: Only the facilitator (holder of the secret link) may open the view.
facilitator_required = session_required("facilitator")


def rows_as_lines(form, name: str) -> str | None:
    """A ``lines`` field edited as a table of rows, as one line per row; ``None`` if it was not.

    A method's form template may render a ``lines`` field as rows of inputs
    named ``<name>[<column>]`` (one input per column and row, e.g. the
    fishbowl's panel: name, organisation, type). Each row becomes the line
    ``column1; column2; …``; rows left wholly empty are dropped, empty
    trailing columns too (so a select's empty first option means "not given").
    """
    prefix = f"{name}["
    columns = [key for key in form if key.startswith(prefix) and key.endswith("]")]
    if not columns:
        return None
    cells = [form.getlist(key) for key in columns]
    lines = []
    for row in zip(*cells, strict=False):
        parts = [" ".join(str(cell).split()) for cell in row]
        if not any(parts):
            continue
        while len(parts) > 1 and not parts[-1]:
            parts.pop()
        lines.append("; ".join(parts))
    return "\n".join(lines)


def config_form(method) -> dict:
    """The submitted config form as a dict, rows of ``lines`` fields joined (:func:`rows_as_lines`)."""
    data = request.form.to_dict()
    for field in method.config_fields():
        if field.kind == "lines":
            lines = rows_as_lines(request.form, field.name)
            if lines is not None:
                data[field.name] = lines
    return data


def read_uploads(method, data: dict) -> dict:
    """``data`` with uploaded text files read into their fields.

    :raises ConfigError: for an upload that is not readable text.
    """
    errors: dict[str, str] = {}
    for field in method.config_fields():
        upload = request.files.get(field.name) if field.kind == "file" else None
        if upload and upload.filename:
            try:
                data[field.name] = decode_upload(upload.read(), field.label)
            except ValueError as exc:  # shown under the field; the form comes back
                errors[field.name] = str(exc)
    if errors:
        raise ConfigError(errors)
    return data


def load_workshop(workshop_id: str) -> dict:
    """The workshop or 404."""
    try:
        return core().workshops.get(workshop_id)
    except ActionError:
        abort(404)


def enter(token: str):
    """The secret link: remember this browser as the facilitator's."""
    if not hmac.compare_digest(token.encode(), current_app.config["FACILITATOR_TOKEN"].encode()):
        return render_template("facilitator/locked.html"), 403
    session["facilitator"] = True
    session.permanent = True
    return redirect(url_for("facilitator.home"))


@bp.get("/")
@facilitator_required
def home():
    """All workshops and the form to create one."""
    return render_template(
        "facilitator/home.html", workshops=core().workshops.all(), form={}, privacy_modes=PRIVACY_MODES
    )


@bp.post("/workshops")
@facilitator_required
def create_workshop():
    """Create a workshop, then open its dashboard."""
    try:
        workshop = core().workshops.create(request.form)
    except ActionError as exc:
        return render_template(
            "facilitator/home.html", workshops=core().workshops.all(), form=request.form,
            error=exc.message, privacy_modes=PRIVACY_MODES,
        ), 400
    return redirect(url_for("facilitator.dashboard", workshop_id=workshop["id"]))


@bp.get("/w/<workshop_id>")
@facilitator_required
def dashboard(workshop_id: str):
    """The live dashboard of one workshop."""
    workshop = load_workshop(workshop_id)
    return render_template(
        "facilitator/dashboard.html",
        workshop=workshop,
        join_url=public_url(f"/j/{workshop['join_code']}"),
        live=live_config("facilitator", workshop),
    )


@bp.route("/w/<workshop_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_workshop(workshop_id: str):
    """Edit the workshop's details."""
    workshop = load_workshop(workshop_id)
    error = None
    if request.method == "POST":
        try:
            core().workshops.update(workshop_id, request.form)
            return redirect(url_for("facilitator.dashboard", workshop_id=workshop_id))
        except ActionError as exc:
            error = exc.message
    form = request.form if request.method == "POST" else workshop
    return render_template(
        "facilitator/workshop_form.html", workshop=workshop, form=form, error=error,
        privacy_modes=PRIVACY_MODES,
    ), (400 if error else 200)


@bp.post("/w/<workshop_id>/delete")
@facilitator_required
def delete_workshop(workshop_id: str):
    """Delete a workshop with all its data."""
    load_workshop(workshop_id)
    core().workshops.delete(workshop_id)
    return redirect(url_for("facilitator.home"))


def session_form_page(workshop: dict, method, values, errors: dict, title: str, session: dict | None):
    """The config form of a session (new or edited), 400 when it has errors."""
    return render_template(
        "facilitator/session_form.html", workshop=workshop, method=method, values=values,
        errors=errors, title=title, session=session,
        org_types=[(key, str(label)) for key, label in ORG_TYPES.items()],
    ), (400 if errors else 200)


@bp.route("/w/<workshop_id>/sessions/new/<slug>", methods=["GET", "POST"])
@facilitator_required
def new_session(workshop_id: str, slug: str):
    """Configure and add a session of method ``slug``."""
    workshop = load_workshop(workshop_id)
    method = core().methods.get(slug) or abort(404)
    errors: dict[str, str] = {}
    values = form_values(method, None)
    if request.method == "POST":
        values = config_form(method)
        try:
            core().workshops.add_session(workshop_id, slug, read_uploads(method, dict(values)))
            return redirect(url_for("facilitator.dashboard", workshop_id=workshop_id))
        except ConfigError as exc:
            errors = exc.errors
    return session_form_page(workshop, method, values, errors, values.get("title", ""), None)


@bp.route("/w/<workshop_id>/sessions/<session_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_session(workshop_id: str, session_id: str):
    """Change a session's title (and its configuration until it starts)."""
    workshop = load_workshop(workshop_id)
    try:
        sess = core().workshops.session(workshop_id, session_id)
    except ActionError:
        abort(404)
    method = core().methods[sess["method"]]
    errors: dict[str, str] = {}
    values = form_values(method, sess["config"])
    title = sess["title"]
    if request.method == "POST":
        values = config_form(method)
        try:
            core().workshops.configure_session(workshop_id, session_id, read_uploads(method, dict(values)))
            return redirect(url_for("facilitator.dashboard", workshop_id=workshop_id))
        except ConfigError as exc:
            errors = exc.errors
        except ActionError as exc:
            errors = {"": exc.message}
        title = values.get("title", "")
    return session_form_page(workshop, method, values, errors, title, sess)


#: Cards on one A4 page of the handout (two columns, four rows), and the most pages.
HANDOUT_CARDS_PER_PAGE = 8
HANDOUT_MAX_PAGES = 10
#: Longest Wi-Fi name or password the handout prints (WPA passwords have at most 63).
MAX_WIFI = 64


def handout_options(args) -> dict:
    """The handout's optional settings from the query string: Wi-Fi name and password
    (printed on every card, never stored) and the number of pages."""
    def text(key: str) -> str:
        value = args.get(key, "")
        return " ".join(value.split())[:MAX_WIFI] if isinstance(value, str) else ""

    try:
        pages = min(max(int(args.get("pages", 1)), 1), HANDOUT_MAX_PAGES)
    except (TypeError, ValueError):
        pages = 1
    wifi = text("wifi")
    return {"wifi": wifi, "password": text("password") if wifi else "", "pages": pages}


@bp.get("/w/<workshop_id>/handout")
@facilitator_required
def handout(workshop_id: str):
    """A printable page of join cards (QR code, address, code, optional Wi-Fi), for the tables."""
    workshop = load_workshop(workshop_id)
    join_url = public_url(f"/j/{workshop['join_code']}")
    return render_template(
        "facilitator/handout.html", workshop=workshop, join_url=join_url,
        join_base=join_url[: -len("j/" + workshop["join_code"])], per_page=HANDOUT_CARDS_PER_PAGE,
        max_pages=HANDOUT_MAX_PAGES, max_wifi=MAX_WIFI, **handout_options(request.args),
    )


def init_app(app: Flask) -> None:
    """Register the facilitator pages and the secret entry link."""
    from facilitator import minutes_pages  # noqa: F401  (adds the minutes routes to ``bp``)

    app.register_blueprint(bp)
    app.add_url_rule("/f/<token>", "enter", enter)
