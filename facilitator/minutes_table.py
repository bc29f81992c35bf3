"""The table "Agreements and responsibilities": its columns, cells and their escaping.

Pure Python (no Flask). The writer (:mod:`facilitator.minutes`, every export
format) and the reader (:mod:`facilitator.minutes_read`) share these
definitions, so that they agree on the columns, their order and how a cell
holds text that contains ``|``, backslashes or line breaks.

One table, the same order everywhere::

    # | What | Who (person) | Organisation | Who follows up | By when | Review | Status | From session

A cell of the Markdown table is GitHub-flavoured: ``|`` is written ``\\|``,
Markdown punctuation gets a backslash, ``<``, ``>`` and ``&`` become
entities, and a line break becomes ``<br>`` (after a space; the only raw HTML a cell ever
holds, because a ``<`` that was typed is always ``&lt;``); ``~`` becomes
``&#126;`` (GitHub would strike text through between ``~~``, and
python-markdown shows a backslash before ``~``).
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import re
from pathlib import Path
from typing import Any

from facilitator.i18n import UI_LANGUAGES, lazy_gettext
from facilitator.ledger import OPEN_STATUSES, STATUSES
from facilitator.mdtext import safe_text

#: The columns of the agreements table in their order: (key, heading).
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("number", "#"),
    ("what", lazy_gettext("What")),
    ("who_person", lazy_gettext("Who (person)")),
    ("who_org", lazy_gettext("Organisation")),
    ("follow_up", lazy_gettext("Who follows up")),
    ("due", lazy_gettext("By when")),
    ("review", lazy_gettext("Review")),
    ("status", lazy_gettext("Status")),
    ("session", lazy_gettext("From session")),
)
#: Section heading of the table (a minutes file without it is not ours).
SECTION = lazy_gettext("Agreements and responsibilities")
#: Written in place of the table when there are no agreements.
NONE_RECORDED = lazy_gettext("No agreements were recorded.")
#: Added to a due date that has passed while the agreement is still open.
OVERDUE = lazy_gettext("overdue")
#: Written in the session column for an agreement that belongs to no session.
NO_SESSION = "—"
#: Between the status and its note in the status cell.
NOTE_SEPARATOR = " — "
#: Label of the date line in the header.
DATE_LABEL = lazy_gettext("Date")

_TRANSLATIONS = Path(__file__).parent / "translations"
_PUNCTUATION = r"!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"


@functools.cache
def _catalogue(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation("messages", localedir=_TRANSLATIONS, languages=[language], fallback=True)


def in_language(text: Any, language: str) -> str:
    """``text`` (a lazy text or its msgid) in ``language``, with or without Flask."""
    msgid = text._text if hasattr(text, "_text") else str(text)
    return _catalogue(language).gettext(msgid)


def headings(language: str) -> list[str]:
    """The column headings in ``language``."""
    return [in_language(heading, language) for _key, heading in COLUMNS]


def date_format(language: str) -> str:
    """The ``strftime`` pattern of dates in ``language`` (31.03.2026 / 2026-03-31)."""
    return in_language("%Y-%m-%d", language)


def format_day(value: str, language: str) -> str:
    """An ISO date as ``language`` writes it; text that is no date stays as it is."""
    try:
        return dt.date.fromisoformat(value).strftime(date_format(language)) if value else ""
    except (TypeError, ValueError):
        return str(value)


def parse_day(value: str) -> str | None:
    """An ISO date from a date as either language writes it, or ``None``."""
    for language in UI_LANGUAGES:
        try:
            return dt.datetime.strptime(value, date_format(language)).date().isoformat()
        except ValueError:
            continue
    return None


def is_overdue(agreement: dict, today: dt.date) -> bool:
    """Still open with a due date before ``today``."""
    due = agreement.get("due") or ""
    return bool(due) and agreement.get("status", "open") in OPEN_STATUSES and due < today.isoformat()


def status_label(status: str, language: str) -> str:
    """The name of a status in ``language``."""
    return in_language(STATUSES.get(status, STATUSES["open"]), language)


def status_from_label(label: str) -> str | None:
    """The status key whose name (in any language) is ``label``, or ``None``."""
    for language in UI_LANGUAGES:
        for key in STATUSES:
            if status_label(key, language).casefold() == label.strip().casefold():
                return key
    return None


def plain_cells(agreement: dict, number: int, session_title: str, language: str,
                today: dt.date) -> list[str]:
    """The cells of one row as plain text (for HTML, PDF, DOCX), in column order."""
    due = format_day(agreement.get("due", ""), language)
    if due and is_overdue(agreement, today):
        due = f"{due} ({in_language(OVERDUE, language)})"
    status = status_label(agreement.get("status", "open"), language)
    if agreement.get("status_note"):
        status += NOTE_SEPARATOR + str(agreement["status_note"])
    return [str(number), str(agreement.get("what", "")), str(agreement.get("who_person", "")),
            str(agreement.get("who_org", "")), str(agreement.get("follow_up", "")), due,
            format_day(agreement.get("review", ""), language), status, session_title or NO_SESSION]


def md_cell(text: str) -> str:
    """Plain text as the content of a GitHub-flavoured table cell (see the module docstring)."""
    text = safe_text(text).replace("\t", " ").strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = re.sub(r"([*_`#\[\]!])", r"\\\1", text)
    # A space before the break: text taken from the rendered cell keeps its words apart.
    return text.replace("~", "&#126;").replace("\n", " <br>")


_UNESCAPE = re.compile(rf"\\([{_PUNCTUATION}])|&(amp|lt|gt|#126);| ?<br\s*/?>")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "#126": "~"}


def md_uncell(cell: str) -> str:
    """The plain text of a cell written by :func:`md_cell` (the inverse)."""
    def one(match: re.Match) -> str:
        if match.group(1) is not None:
            return match.group(1)
        if match.group(2) is not None:
            return _ENTITIES[match.group(2)]
        return "\n"
    return _UNESCAPE.sub(one, cell.strip())


def md_row(cells: list[str]) -> str:
    """One table row from plain-text cells."""
    return "| " + " | ".join(md_cell(c) for c in cells) + " |"


def split_row(line: str) -> list[str] | None:
    """The raw cells of a table row (``|`` escaped by a backslash stays inside), or ``None``."""
    line = line.strip()
    if len(line) < 2 or not line.startswith("|") or not line.endswith("|"):
        return None
    cells, current, escaped = [], [], False
    for char in line[1:]:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
    if current and "".join(current).strip():  # text after the last pipe: not a row we wrote
        return None
    return cells


def markdown_table(agreements: list[dict], session_titles: dict[str, str], language: str,
                   today: dt.date) -> list[str]:
    """The agreements table as Markdown lines (a sentence when there are none)."""
    if not agreements:
        return [in_language(NONE_RECORDED, language), ""]
    lines = [md_row(headings(language)), "|" + "---|" * len(COLUMNS)]
    for number, agreement in enumerate(agreements, 1):
        title = session_titles.get(agreement.get("session_id") or "", "")
        lines.append(md_row(plain_cells(agreement, number, title, language, today)))
    lines.append("")
    return lines
