"""Minutes of a workshop as Markdown, and that Markdown rendered safely as HTML.

Written in the workshop's language: header, attendance (in the privacy mode),
agenda, one section per session from its method, and the consolidated table
"Agreements and responsibilities".

No stored text can make the minutes fail: text from before the input checks
(a lone surrogate, a control character) comes out as U+FFFD, and a method
whose section fails gets a note in its place (the error is logged).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter

import markdown
import nh3
from flask import current_app

from facilitator.i18n import _, force_locale, ngettext
from facilitator.mdtext import format_date, md_escape, safe_text
from facilitator.vocabulary import ORG_TYPES

log = logging.getLogger(__name__)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _attendance(core, workshop: dict) -> list[str]:
    # Who attended: everyone who joined and was not removed (leaving early still counts).
    people = [p for p in core.people.of_workshop(workshop["id"], include_absent=True) if not p["removed"]]
    organisations = {p["organisation"].casefold() for p in people if p["organisation"]}
    head = ngettext("**Participants:** %(num)d", "**Participants:** %(num)d", len(people))
    if workshop["privacy"] == "named":  # anonymous mode stores no organisation to count
        head += ", " + ngettext("from %(num)d organisation", "from %(num)d organisations", len(organisations))
    lines = [head, ""]
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
    # Outside the f-string, so that the text extractor finds it.
    # Fallback label for agreements and questions that come from the facilitator, not a session.
    facilitator = _("Facilitator")
    for number, a in enumerate(agreements, 1):
        lines.append(
            f"| {number} | {md_escape(a['what'])} | {md_escape(a['who_person'])} | "
            f"{md_escape(a['who_org'])} | {md_escape(format_date(a['due']))} | "
            f"{md_escape(format_date(a['review']))} | "
            f"{md_escape(session_titles.get(a['session_id'] or '', facilitator))} |"
        )
    lines.append("")
    return lines


def minutes_markdown(core, workshop: dict) -> str:
    """The workshop's minutes as Markdown, in the workshop's language."""
    with force_locale(workshop["language"]):
        sessions = core.workshops.sessions(workshop["id"])
        out = [f"# {md_escape(workshop['title'])}", ""]
        facts = [
            (_("Date"), md_escape(format_date(workshop["date"]))),
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
            out += [_session_section(core, workshop, s), ""]
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
        return safe_text("\n".join(out))


def _session_section(core, workshop: dict, session: dict) -> str:
    """The method's section of one session; a note in its place if the method fails."""
    if session["method"] not in core.methods:
        return ""
    try:
        return str(core.engine.session_minutes(workshop, session)).strip()
    except Exception:  # one broken section must not cost the whole minutes
        log.exception("The minutes of session %s (%s) failed", session["id"], session["method"])
        return _("This section could not be written (the error is in the server's log).")


def minutes_html(core, workshop: dict) -> str:
    """The minutes as sanitised HTML (user text can never inject markup)."""
    html = markdown.markdown(minutes_markdown(core, workshop), extensions=["tables", "sane_lists"])
    return safe_text(nh3.clean(html))


def minutes_filename(workshop: dict) -> str:
    """A safe file name for the download, e.g. ``2026-03-31-runder-tisch.md``."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(workshop["title"]).casefold()).strip("-")[:50] or "minutes"
    date = workshop.get("date")
    prefix = f"{date}-" if isinstance(date, str) and ISO_DATE.fullmatch(date) else ""
    return f"{prefix}{slug}.md"
