"""What each role may see of a dot-voting session.

Anonymity: the per-participant dots in the state never leave this module
except a participant's own. The facilitator and the projector get totals and
the number of people who have voted; with hidden results not even totals
until the reveal (the facilitator stays neutral too).

Phones get only what changes for them: with hidden results a participant's
view changes when their own dots, the options or the phase change, never
when somebody else votes, so a busy vote does not fan out to every phone.
"""

from __future__ import annotations

from collections.abc import Callable

from facilitator import Actor, MethodContext, format_date

from . import rules

#: The facilitator gets an assign form for options ranked this high or better (ties included).
ASSIGN_TOP = 5


def results_visible(state: dict) -> bool:
    """Whether totals may be shown: after the reveal, or while voting with live results."""
    if state["phase"] in ("revealed", "assign"):
        return True
    return state["results"] == "live" and state["phase"] in ("vote", "closed")


def ballot_options(state: dict) -> list[dict]:
    """The options of the current round, in the order they were added."""
    on_ballot = set(state["ballot"])
    return [o for o in state["options"] if o["id"] in on_ballot]


def ranking(state: dict, totals: dict[str, int], ballot: list[str]) -> list[dict]:
    """Ranked rows with text, category, rank, tie flag, share of all dots and bar width (%)."""
    options = {o["id"]: o for o in state["options"]}
    rows = rules.rank(totals, ballot)
    all_dots = sum(totals.get(oid, 0) for oid in ballot)
    top = rows[0].total if rows else 0
    return [
        {
            "id": row.option_id,
            "text": options[row.option_id]["text"],
            "category": options[row.option_id]["category"],
            "total": row.total,
            "rank": row.rank,
            "tied": row.tied,
            "percent": round(100 * rules.share(row.total, all_dots)),
            "width": round(100 * row.total / top) if top else 0,
        }
        for row in rows
    ]


def present_count(state: dict, ctx: MethodContext) -> int:
    """Participants present: live while voting, as counted at closing afterwards."""
    if state["phase"] not in ("collect", "vote") and state["present"] is not None:
        return state["present"]
    return len(ctx.participants())


def _common(state: dict) -> dict:
    return {
        "question": state["question"],
        "phase": state["phase"],
        "round": state["round"],
        "is_runoff": state["round"] > 1,
        "top_n": state["top_n"],
        "dots_per_participant": state["budget"],
        "max_per_option": state["cap"],
        "results": state["results"],
        "show_totals": results_visible(state),
        "categories": state["categories"],
        "max_text": rules.MAX_OPTION_LENGTH,
    }


def participant_view(state: dict, actor: Actor | None, ctx: MethodContext) -> dict:
    """One participant: the options (in their own order when shuffled) with their own dots."""
    pid = actor.participant_id if actor else None
    own = state["dots"].get(pid, {}) if pid else {}
    show = results_visible(state)
    options = ballot_options(state)
    if pid and state["order"] == "shuffled" and state["phase"] in ("vote", "closed"):
        order = rules.shuffled([o["id"] for o in options], pid, ctx.session_id)
        by_id = {o["id"]: o for o in options}
        options = [by_id[oid] for oid in order]
    view = _common(state)
    view.update(
        dots_left=rules.dots_left(own, state["budget"]),
        dots_used=sum(own.values()),
        options=[
            {
                "id": o["id"],
                "text": o["text"],
                "category": o["category"],
                "mine": own.get(o["id"], 0),
                "own_idea": pid is not None and pid in o["authors"],
                "total": state["totals"].get(o["id"], 0) if show else None,
            }
            for o in options
        ],
        ranking=[],
    )
    if state["phase"] in ("revealed", "assign"):
        view["ranking"] = [
            dict(row, mine=own.get(row["id"], 0))
            for row in ranking(state, state["totals"], state["ballot"])
        ]
    return view


def _agreement_row(agreement: dict) -> dict:
    """An agreement as the facilitator's panel shows and edits it (dates also as written)."""
    row = {k: agreement.get(k) or "" for k in ("id", "what", "who_person", "who_org", "follow_up", "due", "review")}
    row.update(due_text=format_date(row["due"]), review_text=format_date(row["review"]))
    return row


