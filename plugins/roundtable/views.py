"""What phones, the facilitator and the projector see of a round table."""

from __future__ import annotations

from facilitator_plugins.roundtable import agenda, consent, speakers, stats
from facilitator_plugins.roundtable.messages import (
    answer_label,
    format_label,
    kind_label,
    outcome_label,
)

from facilitator import MethodContext, _, format_date

NEXT_ON_WALL = 4


def item_title(it: dict) -> str:
    """The item's title (the review item's in the reader's language)."""
    return _("Review of last meeting's agreements") if it["kind"] == "review" else it["title"]


def _item(it: dict | None, now: float) -> dict | None:
    if it is None:
        return None
    used = stats.item_seconds(it, now)
    return {"id": it["id"], "title": item_title(it), "kind": it["kind"], "presenter": it["presenter"],
            "format": it["format"], "format_label": format_label(it["format"]), "fair": it["fair"],
            "list_open": it["list_open"], "box": it["box"], "box_text": stats.format_duration(it["box"]),
            "used": round(used), "used_text": stats.format_duration(used),
            "started_at": (it["started_at"] - it["used"]) if it["started_at"] is not None else None,
            "until": (it["started_at"] + it["box"] - it["used"]) if it["started_at"] is not None else None,
            "over": it["over"] or used > it["box"], "status": it["status"], "carry_over": it["carry_over"],
            "notes": it["notes"], "decisions": list(it["decisions"]),
            "share": min(100, round(100 * used / it["box"])) if it["box"] else 0}


def _floor(state: dict, ctx: MethodContext, me: str | None = None) -> dict | None:
    floor = state["floor"]
    if floor is None:
        return None
    limit = state["settings"]["limit"]
    return {"person": floor["person"], "label": ctx.label(floor["person"]), "kind": floor["kind"],
            "kind_label": kind_label(floor["kind"]), "since": floor["since"],
            "until": floor["since"] + limit if limit else None,
            "over": floor["over"] or (bool(limit) and ctx.now() - floor["since"] > limit),
            "first": floor["first"], "me": floor["person"] == me,
            "reply_to": ctx.label(floor["reply_to"]) if floor.get("reply_to") else ""}


def _queue(state: dict, ctx: MethodContext, me: str | None = None) -> list[dict]:
    spoken_here = stats.spoken_on(state["turns"], state["current"] or "")
    return [{"hand": h["id"], "person": h["person"], "label": ctx.label(h["person"]), "kind": h["kind"],
             "kind_label": kind_label(h["kind"]), "me": h["person"] == me,
             "first": stats.is_first(state["turns"], h["person"]),
             "not_yet_here": h["person"] not in spoken_here,
             "reply_to": ctx.label(h["reply_to"]) if h.get("reply_to") else ""}
            for h in agenda.queue(state)]


def _round(state: dict, ctx: MethodContext) -> dict | None:
    it = agenda.current(state)
    if it is None or it["format"] == "list":
        return None
    present = [p["id"] for p in ctx.participants()]
    done = {t["person"] for t in state["turns"] if t["item"] == it["id"] and t["kind"] == "round"}
    nxt = agenda.round_next(state, present)
    return {"by": it["round_by"], "next": ctx.label(nxt) if nxt else "", "next_id": nxt,
            "left": sum(1 for p in it["round_order"] if p not in done and p in present),
            "order": [{"label": ctx.label(p), "done": p in done} for p in it["round_order"]],
            "fallback": it["format"] == "round_org" and it["round_by"] == "person"}


def _check(state: dict, ctx: MethodContext, with_names: bool) -> dict | None:
    check = next((c for c in reversed(state["checks"]) if c["open"]), None)
    if check is None:
        return None
    by = "institution" if state["settings"]["consent_by"] == "institution" and ctx.privacy == "named" else "person"
    tally = consent.tally(check, by)
    objections = [{"reason": o["reason"], "label": ctx.label(o["person"]) if with_names else ""}
                  for o in tally["objections"]]
    return {"id": check["id"], "text": check["text"], "tally": tally["counts"], "voices": tally["voices"],
            "people": tally["people"], "by": by, "objections": objections, "changes": tally["changes"],
            "result": tally["result"],
            "bars": {k: (round(100 * v / tally["voices"]) if tally["voices"] else 0) for k, v in tally["counts"].items()},
            "by_wanted": state["settings"]["consent_by"]}


def _review(state: dict, ctx: MethodContext) -> list[dict]:
    anonymous = ctx.privacy == "anonymous"
    return [{**e, "who_person": "" if anonymous else e["who_person"],
             "due_text": format_date(e["due"]), "new_due_text": format_date(e["new_due"]),
             "old_label": outcome_label(e["old_status"]),
             "outcome_label": outcome_label(e["outcome"]) if e["outcome"] else ""}
            for e in state["review"]["entries"]]


def _common(state: dict, ctx: MethodContext) -> dict:
    now = ctx.now()
    it = agenda.current(state)
    return {"item": _item(it, now), "floor": _floor(state, ctx), "limit": state["settings"]["limit"],
            "limit_text": stats.format_duration(state["settings"]["limit"]),
            "agenda": [{"id": i["id"], "title": item_title(i), "status": i["status"],
                        "box_text": stats.format_duration(i["box"])} for i in state["items"]],
            "review_current": bool(it and it["kind"] == "review"),
            "next_meeting": {**state["next_meeting"], "date_text": format_date(state["next_meeting"]["date"])}}


