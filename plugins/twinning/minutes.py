"""The twinning section of the minutes (Markdown, in the workshop's language).

Pairs with their reasons, the joint projects with dates and responsibilities,
groups without a twin and why, the total score and the stability. Contact
persons and responsible people are personal data: they appear only in named
minutes (``ctx.privacy == "named"``), never in anonymous or Chatham House ones.
"""

from __future__ import annotations

from facilitator import MethodContext, _, format_date, ngettext, org_type_label
from facilitator import md_escape as md

from . import explain_text
from .config import WEIGHTS


def _group_line(group: dict, named: bool) -> str:
    text = f"{md(group['name'])} ({md(org_type_label(group['org_type']))}, {md(group['town'])})"
    if named and group.get("contact"):
        text += " · " + _("contact: %(contact)s", contact=md(group["contact"]))
    return text


def _plan_lines(state: dict, members: list[dict], plan: dict, named: bool) -> list[str]:
    lines = [f"  - **{_('Joint project')}:** {md(plan['title'])}",
             f"  - **{_('Goal')}:** {md(plan['goal'])}",
             f"  - **{_('Start of the twinning')}:** {format_date(plan['start'])}"]
    for group in members:
        who = f" ({_('responsible: %(who)s', who=md(plan['responsible'][group['id']]))})" if named else ""
        lines.append("  - " + _("Meeting at %(name)s: %(date)s", name=md(group["name"]),
                                date=format_date(plan["meetings"][group["id"]])) + who)
    lines.append("  - " + _("Working meetings: %(dates)s",
                            dates=", ".join(format_date(d) for d in plan["working"])))
    lines.append("  - " + _("Final presentation: %(date)s", date=format_date(plan["presentation"])))
    if not named:
        lines.append("  - " + _("Responsible: one person at each group (named in the ledger)."))
    return lines


def render_minutes(state: dict, ctx: MethodContext) -> str:
    """The section: settings, pairs (published or draft), projects, unmatched, score, stability."""
    named = ctx.privacy == "named"
    groups = state["groups"]
    parts = [ngettext("%(num)d group registered.", "%(num)d groups registered.", len(groups))]
    weights = "; ".join(f"{label}: {state['weights'][key]}" for key, label in WEIGHTS.items())
    parts.append(_("Weights: %(weights)s.", weights=weights))
    if state["phase"] in ("registration", "matching") or not state["draft"]:
        parts.append(_("No matching was published."))
        parts.append("\n".join(f"- {_group_line(groups[g], named)}" for g in state["order"])
                     or _("(none)"))
        return "\n\n".join(parts) + "\n"
    published = state["phase"] in ("publish", "planning", "done")
    if published:
        parts.append("### " + _("Pairs"))
        member_lists = [p["members"] for p in state["pairs"]]
        status = {p["key"]: p["agreement"] is not None for p in state["pairs"]}
    else:
        parts.append("### " + _("Draft pairs (not published)"))
        member_lists = state["draft"]["pairs"]
        status = {}
    lines = []
    for members in member_lists:
        key = "+".join(sorted(members))
        cards = [groups[g] for g in members if g in groups]
        head = " ⇄ ".join(_group_line(g, named) for g in cards)
        if published:
            head += " — " + (_("confirmed") if status.get(key) else _("not yet confirmed"))
        lines.append(f"- {head}")
        lines += [f"  - {md(text)}" for text in explain_text.why(state, members)]
        plan = state["plans"].get(key)
        if plan:
            lines += _plan_lines(state, cards, plan, named)
    parts.append("\n".join(lines) or _("(none)"))
    if state["declined"]:
        parts.append("### " + _("Declined"))
        parts.append("\n".join("- " + _("%(by)s declined %(pair)s.", by=md(groups[d["by"]]["name"]),
                                        pair=md(" ⇄ ".join(groups[g]["name"] for g in d["members"])))
                               for d in state["declined"] if d["by"] in groups))
    draft = state["draft"]
    paired = {g for members in member_lists for g in members}
    alone = [g for g in state["order"] if g not in paired]
    if alone:
        parts.append("### " + _("Groups without a twin"))
        reasons = []
        for gid in alone:
            if gid in draft["unmatched"]:
                reasons.append("- " + md(explain_text.unmatched_reason(state, gid, draft)))
            else:
                reasons.append("- " + _("%(name)s: waiting for a new twin after a decline.",
                                        name=md(groups[gid]["name"])))
        parts.append("\n".join(reasons))
    parts.append("### " + _("Score and stability"))
    kind = _("the stable alternative") if draft.get("chosen") == "stable" else _("the optimal matching")
    parts.append(_("Total score of %(kind)s: %(total)s.", kind=kind, total=f"{draft['total']:.1f}"))
    blocking = draft.get("blocking") or []
    if blocking:
        parts.append(ngettext(
            "Not stable: %(num)d pair of groups would both rather be twinned with each other:",
            "Not stable: %(num)d pairs of groups would both rather be twinned with each other:",
            len(blocking)))
        parts.append("\n".join("- " + md(" ⇄ ".join(groups[g]["name"] for g in b if g in groups))
                               for b in blocking))
    else:
        parts.append(_("Stable: no two groups would both rather be twinned with each other."))
    return "\n\n".join(parts) + "\n"
