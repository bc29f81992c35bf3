"""Mount the pages plugins declare (:class:`facilitator.Route`), with the role check first.

``POST`` pages get the core's CSRF check before their view runs
(:mod:`facilitator.security`): their forms send ``{{ csrf_token() }}`` in a
hidden ``csrf_token`` field, which the view does not see in ``request.form``.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, abort, current_app, render_template, request, session

from facilitator.errors import ActionError
from facilitator.i18n import select_locale
from facilitator.render import session_public, workshop_public
from facilitator.routes import Page, Route


class FlaskPageRequest:
    """The :class:`facilitator.PageRequest` a plugin page's view receives."""

    def __init__(self, role: str, participant: dict | None) -> None:
        self.role = role
        self.language = select_locale()
        self.args = {key: value for key, value in request.args.items()}
        field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self.form = {key: value for key, value in request.form.items() if key != field}
        self.participant = participant

    @staticmethod
    def _core():
        return current_app.extensions["facilitator"]

    def _workshop(self, workshop_id: str) -> dict:
        try:
            return self._core().workshops.get(workshop_id)
        except ActionError:
            abort(404)

    def workshop(self, workshop_id: str) -> dict:
        """What every role may know of the workshop; 404 if unknown."""
        return workshop_public(self._workshop(workshop_id))

    def _session(self, workshop_id: str, session_id: str) -> dict:
        try:
            return self._core().workshops.session(workshop_id, session_id)
        except ActionError:
            abort(404)

    def session(self, workshop_id: str, session_id: str) -> dict:
        """A session with its config and state; 404 if unknown."""
        record = self._session(workshop_id, session_id)
        return {**session_public(self._core(), record), "config": record["config"], "state": record["state"]}

    def context(self, workshop_id: str, session_id: str) -> Any:
        """The session's method context."""
        return self._core().engine.context(self._workshop(workshop_id), self._session(workshop_id, session_id))

    def render(self, template: str, **context: Any) -> str:
        """Render a template of the plugin (or the core's)."""
        return render_template(template, **context)


def _visitor(route: Route, url_values: dict) -> tuple[str, dict | None] | None:
    """The first of the route's roles the visitor has, or ``None``."""
    core = current_app.extensions["facilitator"]
    workshop_id = url_values.get("workshop_id")
    for role in route.roles:
        if role == "public":
            return role, None
        if role == "facilitator" and session.get("facilitator"):
            return role, None
        if role == "projector" and workshop_id:
            try:
                key = core.workshops.get(workshop_id)["projector_key"]
            except ActionError:
                abort(404)
            if hmac.compare_digest(request.args.get("key", "").encode(), key.encode()):
                return role, None
        if role == "participant" and workshop_id:
            token = request.cookies.get(f"fp_{workshop_id}", "")
            try:
                person = core.people.by_token(token)
            except ActionError:
                continue
            if person["workshop_id"] == workshop_id:
                workshop = core.workshops.get(workshop_id)
                return role, {"id": person["id"], "label": core.people.label(workshop, person),
                              "org_type": person["org_type"]}
    return None


def _respond(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, Page):
        response = Response(result.body, status=result.status, mimetype=result.mimetype)
        if result.filename:
            ascii_name = result.filename.encode("ascii", "replace").decode().replace("?", "_")
            response.headers["Content-Disposition"] = (
                f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(result.filename)}')
        return response
    return Response(str(result), mimetype="text/html")


def mount(app: Flask, routes: list[Route]) -> None:
    """Add every plugin page to ``app``."""
    for number, route in enumerate(routes):
        def view(route: Route = route, **url_values: Any) -> Response:
            visitor = _visitor(route, url_values)
            if visitor is None:
                return Response(render_template("facilitator/locked.html"), status=403)
            role, participant = visitor
            return _respond(route.view(FlaskPageRequest(role, participant), **url_values))

        app.add_url_rule(route.path, endpoint=f"plugin_page_{number}", view_func=view,
                         methods=list(route.methods))
