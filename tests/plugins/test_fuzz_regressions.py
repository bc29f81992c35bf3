"""Bugs the fuzz tests (tests/fuzz) found in the bundled methods, pinned one by one.

All of the same kind: ``payload.get(field) or default`` took a value of the
wrong type that Python counts as empty (``false``, ``0``, ``[]``, ``{}``) for a
missing field and accepted the action, where docs/protocol.md refuses a field
of the wrong type. ``null`` and a missing field still mean "empty".
"""

from __future__ import annotations

import copy

import pytest
from facilitator_plugins.dotvoting.method import DotVotingMethod
from facilitator_plugins.fishbowl.method import FishbowlMethod

from facilitator import ActionError
from facilitator.testing import MethodHarness

FALSY = [False, 0, [], {}]


def revealed_vote() -> MethodHarness:
    h = MethodHarness(DotVotingMethod(), {"question": "Q?", "options": "A\nB", "skip_collect": True},
                      participants=["anna"])
    h.act("set_dots", {"option": "o1", "count": 1}, by="anna")
    h.act("close_voting")
    h.act("reveal")
    return h


def fishbowl() -> MethodHarness:
    return MethodHarness(FishbowlMethod(), {"topic": "T", "questions_enabled": True},
                         participants=["anna"])


def refused(h: MethodHarness, action: str, payload: dict) -> str:
    before = copy.deepcopy(h.state)
    with pytest.raises(ActionError) as info:
        h.act(action, payload)
    assert h.state == before and h.ledger == []
    return info.value.code


@pytest.mark.parametrize("value", FALSY, ids=repr)
@pytest.mark.parametrize("field", ["who_person", "due", "review"])
def test_dotvoting_assign_refuses_owner_fields_that_are_not_text(field, value):
    payload = {"option": "o1", "who_org": "VHS", field: value}
    assert refused(revealed_vote(), "assign", payload) == "invalid"


def test_dotvoting_assign_takes_null_for_empty():
    h = revealed_vote()
    h.act("assign", {"option": "o1", "who_org": "VHS", "who_person": None, "due": None})
    assert [a["who_person"] for a in h.ledger] == [""]


@pytest.mark.parametrize("value", FALSY, ids=repr)
def test_fishbowl_statement_refuses_a_person_that_is_not_an_id(value):
    assert refused(fishbowl(), "mark_statement", {"text": "Gut", "person": value}) == "invalid"


@pytest.mark.parametrize("value", [None, ""], ids=repr)
def test_fishbowl_statement_without_a_person(value):
    h = fishbowl()
    h.act("mark_statement", {"text": "Gut", "person": value})
    assert h.state["statements"][-1]["person"] is None


@pytest.mark.parametrize("value", FALSY, ids=repr)
def test_fishbowl_guest_refuses_an_org_type_that_is_not_text(value):
    h = fishbowl()
    assert refused(h, "add_guest", {"name": "Gast", "org_type": value}) == "invalid_choice"


@pytest.mark.parametrize("value", [None, ""], ids=repr)
def test_fishbowl_guest_without_org_type_is_other(value):
    h = fishbowl()
    guest = h.act("add_guest", {"name": "Gast", "org_type": value})["guest"]
    assert h.state["people"][guest]["org_type"] == "other"
