"""Pages a plugin adds (a printable handout, a CSV template): what a plugin declares.

Pure Python (no Flask). A plugin returns :class:`Route` objects from the hook
``facilitator_register_routes``; the core mounts them (see
:mod:`facilitator.pages_plugins`), checks the visitor's role first and hands the
view a :class:`PageRequest`. The view returns HTML text or a :class:`Page`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

#: Who may open a plugin page. ``participant`` and ``projector`` need a
#: ``<workshop_id>`` in the path: the phone's cookie, or the projector's
#: ``?key=``, must belong to that workshop.
PAGE_ROLES = ("facilitator", "participant", "projector", "public")
PATH = re.compile(r"^/plugins/[a-z][a-z0-9-]{1,39}/[A-Za-z0-9_./<>:-]*$")


@dataclass(frozen=True, kw_only=True)
class Route:
    """One page of a plugin.

    :param path: a Flask URL rule under ``/plugins/<name>/``, e.g.
        ``"/plugins/twinning/handout/<workshop_id>/<session_id>"``.
    :param view: ``view(request: PageRequest, **url_values)`` returning HTML
        text or a :class:`Page`.
    :param roles: who may open it (:data:`PAGE_ROLES`); others get HTTP 403.
    :param methods: HTTP methods (``GET``; ``POST`` forms get the core's CSRF check).
    """

    path: str
    view: Callable[..., Any]
    roles: tuple[str, ...] = ("facilitator",)
    methods: tuple[str, ...] = ("GET",)

    def __post_init__(self) -> None:
        if not PATH.match(self.path) or "/static/" in self.path:
            raise ValueError(f"route path {self.path!r} must start with /plugins/<name>/ "
                             "(and not use /static/, where plugin files are served)")
        if not self.roles or set(self.roles) - set(PAGE_ROLES):
            raise ValueError(f"route {self.path!r}: roles must be taken from {PAGE_ROLES}")
        needs_workshop = {"participant", "projector"} & set(self.roles)
        if needs_workshop and "<workshop_id>" not in self.path:
            raise ValueError(f"route {self.path!r}: {sorted(needs_workshop)} pages need <workshop_id>")
        if not set(self.methods) <= {"GET", "POST"}:
            raise ValueError(f"route {self.path!r}: only GET and POST")


@dataclass(frozen=True, kw_only=True)
class Page:
    """A response of a plugin page other than plain HTML (a download, a CSV).

    :param body: the content.
    :param mimetype: e.g. ``"text/csv"``.
    :param filename: offered as a download under this name (umlauts kept).
    :param status: the HTTP status.
    """

    body: str | bytes
    mimetype: str = "text/html"
    filename: str | None = None
    status: int = 200


class PageRequest(Protocol):
    """What a plugin page's view may read: the request and the workshop it names.

    Attributes: ``role`` (the visitor's), ``language``, ``args`` and ``form``
    (plain dicts of strings), ``participant`` (the visiting participant's
    ``{id, label, org_type}`` or ``None``).
    """

    role: str
    language: str
    args: dict[str, str]
    form: dict[str, str]
    participant: dict | None

    def workshop(self, workshop_id: str) -> dict:
        """``{id, title, date, place, organiser, language, privacy}``; HTTP 404 if unknown."""

    def session(self, workshop_id: str, session_id: str) -> dict:
        """``{id, title, method, status, config, state}`` of a session; HTTP 404 if unknown."""

    def context(self, workshop_id: str, session_id: str) -> Any:
        """The session's :class:`facilitator.MethodContext` (for labels, agreements)."""

    def render(self, template: str, **context: Any) -> str:
        """Render one of the plugin's templates (with the core's ``base.html`` to extend)."""
