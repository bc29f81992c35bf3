"""What each role may see of a twinning.

A phone sees its own group's profile (to correct it), the names of the other
groups (to exclude some) and, once published, its twin: profile, why, contact.
Contacts of other groups are never sent to a phone before publishing, and
only the twin's after. The facilitator sees the whole pool and the draft with
every reason; the projector counts and, after publishing, the pairs' names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from facilitator import ORG_TYPES, Actor, MethodContext, _, format_date, org_type_label

from . import explain_text, planning, pool
from .config import ODD_CHOICES, WEIGHTS

#: Texts of the answers to a published pair.
ANSWERS = {"pending": "pending", "confirmed": "confirmed"}


def group_card(group: dict, with_contact: bool) -> dict:
    """A group as a card shows it."""
    card = {key: group.get(key) for key in ("id", "name", "organisation", "town", "topics",
                                            "topics_other", "offers", "needs", "languages")}
    card["org_type_label"] = org_type_label(group["org_type"])
    card["contact"] = group["contact"] if with_contact else ""
    return card


def by_type(state: dict) -> list[dict]:
    """Registered groups per type of organisation (most first), with bar widths."""
    counts = Counter(g["org_type"] for g in state["groups"].values())
    top = max(counts.values(), default=0)
    return [{"label": org_type_label(key), "count": counts[key],
             "width": round(100 * counts[key] / top) if top else 0}
            for key in sorted(counts, key=lambda k: (-counts[k], list(ORG_TYPES).index(k)))]


def plan_view(plan: dict | None, members: list[dict]) -> dict | None:
    """A plan with its dates written in the workshop's language."""
    if not plan:
        return None
    return {**plan, "start_text": format_date(plan["start"]),
            "presentation_text": format_date(plan["presentation"]),
            "meeting_rows": [{"name": g["name"], "date": format_date(plan["meetings"].get(g["id"], "")),
                              "responsible": plan["responsible"].get(g["id"], "")} for g in members],
            "working_text": [format_date(d) for d in plan["working"]]}


def published_pairs(state: dict, with_contact: bool) -> list[dict]:
    """The published pairs with members, answers, reasons and plans."""
    rows = []
    for pair in state["pairs"]:
        members = [state["groups"][g] for g in pair["members"]]
        rows.append({
            "key": pair["key"], "confirmed": pair["agreement"] is not None,
            "members": [{**group_card(g, with_contact), "answer": pair["answers"].get(g["id"], "pending")}
                        for g in members],
            "why": explain_text.why(state, pair["members"]),
            "plan": plan_view(state["plans"].get(pair["key"]), members),
        })
    return rows


def participant_view(state: dict, actor: Actor | None, ctx: MethodContext) -> dict:
    """The representative's phone: own profile, other groups' names, then the twin."""
    own = pool.group_of_participant(state, actor.participant_id if actor else None)
    view = {
        "phase": state["phase"], "topics": state["topics"], "count": len(state["groups"]),
        "org_types": [(key, str(label)) for key, label in ORG_TYPES.items()],
        "group": own, "others": [{"id": gid, "name": state["groups"][gid]["name"]}
                                 for gid in state["order"] if not own or gid != own["id"]],
        "card": group_card(own, True) if own else None, "twin": None, "declined": False,
    }
    if own and state["phase"] in ("publish", "planning", "done"):
        pair = next((p for p in state["pairs"] if own["id"] in p["members"]), None)
        if pair is None:
            view["declined"] = any(own["id"] in d["members"] for d in state["declined"])
        else:
            members = [state["groups"][g] for g in pair["members"]]
            view["twin"] = {
                "key": pair["key"], "confirmed": pair["agreement"] is not None,
                "mine": pair["answers"].get(own["id"], "pending"),
                "others": [group_card(g, True) for g in members if g["id"] != own["id"]],
                "members": [{"id": g["id"], "name": g["name"]} for g in members],
                "why": explain_text.why(state, pair["members"]),
                "plan": state["plans"].get(pair["key"]),
                "plan_text": plan_view(state["plans"].get(pair["key"]), members),
                "handout": f"/plugins/twinning/handout/{ctx.workshop_id}/{ctx.session_id}/{pair['key']}",
            }
    if own is None and state["phase"] in ("publish", "planning", "done"):
        view["others"] = []
    return view


def facilitator_view(state: dict, actor: Actor | None, ctx: MethodContext) -> dict:
    """Everything: pool, settings, import, draft with reasons, alternatives, pairs, plans."""
    groups = state["groups"]
    name = lambda gid: groups[gid]["name"] if gid in groups else "?"
    view = {
        "phase": state["phase"], "topics": state["topics"], "running": state["running"],
        "notice": state["notice"], "count": len(groups), "by_type": by_type(state),
        "weights": [{"key": k, "label": str(label), "value": state["weights"][k]}
                    for k, label in WEIGHTS.items()],
        "rules": state["rules"], "odd_choices": [(k, str(label)) for k, label in ODD_CHOICES],
        "org_types": [(key, str(label)) for key, label in ORG_TYPES.items()],
        "groups": [{**group_card(groups[gid], True), "source": groups[gid].get("source"),
                    "excludes": [name(x) for x in groups[gid]["excludes"]]} for gid in state["order"]],
        "choices": [(gid, groups[gid]["name"]) for gid in state["order"]],
        "pending_import": state["pending_import"] and {
            "rows": [{"row": r["row"], "name": r["profile"]["name"],
                      "org_type_label": org_type_label(r["profile"]["org_type"]),
                      "town": r["profile"]["town"]} for r in state["pending_import"]["rows"]],
            "errors": state["pending_import"]["errors"]},
        "locks": [{"a": a, "b": b, "names": [name(a), name(b)]} for a, b in state["locks"]],
        "forbidden": [{"a": a, "b": b, "names": [name(a), name(b)]} for a, b in state["forbidden"]],
        "draft": explain_text.draft_view(state) if state["draft"] else None,
        "pairs": published_pairs(state, True),
        "free": [{"id": g, "name": name(g)} for g in pool.free_groups(state)]
        if state["phase"] in ("publish", "planning") else [],
        "declined": [{"names": [name(g) for g in d["members"]], "by": name(d["by"])}
                     for d in state["declined"]],
        "template_url": "/plugins/twinning/template.csv",
        "handout_base": f"/plugins/twinning/handout/{ctx.workshop_id}/{ctx.session_id}/",
        "max_months": planning.MAX_MONTHS,
    }
    return view


def projector_view(state: dict, actor: Actor | None, ctx: MethodContext) -> dict:
    """Counts by type of organisation; after publishing, the pairs' names (no contacts)."""
    pairs = []
    if state["phase"] in ("publish", "planning", "done"):
        pairs = [{"names": [state["groups"][g]["name"] for g in p["members"]],
                  "confirmed": p["agreement"] is not None} for p in state["pairs"]]
    return {"phase": state["phase"], "count": len(state["groups"]), "by_type": by_type(state),
            "pairs": pairs, "title": _("Twinning")}


def view_for(role: str) -> Callable[[dict, Actor | None, MethodContext], dict]:
    """The view function of ``role``."""
    return {"participant": participant_view, "facilitator": facilitator_view}.get(role, projector_view)
