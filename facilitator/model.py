"""Vocabulary and input checks shared by the core: organisation types, limits, ids.

Pure Python: no Flask. Every check raises :class:`facilitator.ActionError`
with a code and a plain, translated message, before anything changes.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from typing import Any

from facilitator.i18n import _, lazy_gettext
from facilitator.methods import ActionError

#: Types of organisation a participant can choose from, in the order shown.
ORG_TYPES: dict[str, Any] = {
    "district": lazy_gettext("District (Landkreis)"),
    "municipality": lazy_gettext("Town or municipality"),
    "welfare": lazy_gettext("Welfare association"),
    "mso": lazy_gettext("Migrant organisation (MSO)"),
    "association": lazy_gettext("Association or club"),
    "education": lazy_gettext("Education (school, adult education)"),
    "employment": lazy_gettext("Employer or job centre"),
    "volunteers": lazy_gettext("Volunteers, civil society"),
    "science": lazy_gettext("Science"),
    "other": lazy_gettext("Other"),
}

PRIVACY_MODES: dict[str, Any] = {
    "named": lazy_gettext("Named: participants give a display name"),
    "anonymous": lazy_gettext("Anonymous: no names, only the type of organisation"),
}

#: Upper bounds on free text, in characters.
MAX_TITLE = 120
MAX_NAME = 60
MAX_ORGANISATION = 100
MAX_TEXT = 500

JOIN_CODE_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "O0I1L")


def new_id(prefix: str = "") -> str:
    """A short random id, unguessable enough to name records in URLs."""
    return prefix + secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")


def new_secret() -> str:
    """An unguessable secret for tokens and keys."""
    return secrets.token_urlsafe(24)


def new_join_code(length: int = 6) -> str:
    """A join code people can type: no look-alike characters (O/0, I/1/L)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(length))


def clean_text(value: Any, field: str, max_length: int, required: bool = False) -> str:
    """Return ``value`` as stripped text, or refuse it with a readable error."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ActionError("invalid", _("“%(field)s” must be text.", field=field))
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


def org_type_label(org_type: str) -> str:
    """The translated name of a type of organisation (``other`` if unknown)."""
    return str(ORG_TYPES.get(org_type, ORG_TYPES["other"]))
