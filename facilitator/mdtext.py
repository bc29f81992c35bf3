"""Text for Markdown minutes: escaping what people typed, dates in the workshop's language.

Pure Python (no Flask).
"""

from __future__ import annotations

import datetime as dt
import re

from facilitator.i18n import _


def md_escape(text: str) -> str:
    """Escape user text for a Markdown line or table cell (no HTML, no layout)."""
    text = " ".join(str(text or "").split())
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = re.sub(r"([*_`#\[\]<>])", r"\\\1", text)
    return text


def format_date(value: str) -> str:
    """An ISO date as the workshop language writes it (31.03.2026 / 2026-03-31)."""
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return day.strftime(_("%Y-%m-%d"))
