"""Read the agreements back from minutes this project wrote (``.md`` or ``.json``).

Pure Python (no Flask). The organisers' archive imports minutes with it; a
file that is not Facilitator minutes, or whose agreements table is damaged,
raises :class:`MinutesFileError` naming the line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from facilitator.i18n import UI_LANGUAGES, _
from facilitator.ledger import STATUSES
from facilitator.minutes_table import (
    COLUMNS,
    DATE_LABEL,
    NO_SESSION,
    NONE_RECORDED,
    NOTE_SEPARATOR,
    OVERDUE,
    SECTION,
    headings,
    in_language,
    md_uncell,
    parse_day,
    split_row,
    status_from_label,
)

#: ``format`` of the raw-data (``.json``) minutes.
JSON_FORMAT = "facilitator-minutes"
#: The agreement fields :func:`read_minutes_agreements` returns, in this order.
AGREEMENT_KEYS = ("what", "who_person", "who_org", "follow_up", "due", "review", "status",
                  "status_note", "session")


class MinutesFileError(ValueError):
    """A file that is not minutes written by Facilitator, or a damaged one.

    ``line`` is the line (1-based) where the problem is, ``None`` for the file as a whole.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        if line is not None:
            message = _("Line %(line)d: %(problem)s", line=line, problem=message)
        super().__init__(message)
        self.line = line


def read_minutes_agreements(text: str, filename: str) -> dict:
    """Title, date (ISO), language and agreements of minutes written by Facilitator.

    :param text: the file's content.
    :param filename: its name; ``.md`` or ``.json`` decides how it is read.
    :returns: ``{"title", "date", "language", "agreements": [{"what", "who_person",
        "who_org", "follow_up", "due", "review", "status", "status_note", "session"}]}``
        with dates as ISO dates (``""`` if none), the status as a key of
        :data:`facilitator.STATUSES` and ``session`` the session's title (``""`` for none).
    :raises MinutesFileError: for a foreign or damaged file.
    """
    if not isinstance(text, str):
        raise MinutesFileError(_("The file is not text."))
    name = str(filename or "").casefold()
    if name.endswith(".json"):
        return _read_json(text)
    if name.endswith((".md", ".markdown")):
        return _read_markdown(text)
    raise MinutesFileError(_("“%(name)s” is neither a .md nor a .json file of minutes.", name=filename))


# -- Markdown --------------------------------------------------------------
def _read_markdown(text: str) -> dict:
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found = _find_section(lines)
    if found is None:
        raise MinutesFileError(_("This is not a minutes file written by Facilitator "
                                 "(there is no section “Agreements and responsibilities”)."), 1)
    start, language = found
    return {"title": _title(lines), "date": _date(lines), "language": language,
            "agreements": _table(lines, start, language)}


def _find_section(lines: list[str]) -> tuple[int, str] | None:
    titles = {f"## {in_language(SECTION, lang)}": lang for lang in UI_LANGUAGES}
    for index, line in enumerate(lines):
        if line.strip() in titles:
            return index + 1, titles[line.strip()]
    return None


def _title(lines: list[str]) -> str:
    for line in lines:
        if line.startswith("# "):
            return md_uncell(line[2:])
    return ""


def _date(lines: list[str]) -> str:
    labels = {f"- **{in_language(DATE_LABEL, lang)}:**" for lang in UI_LANGUAGES}
    for number, line in enumerate(lines, 1):
        for label in labels:
            if line.startswith(label):
                value = md_uncell(line[len(label):])
                day = parse_day(value)
                if day is None:
                    raise MinutesFileError(_("“%(value)s” is not a date.", value=value), number)
                return day
        if line.startswith("## "):  # the header ends with the first section
            break
    return ""


