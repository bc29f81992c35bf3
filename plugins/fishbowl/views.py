"""What each role sees of a fishbowl: JSON for the templates and the clients.

Phones and the projector never get participant ids of other people; the
facilitator gets ids (to seat and ask to leave) and the statistics.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from facilitator_plugins.fishbowl import openchair, questions, rules, stats
from facilitator_plugins.fishbowl.people import (
    MAX_GUESTS,
    facilitator_labels,
    label,
    org_type_choices,
    org_type_label,
)

from facilitator import MethodContext, _


def _timing(state: dict, person: str, now: float) -> dict:
    """The running turn of a seated person: ``elapsed``, ``since``, ``until``, ``over``.

    ``since`` (the epoch time the turn would have begun without pauses) is
    given only while running, so browsers tick only then. While running, the
    elapsed time is left out: it changes on every render, and a view that
    always differs would be re-sent to every phone on every change. The
    browser counts from ``since`` instead.
    """
    turn = rules.open_turn(state, person)
    if turn is None:
        return {"elapsed": None, "elapsed_text": "", "since": None, "until": None, "over": False}
    elapsed = rules.turn_seconds(state, turn, now)
    guidance = state["settings"]["guidance_seconds"]
    running = state["phase"] == "running"
    since = now - elapsed if running else None
    return {
        "elapsed": None if running else round(elapsed, 1),
        "elapsed_text": "" if running else stats.format_duration(elapsed),
        "since": round(since, 1) if since is not None else None,
        "until": round(since + guidance, 3) if since is not None and guidance else None,
        "over": bool(guidance) and elapsed > guidance,
    }


def _chairs(
    state: dict, ctx: MethodContext, now: float, name: Callable[[str], str], me: str | None = None,
    with_ids: bool = False,
) -> list[dict]:
    """The chairs around the circle, each with its position (percent of a square)."""
    count = len(state["chairs"])
    suggestion = openchair.make_room_candidate(state, now)
    open_chairs = openchair.open_chair_indexes(state)
    rows = []
    for index, chair in enumerate(state["chairs"]):
        angle = 2 * math.pi * index / count - math.pi / 2
        row: dict = {
            "index": index,
            "x": round(50 + 40 * math.cos(angle), 1),
            "y": round(50 + 40 * math.sin(angle), 1),
            "empty": chair is None,
            "open": index in open_chairs,
            "label": "",
            "org_type_label": "",
            "panel": False,
            "me": False,
            "make_room": False,
            **_timing(state, "", now),
        }
        if chair is not None:
            person = chair["person"]
            row.update(
                label=name(person),
                org_type_label=org_type_label(state, person, ctx),
                panel=rules.is_panel(state, person),
                me=person == me,
                make_room=person == suggestion and (with_ids or person == me),
                **_timing(state, person, now),
            )
            if with_ids:
                row["person"] = person
        rows.append(row)
    return rows


def _common(state: dict, ctx: MethodContext, now: float, name: Callable[[str], str],
            me: str | None = None, with_ids: bool = False) -> dict:
    """What every role sees: phase, topic, the circle, the queue size, the shown question."""
    shown = None
    if state["shown_question"]:
        question = questions.find(state, state["shown_question"])
        shown = {"id": question["id"], "text": question["text"],
                 "votes": len(question["upvoters"]), "answered": question["answered"]}
    settings = state["settings"]
    return {
        "phase": state["phase"],
        "topic": state["topic"],
        "mode": settings["mode"],
        "round": state["round"],
        "chairs": _chairs(state, ctx, now, name, me, with_ids),
        "chair_count": settings["chairs"],
        "open_chairs": settings["open_chairs"],
        "free_chairs": rules.free_chairs(state),
        "open_free": openchair.open_chairs_free(state),
        "queue_length": len(state["queue"]),
        "guidance_seconds": settings["guidance_seconds"],
        "guidance_text": stats.format_duration(settings["guidance_seconds"]),
        "questions_enabled": settings["questions_enabled"],
        "shown_question": shown,
    }


def participant_view(state: dict, person: str | None, ctx: MethodContext) -> dict:
    """A phone in the outer circle (or in the inner one): chairs, own place, questions."""
    now = ctx.now()
    view = _common(state, ctx, now, lambda p: label(state, p, ctx), me=person)
    seated = person is not None and rules.seat_of(state, person) is not None
    position = openchair.queue_position(state, person) if person else None
    timing = _timing(state, person, now) if seated else {}
    view["me"] = {
        "seated": seated,
        "queued": position is not None,
        "position": position,
        "make_room": seated and openchair.make_room_candidate(state, now) == person,
        "since": timing.get("since"),
        "until": timing.get("until"),
        "elapsed_text": timing.get("elapsed_text", ""),
    }
    view["queue"] = [
        {"label": label(state, p, ctx), "me": p == person} for p in openchair.queue_order(state)
    ]
    view["can_request"] = (
        state["settings"]["mode"] == "open" and state["phase"] != "ended"
        and person is not None and not seated and position is None
    )
    view["questions"] = [
        {
            "id": q["id"],
            "text": q["text"],
            "votes": len(q["upvoters"]),
            "voted": person in q["upvoters"],
            "mine": person is not None and q["author"] == person,
            "answered": q["answered"],
            "shown": q["id"] == state["shown_question"],
        }
        for q in questions.ranked(state)
    ]
    return view


def projector_view(state: dict, ctx: MethodContext) -> dict:
    """The wall: the circle with names (or types), open chairs, queue, shown question."""
    view = _common(state, ctx, ctx.now(), lambda p: label(state, p, ctx))
    view["queue"] = [label(state, p, ctx) for p in openchair.queue_order(state)]
    return view


def facilitator_view(state: dict, ctx: MethodContext) -> dict:
    """Everything: ids to act on, who could be seated, the suggestion, statistics, log."""
    now = ctx.now()
    present = [p["id"] for p in ctx.participants()]
    everyone = list(dict.fromkeys(list(state["people"]) + present))
    names = facilitator_labels(state, everyone, ctx)

    def name(person: str) -> str:
        return names.get(person) or label(state, person, ctx, facilitator=True)

    view = _common(state, ctx, now, name, with_ids=True)
    seated = set(rules.seated_people(state))
    view["queue"] = [
        {"person": p, "label": name(p), "position": i, "spoken": rules.has_spoken(state, p)}
        for i, p in enumerate(openchair.queue_order(state), start=1)
    ]
    guests = [p for p, info in state["people"].items() if info["kind"] == "guest"]
    view["seatable"] = [
        {"person": p, "label": name(p), "panel": rules.is_panel(state, p)}
        for p in guests + present
        if p not in seated
    ]
    view["guests"] = [
        {"person": g, "name": state["people"][g]["name"],
         "organisation": state["people"][g]["organisation"],
         "org_type_label": org_type_label(state, g, ctx), "seated": g in seated}
        for g in guests
    ]
    suggestion = openchair.make_room_candidate(state, now)
    view["make_room"] = (
        {"person": suggestion, "label": name(suggestion),
         "elapsed_text": stats.format_duration(
             rules.turn_seconds(state, rules.open_turn(state, suggestion), now))}
        if suggestion else None
    )
    view["next_in_queue"] = view["queue"][0]["label"] if view["queue"] else ""
    view["stats"] = _statistics(state, ctx, now, name)
    view["questions"] = [
        {"id": q["id"], "text": q["text"], "votes": len(q["upvoters"]), "hidden": q["hidden"],
         "answered": q["answered"], "shown": q["id"] == state["shown_question"],
         "author": name(q["author"]) if q["author"] else _("Facilitator")}
        for q in questions.ranked(state, include_hidden=True)
    ]
    view["statements"] = [
        {"text": s["text"], "label": name(s["person"]) if s["person"] else "",
         "time": stats.clock_time(s["at"])}
        for s in reversed(state["statements"])
    ]
    view["log"] = [
        {"label": name(t["person"]), "start": stats.clock_time(t["start"]),
         "end": stats.clock_time(t["end"]) if t["end"] is not None else "",
         "duration": stats.format_duration(rules.turn_seconds(state, t, now))}
        for t in reversed(state["turns"][-12:])
    ]
    view["org_types"] = [{"key": k, "label": v} for k, v in org_type_choices()]
    view["guest_room"] = len(guests) < MAX_GUESTS
    return view


def _statistics(state: dict, ctx: MethodContext, now: float, name: Callable[[str], str]) -> dict:
    """Turns and seated time per person and per type of organisation, and a dominance hint."""
    people = stats.person_totals(state, now)
    groups = stats.org_type_totals(people)
    check = stats.dominance(people)
    hint = ""
    if check["dominant"]:
        hint = _(
            "A few voices dominate: %(top)d of %(speakers)d people from the outer circle "
            "hold %(share)d%% of its time.",
            top=check["top"], speakers=check["speakers"], share=round(100 * check["share"]),
        )
    return {
        "people": [
            {"label": name(r["person"]), "org_type_label": ctx.org_type_label(r["org_type"]),
             "panel": r["panel"], "turns": r["turns"], "time": stats.format_duration(r["seconds"]),
             "share": round(100 * r["share"])}
            for r in people
        ],
        "org_types": [
            {"label": ctx.org_type_label(g["org_type"]), "people": g["people"],
             "turns": g["turns"], "time": stats.format_duration(g["seconds"]),
             "share": round(100 * g["share"])}
            for g in groups
        ],
        "speakers": len(people),
        "turns": sum(r["turns"] for r in people),
        "total_time": stats.format_duration(sum(r["seconds"] for r in people)),
        "dominance": {**check, "share": round(100 * check["share"]), "hint": hint},
    }
