"""Minutes of a workshop as Markdown, and that Markdown rendered safely as HTML.

Written in the workshop's language: header, attendance (in the privacy mode),
agenda, one section per session from its method, and the consolidated table
"Agreements and responsibilities".
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import markdown
import nh3
from flask import current_app

from facilitator.i18n import _, force_locale, ngettext
from facilitator.mdtext import format_date, md_escape
from facilitator.vocabulary import ORG_TYPES


def _attendance(core, workshop: dict) -> list[str]:
    # Who attended: everyone who joined and was not removed (leaving early still counts).
    people = [p for p in core.people.of_workshop(workshop["id"], include_absent=True) if not p["removed"]]
    organisations = {p["organisation"].casefold() for p in people if p["organisation"]}
    lines = [
        ngettext("**Participants:** %(num)d", "**Participants:** %(num)d", len(people))
        + ", "
        + ngettext("from %(num)d organisation", "from %(num)d organisations", len(organisations)),
        "",
    ]
    by_type = Counter(p["org_type"] for p in people)
    if by_type:
        lines.append(_("**By type of organisation:**"))
        lines.append("")
        for key, label in ORG_TYPES.items():
            if by_type[key]:
                lines.append(f"- {md_escape(str(label))}: {by_type[key]}")
        lines.append("")
    if workshop["privacy"] == "named" and people:
        lines.append(_("**Present:**"))
        lines.append("")
        for p in sorted(people, key=lambda p: p["name"].casefold()):
            org = f" ({md_escape(p['organisation'])})" if p["organisation"] else ""
            lines.append(f"- {md_escape(p['name'])}{org}")
        lines.append("")
    return lines


def agreements_table(agreements: list[dict], session_titles: dict[str, str]) -> list[str]:
    """The consolidated table of agreements: what, who, by when, review, from."""
    if not agreements:
        return [_("No agreements were recorded."), ""]
    headings = (_("What"), _("Who"), _("Organisation"), _("By when"), _("Review"), _("Source"))
    lines = [
        "| # | " + " | ".join(headings) + " |",
        "|---|---|---|---|---|---|---|",
    ]
    for number, a in enumerate(agreements, 1):
        lines.append(
            f"| {number} | {md_escape(a['what'])} | {md_escape(a['who_person'])} | "
            f"{md_escape(a['who_org'])} | {format_date(a['due'])} | {format_date(a['review'])} | "
            f"{md_escape(session_titles.get(a['session_id'] or '', _('Facilitator')))} |"
        )
    lines.append("")
    return lines


def minutes_markdown(core, workshop: dict) -> str:
    """The workshop's minutes as Markdown, in the workshop's language."""
    with force_locale(workshop["language"]):
        sessions = core.workshops.sessions(workshop["id"])
        out = [f"# {md_escape(workshop['title'])}", ""]
        facts = [
            (_("Date"), format_date(workshop["date"])),
            (_("Place"), md_escape(workshop["place"])),
            (_("Organiser"), md_escape(workshop["organiser"])),
            (_("Privacy mode"), _("named") if workshop["privacy"] == "named" else _("anonymous")),
        ]
        out += [f"- **{label}:** {value}" for label, value in facts if value]
        out.append("")
        out += _attendance(core, workshop)
        out += [f"## {_('Agenda')}", ""]
        for number, s in enumerate(sessions, 1):
            method = core.methods.get(s["method"])
            out.append(f"{number}. {md_escape(s['title'])} ({md_escape(str(method.name) if method else s['method'])})")
        if not sessions:
            out.append(_("No sessions."))
        out.append("")
        for number, s in enumerate(sessions, 1):
            out += [f"## {number}. {md_escape(s['title'])}", ""]
            if not s.get("started"):
                out += [_("This session did not take place."), ""]
                continue
            section = core.engine.session_minutes(workshop, s) if s["method"] in core.methods else ""
            out += [section.strip(), ""]
        out += [f"## {_('Agreements and responsibilities')}", ""]
        titles = {s["id"]: s["title"] for s in sessions}
        out += agreements_table(core.ledger.of_workshop(workshop["id"]), titles)
        pm = current_app.extensions["facilitator.pm"]
        for extra in pm.hook.facilitator_minutes_appendix(workshop=workshop, language=workshop["language"]):
            if extra:
                out += [extra.strip(), ""]
        written = dt.datetime.fromtimestamp(core.clock())
        stamp = f"{format_date(written.date().isoformat())} {written:%H:%M}"
        out += ["---", "", _("Minutes written by Facilitator on %(when)s.", when=stamp), ""]
        return "\n".join(out)


def minutes_html(core, workshop: dict) -> str:
    """The minutes as sanitised HTML (user text can never inject markup)."""
    html = markdown.markdown(minutes_markdown(core, workshop), extensions=["tables", "sane_lists"])
    return nh3.clean(html)


def minutes_filename(workshop: dict) -> str:
    """A safe file name for the download, e.g. ``2026-03-31-runder-tisch.md``."""
    slug = re.sub(r"[^a-z0-9]+", "-", workshop["title"].casefold()).strip("-")[:50] or "minutes"
    return f"{workshop['date'] + '-' if workshop['date'] else ''}{slug}.md"
