"""Bugs the fuzz test (tests/fuzz/test_fuzz_roundtable.py) found in the round table, pinned one by one."""

from __future__ import annotations

import copy

import pytest
from facilitator_plugins.roundtable.method import RoundTable

from facilitator import ActionError
from facilitator.testing import MethodHarness

FORM = {"items": "Housing; 10", "speaking_limit": "60", "review_from": "none"}


def open_check() -> MethodHarness:
    """A round table on its first item with a consent check open (``c1``)."""
    h = MethodHarness(RoundTable(), FORM, participants=["anna", "ben"])
    h.act("go_to_item", {"item": "i1"})
    h.act("start_check", {"text": "Language café on Mondays"})
    return h


def refused(h: MethodHarness, action: str, payload: dict, by: str) -> str:
    before = copy.deepcopy(h.state)
    with pytest.raises(ActionError) as info:
        h.act(action, payload, by=by)
    assert h.state == before, "a refused action changed the state"
    assert info.value.message
    return info.value.code


@pytest.mark.parametrize("reason", [1.0, 0, False, True, [], ["Too often"], {}, {"a": "b"}], ids=repr)
@pytest.mark.parametrize("answer", ["agree", "live_with", "object"])
def test_answer_refuses_a_reason_that_is_not_text(answer, reason):
    """A reason of the wrong type was ignored (``agree`` accepted, ``object`` asked for one)."""
    assert refused(open_check(), "answer", {"check": "c1", "answer": answer, "reason": reason},
                   by="anna") == "invalid"


def test_answer_takes_null_or_no_reason_for_none():
    h = open_check()
    h.act("answer", {"check": "c1", "answer": "agree", "reason": None}, by="anna")
    h.act("answer", {"check": "c1", "answer": "live_with"}, by="ben")
    assert {p: a["answer"] for p, a in h.state["checks"][0]["answers"].items()} == {
        h.pid("anna"): "agree", h.pid("ben"): "live_with"}


def second_meeting() -> MethodHarness:
    """A round table reviewing the one agreement of an earlier one (another workshop)."""
    first = MethodHarness(RoundTable(), FORM, participants=["anna"])
    first.act("go_to_item", {"item": "i1"})
    first.act("record_agreement", {"what": "Flyer in five languages", "who_org": "VHS"})
    second = MethodHarness(RoundTable(), {**FORM, "review_from": "latest"}, participants=["cem"],
                           core=first.core, clock=first.clock)
    second.act("go_to_item", {"item": "review"})
    return second


@pytest.mark.parametrize("outcome", [["done"], {"done": True}, [], {}, 1, True, None], ids=repr)
def test_review_set_refuses_an_outcome_that_is_not_text(outcome):
    """A list or an object as the outcome crashed the action (``unhashable type``)."""
    h = second_meeting()
    entry = h.state["review"]["entries"][0]["id"]
    before = [dict(a) for a in h.core.store.all("agreements")]
    assert refused(h, "review_set", {"entry": entry, "outcome": outcome}, by="facilitator") == "invalid_outcome"
    assert h.core.store.all("agreements") == before
    h.act("review_set", {"entry": entry, "outcome": "done"})
    assert [a["status"] for a in h.core.store.all("agreements")] == ["done"]
