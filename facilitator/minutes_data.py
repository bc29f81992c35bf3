"""The raw data of a workshop's minutes: what every format (and the ``.json`` file) is made from.

Built once from the stores (:func:`minutes_data`) in the workshop's privacy
mode, so that every format shows the same thing; a finalised version is a
frozen copy of it (:mod:`facilitator.minutes_protocol`). Needs an application
context (the plugin manager is in ``current_app``), not a request.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from flask import current_app

from facilitator.i18n import _, force_locale
from facilitator.mdtext import safe_text
from facilitator.minutes_protocol import lines_of, protocol_of
from facilitator.minutes_read import JSON_FORMAT
from facilitator.minutes_table import is_overdue
from facilitator.vocabulary import ORG_TYPES

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


def clock_time(epoch: float | None) -> str:
    """``HH:MM`` in local time, or ``""``."""
    return dt.datetime.fromtimestamp(epoch).strftime("%H:%M") if epoch else ""


def session_guests(session: dict) -> list[dict]:
    """Guests a session's method recorded (a fishbowl's panel, a round table's guests).

    The convention for methods: guests are entries of ``state["people"]`` with
    ``kind == "guest"`` or items of ``state["guests"]``, each with ``name`` and
    optionally ``organisation`` and ``org_type``.
    """
    state = session.get("state") or {}
    found = []
    people = state.get("people") if isinstance(state, dict) else None
    if isinstance(people, dict):
        found += [p for p in people.values() if isinstance(p, dict) and p.get("kind") == "guest"]
    guests = state.get("guests") if isinstance(state, dict) else None
    if isinstance(guests, list):
        found += [g for g in guests if isinstance(g, dict)]
    return [{"name": str(g.get("name") or ""), "organisation": str(g.get("organisation") or ""),
             "org_type": str(g.get("org_type") or "other")} for g in found if g.get("name")]


def attendance(core, workshop: dict, sessions: list[dict]) -> dict:
    """Who was there, in the workshop's privacy mode (removed participants never count)."""
    people = [p for p in core.people.of_workshop(workshop["id"], include_absent=True) if not p["removed"]]
    guests, seen = [], set()
    for session in sessions:
        if session.get("started"):
            for guest in session_guests(session):
                if guest["name"].casefold() not in seen:
                    seen.add(guest["name"].casefold())
                    guests.append(guest)
    everyone = [{"org_type": p["org_type"]} for p in people] + guests
    by_type = Counter(p["org_type"] if p["org_type"] in ORG_TYPES else "other" for p in everyone)
    named = workshop["privacy"] == "named"
    present = []
    if named:
        present = [{"name": p["name"], "organisation": p["organisation"], "guest": False} for p in people]
        present += [{"name": g["name"], "organisation": g["organisation"], "guest": True} for g in guests]
        present.sort(key=lambda p: p["name"].casefold())
    organisations = {p["organisation"].casefold() for p in people + guests if p.get("organisation")}
    return {
        "participants": len(people), "guests": len(guests),
        "organisations": len(organisations) if named else None,
        "by_type": [{"org_type": key, "count": by_type[key]} for key in ORG_TYPES if by_type[key]],
        "present": present,
    }


def _section(core, workshop: dict, session: dict) -> str:
    if session["method"] not in core.methods:
        return ""
    try:
        return safe_text(str(core.engine.session_minutes(workshop, session)).strip())
    except Exception:  # one broken section must not cost the whole minutes
        log.exception("The minutes of session %s (%s) failed", session["id"], session["method"])
        return _("This section could not be written (the error is in the server's log).")


def minutes_data(core, workshop: dict) -> dict:
    """The raw minutes of ``workshop`` now (the draft), as plain JSON-able data."""
    with force_locale(workshop["language"]):
        sessions = core.workshops.sessions(workshop["id"])
        protocol = protocol_of(workshop)
        started = [s["activated_at"] for s in sessions if s.get("activated_at")]
        closed = [s["closed_at"] for s in sessions if s.get("closed_at")]
        agenda, sections = [], []
        for number, s in enumerate(sessions, 1):
            method = core.methods.get(s["method"])
            held = bool(s.get("started"))
            agenda.append({"number": number, "session_id": s["id"], "title": s["title"],
                           "method": s["method"], "method_name": str(method.name) if method else s["method"],
                           "held": held})
            generated = _section(core, workshop, s) if held else ""
            corrected = protocol["corrections"].get(s["id"])
            sections.append({"number": number, "session_id": s["id"], "title": s["title"], "held": held,
                             "markdown": corrected if corrected is not None else generated,
                             "generated": generated, "corrected": corrected is not None})
        now = core.clock()
        today = dt.datetime.fromtimestamp(now).date()
        titles = {s["id"]: s["title"] for s in sessions}
        agreements = []
        # Anonymous mode names no person anywhere; organisations stay responsible.
        hide_person = workshop["privacy"] == "anonymous"
        for number, a in enumerate(core.ledger.of_workshop(workshop["id"]), 1):
            agreements.append({
                "number": number, "id": a["id"],
                **{k: a.get(k, "") for k in ("what", "who_person", "who_org", "follow_up", "due", "review")},
                **({"who_person": ""} if hide_person else {}),
                "status": a.get("status", "open"), "status_note": a.get("status_note", ""),
                "session_id": a.get("session_id"), "session": titles.get(a.get("session_id") or "", ""),
                "overdue": is_overdue(a, today),
            })
        pm = current_app.extensions["facilitator.pm"]
        appendix = [str(extra).strip() for extra in
                    pm.hook.facilitator_minutes_appendix(workshop=workshop, language=workshop["language"])
                    if extra]
    return {
        "format": JSON_FORMAT, "format_version": FORMAT_VERSION, "version": None, "written_at": now,
        "workshop": {k: workshop.get(k, "") for k in
                     ("id", "title", "date", "place", "organiser", "language", "privacy")},
        "protocol": {
            "start_time": protocol["start_time"] or clock_time(min(started, default=None)),
            "end_time": protocol["end_time"] or clock_time(max(closed, default=None)),
            "moderator": protocol["moderator"], "minute_taker": protocol["minute_taker"],
            "apologies": lines_of(protocol["apologies"]), "distribution": lines_of(protocol["distribution"]),
            "next_date": protocol["next_date"], "next_place": protocol["next_place"],
            "summary": protocol["summary"], "speaking_time": protocol["speaking_time"],
        },
        "attendance": attendance(core, workshop, sessions),
        "agenda": agenda, "sections": sections, "agreements": agreements, "appendix": appendix,
    }
