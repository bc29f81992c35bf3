"""The facilitator's minutes page: protocol header, summary, corrections, finalising, downloads.

Routes on the facilitator blueprint (:mod:`facilitator.pages_facilitator`
registers them), behind the facilitator's secret link; forms are plain POSTs
with a CSRF token.
"""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for

from facilitator.errors import ActionError
from facilitator.i18n import force_locale
from facilitator.minutes_data import minutes_data
from facilitator.minutes_export import FORMATS, content_disposition, export_minutes, html_fragment
from facilitator.minutes_protocol import Protocol, is_draft_changed, protocol_of, versions_of
from facilitator.pages_facilitator import bp, core, facilitator_required, load_workshop


def _version_arg() -> int:
    """``?version=N`` (0, the draft, when absent); 404 for anything else."""
    raw = request.args.get("version", "0")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:  # "²" and 5,000 digits are digits too
        abort(404)
    return int(raw)


def _page(workshop: dict, error: str | None = None, status: int = 200, form=None):
    data = minutes_data(core(), workshop)
    with force_locale(workshop["language"]):
        preview = html_fragment(data)
    protocol = protocol_of(workshop)
    values = form if form is not None else {**protocol, **data["protocol"],
                                            "apologies": protocol["apologies"],
                                            "distribution": protocol["distribution"]}
    return render_template(
        "facilitator/minutes.html", workshop=workshop, body=preview, data=data, values=values,
        error=error, versions=versions_of(workshop), formats=FORMATS,
        changed=is_draft_changed(workshop),
    ), status


@bp.get("/w/<workshop_id>/minutes")
@facilitator_required
def minutes(workshop_id: str):
    """The minutes page: the draft as it will be filed, its forms and versions."""
    return _page(load_workshop(workshop_id))


@bp.post("/w/<workshop_id>/minutes/protocol")
@facilitator_required
def minutes_protocol(workshop_id: str):
    """Save the protocol header, the summary and the speaking-time choice."""
    workshop = load_workshop(workshop_id)
    try:
        Protocol(core().workshops).save(workshop_id, request.form)
    except ActionError as exc:
        return _page(workshop, exc.message, 400, request.form)
    return redirect(url_for("facilitator.minutes", workshop_id=workshop_id, _anchor="protocol"))


@bp.post("/w/<workshop_id>/minutes/sections/<session_id>")
@facilitator_required
def minutes_section(workshop_id: str, session_id: str):
    """Save the corrected text of a session's section (``reset`` brings the generated text back)."""
    workshop = load_workshop(workshop_id)
    text = "" if request.form.get("reset") else request.form.get("text", "")
    try:
        Protocol(core().workshops).correct(workshop_id, session_id, text)
    except ActionError as exc:
        if exc.code == "unknown_session":
            abort(404)
        return _page(workshop, exc.message, 400)
    return redirect(url_for("facilitator.minutes", workshop_id=workshop_id, _anchor=f"s-{session_id}"))


@bp.post("/w/<workshop_id>/minutes/finalise")
@facilitator_required
def minutes_finalise(workshop_id: str):
    """Finalise the draft as the next version (older versions stay)."""
    workshop = load_workshop(workshop_id)
    Protocol(core().workshops).finalise(workshop_id, minutes_data(core(), workshop))
    return redirect(url_for("facilitator.minutes", workshop_id=workshop_id, _anchor="versions"))


@bp.get("/w/<workshop_id>/minutes.md")
@facilitator_required
def minutes_download(workshop_id: str):
    """The minutes as a Markdown file (the draft, or ``?version=N``)."""
    return minutes_file(workshop_id, "md")


@bp.get("/w/<workshop_id>/minutes/file.<fmt>")
@facilitator_required
def minutes_file(workshop_id: str, fmt: str):
    """The minutes in ``fmt`` (md, html, pdf, docx, json): the draft, or ``?version=N``."""
    workshop = load_workshop(workshop_id)
    if fmt not in FORMATS:
        abort(404)
    try:
        content, mimetype, filename = export_minutes(core(), workshop, fmt, _version_arg())
    except ActionError:
        abort(404)
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response