def _table(lines: list[str], start: int, language: str) -> list[dict]:
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or lines[index].strip() == in_language(NONE_RECORDED, language):
        return []
    expected = len(COLUMNS)
    head = split_row(lines[index])
    if head is None or [md_uncell(c) for c in head] != headings(language):
        raise MinutesFileError(_("The agreements table does not have the columns %(columns)s.",
                                 columns=" | ".join(headings(language))), index + 1)
    index += 1
    if index >= len(lines) or not re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", lines[index].strip()) \
            or lines[index].count("|") != expected + 1:
        raise MinutesFileError(_("The line under the headings of the agreements table is missing."),
                               index + 1)
    agreements = []
    for number, line in enumerate(lines[index + 1:], index + 2):
        if not line.strip():
            break
        cells = split_row(line)
        if cells is None or len(cells) != expected:
            raise MinutesFileError(
                _("This row of the agreements table has %(found)d cells instead of %(expected)d.",
                  found=len(cells or []), expected=expected), number)
        agreements.append(_agreement([md_uncell(c) for c in cells], number))
    return agreements


def _agreement(cells: list[str], line: int) -> dict:
    values = dict(zip((key for key, _heading in COLUMNS), cells, strict=True))
    status_cell = values["status"]
    label, _sep, note = status_cell.partition(NOTE_SEPARATOR)
    status = status_from_label(label)
    if status is None:
        raise MinutesFileError(_("“%(value)s” is not a status of an agreement.", value=label), line)
    session = values["session"]
    return {
        "what": values["what"], "who_person": values["who_person"], "who_org": values["who_org"],
        "follow_up": values["follow_up"], "due": _cell_date(values["due"], line),
        "review": _cell_date(values["review"], line), "status": status, "status_note": note,
        "session": "" if session == NO_SESSION else session,
    }


def _cell_date(value: str, line: int) -> str:
    for language in UI_LANGUAGES:
        flag = f" ({in_language(OVERDUE, language)})"
        value = value.removesuffix(flag)
    if not value:
        return ""
    day = parse_day(value)
    if day is None:
        raise MinutesFileError(_("“%(value)s” is not a date.", value=value), line)
    return day


# -- JSON ------------------------------------------------------------------
def _read_json(text: str) -> dict:
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        raise MinutesFileError(_("The file is not valid JSON."), error.lineno) from None
    if not isinstance(data, dict) or data.get("format") != JSON_FORMAT:
        raise MinutesFileError(_("This is not a minutes file written by Facilitator."), 1)
    workshop = data.get("workshop")
    agreements = data.get("agreements")
    if not isinstance(workshop, dict) or not isinstance(agreements, list):
        raise MinutesFileError(_("This is not a minutes file written by Facilitator."), 1)
    language = workshop.get("language")
    return {
        "title": _json_text(workshop.get("title"), text, "title"),
        "date": _json_text(workshop.get("date"), text, "date"),
        "language": language if language in UI_LANGUAGES else "",
        "agreements": [_json_agreement(a, text) for a in agreements],
    }


def _json_agreement(agreement: Any, text: str) -> dict:
    if not isinstance(agreement, dict):
        raise MinutesFileError(_("An agreement in the file is not a record."), _line_of(text, "agreements"))
    result = {key: _json_text(agreement.get(key), text, key) for key in AGREEMENT_KEYS}
    if result["status"] not in STATUSES:
        status = status_from_label(result["status"])
        if status is None:
            raise MinutesFileError(_("“%(value)s” is not a status of an agreement.", value=result["status"]),
                                   _line_of(text, result["status"]))
        result["status"] = status
    for key in ("due", "review"):
        if result[key] and parse_day(result[key]) != result[key]:
            raise MinutesFileError(_("“%(value)s” is not a date.", value=result[key]), _line_of(text, result[key]))
    return result


def _json_text(value: Any, text: str, key: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MinutesFileError(_("“%(field)s” must be text.", field=key), _line_of(text, f'"{key}"'))
    return value


def _line_of(text: str, needle: str) -> int:
    """The first line of ``text`` holding ``needle`` (1 if none does)."""
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else 1
