"""The organisers' pages: the archive of every workshop, bundles, responsibilities.

Access is by the organiser's secret link (``/o/<organiser token>``, printed at start as
``Organiser:``), which stores the organiser flag in the signed session cookie. The
facilitator's link opens these pages too: the facilitator may already see and delete
every workshop on the dashboard. The organiser's link opens no dashboard.

The calendar of responsibilities has its own read-only link
(``/calendar/<calendar token>.ics``), for owners to subscribe to without any other right.
"""

from __future__ import annotations

import datetime as dt
import hmac

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from facilitator import archive, bundle, responsibilities
from facilitator.errors import ActionError
from facilitator.i18n import _
from facilitator.ids import new_secret
from facilitator.ledger import STATUSES
from facilitator.pages_facilitator import core, session_required
from facilitator.render import public_url
from facilitator.security import safe_redirect_target

bp = Blueprint("archive", __name__, url_prefix="/archive")


#: Only the organiser (or the facilitator) may open the view.
organiser_required = session_required("organiser", "facilitator", locked="archive/locked.html")


def enter(token: str):
    """The organiser's secret link: remember this browser as the organiser's."""
    if not hmac.compare_digest(token.encode(), current_app.config["ORGANISER_TOKEN"].encode()):
        return render_template("archive/locked.html"), 403
    session["organiser"] = True
    session.permanent = True
    return redirect(url_for("archive.index"))


def today() -> dt.date:
    """The server's date (the core's clock)."""
    return dt.date.fromtimestamp(core().clock())


def download(data: bytes, mimetype: str, filename: str) -> Response:
    """A file download; the name as UTF-8 (RFC 5987) so umlauts survive, with an ASCII fallback."""
    from urllib.parse import quote

    response = Response(data, mimetype=mimetype)
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}")
    return response


def load_workshop(workshop_id: str) -> dict:
    """The workshop or 404."""
    try:
        return core().workshops.get(workshop_id)
    except ActionError:
        abort(404)


def index_page(error: str | None = None, status: int = 200):
    """The archive page (with ``error`` shown above the list)."""
    rows = archive.summaries(core())
    shown = archive.filter_summaries(rows, request.args)
    years = sorted({str(r["workshop"].get("date") or "")[:4] for r in rows} - {""}, reverse=True)
    return render_template(
        "archive/index.html", rows=shown, total=len(rows), formats=archive.formats(),
        statuses=archive.WORKSHOP_STATUSES, years=years, args=request.args, error=error,
    ), status


@bp.get("/")
@organiser_required
def index():
    """Every workshop with its status and counts; search and filters in the query string."""
    return index_page()


@bp.get("/w/<workshop_id>/minutes.<fmt>")
@organiser_required
def minutes(workshop_id: str, fmt: str):
    """The minutes of one workshop in ``fmt`` (404 for a format this server cannot write)."""
    workshop = load_workshop(workshop_id)
    if fmt not in archive.formats():
        abort(404)
    return download(*archive.export(core(), workshop, fmt))


@bp.get("/w/<workshop_id>/bundle")
@organiser_required
def export_bundle(workshop_id: str):
    """The workshop as one bundle file, to import into another Facilitator."""
    workshop = load_workshop(workshop_id)
    return download(bundle.export_bundle(core(), workshop_id), "application/json",
                    bundle.bundle_filename(workshop))


@bp.get("/all.zip")
@organiser_required
def everything():
    """Every workshop in every format, and the responsibilities, as one ZIP."""
    found = responsibilities.rows(core(), today())
    extra = {_("responsibilities") + ".csv": responsibilities.to_csv(found),
             _("responsibilities") + ".md": responsibilities.to_markdown(found, _("Responsibilities")).encode()}
    name = f"facilitator-{today().isoformat()}.zip"
    return download(archive.zip_all(core(), extra), "application/zip", name)


