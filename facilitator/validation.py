"""Input checks shared by the core and the methods: text, choices, dates, limits.

Pure Python (no Flask). Every check raises :class:`facilitator.ActionError`
with a code and a plain, translated message, before anything changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from facilitator.errors import ActionError
from facilitator.i18n import _

#: Upper bounds on free text, in characters.
MAX_TITLE = 120
MAX_NAME = 60
MAX_ORGANISATION = 100
MAX_TEXT = 500


def is_valid_unicode(value: str) -> bool:
    """False for text holding a lone surrogate (``"x\\ud800"``), which no file can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_text(value: Any, field: str, max_length: int, required: bool = False) -> str:
    """Return ``value`` as stripped text, or refuse it with a readable error.

    One-line text has its white space folded; text with line breaks keeps them.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ActionError("invalid", _("“%(field)s” must be text.", field=field))
    if not is_valid_unicode(value):
        raise ActionError("invalid_text", _("“%(field)s” contains characters that are not text.", field=field))
    value = " ".join(value.split()) if "\n" not in value else value.strip()
    if required and not value:
        raise ActionError("required", _("Please fill in “%(field)s”.", field=field))
    if len(value) > max_length:
        raise ActionError(
            "too_long",
            _("“%(field)s” is too long (at most %(max)d characters).", field=field, max=max_length),
        )
    return value


def clean_choice(value: Any, field: str, choices: dict | list | tuple) -> str:
    """Return ``value`` if it is one of ``choices``, else refuse it."""
    if not isinstance(value, str) or value not in choices:
        raise ActionError("invalid_choice", _("Please choose a valid value for “%(field)s”.", field=field))
    return value


def clean_date(value: Any, field: str, required: bool = False) -> str:
    """Return an ISO date ``YYYY-MM-DD`` (or ``""`` when optional and empty)."""
    value = clean_text(value, field, 10, required=required)
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ActionError(
            "invalid_date", _("“%(field)s” must be a date like 2026-03-31.", field=field)
        ) from None
