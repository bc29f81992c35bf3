"""The twinning's own pages: the CSV template and a printable handout per pair.

The core checks the visitor's role before these views run; a participant may
open only the handout of their own group's pair.
"""

from __future__ import annotations

from facilitator import Page, PageRequest, Route, _

from . import csvimport, pool
from .views import group_card, plan_view


def template_csv(request: PageRequest) -> Page:
    """The CSV template in the visitor's language (UTF-8 with BOM, ``;``, as Excel opens it)."""
    return Page(body=csvimport.template(), mimetype="text/csv",
                filename=_("twinning-groups-template.csv"))


def handout(request: PageRequest, workshop_id: str, session_id: str, pair_key: str) -> str | Page:
    """A printable page for one published pair: both profiles, why, contacts, the plan."""
    session = request.session(workshop_id, session_id)
    state = session["state"]
    if session["method"] != "twinning" or not isinstance(state, dict):
        return Page(body=_("Not found."), mimetype="text/plain", status=404)
    pair = next((p for p in state.get("pairs", []) if p["key"] == pair_key), None)
    if pair is None:
        return Page(body=_("This pair does not exist (any more)."), mimetype="text/plain", status=404)
    if request.role == "participant":
        own = pool.group_of_participant(state, (request.participant or {}).get("id"))
        if own is None or own["id"] not in pair["members"]:
            return Page(body=_("This handout belongs to another pair."), mimetype="text/plain",
                        status=403)
    from .explain_text import why  # the engine is only needed here

    members = [state["groups"][g] for g in pair["members"]]
    return request.render(
        "twinning/handout.html", workshop=request.workshop(workshop_id), session=session,
        members=[group_card(g, True) for g in members], why=why(state, pair["members"]),
        confirmed=pair["agreement"] is not None,
        plan=plan_view(state["plans"].get(pair["key"]), members))


def routes() -> list[Route]:
    """The plugin's pages."""
    return [
        Route(path="/plugins/twinning/template.csv", view=template_csv, roles=("public",)),
        Route(path="/plugins/twinning/handout/<workshop_id>/<session_id>/<pair_key>", view=handout,
              roles=("facilitator", "participant")),
    ]