def participant_view(state: dict, me: str | None, ctx: MethodContext) -> dict:
    """A phone: the item, who speaks, my hands and place, proposals, the consent check."""
    view = _common(state, ctx)
    queue = _queue(state, ctx, me)
    it = agenda.current(state)
    view["floor"] = _floor(state, ctx, me)
    view["queue_length"] = len(queue)
    view["mine"] = [{"kind": q["kind"], "kind_label": q["kind_label"], "place": n}
                    for n, q in enumerate(queue, start=1) if q["me"]]
    mine_kinds = {m["kind"] for m in view["mine"]}
    can = it is not None
    list_ok = can and it["format"] == "list" and it["list_open"]
    view["kinds"] = [{"kind": k, "label": kind_label(k), "raised": k in mine_kinds,
                      "allowed": can and (k == "order" or list_ok) and
                      (k != "reply" or (state["floor"] is not None and state["floor"]["person"] != me))}
                     for k in speakers.KINDS]
    view["next"] = [{"label": q["label"], "kind_label": q["kind_label"], "me": q["me"]} for q in queue[:3]]
    view["round"] = _round(state, ctx)
    check = _check(state, ctx, with_names=False)
    if check is not None:
        mine = next((c["answers"].get(me) for c in state["checks"] if c["id"] == check["id"]), None)
        check = {"id": check["id"], "text": check["text"],
                 "mine": mine["answer"] if mine else None, "mine_label": answer_label(mine["answer"]) if mine else "",
                 "reason": mine["reason"] if mine else ""}
    view["check"] = check
    view["my_proposals"] = [p["text"] for p in state["proposals"] if p["by"] == me]
    view["review"] = _review(state, ctx) if view["review_current"] else []
    return view


def facilitator_view(state: dict, ctx: MethodContext) -> dict:
    """Everything: agenda, floor, queue, people present, consent, proposals, review, statistics."""
    view = _common(state, ctx)
    view["queue"] = _queue(state, ctx)
    view["round"] = _round(state, ctx)
    view["present"] = [{"id": p["id"], "label": p["label"]} for p in ctx.participants()]
    view["check"] = _check(state, ctx, with_names=True)
    view["closed_checks"] = [{"id": c["id"], "text": c["text"], "result": c["result"], "agreement": c["agreement"]}
                             for c in state["checks"] if not c["open"] and not c["agreement"]]
    view["proposals"] = [{"id": p["id"], "text": p["text"], "label": ctx.label(p["by"]), "checked": p["checked"]}
                         for p in state["proposals"]]
    view["agreements"] = [a for a in ctx.agreements() if any(s["id"] == a["id"] for s in state["agreements"])]
    view["review"] = _review(state, ctx)
    view["review_workshops"] = [{**w, "picked": w["id"] in state["review"]["picked"],
                                 "date_text": format_date(w["date"])} for w in state["review"]["workshops"]]
    view["review_file"] = state["review"]["file"]
    view["review_from"] = state["review"]["from"]
    view["privacy"] = ctx.privacy
    view["stats_per_person"] = state["stats_per_person"]
    view["consent_by"] = state["settings"]["consent_by"]
    view["consent_fallback"] = state["settings"]["consent_by"] == "institution" and ctx.privacy != "named"
    per_type = stats.totals(state["turns"], state["people"], "org_type")
    view["stats"] = [{**r, "label": ctx.org_type_label(r["key"]), "time": stats.format_duration(r["seconds"])}
                     for r in per_type]
    view["stats_people"] = [{**r, "label": ctx.label(r["key"]), "time": stats.format_duration(r["seconds"])}
                            for r in stats.totals(state["turns"], state["people"], "person")]
    view["stats_institutions"] = _institutions(state, ctx) if ctx.privacy == "named" else []
    return view


def _institutions(state: dict, ctx: MethodContext) -> list[dict]:
    """Speaking time per institution (organisation as its first speaker typed it)."""
    names: dict[str, str] = {}
    for person, info in state["people"].items():
        key = speakers.institution_key(person, info.get("organisation", ""))
        names.setdefault(key, info.get("organisation", "") or _("%(name)s (no organisation)", name=ctx.label(person)))
    return [{**r, "label": names.get(r["key"], r["key"]), "time": stats.format_duration(r["seconds"])}
            for r in stats.totals(state["turns"], state["people"], "institution")]


def projector_view(state: dict, ctx: MethodContext) -> dict:
    """The wall: item with time box and time used, speaker with timer, next speakers, consent tally."""
    view = _common(state, ctx)
    queue = _queue(state, ctx)
    view["next"] = [{"label": q["label"], "kind": q["kind"], "kind_label": q["kind_label"]}
                    for q in queue[:NEXT_ON_WALL]]
    view["more"] = max(0, len(queue) - NEXT_ON_WALL)
    view["round"] = _round(state, ctx)
    view["check"] = _check(state, ctx, with_names=False)
    return view
