"""Text for Markdown minutes: escaping what people typed, dates in the workshop's language.

Pure Python (no Flask).
"""

from __future__ import annotations

import datetime as dt
import re

from facilitator.i18n import _

#: Control characters no page should carry: C0 (except tab and line feed), DEL and C1.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: What :func:`safe_text` puts in place of a character that is not text.
REPLACEMENT = "\ufffd"


def safe_text(text: str) -> str:
    """``text`` with everything that is not text replaced by U+FFFD (never raises).

    Input checks refuse such characters, but stored text may be older than
    them: a lone surrogate (``"Eve\\ud800"``, which cannot be written as
    UTF-8 and would make a page fail) and control characters other than tab
    and line feed each become U+FFFD; a surrogate pair becomes its character;
    ``\\r\\n`` and a lone ``\\r`` become ``\\n``.
    """
    text = str(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub(REPLACEMENT, text)


def md_escape(text: str) -> str:
    """Escape user text for a Markdown line or table cell (no HTML, no layout).

    ``<``, ``>`` and ``&`` become entities: every Markdown renderer (CommonMark
    and python-markdown alike) shows them as the characters typed, while a
    backslash before ``<`` is shown literally by some.
    """
    text = safe_text(" ".join(str(text or "").split()))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = re.sub(r"([*_`#\[\]])", r"\\\1", text)
    # "~" as an entity: python-markdown would show a backslash before it.
    return text.replace("~", "&#126;")


_BLOCK_START = re.compile(r"([-+]|[0-9]+[.)])")


def md_line(text: str) -> str:
    """Like :func:`md_escape`, for text that starts a line of its own (a paragraph of a
    summary): a leading ``-``, ``+``, ``=`` or ``1.`` cannot start a list or underline a heading."""
    text = md_escape(text)
    if text.startswith("="):
        return "&#61;" + text[1:]
    match = _BLOCK_START.match(text)
    if match:
        text = text[: match.end() - 1] + "\\" + text[match.end() - 1:]
    return text


def format_date(value: str) -> str:
    """An ISO date as the workshop language writes it (31.03.2026 / 2026-03-31)."""
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):  # not a date (stored before dates were checked)
        return str(value)
    return day.strftime(_("%Y-%m-%d"))
