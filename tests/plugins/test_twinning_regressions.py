"""Regressions the twinning fuzz test (tests/fuzz/test_fuzz_twinning.py) found."""

from __future__ import annotations

import pytest
from test_twinning_method import GROUPS, METHOD, PEOPLE, TOPICS, gid, matched, pairs_by_name

from facilitator import ActionError
from facilitator.testing import MethodHarness


def rematched():
    """Published, Verein A ⇄ Jobcenter confirmed by both, the other pair declined, re-matched:
    the new draft is in review."""
    h = matched()
    h.act("publish")
    h.act("respond", {"response": "confirm"}, by="amira")
    h.act("respond", {"response": "confirm"}, by="jonas")
    h.act("respond", {"response": "decline"}, by="lena")
    h.act("rematch")
    assert h.state["phase"] == "review"
    return h


def test_a_rematch_draft_cannot_go_back_to_registration():
    """Back in registration, published (even confirmed) pairs stayed while their groups
    could be removed or changed."""
    h = rematched()
    with pytest.raises(ActionError) as refused:
        h.act("back_to_registration")
    assert refused.value.code == "wrong_phase" and refused.value.message
    assert h.state["phase"] == "review"
    h.act("publish")
    assert h.state["phase"] == "publish"


def test_confirmed_pairs_stay_locked_when_the_rematch_draft_is_run_again():
    """A re-run in review used only the facilitator's locks: a confirmed group could be
    locked to another one, and on publishing the confirmed twinning vanished from the
    pairs while its ledger entry stayed open."""
    h = rematched()
    a, club = gid(h, "Verein A"), gid(h, "Club C")
    with pytest.raises(ActionError) as refused:
        h.act("lock", {"a": a, "b": club})
    assert refused.value.code == "already_locked"
    h.act("run_matching")
    assert frozenset({"Verein A", "Jobcenter"}) in pairs_by_name(h, h.state["draft"]["pairs"])
    h.act("publish")
    confirmed = [p for p in h.state["pairs"] if p["agreement"] is not None]
    assert [set(p["members"]) for p in confirmed] == [{a, gid(h, "Jobcenter")}]


def test_a_draft_pair_ruled_out_in_review_is_not_published():
    """``forbid`` in review applies from the next run; publishing the draft as it was
    published a pair the facilitator had just ruled out."""
    h = matched()
    a, jobcenter = gid(h, "Verein A"), gid(h, "Jobcenter")
    assert frozenset({"Verein A", "Jobcenter"}) in pairs_by_name(h, h.state["draft"]["pairs"])
    h.act("forbid", {"a": a, "b": jobcenter})
    with pytest.raises(ActionError) as refused:
        h.act("publish")
    assert refused.value.code == "breaks_rule" and "Verein A ⇄ Jobcenter" in refused.value.message
    assert h.state["phase"] == "review" and h.state["pairs"] == []
    h.act("run_matching")
    h.act("publish")
    assert frozenset({"Verein A", "Jobcenter"}) not in pairs_by_name(h, [p["members"] for p in h.state["pairs"]])


@pytest.mark.parametrize("org_type", [{"a": 1}, ["mso"], 3.5, True])
def test_a_type_of_organisation_that_is_no_text_is_refused(org_type):
    """A dict or list as ``org_type`` crashed the membership test (TypeError, internal_error)."""
    h = MethodHarness(METHOD, {"topics": TOPICS}, participants=PEOPLE)
    with pytest.raises(ActionError) as refused:
        h.act("register", {**GROUPS[0][1], "org_type": org_type}, by="amira")
    assert refused.value.code == "invalid_choice" and h.state["groups"] == {}
