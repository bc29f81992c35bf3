"""Twinning matchmaking: pair groups from a pool optimally, explain every pair, plan each joint project.

Only the hook implementations live here: the form is in :mod:`.config`, the
state machine in :mod:`.method` (with :mod:`.review` and :mod:`.published`),
profiles in :mod:`.profiles`, the CSV import in :mod:`.csvimport`, plans in
:mod:`.planning`, what each role sees in :mod:`.views`, the minutes in
:mod:`.minutes` and the pages (CSV template, handouts) in :mod:`.routes`. The
matching engine is :mod:`.matching` (with :mod:`.scoring`, :mod:`.stability`,
:mod:`.explain`).
"""

from facilitator import Route, hookimpl

from .method import TwinningMethod
from .routes import routes


@hookimpl
def facilitator_register_methods() -> list[TwinningMethod]:
    """Provide the twinning method."""
    return [TwinningMethod()]


@hookimpl
def facilitator_register_routes() -> list[Route]:
    """The CSV template and the printable handout per pair."""
    return routes()
