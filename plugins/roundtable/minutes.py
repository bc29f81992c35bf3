"""The round table's section of the minutes, as Markdown in the workshop's language.

Per item: planned and used time, speakers in the privacy mode (names,
pseudonyms, or under the Chatham House rule only how many spoke), notes,
decisions, agreements with their consent result. Then the review of earlier
agreements with old and new status, items carried over, the next meeting,
and speaking time per type of organisation (per person only when the
facilitator chose it, never under the Chatham House rule). Every text a
person typed goes through ``md_escape``.
"""

from __future__ import annotations

from facilitator_plugins.roundtable import consent, stats
from facilitator_plugins.roundtable.messages import answer_label, kind_label, outcome_label
from facilitator_plugins.roundtable.views import item_title

from facilitator import MethodContext, _, format_date, md_escape, ngettext


def render(state: dict, ctx: MethodContext) -> str:
    """The whole section (without its heading; the core adds that)."""
    agreements = {a["id"]: a for a in ctx.agreements()}
    lines: list[str] = []
    for it in state["items"]:
        if it["kind"] == "review":
            lines += _review(state, ctx)
        else:
            lines += _item(state, it, ctx, agreements)
    lines += _carried(state)
    lines += _next_meeting(state)
    lines += _statistics(state, ctx)
    return "\n".join(lines).strip() + "\n"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _time_line(it: dict, ctx: MethodContext) -> str:
    used = stats.item_seconds(it, ctx.now())
    text = _("Planned %(planned)s, used %(used)s.", planned=stats.format_duration(it["box"]),
             used=stats.format_duration(used))
    return text + (" " + _("(over time)") if used > it["box"] else "")


def _speakers(state: dict, it: dict, ctx: MethodContext) -> list[str]:
    turns = [t for t in state["turns"] if t["item"] == it["id"]]
    if not turns:
        return [_("Nobody spoke."), ""]
    if ctx.privacy == "chatham":
        kinds = sorted({t["kind"] for t in turns}, key=lambda k: [t["kind"] for t in turns].index(k))
        counts = ", ".join(f"{kind_label(k)}: {sum(1 for t in turns if t['kind'] == k)}" for k in kinds)
        return [ngettext("%(num)d contribution (not attributed: Chatham House rule).",
                         "%(num)d contributions (not attributed: Chatham House rule).", len(turns))
                + f" {md_escape(counts)}", ""]
    lines = [_("**Speakers:**"), ""]
    for number, turn in enumerate(turns, start=1):
        marks = [kind_label(turn["kind"]), stats.format_duration(turn["seconds"])]
        if turn.get("first"):
            marks.append(_("first contribution"))
        if turn.get("over"):
            marks.append(_("over the speaking time"))
        lines.append(f"{number}. {md_escape(ctx.label(turn['person']))} ({md_escape(', '.join(marks))})")
    return lines + [""]


def _consent_result(check: dict | None, by: str) -> str:
    if check is None or check.get("result") is None:
        return ""
    result = check["result"]
    counts = ", ".join(f"{answer_label(k)}: {result['counts'][k]}" for k in consent.ANSWERS)
    unit = _("counted per institution") if result["by"] == "institution" else _("counted per person")
    verdict = {"consent": _("consent"), "objections": _("objections"), "no_answers": _("no answers")}[result["result"]]
    return f"{verdict} ({counts}; {unit})"


def _agreement_lines(state: dict, it_id: str, ctx: MethodContext, agreements: dict) -> list[str]:
    mine = [a for a in state["agreements"] if a["item"] == it_id and not a.get("from_file")]
    if not mine:
        return []
    checks = {c["id"]: c for c in state["checks"]}
    lines = [_("**Agreements:**"), ""]
    for entry in mine:
        stored = agreements.get(entry["id"], {"what": entry["what"]})
        who = [stored.get("who_org", "")]
        if ctx.privacy != "anonymous":
            who.insert(0, stored.get("who_person", ""))
        details = [", ".join(w for w in who if w)]
        if stored.get("follow_up") and ctx.privacy != "anonymous":
            details.append(_("follow-up: %(name)s", name=stored["follow_up"]))
        if stored.get("due"):
            details.append(_("by %(date)s", date=format_date(stored["due"])))
        if stored.get("review"):
            details.append(_("review %(date)s", date=format_date(stored["review"])))
        suffix = "; ".join(d for d in details if d)
        lines.append(f"- {md_escape(stored['what'])}" + (f" ({md_escape(suffix)})" if suffix else ""))
        check = checks.get(entry["check"]) if entry["check"] else None
        result = _consent_result(check, state["settings"]["consent_by"])
        if result:
            lines.append("  - " + _("Consent check") + ": " + md_escape(result))
            for objection in check["result"]["objections"]:
                lines.append("  - " + _("Objection:") + " " + md_escape(objection["reason"]))
    return lines + [""]


