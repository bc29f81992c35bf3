"""A pair's joint project: check the plan, and turn its meetings into ledger entries.

Pure Python (no Flask). A plan has a title and goal, a start date, one meeting
at each twin, working meetings and a final presentation no later than
:data:`MAX_MONTHS` months after the start, and a responsible person on each
side. Every check raises :class:`facilitator.ActionError` before anything changes.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from typing import Any

from facilitator import (
    MAX_NAME,
    MAX_TEXT,
    MAX_TITLE,
    ActionError,
    _,
    clean_date,
    clean_text,
    format_date,
)

from .profiles import SEPARATORS

#: A twinning lasts at most this many months.
MAX_MONTHS = 6
#: At most this many working meetings.
MAX_WORKING = 12


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` months (the last day of a shorter month when needed)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def latest_presentation(start: str) -> str:
    """The last allowed presentation date for a twinning starting on ``start`` (ISO)."""
    return add_months(dt.date.fromisoformat(start), MAX_MONTHS).isoformat()


def _dates(value: Any, field: str) -> list[str]:
    if value is None or value == "":
        return []
    items = SEPARATORS.split(value) if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ActionError("invalid", _("“%(field)s” must be text.", field=field))
    dates = [clean_date(item, field) for item in items]
    dates = sorted({d for d in dates if d})
    if len(dates) > MAX_WORKING:
        raise ActionError("too_many", _("“%(field)s”: at most %(max)d entries.", field=field,
                                        max=MAX_WORKING))
    return dates


def clean_plan(payload: Mapping, members: list[dict]) -> dict:
    """A checked plan for the pair (or triplet) ``members`` (their profiles).

    Payload: ``title``, ``goal``, ``start``, ``meeting:<group id>`` and
    ``responsible:<group id>`` for each member, ``working`` (dates, one per line
    or separated by commas), ``presentation``.
    """
    if not isinstance(payload, Mapping):
        raise ActionError("invalid", _("This plan is not valid."))
    plan: dict[str, Any] = {
        "title": clean_text(payload.get("title"), _("Title of the project"), MAX_TITLE, required=True),
        "goal": clean_text(payload.get("goal"), _("Goal"), MAX_TEXT, required=True),
        "start": clean_date(payload.get("start"), _("Start of the twinning"), required=True),
        "meetings": {}, "responsible": {},
    }
    for group in members:
        plan["meetings"][group["id"]] = clean_date(
            payload.get(f"meeting:{group['id']}"),
            _("Meeting at %(name)s", name=group["name"]), required=True)
        plan["responsible"][group["id"]] = clean_text(
            payload.get(f"responsible:{group['id']}"),
            _("Responsible at %(name)s", name=group["name"]), MAX_NAME, required=True)
    plan["working"] = _dates(payload.get("working"), _("Working meetings"))
    if not plan["working"]:
        raise ActionError("required", _("Please fill in “%(field)s”.", field=_("Working meetings")))
    plan["presentation"] = clean_date(payload.get("presentation"), _("Final presentation"),
                                      required=True)
    latest = latest_presentation(plan["start"])
    if plan["presentation"] > latest:
        raise ActionError("too_late", _(
            "The final presentation must be no later than six months after the start (%(date)s).",
            date=format_date(latest)))
    for day in [*plan["meetings"].values(), *plan["working"]]:
        if day < plan["start"]:
            raise ActionError("before_start", _("Meetings cannot be before the start."))
        if day > plan["presentation"]:
            raise ActionError("after_presentation",
                              _("Meetings must be before the final presentation."))
    return plan


def ledger_entries(plan: dict, members: list[dict]) -> list[dict]:
    """The agreements a plan produces: each meeting and the presentation, dated, with owners.

    Each entry is the keyword arguments of ``ctx.record_agreement``.
    """
    title = plan["title"]
    everyone = ", ".join(plan["responsible"][g["id"]] for g in members)[:MAX_NAME]
    orgs = ", ".join(g["name"] for g in members)[:100]
    entries = []
    for group in members:
        entries.append({
            "what": _("Twinning “%(title)s”: meeting at %(name)s", title=title, name=group["name"])[:MAX_TEXT],
            "who_person": plan["responsible"][group["id"]], "who_org": group["name"][:100],
            "due": plan["meetings"][group["id"]]})
    for number, day in enumerate(plan["working"], start=1):
        entries.append({
            "what": _("Twinning “%(title)s”: working meeting %(number)d", title=title,
                      number=number)[:MAX_TEXT],
            "who_person": everyone, "who_org": orgs, "due": day})
    entries.append({
        "what": _("Twinning “%(title)s”: final presentation", title=title)[:MAX_TEXT],
        "who_person": everyone, "who_org": orgs, "due": plan["presentation"]})
    return sorted(entries, key=lambda e: e["due"])
