"""The fishbowl's section of the minutes, as Markdown in the workshop's language.

Topic, format and panel, the rotation log, participation statistics, key
statements, the outer circle's questions and this session's agreements.

Privacy modes: in named mode people appear by name; in anonymous mode by
their stable pseudonym (guests by their type of organisation), and agreements
without the responsible person's name; in Chatham House mode nothing is
attributed: the panel by type of organisation, the rotation log and the key
statements without who, and no per-person table. Per-person speaking time
appears only when the facilitator chose it (``ctx.speaking_time``). A removed
participant is "removed participant" everywhere (the core's label).
"""

from __future__ import annotations

from facilitator_plugins.fishbowl import questions, rules, stats
from facilitator_plugins.fishbowl.people import label

from facilitator import MethodContext, _, format_date, md_escape, ngettext


def render(state: dict, ctx: MethodContext) -> str:
    """The whole section (without its heading; the core adds that)."""
    now = ctx.now()
    lines = _overview(state, ctx, now)
    lines += _rotation(state, ctx, now)
    lines += _participation(state, ctx, now)
    lines += _statements(state, ctx)
    lines += _questions(state)
    lines += _agreements(ctx)
    return "\n".join(lines).strip() + "\n"


def _attributed(ctx: MethodContext) -> bool:
    """Whether the minutes may say who did what (not under the Chatham House Rule)."""
    return ctx.privacy != "chatham"


def _heading(text: str) -> str:
    return f"### {text}"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _name(state: dict, person: str, ctx: MethodContext) -> str:
    return md_escape(label(state, person, ctx))


def _overview(state: dict, ctx: MethodContext, now: float) -> list[str]:
    settings = state["settings"]
    if settings["mode"] == "open":
        kind = _("Open fishbowl: %(chairs)d chairs, %(open)d of them open.",
                 chairs=settings["chairs"], open=settings["open_chairs"])
    else:
        kind = ngettext("Closed fishbowl: %(chairs)d chairs, %(num)d round.",
                        "Closed fishbowl: %(chairs)d chairs, %(num)d rounds.",
                        state["round"], chairs=settings["chairs"])
    lines = [_("**Topic:** %(topic)s", topic=md_escape(state["topic"])), "", kind, ""]
    if state["started_at"] is None:
        lines += [_("The fishbowl did not start."), ""]
    else:
        end = state["ended_at"]
        lines += [_("From %(start)s to %(end)s; %(duration)s of discussion (pauses excluded).",
                    start=stats.clock_time(state["started_at"]),
                    end=stats.clock_time(end) if end is not None else _("(still running)"),
                    duration=stats.format_duration(rules.clock(state, now))), ""]
    guests = [p for p, info in state["people"].items() if info["kind"] == "guest"]
    if guests:
        lines += [_("**Panel:**"), ""]
        for guest in guests:
            info = state["people"][guest]
            org_type = md_escape(ctx.org_type_label(info["org_type"]))
            if ctx.privacy != "named":
                lines.append(f"- {org_type}")
            else:
                details = ", ".join(x for x in (md_escape(info["organisation"]), org_type) if x)
                lines.append(f"- {md_escape(info['name'])} ({details})")
        lines.append("")
    return lines


def _rotation(state: dict, ctx: MethodContext, now: float) -> list[str]:
    lines = [_heading(_("Rotation log")), ""]
    if not state["turns"]:
        return lines + [_("Nobody sat in the circle."), ""]
    closed = state["settings"]["mode"] == "closed"
    attributed = _attributed(ctx)
    head = ["#", _("From"), _("To"), _("Duration")]
    if attributed:
        head.insert(1, _("Who"))
    if closed:
        head.insert(1, _("Round"))
    lines += [_row(*head), "|" + "---|" * len(head)]
    for number, turn in enumerate(state["turns"], start=1):
        end = stats.clock_time(turn["end"]) if turn["end"] is not None else _("still seated")
        cells = [str(number), stats.clock_time(turn["start"]), end,
                 stats.format_duration(rules.turn_seconds(state, turn, now))]
        if attributed:
            who = _name(state, turn["person"], ctx)
            if rules.is_panel(state, turn["person"]):
                who = _("%(who)s (panel)", who=who)
            cells.insert(1, who)
        if closed:
            cells.insert(1, str(turn["round"]))
        lines.append(_row(*cells))
    return lines + ["", _("Durations in minutes:seconds; pauses are not counted."), ""]


