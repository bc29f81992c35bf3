"""The plugin manager and the registry of installed methods.

Bundled methods are declared as entry points in the ``facilitator`` group of
our own package metadata and load exactly like third-party plugins.
``BUNDLED_PLUGINS`` lists them so a source checkout that was never installed
(no metadata) still finds them.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
from typing import Any

import pluggy

from facilitator import hookspecs
from facilitator.fields import check_fields
from facilitator.methods import Method
from facilitator.routes import Route

ENTRY_POINT_GROUP = "facilitator"
BUNDLED_PLUGINS = (
    "facilitator_plugins.dotvoting",
    "facilitator_plugins.fishbowl",
    "facilitator_plugins.roundtable",
    "facilitator_plugins.twinning",
)
SLUG = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


class PluginLoadError(RuntimeError):
    """An installed plugin could not be imported; the message names it."""


def _failing_entry_point() -> str:
    """Name the entry point of our group that fails to load (after pluggy's load failed)."""
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry_point.load()
        except Exception:  # noqa: BLE001 (this is the one we are looking for)
            dist = entry_point.dist.name if entry_point.dist else "?"
            return f"The plugin {entry_point.name!r} ({entry_point.value}, from {dist}) cannot be loaded"
    return "A plugin cannot be loaded"


def make_plugin_manager(extra_plugins: tuple[Any, ...] = ()) -> pluggy.PluginManager:
    """Build the plugin manager: hookspecs, entry points, bundled fallbacks, extras."""
    pm = pluggy.PluginManager("facilitator")
    pm.add_hookspecs(hookspecs)
    try:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    except Exception as exc:
        raise PluginLoadError(f"{_failing_entry_point()}: {exc}") from exc
    loaded = {getattr(p, "__name__", None) for p in pm.get_plugins()}
    for name in BUNDLED_PLUGINS:
        if name not in loaded:
            pm.register(importlib.import_module(name), name=name)
    for plugin in extra_plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm


def _results(pm: pluggy.PluginManager, hook: str) -> list[tuple[str, Any]]:
    """(plugin name, result) of every implementation of ``hook``, in call order."""
    found = []
    for impl in reversed(getattr(pm.hook, hook).get_hookimpls()):
        result = impl.function()
        if result is not None:
            found.append((impl.plugin_name, result))
    return found


def collect_methods(pm: pluggy.PluginManager) -> dict[str, Method]:
    """Ask every plugin for its methods; refuse bad or duplicate slugs and bad forms.

    A mistake in a plugin (a typo in a field kind, an action without roles) stops
    the start with an error naming the plugin, never silently.
    """
    methods: dict[str, Method] = {}
    for plugin, result in _results(pm, "facilitator_register_methods"):
        for method in result or []:
            if not isinstance(method, Method):
                raise TypeError(f"Plugin {plugin!r}: {method!r} is not a facilitator.Method")
            if not SLUG.match(method.slug or ""):
                raise ValueError(f"Plugin {plugin!r}: invalid method slug {method.slug!r} in {type(method).__name__}")
            if method.slug in methods:
                raise ValueError(f"Plugin {plugin!r}: another plugin already provides the method {method.slug!r}")
            check_fields(method.config_fields(), plugin)
            methods[method.slug] = method
    return methods


def collect_routes(pm: pluggy.PluginManager) -> list[Route]:
    """Every plugin page; refuse what is not a :class:`Route` and paths claimed twice."""
    routes: dict[str, Route] = {}
    for plugin, result in _results(pm, "facilitator_register_routes"):
        for route in result:
            if not isinstance(route, Route):
                raise TypeError(f"Plugin {plugin!r}: {route!r} is not a facilitator.Route")
            if route.path in routes:
                raise ValueError(f"Plugin {plugin!r}: the page {route.path} is already registered")
            routes[route.path] = route
    return list(routes.values())


def collect_asset_urls(pm: pluggy.PluginManager, hook: str) -> list[str]:
    """Extra CSS or JS URLs; only paths on this server (offline, CSP ``'self'``)."""
    urls: list[str] = []
    for plugin, result in _results(pm, hook):
        for url in result:
            if not isinstance(url, str) or not url.startswith("/") or url.startswith("//"):
                raise ValueError(f"Plugin {plugin!r}: {url!r} must be a path on this server, like /plugins/x/static/y.js")
            if url not in urls:
                urls.append(url)
    return urls


def describe_plugins(pm: pluggy.PluginManager) -> list[dict]:
    """Installed plugins with their distribution and the methods each provides."""
    dists = {plugin: dist for plugin, dist in pm.list_plugin_distinfo()}
    described = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        hook = getattr(plugin, "facilitator_register_methods", None)
        methods = hook() if callable(hook) else []
        dist = dists.get(plugin)
        described.append(
            {
                "name": name,
                "module": getattr(plugin, "__name__", repr(plugin)),
                "version": dist.version if dist else None,
                "methods": [m.slug for m in methods or []],
                "hooks": sorted(
                    h.name for h in pm.get_hookcallers(plugin) or []
                ),
            }
        )
    return described
