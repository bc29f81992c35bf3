"""Rendering live views: the payload of the ``view`` event for each role.

A payload carries the method's JSON view (``data``) for clients of their own
and the rendered HTML fragment (``html``) for the browser pages.
"""

from __future__ import annotations

import json
from collections import Counter

from flask import current_app, render_template, request

from facilitator.i18n import lazy_gettext
from facilitator.methods import Actor
from facilitator.vocabulary import ORG_TYPES, org_type_label

#: The one state of a session the facilitator sees, in the agenda and in its panel.
SESSION_STATES = {
    "not_started": lazy_gettext("Not started"),
    "running": lazy_gettext("Running"),
    "paused": lazy_gettext("Paused"),
    "finished": lazy_gettext("Finished"),
}


def public_url(path: str) -> str:
    """An absolute URL phones can open: the LAN address the CLI found, else this host."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path


def live_config(role: str, workshop: dict, **auth: str) -> str:
    """The JSON the page's script needs to connect (``data-live``; escaped by the template)."""
    config = {"role": role, "workshop": workshop["id"], "auth": {"role": role, "workshop": workshop["id"], **auth}}
    return json.dumps(config)


def workshop_public(workshop: dict) -> dict:
    """What every role may know of a workshop."""
    keys = ("id", "title", "date", "place", "organiser", "language", "privacy", "join_code")
    return {key: workshop.get(key) for key in keys}


def session_state(session: dict) -> str:
    """The session's state, one of :data:`SESSION_STATES`, from its core record.

    ``active`` is ``running``; ``closed`` is ``finished``; a pending session is
    ``paused`` once the room has been in it (it keeps its state and can be
    resumed) and ``not_started`` before. A method may show its own phase inside
    its panel; the agenda shows only this.
    """
    status = session.get("status")
    if status == "active":
        return "running"
    if status == "closed":
        return "finished"
    return "paused" if session.get("started") else "not_started"


def session_public(core, session: dict | None) -> dict | None:
    """What every role may know of a session (not its state)."""
    if session is None:
        return None
    method = core.methods.get(session["method"])
    return {
        "id": session["id"],
        "title": session["title"],
        "method": session["method"],
        "method_name": str(method.name) if method else session["method"],
        "status": session["status"],
        "state": session_state(session),
    }


def roster(core, workshop: dict) -> dict:
    """Who has joined: count, connected count and grouping by type of organisation."""
    people = core.people.of_workshop(workshop["id"])
    by_type = Counter(p["org_type"] for p in people)
    return {
        "count": len(people),
        "connected": sum(1 for p in people if core.presence.is_online(p["id"])),
        "organisations": len({p["organisation"].casefold() for p in people if p["organisation"]}),
        "by_type": [
            {"org_type": key, "label": str(label), "count": by_type[key]}
            for key, label in ORG_TYPES.items()
            if by_type[key]
        ],
        "people": [
            {
                "id": p["id"],
                "label": core.people.label(workshop, p),
                "organisation": p["organisation"],
                "org_type_label": org_type_label(p["org_type"]),
                "connected": core.presence.is_online(p["id"]),
            }
            for p in people
        ],
    }


def build_view(
    core, workshop: dict, role: str, participant: dict | None = None, ctx=None, session: dict | None = None
) -> tuple[dict, dict]:
    """The ``view`` payload of one role (and participant) without its HTML, and the
    template context to render it with (:func:`render_view`).

    Cheap enough to run for every connection on every change: the broadcaster
    renders HTML only for payloads that differ from what a client already has.
    """
    if session is None:
        session = core.workshops.active_session(workshop)
    data = None
    if session is not None:
        actor = core.people.actor(workshop, participant) if participant else Actor(role=role)
        data = core.engine.method_view(workshop, session, role, actor, ctx)
    context = {
        "workshop": workshop_public(workshop),
        "session": session_public(core, session),
        "view": data,
        "role": role,
        "participant": participant,
        "method_template": core.methods[session["method"]].template_name(role) if session else None,
        "join_url": public_url(f"/j/{workshop['join_code']}"),
    }
    payload = {"workshop": context["workshop"], "session": context["session"], "data": data}
    if role in ("facilitator", "projector"):
        context["roster"] = roster(core, workshop)
    if role == "facilitator":
        context["sessions"] = [session_public(core, s) for s in core.workshops.sessions(workshop["id"])]
        context["agreements"] = core.ledger.of_workshop(workshop["id"])
        context["session_titles"] = {s["id"]: s["title"] for s in context["sessions"]}
        context["state_labels"] = SESSION_STATES
        payload["agenda"] = context["sessions"]
        payload["roster"] = context["roster"]
        payload["agreements"] = [
            {key: a[key] for key in ("id", "session_id", "what", "who_person", "who_org", "due", "review", "source")}
            for a in context["agreements"]
        ]
    elif role == "projector":  # on the wall: numbers only, no names
        payload["roster"] = {key: context["roster"][key] for key in ("count", "connected", "organisations", "by_type")}
    return payload, context


def render_view(core, payload: dict, context: dict) -> dict:
    """Add the rendered HTML fragment and the server clock to a payload."""
    return {**payload, "html": render_template(f"live/{context['role']}.html", **context), "now": core.clock()}
