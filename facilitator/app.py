"""The application factory."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from facilitator_templates import TEMPLATE_DIR
from flask import Flask, render_template
from flask_babel import Babel, get_locale
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup

from facilitator import __version__
from facilitator.core import Core
from facilitator.i18n import DEFAULT_LANGUAGE, UI_LANGUAGES, _, ngettext, select_locale
from facilitator.ids import new_secret
from facilitator.mdtext import format_date, safe_text
from facilitator.plugins import (
    collect_asset_urls,
    collect_methods,
    collect_routes,
    make_plugin_manager,
)
from facilitator.presence import Presence
from facilitator.storage import open_store

PACKAGE_DIR = Path(__file__).resolve().parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the Facilitator app.

    :param test_config: overrides, e.g. ``DATA_DIR`` (``None`` keeps data in
        memory), ``PLUGINS`` (extra plugin objects), ``CLOCK`` (a callable
        returning epoch seconds), ``LIVE_SYNC`` (send view updates
        synchronously, for deterministic tests), ``PUBLIC_URL``.
    """
    app = Flask(__name__, static_folder=str(PACKAGE_DIR / "static"), template_folder=None)
    app.config.from_mapping(
        DATA_DIR=None,
        PLUGINS=(),
        CLOCK=time.time,
        LIVE_SYNC=False,
        PUBLIC_URL=None,
        ALLOWED_HOSTS=(),
        LIVE_INTERVAL=0.1,
        # "threading" for tests and embedding; `facilitator serve` runs on gevent.
        ASYNC_MODE="threading",
        BABEL_DEFAULT_LOCALE=DEFAULT_LANGUAGE,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=1_000_000,
    )
    if test_config:
        app.config.update(test_config)

    pm = make_plugin_manager(tuple(app.config["PLUGINS"]))
    methods = collect_methods(pm)
    data_dir = app.config["DATA_DIR"]
    store = open_store(Path(data_dir) if data_dir else None)
    # Who is online belongs to the transport (it writes); the core and methods only read.
    presence = Presence()
    core = Core(store, methods, clock=app.config["CLOCK"], presence=presence)
    app.extensions["facilitator"] = core
    app.extensions["facilitator.presence"] = presence
    app.extensions["facilitator.pm"] = pm
    app.config.setdefault("SECRET_KEY", None)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = core.settings.get("flask_secret_key", new_secret)
    app.config["FACILITATOR_TOKEN"] = core.settings.get("facilitator_token", new_secret)

    # Methods may ship their own catalogues (``<root>/translations``) beside the core's.
    translation_dirs = [str(PACKAGE_DIR / "translations")] + [
        str(m.root_dir() / "translations")
        for m in methods.values()
        if (m.root_dir() / "translations").is_dir()
    ]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_dirs)
    Babel(app, locale_selector=select_locale)
    app.jinja_loader = ChoiceLoader(
        [FileSystemLoader(str(TEMPLATE_DIR))]
        + [FileSystemLoader(str(m.root_dir() / "templates")) for m in methods.values()]
    )
    app.jinja_env.globals.update(
        _=_, ngettext=ngettext, version=__version__, current_locale=lambda: str(get_locale() or DEFAULT_LANGUAGE), UI_LANGUAGES=UI_LANGUAGES, methods=methods
    )
    app.jinja_env.globals.update(
        extra_css_urls=collect_asset_urls(pm, "facilitator_extra_css_urls"),
        extra_js_urls=collect_asset_urls(pm, "facilitator_extra_js_urls"),
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # No stored text can make a page fail: what is not text (a lone surrogate
    # from older data) is shown as U+FFFD.
    app.jinja_env.finalize = _printable
    app.jinja_env.filters["date"] = format_date

    @app.errorhandler(404)
    def not_found(_error):
        """A plain, translated page instead of the server's default."""
        return render_template("error.html", message=_("This page does not exist (any more).")), 404

    @app.errorhandler(403)
    def forbidden(_error):
        """Refused form posts (e.g. from another site)."""
        return render_template("error.html", message=_("You may not do this.")), 403


    from facilitator import (
        pages_api,
        pages_archive,
        pages_facilitator,
        pages_plugins,
        pages_public,
        realtime,
        security,
    )

    pages_public.init_app(app)
    pages_facilitator.init_app(app)
    pages_archive.init_app(app)
    pages_api.init_app(app)
    pages_plugins.mount(app, collect_routes(pm))
    realtime.init_app(app)
    security.init_app(app)  # after Socket.IO: it guards /socket.io/ too

    pm.hook.facilitator_startup(app=app)
    return app


def _printable(value: Any) -> Any:
    """Jinja's output filter: every string through :func:`facilitator.mdtext.safe_text`."""
    if isinstance(value, Markup):
        return Markup(safe_text(value))
    if isinstance(value, str):
        return safe_text(value)
    return value


def get_core(app: Flask) -> Core:
    """The :class:`Core` of an app."""
    return app.extensions["facilitator"]