@bp.route("/w/<workshop_id>/delete", methods=["GET", "POST"])
@organiser_required
def delete(workshop_id: str):
    """Ask, then delete a workshop completely (refused while it runs)."""
    workshop = load_workshop(workshop_id)
    summary = next(r for r in archive.summaries(core()) if r["workshop"]["id"] == workshop_id)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template("archive/delete.html", row=summary)
    try:
        archive.delete_workshop(core(), workshop_id)
    except ActionError as exc:
        return render_template("archive/delete.html", row=summary, error=exc.message), 409
    flash(_("“%(title)s” was deleted with all its data.", title=workshop["title"]))
    return redirect(url_for("archive.index"))


@bp.post("/import")
@organiser_required
def import_bundle():
    """Import a workshop bundle uploaded from another laptop."""
    upload = request.files.get("bundle")
    if not upload or not upload.filename:
        return index_page(_("Please choose a bundle file."), 400)
    try:
        workshop = bundle.import_bundle(core(), upload.read())
    except ActionError as exc:
        return index_page(exc.message, 400)
    flash(_("“%(title)s” was imported.", title=workshop["title"]))
    return redirect(url_for("archive.index"))


def calendar_url(args) -> str:
    """The subscription link of the calendar, with the current filters."""
    from urllib.parse import urlencode

    token = core().settings.get("calendar_token", new_secret)
    query = urlencode({k: args[k] for k in responsibilities.FILTERS if args.get(k)})
    return public_url(f"/calendar/{token}.ics") + (f"?{query}" if query else "")


@bp.get("/responsibilities")
@organiser_required
def responsibilities_page():
    """Every agreement of every workshop, filtered, with status updates."""
    every = responsibilities.rows(core(), today())
    found = responsibilities.apply_filters(every, request.args)
    return render_template(
        "archive/responsibilities.html", rows=found, total=len(every), statuses=STATUSES,
        args=request.args, calendar_url=calendar_url(request.args), here=request.full_path,
        overdue=sum(1 for a in found if a["overdue"]),
    )


@bp.get("/responsibilities.<fmt>")
@organiser_required
def responsibilities_export(fmt: str):
    """The filtered responsibilities as Markdown, CSV (Excel) or iCalendar."""
    found = responsibilities.apply_filters(responsibilities.rows(core(), today()), request.args)
    name = _("responsibilities")
    if fmt == "md":
        text = responsibilities.to_markdown(found, _("Responsibilities"))
        return download(text.encode("utf-8"), "text/markdown; charset=utf-8", f"{name}.md")
    if fmt == "csv":
        return download(responsibilities.to_csv(found), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt == "ics":
        data = responsibilities.to_ics(found, _("Responsibilities"), core().clock())
        return download(data, "text/calendar; charset=utf-8", f"{name}.ics")
    abort(404)


@bp.post("/agreements/<agreement_id>/status")
@organiser_required
def set_status(agreement_id: str):
    """Change an agreement's status with a note (the ledger's, shared with reviews)."""
    back = safe_redirect_target(request.form.get("next"), url_for("archive.responsibilities_page"))
    try:
        agreement = core().ledger.set_status(agreement_id, request.form.get("status"),
                                             request.form.get("note", ""))
    except ActionError as exc:
        flash(exc.message, "error")
        return redirect(back)
    flash(_("Status of “%(what)s”: %(status)s.", what=agreement["what"][:80],
            status=str(STATUSES[agreement["status"]])))
    return redirect(back)


def calendar(token: str):
    """The subscribable calendar of due and review dates (its own read-only token)."""
    expected = core().settings.get("calendar_token", new_secret)
    if not hmac.compare_digest(token.encode(), expected.encode()):
        abort(404)
    found = responsibilities.apply_filters(responsibilities.rows(core(), today()), request.args)
    data = responsibilities.to_ics(found, _("Responsibilities"), core().clock())
    return Response(data, mimetype="text/calendar; charset=utf-8")


def init_app(app: Flask) -> None:
    """Register the archive pages, the organiser's link and the calendar link."""
    app.config["ORGANISER_TOKEN"] = app.extensions["facilitator"].settings.get("organiser_token", new_secret)
    app.extensions["facilitator"].settings.get("calendar_token", new_secret)  # not on a (refused) GET
    app.register_blueprint(bp)
    app.add_url_rule("/o/<token>", "enter_organiser", enter)
    app.add_url_rule("/calendar/<token>.ics", "calendar", calendar)
