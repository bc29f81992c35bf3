"""The dot-voting section of the minutes (Markdown, in the workshop's language).

Only totals appear here, never who placed which dots, in every privacy mode.
Agreements name the responsible person except in anonymous mode (organisations only).
"""

from __future__ import annotations

from facilitator import MethodContext, _, format_date, ngettext
from facilitator import md_escape as md

from . import rules
from .views import ranking


def render_minutes(state: dict, ctx: MethodContext) -> str:
    """Question, settings, one ranked table per round (runoffs numbered), agreements."""
    parts = [
        f"**{_('Question')}:** {md(state['question'])}",
        _(
            "Each participant had %(budget)d dots and could put at most %(cap)d on one option.",
            budget=state["budget"],
            cap=state["cap"],
        ),
    ]
    rounds = list(state["rounds"])
    if state["phase"] == "collect":
        parts.append(_("Voting did not start. Options collected:"))
        parts.append("\n".join(f"- {md(o['text'])}" for o in state["options"] if not o["gone"])
                     or _("(none)"))
    elif state["phase"] == "vote":
        parts.append(
            _("Voting in round %(round)d was still open; its result is not part of the minutes.",
              round=state["round"])
        )
    else:
        rounds.append(
            {"round": state["round"], "top_n": state["top_n"], "ballot": state["ballot"],
             "totals": state["totals"], "voters": len(state["dots"]),
             "present": state["present"]}
        )
    numbered = state["round"] > 1
    for result in rounds:
        parts.extend(_round_section(state, result, numbered, ctx))
    parts.extend(_agreements_section(ctx))
    return "\n\n".join(parts) + "\n"


def _round_section(state: dict, result: dict, numbered: bool, ctx: MethodContext) -> list[str]:
    """The heading (when there were runoffs), turnout and ranked table of one round."""
    out = []
    if numbered:
        if result["top_n"]:
            out.append("### " + _("Round %(round)d: runoff of the top %(top)d",
                                   round=result["round"], top=result["top_n"]))
        else:
            out.append("### " + _("Round %(round)d", round=result["round"]))
    present = result["present"] if result["present"] is not None else len(ctx.participants())
    all_dots = sum(result["totals"].get(oid, 0) for oid in result["ballot"])
    out.append(
        ngettext(
            "%(voters)d of %(num)d participant present voted",
            "%(voters)d of %(num)d participants present voted",
            present,
            voters=result["voters"],
        )
        + "; "
        + ngettext("%(num)d dot placed.", "%(num)d dots placed.", all_dots)
    )
    rows = ranking(state, result["totals"], result["ballot"])
    with_category = any(row["category"] for row in rows)
    header = [_("Rank"), _("Option")] + ([_("Category")] if with_category else [])
    header += [_("Dots"), _("Share of all dots")]
    align = ["---:", "---"] + (["---"] if with_category else []) + ["---:", "---"]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    for row in rows:
        rank = _("%(rank)d (tie)", rank=row["rank"]) if row["tied"] else str(row["rank"])
        fraction = rules.share(row["total"], all_dots)
        cells = [rank, md(row["text"])] + ([md(row["category"])] if with_category else [])
        percent = _("%(percent)d %%", percent=round(100 * fraction))
        cells += [str(row["total"]), f"{rules.text_bar(fraction)} {percent}"]
        lines.append("| " + " | ".join(cells) + " |")
    out.append("\n".join(lines))
    return out


def _agreements_section(ctx: MethodContext) -> list[str]:
    """The agreements recorded from this vote, as the ledger currently has them."""
    agreements = ctx.agreements()
    if not agreements:
        return []
    lines = []
    for agreement in agreements:
        keys = ("who_org",) if ctx.privacy == "anonymous" else ("who_person", "who_org")
        who = ", ".join(md(agreement[k]) for k in keys if agreement.get(k))
        line = f"- **{md(agreement['what'])}**"
        if who:
            line += " — " + _("who: %(who)s", who=who)
        if agreement.get("due"):
            line += "; " + _("by %(date)s", date=format_date(agreement["due"]))
        if agreement.get("review"):
            line += "; " + _("review on %(date)s", date=format_date(agreement["review"]))
        lines.append(line)
    return ["### " + _("Agreements"), "\n".join(lines)]
