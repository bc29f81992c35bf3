"""Minutes of a workshop as Markdown, and that Markdown rendered safely as HTML.

Written in the workshop's language from the raw minutes data
(:mod:`facilitator.minutes_data`): the protocol header (date, time, place,
organiser, moderation, minute taker, privacy mode, version), attendance in
the privacy mode (guests included, apologies, distribution list), the
summary, the agenda, one section per session from its method (or the
facilitator's corrected text), the table "Agreements and responsibilities"
(:mod:`facilitator.minutes_table`) and the next meeting.

No stored text can make the minutes fail: text from before the input checks
(a lone surrogate, a control character) comes out as U+FFFD, and a method
whose section fails gets a note in its place (the error is logged).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import markdown
import nh3

from facilitator.i18n import _, force_locale, ngettext
from facilitator.mdtext import format_date, md_escape, md_line, safe_text
from facilitator.minutes_data import minutes_data
from facilitator.minutes_table import markdown_table
from facilitator.vocabulary import PRIVACY_SHORT, org_type_label

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def header_facts(data: dict) -> list[tuple[str, str]]:
    """``(label, plain text)`` of the protocol header, in the current locale (empty ones left out)."""
    w, p = data["workshop"], data["protocol"]
    time = "–".join(t for t in (p["start_time"], p["end_time"]) if t)
    if data.get("version"):
        written = dt.datetime.fromtimestamp(data["written_at"])
        version = _("%(num)d, finalised on %(when)s", num=data["version"],
                    when=f"{format_date(written.date().isoformat())} {written:%H:%M}")
    else:
        version = _("draft (not finalised)")
    facts = [
        (_("Date"), format_date(w["date"])), (_("Time"), time), (_("Place"), w["place"]),
        (_("Organiser"), w["organiser"]), (_("Facilitator"), p["moderator"]),
        (_("Minutes taken by"), p["minute_taker"]),
        (_("Privacy mode"), str(PRIVACY_SHORT.get(w["privacy"], w["privacy"]))),
        (_("Version"), version),
    ]
    return [(label, value) for label, value in facts if value]


def attendance_lines(data: dict) -> list[str]:
    """Attendance as Markdown lines: counts, types of organisation, who was there, apologies."""
    att, privacy = data["attendance"], data["workshop"]["privacy"]
    head = ngettext("**Participants:** %(num)d", "**Participants:** %(num)d", att["participants"])
    if att["guests"]:
        head += ", " + ngettext("and %(num)d guest", "and %(num)d guests", att["guests"])
    if att["organisations"] is not None:
        head += ", " + ngettext("from %(num)d organisation", "from %(num)d organisations",
                                att["organisations"])
    lines = [head, ""]
    if privacy == "chatham":
        lines += [_("Chatham House Rule: statements are recorded, never attributed; "
                    "no list of names."), ""]
    if att["by_type"]:
        lines += [_("**By type of organisation:**"), ""]
        lines += [f"- {md_escape(org_type_label(row['org_type']))}: {row['count']}" for row in att["by_type"]]
        lines.append("")
    if att["present"]:
        lines += [_("**Present:**"), ""]
        for person in att["present"]:
            org = f" ({md_escape(person['organisation'])})" if person["organisation"] else ""
            guest = " " + _("(guest)") if person["guest"] else ""
            lines.append(f"- {md_escape(person['name'])}{org}{guest}")
        lines.append("")
    for label, items in ((_("**Apologies:**"), data["protocol"]["apologies"]),
                         (_("**Distribution list:**"), data["protocol"]["distribution"])):
        if items:
            lines += [label, ""] + [f"- {md_escape(item)}" for item in items] + [""]
    return lines


def paragraphs(text: str) -> list[str]:
    """Plain text typed by a person as inert Markdown paragraphs (line breaks kept)."""
    out = []
    for block in re.split(r"\n\s*\n", safe_text(text).strip()):
        if block.strip():
            out += ["  \n".join(md_line(line) for line in block.splitlines() if line.strip()), ""]
    return out


def markdown_parts(data: dict) -> tuple[str, str, str]:
    """The minutes in three parts: everything before the agreements table, the table
    section (heading and table), everything after it (in the current locale)."""
    w, p = data["workshop"], data["protocol"]
    out = [f"# {md_escape(w['title'])}", ""]
    out += [f"- **{label}:** {md_escape(value)}" for label, value in header_facts(data)]
    out.append("")
    out += attendance_lines(data)
    if p["summary"]:
        out += [f"## {_('Summary')}", ""] + paragraphs(p["summary"])
    out += [f"## {_('Agenda')}", ""]
    for item in data["agenda"]:
        out.append(f"{item['number']}. {md_escape(item['title'])} ({md_escape(item['method_name'])})")
    if not data["agenda"]:
        out.append(_("No sessions."))
    out.append("")
    for section in data["sections"]:
        out += [f"## {section['number']}. {md_escape(section['title'])}", ""]
        if not section["held"]:
            out += [_("This session did not take place."), ""]
        elif section["markdown"]:
            out += [section["markdown"].strip(), ""]
    written = dt.datetime.fromtimestamp(data["written_at"])
    titles = {a["session_id"]: a["session"] for a in data["agreements"] if a.get("session_id")}
    table = [f"## {_('Agreements and responsibilities')}", ""]
    table += markdown_table(data["agreements"], titles, w["language"], written.date())
    after = []
    if p["next_date"] or p["next_place"]:
        after += [f"## {_('Next meeting')}", ""]
        after += [f"- **{label}:** {md_escape(value)}" for label, value in
                  ((_("Date"), format_date(p["next_date"])), (_("Place"), p["next_place"])) if value]
        after.append("")
    after += [extra for extra in data["appendix"] for extra in (extra, "")]
    after += ["---", "", written_line(data), ""]
    return "\n".join(out), "\n".join(table), "\n".join(after)


def written_line(data: dict) -> str:
    """"Minutes written by Facilitator on …" (current locale)."""
    written = dt.datetime.fromtimestamp(data["written_at"])
    stamp = f"{format_date(written.date().isoformat())} {written:%H:%M}"
    return _("Minutes written by Facilitator on %(when)s.", when=stamp)


def render_markdown(data: dict) -> str:
    """The Markdown of raw minutes data (a draft or a finalised version)."""
    with force_locale(data["workshop"]["language"]):
        return safe_text("\n".join(markdown_parts(data)))


def minutes_markdown(core, workshop: dict) -> str:
    """The workshop's current minutes (the draft) as Markdown, in the workshop's language."""
    return render_markdown(minutes_data(core, workshop))


def markdown_to_html(text: str) -> str:
    """Minutes Markdown as sanitised HTML (user text can never inject markup)."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"])
    return safe_text(nh3.clean(html, link_rel=None, url_schemes={"http", "https", "mailto"}))


def minutes_html(core, workshop: dict) -> str:
    """The current minutes as a sanitised HTML fragment."""
    return markdown_to_html(minutes_markdown(core, workshop))


def filename_stem(workshop: dict) -> str:
    """The readable file name without extension: ``2026-03-31-öffentlichkeit-und-presse``."""
    title = unicodedata.normalize("NFC", safe_text(str(workshop.get("title") or "")).lower())
    slug = re.sub(r"[\W_]+", "-", title).strip("-")[:60].strip("-") or "minutes"
    date = workshop.get("date")
    prefix = f"{date}-" if isinstance(date, str) and ISO_DATE.fullmatch(date) else ""
    return f"{prefix}{slug}"


def minutes_filename(workshop: dict, extension: str = "md") -> str:
    """A safe, readable file name for the download, e.g. ``2026-03-31-runder-tisch.md``."""
    return f"{filename_stem(workshop)}.{extension}"


_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def ascii_filename(name: str) -> str:
    """An ASCII stand-in for ``name`` (umlauts spelled out) for old clients."""
    plain = unicodedata.normalize("NFKD", name.translate(_ASCII)).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9.\-]+", "-", plain).strip("-")
    return re.sub(r"-{2,}", "-", plain) or "minutes"
