"""The shared vocabulary of workshops: types of organisation and privacy modes.

Pure Python (no Flask); labels are translated when they are shown.
"""

from __future__ import annotations

from typing import Any

from facilitator.i18n import lazy_gettext

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
    "chatham": lazy_gettext("Chatham House: names in the room; the minutes record what was said, "
                            "never who said it"),
}
#: Privacy modes in which participants give a display name when they join.
NAMED_MODES = ("named", "chatham")
#: Short names of the privacy modes, for the minutes' header.
PRIVACY_SHORT: dict[str, Any] = {
    "named": lazy_gettext("named"),
    "anonymous": lazy_gettext("anonymous"),
    "chatham": lazy_gettext("Chatham House Rule"),
}


def org_type_label(org_type: str) -> str:
    """The translated name of a type of organisation (``other`` if unknown)."""
    return str(ORG_TYPES.get(org_type, ORG_TYPES["other"]))
