"""The organisers' archive: every workshop on this server at a glance, its minutes in every
format, all of it as one ZIP, and complete deletion.

Minutes come from :func:`facilitator.minutes_export.export_minutes` (``md``, ``html``,
``pdf``, ``docx``, ``json``). Until that module is installed, :func:`export` falls back to
Markdown only (:func:`facilitator.minutes.minutes_markdown`). Exporting needs a Flask
application context (the minutes ask the app's plugins for appendices).
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import zipfile
from collections.abc import Mapping
from typing import Any

from facilitator.errors import ActionError
from facilitator.i18n import _, lazy_gettext
from facilitator.ledger import OPEN_STATUSES

#: What the archive shows as a workshop's status.
WORKSHOP_STATUSES: dict[str, Any] = {
    "planned": lazy_gettext("planned"),
    "running": lazy_gettext("running"),
    "held": lazy_gettext("held"),
}


def _exporter() -> Any:
    """The minutes export module, or ``None`` while it is not installed."""
    try:
        return importlib.import_module("facilitator.minutes_export")
    except ModuleNotFoundError as exc:
        if exc.name != "facilitator.minutes_export":
            raise
        return None


def formats() -> tuple[str, ...]:
    """The minutes formats this server can write (``md`` at least)."""
    module = _exporter()
    return tuple(module.FORMATS) if module else ("md",)


def export(core, workshop: dict, fmt: str) -> tuple[bytes, str, str]:
    """The minutes of ``workshop`` in ``fmt``: ``(bytes, mimetype, filename)``.

    :raises ActionError: ``unknown_format`` for a format this server cannot write.
    """
    if fmt not in formats():
        raise ActionError("unknown_format", _("Minutes cannot be written as “%(format)s”.", format=str(fmt)[:20]))
    module = _exporter()
    if module is not None:
        return module.export_minutes(core, workshop, fmt)
    from facilitator.minutes import minutes_filename, minutes_markdown

    return (minutes_markdown(core, workshop).encode("utf-8"), "text/markdown; charset=utf-8",
            minutes_filename(workshop))


def is_running(workshop: dict, sessions: list[dict]) -> bool:
    """Whether the room is in a session that is active (not closed)."""
    active = workshop.get("active_session_id")
    return bool(active) and any(s and s["id"] == active and s.get("status") == "active" for s in sessions)


def status(workshop: dict, sessions: list[dict]) -> str:
    """``running`` (a session is active), ``held`` (a session took place) or ``planned``."""
    if is_running(workshop, sessions):
        return "running"
    if any(s and (s.get("started") or s.get("status") == "closed") for s in sessions):
        return "held"
    return "planned"


def summaries(core) -> list[dict]:
    """Every workshop with its status and counts, newest date first (undated last)."""
    agreements = core.store.all("agreements")
    participants = core.store.all("participants")
    rows = []
    for workshop in core.workshops.all():
        wid = workshop["id"]
        sessions = [s for s in core.workshops.sessions(wid) if s]
        own = [a for a in agreements if a["workshop_id"] == wid]
        rows.append({
            "workshop": workshop,
            "status": status(workshop, sessions),
            "sessions": len(sessions),
            "participants": sum(1 for p in participants if p["workshop_id"] == wid and not p.get("removed")),
            "agreements": len(own),
            "open": sum(1 for a in own if a.get("status", "open") in OPEN_STATUSES),
            "imported": bool(workshop.get("imported_at")),
        })
    rows.sort(key=lambda r: (r["workshop"].get("date") or "", r["workshop"]["created_at"]), reverse=True)
    return rows


def filter_summaries(rows: list[dict], args: Mapping) -> list[dict]:
    """Rows matching the search ``q`` (title, place, organiser), ``status``, ``year`` and
    ``open`` (``"1"``: only workshops with open agreements)."""
    query = str(args.get("q") or "").casefold().strip()
    wanted_status = args.get("status") or ""
    year = str(args.get("year") or "").strip()
    only_open = args.get("open") == "1"
    found = []
    for row in rows:
        w = row["workshop"]
        text = " ".join(str(w.get(k) or "") for k in ("title", "place", "organiser")).casefold()
        if query and query not in text:
            continue
        if wanted_status and row["status"] != wanted_status:
            continue
        if year and not str(w.get("date") or "").startswith(year):
            continue
        if only_open and not row["open"]:
            continue
        found.append(row)
    return found


def folder_name(workshop: dict) -> str:
    """The ZIP folder (or export sub-folder) of a workshop: its Markdown file name's stem."""
    from facilitator.minutes import minutes_filename

    return minutes_filename(workshop).rsplit(".", 1)[0] + "-" + workshop["id"][-4:]


def write_all(core, workshops: list[dict], fmts: tuple[str, ...]) -> dict[str, bytes]:
    """Every workshop's minutes in ``fmts``: ``{"<folder>/<file name>": bytes}``."""
    files: dict[str, bytes] = {}
    for workshop in workshops:
        folder = folder_name(workshop)
        for fmt in fmts:
            data, _mimetype, filename = export(core, workshop, fmt)
            files[f"{folder}/{filename}"] = data
    return files


def zip_all(core, extra: Mapping[str, bytes] | None = None) -> bytes:
    """One ZIP with every workshop in every format (plus ``extra`` files at the top)."""
    files = write_all(core, core.workshops.all(), formats())
    buffer = io.BytesIO()
    stamp = dt.datetime.fromtimestamp(core.clock()).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**files, **(extra or {})}.items():
            info = zipfile.ZipInfo(name, date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800  # UTF-8 file names: umlauts stay readable in Explorer
            archive.writestr(info, data)
    return buffer.getvalue()


def delete_workshop(core, workshop_id: str) -> dict:
    """Delete a workshop completely; refused (``workshop_running``) while a session runs."""
    with core.lock:
        workshop = core.workshops.get(workshop_id)
        if is_running(workshop, [s for s in core.workshops.sessions(workshop_id) if s]):
            raise ActionError("workshop_running", _(
                "“%(title)s” is running (a session is active). Close the session on the dashboard "
                "before deleting the workshop.", title=workshop["title"]))
        core.workshops.delete(workshop_id)
    return workshop
