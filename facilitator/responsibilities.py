"""Responsibilities across workshops: every agreement on this server, filtered, and exported
as Markdown, CSV for Excel and an iCalendar file. Pure Python (no Flask).

Statuses are the ledger's (:data:`facilitator.ledger.STATUSES`); changing one goes through
:meth:`facilitator.ledger.Ledger.set_status`, the same record a round table's review reads.

CSV: UTF-8 with a byte order mark and ``;`` between fields, lines ended by CRLF. That is what
Excel in a German locale opens by double click with umlauts intact (without the BOM Excel
reads the bytes as Windows-1252; with ``,`` German Excel puts every row into one cell, because
its list separator is ``;``). LibreOffice asks and recognises both.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from facilitator.i18n import _
from facilitator.ledger import STATUSES, is_overdue
from facilitator.mdtext import format_date, md_escape

#: Filter parameters (query string names) the view and the exports understand.
FILTERS = ("q", "org", "person", "status", "due_from", "due_to", "overdue", "workshop")


def rows(core, today: dt.date) -> list[dict]:
    """Every agreement with its workshop and session titles and an ``overdue`` flag,
    ordered by due date (undated last), then by when it was recorded."""
    workshops = {w["id"]: w for w in core.store.all("workshops")}
    sessions = {s["id"]: s for s in core.store.all("sessions")}
    found = []
    for agreement in core.store.all("agreements"):
        workshop = workshops.get(agreement["workshop_id"])
        if workshop is None:
            continue
        session = sessions.get(agreement.get("session_id") or "")
        found.append({
            **agreement,
            "status": agreement.get("status", "open"),
            "workshop_title": workshop["title"],
            "workshop_date": workshop.get("date") or "",
            "session_title": session["title"] if session else "",
            "overdue": is_overdue(agreement, today),
        })
    return sorted(found, key=lambda a: (not a.get("due"), a.get("due") or "", a["created_at"]))


def _contains(value: Any, wanted: str) -> bool:
    return wanted in str(value or "").casefold()


def apply_filters(found: list[dict], args: Mapping) -> list[dict]:
    """The rows matching the filters in ``args`` (see :data:`FILTERS`).

    ``org``: part of the organisation; ``person``: part of who (person) or who follows up;
    ``status``: a ledger status; ``due_from``/``due_to``: ISO dates, inclusive;
    ``overdue``: ``"1"`` for overdue ones only; ``q``: part of any text; ``workshop``: an id.
    """
    def arg(name: str) -> str:
        value = args.get(name)
        return value.strip() if isinstance(value, str) else ""

    org, person, query = arg("org").casefold(), arg("person").casefold(), arg("q").casefold()
    result = []
    for a in found:
        if org and not _contains(a.get("who_org"), org):
            continue
        if person and not (_contains(a.get("who_person"), person) or _contains(a.get("follow_up"), person)):
            continue
        if arg("status") in STATUSES and a["status"] != arg("status"):
            continue
        if arg("due_from") and not (a.get("due") and a["due"] >= arg("due_from")):
            continue
        if arg("due_to") and not (a.get("due") and a["due"] <= arg("due_to")):
            continue
        if arg("overdue") == "1" and not a["overdue"]:
            continue
        if arg("workshop") and a["workshop_id"] != arg("workshop"):
            continue
        texts = (a.get(k) for k in ("what", "who_person", "who_org", "follow_up", "status_note", "workshop_title"))
        if query and not any(_contains(t, query) for t in texts):
            continue
        result.append(a)
    return result


def _columns() -> list[str]:
    return [_("What"), _("Who (person)"), _("Organisation"), _("Who follows up"), _("By when"),
            _("Review on"), _("Status"), _("Note"), _("Overdue"), _("Workshop"), _("Workshop date"),
            _("Session")]


def _cells(a: dict) -> list[str]:
    return [a.get("what") or "", a.get("who_person") or "", a.get("who_org") or "",
            a.get("follow_up") or "", format_date(a.get("due") or ""), format_date(a.get("review") or ""),
            str(STATUSES.get(a["status"], a["status"])), a.get("status_note") or "",
            _("yes") if a["overdue"] else "", a["workshop_title"], format_date(a["workshop_date"]),
            a["session_title"]]


def to_markdown(found: list[dict], title: str) -> str:
    """A Markdown document with one table of ``found`` (user text escaped)."""
    lines = [f"# {md_escape(title)}", ""]
    if not found:
        return "\n".join([*lines, _("No agreements match."), ""])
    columns = _columns()
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for a in found:
        lines.append("| " + " | ".join(md_escape(cell) for cell in _cells(a)) + " |")
    return "\n".join([*lines, ""])


def _spreadsheet_safe(text: str) -> str:
    """Keep Excel from reading text as a formula (``=``, ``+``, ``-``, ``@`` at the start)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(found: list[dict]) -> bytes:
    """``found`` as CSV for Excel: UTF-8 with BOM, ``;`` separated, CRLF (see module doc)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(_columns())
    for a in found:
        writer.writerow([_spreadsheet_safe(cell) for cell in _cells(a)])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def to_ics(found: list[dict], name: str, now: float) -> bytes:
    """An iCalendar file: an all-day event on each due date of an agreement still to do
    (open, in progress) and on each review date (except dropped ones).

    UIDs are stable (``<agreement id>-due@facilitator``), so a subscribed calendar updates
    the events instead of doubling them.
    """
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Facilitator//Responsibilities//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = dt.datetime.fromtimestamp(now, dt.UTC)
    for a in found:
        wanted = []
        if a.get("due") and a["status"] in ("open", "in_progress"):
            wanted.append(("due", a["due"], _("Due: %(what)s", what=a["what"])))
        if a.get("review") and a["status"] != "dropped":
            wanted.append(("review", a["review"], _("Review: %(what)s", what=a["what"])))
        for kind, day, summary in wanted:
            event = Event()
            event.add("uid", f"{a['id']}-{kind}@facilitator")
            event.add("dtstamp", stamp)
            start = dt.date.fromisoformat(day)
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(days=1))
            event.add("summary", summary)
            who = ", ".join(x for x in (a.get("who_person"), a.get("who_org")) if x)
            event.add("description", "\n".join(line for line in (
                _("Who: %(who)s", who=who) if who else "",
                _("Who follows up: %(who)s", who=a["follow_up"]) if a.get("follow_up") else "",
                _("Status: %(status)s", status=str(STATUSES.get(a["status"], a["status"]))),
                _("From: %(workshop)s", workshop=a["workshop_title"]),
            ) if line))
            event.add("categories", [kind])
            calendar.add_component(event)
    return calendar.to_ical()