def _participation(state: dict, ctx: MethodContext, now: float) -> list[str]:
    people = stats.person_totals(state, now)
    if not people:
        return []
    panel = sum(1 for row in people if row["panel"])
    total = sum(row["seconds"] for row in people)
    lines = [_heading(_("Participation in the discussion")), ""]
    lines.append(
        ngettext(
            "%(num)d person sat in the circle (%(panel)d from the panel, %(audience)d from the "
            "outer circle), %(turns)d turns, %(time)s in total.",
            "%(num)d people sat in the circle (%(panel)d from the panel, %(audience)d from the "
            "outer circle), %(turns)d turns, %(time)s in total.",
            len(people), panel=panel, audience=len(people) - panel,
            turns=sum(row["turns"] for row in people), time=stats.format_duration(total),
        )
    )
    lines += ["", _row(_("Type of organisation"), _("People"), _("Turns"), _("Time"),
                       _("Share of time")), "|---|---|---|---|---|"]
    for group in stats.org_type_totals(people):
        lines.append(
            f"| {md_escape(ctx.org_type_label(group['org_type']))} | {group['people']} | "
            f"{group['turns']} | {stats.format_duration(group['seconds'])} | "
            f"{round(100 * group['share'])} % |"
        )
    lines.append("")
    if _attributed(ctx) and ctx.speaking_time:
        lines += [_row(_("Who"), _("Turns"), _("Time"), _("Share of time")), "|---|---|---|---|"]
        for row in people:
            lines.append(
                f"| {_name(state, row['person'], ctx)} | {row['turns']} | "
                f"{stats.format_duration(row['seconds'])} | {round(100 * row['share'])} % |"
            )
        lines.append("")
    check = stats.dominance(people)
    if check["dominant"]:
        lines += [_("Note: %(top)d of %(speakers)d people from the outer circle held "
                    "%(share)d%% of its time in the circle.", top=check["top"],
                    speakers=check["speakers"], share=round(100 * check["share"])), ""]
    return lines


def _statements(state: dict, ctx: MethodContext) -> list[str]:
    if not state["statements"]:
        return []
    lines = [_heading(_("Key statements")), ""]
    for statement in state["statements"]:
        who = f" ({_name(state, statement['person'], ctx)})" \
            if statement["person"] and _attributed(ctx) else ""
        lines.append(
            f"- {stats.clock_time(statement['at'])}{who}: {md_escape(statement['text'])}"
        )
    return lines + [""]


def _questions(state: dict) -> list[str]:
    ranked = questions.ranked(state)
    if not ranked:
        return []
    lines = [_heading(_("Questions from the outer circle")), ""]
    for number, question in enumerate(ranked, start=1):
        votes = ngettext("%(num)d upvote", "%(num)d upvotes", len(question["upvoters"]))
        status = _("answered") if question["answered"] else _("not answered")
        lines.append(f"{number}. {md_escape(question['text'])} ({votes}, {status})")
    return lines + [""]


def _agreements(ctx: MethodContext) -> list[str]:
    agreements = ctx.agreements()
    if not agreements:
        return []
    lines = [_heading(_("Agreements")), ""]
    for agreement in agreements:
        who = [agreement.get("who_org", "")]
        if ctx.privacy != "anonymous":
            who.insert(0, agreement.get("who_person", ""))
        details = [md_escape(", ".join(w for w in who if w))]
        if agreement.get("due"):
            details.append(_("by %(date)s", date=format_date(agreement["due"])))
        if agreement.get("review"):
            details.append(_("review %(date)s", date=format_date(agreement["review"])))
        details = [d for d in details if d]
        suffix = f" ({'; '.join(details)})" if details else ""
        lines.append(f"- {md_escape(agreement['what'])}{suffix}")
    return lines + [""]
