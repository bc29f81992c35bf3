"""Every hook a Facilitator plugin can implement.

Each hook is called in exactly one place in the core, always with keyword
arguments. A plugin implements a hook with ``@facilitator.hookimpl``.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("facilitator")


# ---------------------------------------------------------------------------
# Startup
# ---------------------------------------------------------------------------


@hookspec
def facilitator_register_methods() -> list[Any]:
    """Return the session methods this plugin provides.

    Called once by ``create_app`` while it builds the method registry.

    :return: a list of :class:`facilitator.Method` instances. Each method's
        ``slug`` must be unique across all installed plugins; the core refuses
        to start when two plugins claim the same slug.
    """


@hookspec
def facilitator_startup(app: Any) -> None:
    """Called once at the end of ``create_app``, after every method is registered.

    Use it for set-up that needs the configured Flask app (e.g. extra
    configuration checks). The return value is ignored.

    :param app: the Flask application.
    """


# ---------------------------------------------------------------------------
# Minutes
# ---------------------------------------------------------------------------


@hookspec
def facilitator_minutes_appendix(workshop: dict, language: str) -> str | None:
    """Return extra Markdown to append to a workshop's minutes, or ``None``.

    Called once per minutes rendering, after the consolidated agreements table,
    inside the workshop's language (``gettext`` already answers in it). Results
    of all plugins are appended in plugin order.

    :param workshop: the workshop record (a dict, read-only).
    :param language: the workshop language code, e.g. ``"de"``.
    :return: a Markdown string, or ``None`` to add nothing.
    """
