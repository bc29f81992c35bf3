"""Facilitator: a local, plugin-based workshop and dialogue facilitation server.

This module is the public API for plugins: a plugin imports what it needs from
here (and its tests from :mod:`facilitator.testing`), nothing else of the
core. A test keeps it so. ::

    from facilitator import hookimpl, Method, action, Field, ActionError, _

Importing it imports no Flask.
"""

import pluggy

from facilitator.errors import ActionError, ConfigError
from facilitator.fields import Field
from facilitator.i18n import _, lazy_gettext, ngettext
from facilitator.ledger import OPEN_STATUSES, STATUSES, clean_agreement
from facilitator.mdtext import format_date, md_escape
from facilitator.methods import SYSTEM, Actor, Method, MethodContext, action
from facilitator.minutes_read import MinutesFileError, read_minutes_agreements
from facilitator.routes import Page, PageRequest, Route
from facilitator.validation import (
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_TEXT,
    MAX_TITLE,
    clean_choice,
    clean_date,
    clean_text,
)
from facilitator.vocabulary import ORG_TYPES, org_type_label

__version__ = "0.2.0"

#: Marker for plugin hook implementations (``@hookimpl``).
hookimpl = pluggy.HookimplMarker("facilitator")

__all__ = [
    "MAX_NAME",
    "MAX_ORGANISATION",
    "MAX_TEXT",
    "MAX_TITLE",
    "OPEN_STATUSES",
    "ORG_TYPES",
    "STATUSES",
    "SYSTEM",
    "ActionError",
    "Actor",
    "ConfigError",
    "Field",
    "Method",
    "MethodContext",
    "MinutesFileError",
    "Page",
    "PageRequest",
    "Route",
    "_",
    "__version__",
    "action",
    "clean_agreement",
    "clean_choice",
    "clean_date",
    "clean_text",
    "format_date",
    "hookimpl",
    "lazy_gettext",
    "md_escape",
    "ngettext",
    "org_type_label",
    "read_minutes_agreements",
]
