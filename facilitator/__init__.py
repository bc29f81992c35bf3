"""Facilitator: a local, plugin-based workshop and dialogue facilitation server.

Plugins import what they need from here::

    from facilitator import hookimpl, Method, Field, ActionError
"""

import pluggy

from facilitator.methods import (
    ActionError,
    Actor,
    ConfigError,
    Field,
    Method,
    MethodContext,
)

__version__ = "0.1.0"

#: Marker for plugin hook implementations (``@hookimpl``).
hookimpl = pluggy.HookimplMarker("facilitator")

__all__ = [
    "ActionError",
    "Actor",
    "ConfigError",
    "Field",
    "Method",
    "MethodContext",
    "__version__",
    "hookimpl",
]
