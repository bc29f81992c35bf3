"""Twinning reads earlier rounds from the states of earlier twinning sessions on the server
(``ctx.earlier_sessions()``): pairs already twinned are not twinned again, and the group that
sat out last time is twinned this time, without the facilitator typing either."""

from __future__ import annotations

from facilitator_plugins.twinning import history
from facilitator_plugins.twinning.method import TwinningMethod
from test_twinning_method import GROUPS, PEOPLE, TOPICS, gid, pairs_by_name

from facilitator.testing import MethodHarness

METHOD = TwinningMethod()
A_J, C_V = frozenset({"Verein A", "Jobcenter"}), frozenset({"Club C", "VHS"})


def round_of(groups=GROUPS, core=None, **form) -> MethodHarness:
    """A twinning session (a new workshop on ``core``) with ``groups`` registered on phones."""
    h = MethodHarness(METHOD, {"topics": TOPICS, **form}, participants=PEOPLE, core=core)
    for who, data in groups:
        h.act("register", data, by=who)
    return h


def drafted(h: MethodHarness) -> set[frozenset]:
    """Run the matching; the draft's pairs by name."""
    h.act("run_matching")
    assert h.state["phase"] == "review"
    return pairs_by_name(h, h.state["draft"]["pairs"])


def test_first_round_pairs_the_best_fits():
    assert drafted(round_of()) == {A_J, C_V}


def test_an_earlier_session_of_the_same_workshop_counts():
    first = round_of()
    drafted(first)
    first.act("publish")
    for who in PEOPLE:
        first.act("respond", {"response": "confirm"}, by=who)
    first.close()
    # A second twinning session on the same workshop's agenda.
    session = first.core.workshops.add_session(first.workshop_id, "twinning", {"topics": TOPICS})
    first.session_id = session["id"]
    first.activate()
    for who, data in GROUPS:
        first.act("register", data, by=who)
    names = drafted(first)
    assert A_J not in names and C_V not in names and len(names) == 2


def test_only_pairs_that_were_twinned_count():
    """Declined pairs and pairs still waiting for answers in a running round do not count."""
    first = round_of()
    drafted(first)
    first.act("publish")
    first.act("respond", {"response": "decline"}, by="lena")  # Club C declines VHS
    # Verein A and Jobcenter are published but have not answered; the round goes on.
    later = round_of(core=first.core)
    assert drafted(later) == {A_J, C_V}  # neither counts yet
    # Once the earlier round moved on to planning, its published pair counts.
    first.act("start_planning")
    assert A_J not in drafted(later)


def test_closed_round_counts_its_published_pairs():
    first = round_of()
    drafted(first)
    first.act("publish")
    first.close()
    later = round_of(core=first.core)
    assert not {A_J, C_V} & drafted(later)


def test_a_draft_that_was_never_published_does_not_count():
    first = round_of()
    drafted(first)
    first.close()
    assert drafted(round_of(core=first.core)) == {A_J, C_V}


def test_the_group_that_sat_out_last_time_is_twinned_automatically():
    three = GROUPS[:3]
    first = round_of(three)
    drafted(first)
    out = [first.state["groups"][g]["name"] for g in first.state["draft"]["unmatched"]]
    assert len(out) == 1
    first.act("publish")
    first.close()
    later = round_of(three, core=first.core)
    drafted(later)
    assert later.state["run_rules"]["sat_out_before"] == [gid(later, out[0])]
    paired = {later.state["groups"][g]["name"] for p in later.state["draft"]["pairs"] for g in p}
    assert out[0] in paired
    # And the pair of the first round is not twinned again.
    before = pairs_by_name(first, [p["members"] for p in first.state["pairs"]])
    assert len(before) == 1 and not before & pairs_by_name(later, later.state["draft"]["pairs"])


def test_imported_history_and_the_form_fields_still_work():
    """A stored earlier session (e.g. restored from an archive) and the form's fields for
    rounds held elsewhere add up."""
    h = round_of(earlier_pairs="Verein A; Club C")
    state = {"phase": "done", "order": ["g1", "g2"],
             "groups": {"g1": {"name": "Verein  A."}, "g2": {"name": "jobcenter"}},
             "pairs": [{"key": "g1+g2", "members": ["g1", "g2"], "answers": {"g1": "confirmed",
                                                                          "g2": "confirmed"},
                        "agreement": "a1"}]}
    h.add_earlier_session(state, workshop_title="Round 2025", date="2025-11-04")
    assert drafted(h) == {frozenset({"Verein A", "VHS"}), frozenset({"Jobcenter", "Club C"})}


def test_sitting_out_last_time_beats_a_better_pair():
    """Without the bonus Verein A and Jobcenter (the best pair) are twinned and Club C sits
    out again; it sat out in the latest published round, so it is twinned now."""
    alone = round_of(GROUPS[:3])
    assert drafted(alone) == {A_J}
    h = round_of(GROUPS[:3])
    older = {"phase": "done", "order": ["x", "y"], "groups": {"x": {"name": "Verein A"},
                                                              "y": {"name": "Club C"}}, "pairs": []}
    latest = {"phase": "planning", "order": ["c", "x", "y"],
              "groups": {"c": {"name": "Club C"}, "x": {"name": "X"}, "y": {"name": "Y"}},
              "pairs": [{"members": ["x", "y"], "answers": {}, "agreement": None}]}
    h.add_earlier_session(older, started=1000.0)
    h.add_earlier_session(latest, started=2000.0)
    h.add_earlier_session({"phase": "review", "order": [], "groups": {}, "pairs": []}, started=3000.0)
    names = drafted(h)
    assert len(names) == 1 and "Club C" in next(iter(names))
    assert h.state["run_rules"]["sat_out_before"] == [gid(h, "Club C")]


def test_other_methods_and_broken_states_are_ignored():
    h = round_of()
    h.add_earlier_session({"pairs": [{"members": ["x", "y"]}], "groups": {"x": {"name": "Verein A"},
                                                                          "y": {"name": "Jobcenter"}},
                           "phase": "done"}, method="dotvoting")
    h.add_earlier_session({"phase": "done", "groups": "garbage", "pairs": [None, {"members": 3}]})
    h.add_earlier_session({"phase": "done", "groups": {"g": {"name": 7}}, "pairs": "x"})
    assert drafted(h) == {A_J, C_V}


def test_history_reads_triplets_and_the_latest_published_round():
    newest = {"phase": "planning", "order": ["a", "b", "c", "d"],
              "groups": {k: {"name": n} for k, n in zip("abcd", ["A", "B", "C", "D"], strict=True)},
              "pairs": [{"members": ["a", "b", "c"], "answers": {}, "agreement": None}]}
    older = {"phase": "done", "order": ["x", "y"], "groups": {"x": {"name": "X"}, "y": {"name": "Y"}},
             "pairs": []}
    never_published = {"phase": "review", "order": ["z"], "groups": {"z": {"name": "Z"}}, "pairs": []}
    sessions = [{"status": "closed", "state": never_published}, {"status": "active", "state": newest},
                {"status": "closed", "state": older}]
    assert history.earlier_pairs(sessions) == [["a", "b"], ["a", "c"], ["b", "c"]]
    assert history.sat_out_last_time(sessions) == ["d"]