def _item(state: dict, it: dict, ctx: MethodContext, agreements: dict) -> list[str]:
    lines = [f"### {md_escape(item_title(it))}", ""]
    if it["presenter"]:
        lines += [_("Presented by %(name)s.", name=md_escape(it["presenter"])), ""]
    if it["status"] == "pending" and not it["used"]:
        lines += [_("Not discussed."), ""]
    else:
        lines += [_time_line(it, ctx), ""]
        lines += _speakers(state, it, ctx)
    if it["notes"]:
        lines += [_("**Notes:**"), ""] + [md_escape(line) for line in it["notes"].splitlines() if line.strip()] + [""]
    if it["decisions"]:
        lines += [_("**Decisions:**"), ""] + [f"- {md_escape(d)}" for d in it["decisions"]] + [""]
    return lines + _agreement_lines(state, it["id"], ctx, agreements)


def _review(state: dict, ctx: MethodContext) -> list[str]:
    rv = state["review"]
    lines = ["### " + _("Review of last meeting's agreements"), ""]
    if rv["file"]:
        lines += [_("From the minutes file “%(title)s” (%(date)s).", title=md_escape(rv["file"]["title"]),
                    date=md_escape(format_date(rv["file"]["date"]))), ""]
    if not rv["entries"]:
        return lines + [_("There were no open agreements to review."), ""]
    anonymous = ctx.privacy == "anonymous"
    lines += [_row(_("What"), _("Who"), _("From"), _("Old status"), _("New status"), _("Note")),
              _row(*["---"] * 6)]
    for e in rv["entries"]:
        who = ", ".join(x for x in (("" if anonymous else e["who_person"]), e["who_org"]) if x)
        origin = " ".join(x for x in (e["origin"], format_date(e["origin_date"])) if x)
        old = outcome_label(e["old_status"])
        if e["due"]:
            old += ", " + _("by %(date)s", date=format_date(e["due"]))
        if e["outcome"] is None:
            new = _("not reviewed")
        elif e["outcome"] == "postponed":
            new = _("postponed to %(date)s", date=format_date(e["new_due"]))
        else:
            new = outcome_label(e["outcome"])
        lines.append(_row(md_escape(e["what"]), md_escape(who), md_escape(origin), md_escape(old),
                          md_escape(new), md_escape(e["note"])))
    return lines + [""]


def _carried(state: dict) -> list[str]:
    carried = [it for it in state["items"] if it["carry_over"]]
    if not carried:
        return []
    return (["### " + _("Carried over to the next meeting"), ""]
            + [f"- {md_escape(item_title(it))}" for it in carried] + [""])


def _next_meeting(state: dict) -> list[str]:
    nxt = state["next_meeting"]
    if not nxt["date"] and not nxt["place"]:
        return []
    parts = [format_date(nxt["date"]), nxt["place"]]
    return ["### " + _("Next meeting"), "", md_escape(", ".join(p for p in parts if p)), ""]


def _statistics(state: dict, ctx: MethodContext) -> list[str]:
    if not state["turns"]:
        return []
    lines = ["### " + _("Speaking time"), "",
             _row(_("Type of organisation"), _("Contributions"), _("First contributions"), _("Speaking time"), _("Share")),
             _row(*["---"] * 5)]
    for row in stats.totals(state["turns"], state["people"], "org_type"):
        lines.append(_row(md_escape(ctx.org_type_label(row["key"])), str(row["turns"]), str(row["first_turns"]),
                          stats.format_duration(row["seconds"]), f"{row['share']} %"))
    lines.append("")
    # Per-person time is personal data: only when the facilitator chose it, for this
    # round table (its dashboard) or for the whole workshop (the minutes page).
    if (state["stats_per_person"] or ctx.speaking_time) and ctx.privacy != "chatham":
        lines += [_row(_("Person"), _("Contributions"), _("Speaking time"), _("Share")), _row(*["---"] * 4)]
        for row in stats.totals(state["turns"], state["people"], "person"):
            lines.append(_row(md_escape(ctx.label(row["key"])), str(row["turns"]),
                              stats.format_duration(row["seconds"]), f"{row['share']} %"))
        lines.append("")
    return lines