def facilitator_view(state: dict, actor: Actor | None, ctx: MethodContext) -> dict:
    """Totals only (none while results are hidden), authors counted, controls' data.

    Each ranking row carries ``owners``: the agreements recorded for it (as
    edited since), so the panel can show "Responsible: X, by Y" instead of
    the empty form once someone took it on.
    """
    show = results_visible(state)
    view = _common(state)
    agreements = [_agreement_row(a) for a in ctx.agreements()]
    by_id = {a["id"]: a for a in agreements}

    def owners(option_id: str) -> list[dict]:
        return [by_id[aid] for aid in state["assigned"].get(option_id, []) if aid in by_id]

    rows = [
        dict(row, assigned=len(state["assigned"].get(row["id"], [])), owners=owners(row["id"]))
        for row in (ranking(state, state["totals"], state["ballot"]) if show else [])
    ]
    top = [row for row in rows if row["rank"] <= ASSIGN_TOP and row["total"] > 0]
    view.update(
        voters=len(state["dots"]),
        present=present_count(state, ctx),
        rounds_done=len(state["rounds"]),
        options=[
            {
                "id": o["id"],
                "text": o["text"],
                "category": o["category"],
                "authors": len(o["authors"]),
                "total": state["totals"].get(o["id"], 0) if show else None,
                "assigned": len(state["assigned"].get(o["id"], [])),
            }
            for o in ballot_options(state)
        ],
        ranking=rows,
        assign_top=top if state["phase"] in ("revealed", "assign") else [],
        assign_others=[row for row in rows if row not in top] if state["phase"] in ("revealed", "assign") else [],
        can_runoff=state["phase"] == "revealed" and len(state["ballot"]) > 2,
        agreements=agreements,
    )
    return view


def _wall_owners(state: dict, ctx: MethodContext) -> dict[str, list[str]]:
    """Who is responsible for which option, as the wall may show it: ``{option id:
    [who]}``. Named workshops show person and organisation; anonymous ones only the
    organisation (``""`` when only a person was named)."""
    agreements = {a["id"]: a for a in ctx.agreements()}
    named = ctx.privacy == "named"
    owners: dict[str, list[str]] = {}
    for option_id, agreement_ids in state["assigned"].items():
        for agreement_id in agreement_ids:
            agreement = agreements.get(agreement_id)
            if agreement is None:  # deleted in the ledger since
                continue
            parts = [agreement.get("who_person") if named else "", agreement.get("who_org")]
            owners.setdefault(option_id, []).append(", ".join(p for p in parts if p))
    return owners


def projector_view(state: dict, actor: Actor | None, ctx: MethodContext) -> dict:
    """For the wall: the options, turnout while voting, ranked bars once visible.

    Once owners are assigned, each ranking row carries ``owners`` (see
    :func:`_wall_owners`), so the room sees who takes care of what.
    """
    show = results_visible(state)
    view = _common(state)
    owners = _wall_owners(state, ctx) if show else {}
    view.update(
        voters=len(state["dots"]),
        present=present_count(state, ctx),
        options=[
            {"id": o["id"], "text": o["text"], "category": o["category"],
             "total": state["totals"].get(o["id"], 0) if show else None}
            for o in ballot_options(state)
        ],
        ranking=[dict(row, owners=owners.get(row["id"], []))
                 for row in ranking(state, state["totals"], state["ballot"])] if show else [],
    )
    return view


def _nothing(state: dict, actor: Actor | None, ctx: MethodContext) -> dict:
    return {}


#: The view builder of each role; other roles see nothing of the method.
VIEWS: dict[str, Callable[[dict, Actor | None, MethodContext], dict]] = {
    "participant": participant_view,
    "facilitator": facilitator_view,
    "projector": projector_view,
}


def view_for(role: str) -> Callable[[dict, Actor | None, MethodContext], dict]:
    """The view builder for ``role`` (an empty view for roles without one)."""
    return VIEWS.get(role, _nothing)
