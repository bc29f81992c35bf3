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
# Pages and assets
# ---------------------------------------------------------------------------


@hookspec
def facilitator_register_routes() -> list[Any] | None:
    """Return pages this plugin adds, e.g. a printable handout or a CSV template.

    Called once by ``create_app``; every result of every plugin is mounted.
    The core checks the visitor's role before the view runs (see
    :class:`facilitator.Route`), so a view never sees a request it may not answer.

    :return: a list of :class:`facilitator.Route`, or ``None``. Paths start with
        ``/plugins/<name>/``; two plugins claiming the same path stop the start.
    """


@hookspec
def facilitator_extra_css_urls() -> list[str] | None:
    """Return stylesheets to add to every page, after the core's.

    Called once by ``create_app``. Each URL is a path on this server (starting
    with ``/``, e.g. ``/plugins/<slug>/static/extra.css``): pages work offline and
    send ``Content-Security-Policy: default-src 'self'``, so other hosts are refused.

    :return: a list of URL paths, or ``None``.
    """


@hookspec
def facilitator_extra_js_urls() -> list[str] | None:
    """Return scripts to add to every page, after the core's page script.

    Called once by ``create_app``. Same rules as
    :func:`facilitator_extra_css_urls`: paths on this server only. A script
    finds the live client as ``window.facilitator`` (see docs/plugins.md).

    :return: a list of URL paths, or ``None``.
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
