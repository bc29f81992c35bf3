"""The round table's agenda, floor and clocks as plain state changes.

Pure Python (no Flask). Every function takes the state and the time ``now``;
the method turns the resulting deadlines (:func:`deadlines`) into scheduled
actions, so that over-time is signalled with nobody clicking.
"""

from __future__ import annotations

from facilitator_plugins.roundtable import speakers, stats
from facilitator_plugins.roundtable.speakers import SpeakersError


def new_item(item_id: str, kind: str, title: str, minutes: int, presenter: str = "",
             fmt: str = "list", fair: bool = False) -> dict:
    """An agenda item, not yet discussed."""
    return {"id": item_id, "kind": kind, "title": title, "box": 60 * minutes, "presenter": presenter,
            "format": fmt, "fair": fair, "status": "pending", "list_open": True, "used": 0.0,
            "started_at": None, "over": False, "notes": "", "decisions": [], "carry_over": False,
            "round_order": [], "round_by": "person"}


def new_state(items: list[dict], limit: int, consent_by: str, review: bool, review_minutes: int,
              review_title: str) -> dict:
    """A round table ready to start (``items`` as :func:`.config.agenda` parses them)."""
    agenda = [new_item("review", "review", review_title, review_minutes)] if review else []
    agenda += [new_item(f"i{n}", "topic", i["title"], i["minutes"], i["presenter"], i["format"], i["fair"])
               for n, i in enumerate(items, start=1)]
    return {"items": agenda, "current": None, "hands": [], "seq": 0, "floor": None, "turns": [],
            "people": {}, "proposals": [], "checks": [], "agreements": [],
            "review": {"from": "none", "workshops": [], "picked": [], "entries": [], "file": None},
            "next_meeting": {"date": "", "place": ""}, "stats_per_person": False, "timers": {},
            "settings": {"limit": limit, "consent_by": consent_by}}


def next_id(state: dict, prefix: str) -> str:
    """A new id, unique within this round table."""
    state["seq"] += 1
    return f"{prefix}{state['seq']}"


def item(state: dict, item_id: object) -> dict:
    """The agenda item ``item_id``."""
    found = next((i for i in state["items"] if i["id"] == item_id), None)
    if found is None:
        raise SpeakersError("unknown_item")
    return found


def current(state: dict) -> dict | None:
    """The item being discussed, if any."""
    return next((i for i in state["items"] if i["id"] == state["current"]), None)


def require_current(state: dict) -> dict:
    """The item being discussed, or a refusal."""
    found = current(state)
    if found is None:
        raise SpeakersError("no_item")
    return found


def open_item(state: dict, item_id: object) -> dict:
    """An item that may still be changed (not closed)."""
    found = item(state, item_id)
    if found["status"] == "done":
        raise SpeakersError("item_closed")
    return found


def start_clock(it: dict, now: float) -> None:
    """Let the item's clock run (if it does not already)."""
    if it["started_at"] is None:
        it["started_at"] = now


def stop_clock(it: dict, now: float) -> None:
    """Stop the item's clock, keeping the time used."""
    if it["started_at"] is not None:
        it["used"] += max(0.0, now - it["started_at"])
        it["started_at"] = None


def end_turn(state: dict, now: float) -> dict | None:
    """Close the current speaker's turn into the list of turns."""
    floor = state["floor"]
    if floor is None:
        return None
    turn = {**floor, "seconds": round(max(0.0, now - floor["since"]), 1), "end": now}
    state["turns"].append(turn)
    state["floor"] = None
    return turn


def give_floor(state: dict, person: str, kind: str, now: float, reply_to: str | None = None) -> dict:
    """Close the running turn and give ``person`` the floor on the current item."""
    it = require_current(state)
    end_turn(state, now)
    state["hands"] = [h for h in state["hands"] if not (h["person"] == person and h["kind"] == kind)]
    state["floor"] = {"id": next_id(state, "t"), "person": person, "kind": kind, "item": it["id"],
                      "since": now, "over": False, "first": stats.is_first(state["turns"], person),
                      "reply_to": reply_to}
    return state["floor"]


def queue(state: dict) -> list[dict]:
    """The hands of the current item in speaking order."""
    it = current(state)
    if it is None:
        return []
    return speakers.ordered(state["hands"], stats.spoken_on(state["turns"], it["id"]), it["fair"])


def round_next(state: dict, present: list[str]) -> str | None:
    """Who is next in the current item's round (None: the round is through, or no round)."""
    it = current(state)
    if it is None or it["format"] == "list":
        return None
    done = {t["person"] for t in state["turns"] if t["item"] == it["id"] and t["kind"] == "round"}
    if state["floor"] and state["floor"]["kind"] == "round":
        done.add(state["floor"]["person"])
    return speakers.next_in_round(it["round_order"], done, present)


def go_to(state: dict, item_id: object, now: float) -> dict:
    """Close the current item and open ``item_id`` (a closed one opens again)."""
    target = item(state, item_id)
    if target["id"] == state["current"]:
        raise SpeakersError("already_current")
    finish_current(state, now)
    target["status"] = "current"
    state["current"] = target["id"]
    start_clock(target, now)
    return target


def finish_current(state: dict, now: float) -> None:
    """Close the current item: end the turn, stop its clock, drop its hands."""
    it = current(state)
    end_turn(state, now)
    state["hands"] = []
    if it is not None:
        stop_clock(it, now)
        it["status"] = "done"
    state["current"] = None


def deadlines(state: dict) -> dict[str, tuple[float, dict] | None]:
    """When the speaking-time limit and the item's time box run out, if they run."""
    result: dict[str, tuple[float, dict] | None] = {"speaker": None, "item": None}
    it = current(state)
    if it is not None and it["started_at"] is not None and not it["over"]:
        result["item"] = (it["started_at"] + it["box"] - it["used"], {"item": it["id"]})
    floor, limit = state["floor"], state["settings"]["limit"]
    if floor is not None and limit and not floor["over"]:
        result["speaker"] = (floor["since"] + limit, {"turn": floor["id"]})
    return result
