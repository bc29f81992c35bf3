"""The fishbowl's pure rules: chairs, queue, fairness, the last chair, make-room, time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from facilitator_plugins.fishbowl import openchair, questions, rules, stats
from facilitator_plugins.fishbowl.rules import RuleError

T0 = 1_700_000_000.0
GUESTS = [
    {"name": "Dr. Anna Schmidt", "organisation": "Caritas", "org_type": "welfare"},
    {"name": "Bernd Vogel", "organisation": "Landkreis", "org_type": "district"},
]


def make(chairs=5, open_chairs=1, mode="open", fairness="arrival", guests=()) -> dict:
    """A fishbowl state with the given settings."""
    settings = {
        "chairs": chairs,
        "open_chairs": open_chairs,
        "mode": mode,
        "fairness": fairness,
        "questions_enabled": True,
        "guidance_seconds": 0,
    }
    return rules.new_state(settings, "Housing", list(guests))


def running(**kwargs) -> dict:
    state = make(**kwargs)
    rules.start(state, T0)
    return state


def add_people(state: dict, *people: str, org_type: str = "other") -> None:
    for person in people:
        state["people"][person] = {"kind": "participant", "org_type": org_type}


# -- seating and the queue ------------------------------------------------------


def test_the_panel_is_seated_in_order_and_begins_its_turns_at_the_start():
    state = make(guests=GUESTS)
    assert rules.seated_people(state) == ["g1", "g2"]
    assert state["turns"] == []
    rules.start(state, T0)
    assert [(t["person"], t["start"], t["end"]) for t in state["turns"]] == [
        ("g1", T0, None),
        ("g2", T0, None),
    ]


def test_asking_seats_at_once_when_a_chair_is_free_and_nobody_waits():
    state = running()
    assert openchair.request_chair(state, "p1", T0 + 5) == "seated"
    assert rules.seat_of(state, "p1") == 0
    assert rules.open_turn(state, "p1")["start"] == T0 + 5


def test_race_for_the_last_chair_one_sits_the_other_is_first_in_queue():
    state = running(guests=GUESTS)
    for person in ("p1", "p2"):
        openchair.request_chair(state, person, T0)
    assert rules.free_chairs(state) == 1
    results = [openchair.request_chair(state, p, T0 + 1) for p in ("p3", "p4")]
    assert results == ["seated", "queued"]
    assert rules.free_chairs(state) == 0
    assert openchair.queue_order(state) == ["p4"]
    assert openchair.queue_position(state, "p4") == 1
    assert rules.seat_of(state, "p4") is None


def test_a_free_chair_goes_to_the_queue_not_to_a_newcomer():
    state = running(chairs=3, open_chairs=1)
    for person in ("p1", "p2", "p3", "p4"):
        openchair.request_chair(state, person, T0)
    rules.leave(state, "p1", T0 + 60)
    assert rules.free_chairs(state) == 1
    assert openchair.request_chair(state, "p5", T0 + 61) == "queued"
    assert openchair.queue_order(state) == ["p4", "p5"]
    assert openchair.seat_next(state, T0 + 62) == "p4"
    assert openchair.queue_order(state) == ["p5"]


def test_refusals():
    state = running(chairs=3)
    openchair.request_chair(state, "p1", T0)
    with pytest.raises(RuleError) as err:
        openchair.request_chair(state, "p1", T0)
    assert err.value.code == "already_seated"
    for person in ("p2", "p3", "p4"):
        openchair.request_chair(state, person, T0)
    with pytest.raises(RuleError, match="already_queued"):
        openchair.request_chair(state, "p4", T0)
    with pytest.raises(RuleError, match="not_queued"):
        openchair.withdraw(state, "p1")
    with pytest.raises(RuleError, match="not_seated"):
        rules.leave(state, "p4", T0)
    with pytest.raises(RuleError, match="chair_full"):
        rules.seat(state, "p5", T0)
    with pytest.raises(RuleError, match="chair_full"):
        openchair.seat_next(state, T0)
    openchair.withdraw(state, "p4")
    with pytest.raises(RuleError, match="queue_empty"):
        openchair.seat_next(state, T0)


def test_a_closed_fishbowl_takes_no_requests_but_the_facilitator_seats():
    state = running(mode="closed", guests=GUESTS)
    with pytest.raises(RuleError, match="closed_fishbowl"):
        openchair.request_chair(state, "p1", T0)
    rules.seat(state, "p1", T0)
    assert rules.seated_people(state) == ["g1", "g2", "p1"]


def test_seating_someone_from_the_queue_takes_them_out_of_it():
    state = running(chairs=3)
    for person in ("p1", "p2", "p3", "p4", "p5"):
        openchair.request_chair(state, person, T0)
    rules.leave(state, "p2", T0 + 10)
    rules.seat(state, "p5", T0 + 11)
    assert openchair.queue_order(state) == ["p4"]
    assert rules.seat_of(state, "p5") == 1


def test_fairness_first_timers_go_first_each_group_in_arrival_order():
    state = running(chairs=3, fairness="first_timers_first")
    for person in ("a", "b", "c"):
        openchair.request_chair(state, person, T0)
    rules.leave(state, "a", T0 + 30)
    rules.leave(state, "b", T0 + 31)
    for person in ("x", "y"):
        assert openchair.request_chair(state, person, T0 + 32) == "seated"
    # the circle is full; a and b have spoken, d and e have not
    for person in ("a", "d", "b", "e"):
        openchair.request_chair(state, person, T0 + 40)
    assert openchair.queue_order(state) == ["d", "e", "a", "b"]
    state["settings"]["fairness"] = "arrival"
    assert openchair.queue_order(state) == ["a", "d", "b", "e"]


# -- make room --------------------------------------------------------------------


def test_make_room_asks_the_longest_seated_non_panel_person_not_the_newcomer():
    state = running(chairs=5, open_chairs=1, guests=GUESTS)
    openchair.request_chair(state, "p1", T0 + 10)
    openchair.request_chair(state, "p2", T0 + 20)
    assert openchair.make_room_candidate(state, T0 + 30) is None  # 4 of 4 regular chairs
    openchair.request_chair(state, "p3", T0 + 100)  # takes the open chair
    assert openchair.make_room_candidate(state, T0 + 110) == "p1"
    rules.leave(state, "p1", T0 + 120, "made_room")
    assert openchair.make_room_candidate(state, T0 + 121) is None


def test_make_room_compares_current_turns_and_never_suggests_the_panel():
    state = running(chairs=4, open_chairs=1, guests=GUESTS)
    openchair.request_chair(state, "p1", T0)
    openchair.request_chair(state, "p2", T0 + 5)  # in the open chair
    # only the panel and p1 hold regular chairs: p1 is asked, never a guest
    assert openchair.make_room_candidate(state, T0 + 50) == "p1"
    rules.leave(state, "p1", T0 + 60)
    openchair.request_chair(state, "p3", T0 + 70)
    # now p2 (since T0+5) outlasts p3 (since T0+70), although p3 is the newest
    assert openchair.make_room_candidate(state, T0 + 80) == "p2"


def test_make_room_is_none_when_only_the_panel_could_leave_or_in_a_closed_fishbowl():
    state = running(chairs=3, open_chairs=1, guests=GUESTS)
    openchair.request_chair(state, "p1", T0)
    assert rules.free_chairs(state) == 0
    assert openchair.make_room_candidate(state, T0 + 60) is None
    closed = running(chairs=3, open_chairs=1, mode="closed")
    for person in ("p1", "p2", "p3"):
        rules.seat(closed, person, T0)
    assert openchair.make_room_candidate(closed, T0 + 60) is None


# -- time -------------------------------------------------------------------------


def test_pauses_do_not_count_as_time_in_the_circle():
    state = make()
    rules.seat(state, "p1", T0 - 300)  # seated before the start: counts from the start
    rules.start(state, T0)
    rules.pause(state, T0 + 60)
    openchair.request_chair(state, "p2", T0 + 70)  # sits down during the pause
    rules.resume(state, T0 + 90)
    rules.leave(state, "p1", T0 + 150)
    rules.end(state, T0 + 200)
    p1, p2 = state["turns"]
    assert (p1["start"], p1["end"]) == (T0, T0 + 150)
    assert rules.turn_seconds(state, p1, T0 + 999) == 120  # 150 - 30 paused
    assert rules.turn_seconds(state, p2, T0 + 999) == 110  # from the resume at 90 to 200
    assert rules.clock(state, T0 + 999) == 170
    assert state["phase"] == "ended"
    assert rules.seated_people(state) == ["p2"]  # the last picture stays
    assert rules.open_turn(state, "p2") is None


def test_the_end_empties_the_queue():
    state = running(chairs=3)
    for person in ("p1", "p2", "p3", "p4"):
        openchair.request_chair(state, person, T0)
    rules.end(state, T0 + 10)
    assert state["queue"] == [] and openchair.queue_position(state, "p4") is None


def test_running_turn_grows_only_while_running():
    state = running()
    openchair.request_chair(state, "p1", T0)
    turn = rules.open_turn(state, "p1")
    assert rules.turn_seconds(state, turn, T0 + 40) == 40
    rules.pause(state, T0 + 40)
    assert rules.turn_seconds(state, turn, T0 + 400) == 40


def test_phase_order_is_enforced():
    state = make()
    with pytest.raises(RuleError, match="not_running"):
        rules.pause(state, T0)
    with pytest.raises(RuleError, match="not_started"):
        rules.next_round(state, T0)
    rules.start(state, T0)
    with pytest.raises(RuleError, match="already_started"):
        rules.start(state, T0)
    with pytest.raises(RuleError, match="not_paused"):
        rules.resume(state, T0)
    rules.end(state, T0 + 1)
    with pytest.raises(RuleError, match="session_ended"):
        rules.ensure_not_ended(state)
    with pytest.raises(RuleError, match="session_ended"):
        rules.end(state, T0 + 2)


def test_next_round_splits_turns_and_keeps_the_panel_seated():
    state = running(mode="closed", guests=GUESTS)
    rules.next_round(state, T0 + 300)
    assert state["round"] == 2
    rounds = [(t["person"], t["round"], t["end"]) for t in state["turns"]]
    assert rounds == [
        ("g1", 1, T0 + 300), ("g2", 1, T0 + 300), ("g1", 2, None), ("g2", 2, None)
    ]


def test_removing_a_person_closes_their_turn_and_takes_them_out_of_the_queue():
    state = running(chairs=3)
    for person in ("p1", "p2", "p3", "p4"):
        openchair.request_chair(state, person, T0)
    rules.remove_person(state, "p1", T0 + 30)
    rules.remove_person(state, "p4", T0 + 30)
    assert rules.seat_of(state, "p1") is None
    assert state["turns"][0]["end"] == T0 + 30 and state["turns"][0]["reason"] == "removed"
    assert state["queue"] == []
    assert "removed" not in state  # who is gone is the core's record (contract v2)


# -- statistics -------------------------------------------------------------------


def test_statistics_per_person_and_type_of_organisation():
    state = make(guests=GUESTS[:1])
    add_people(state, "p1", "p2", org_type="mso")
    add_people(state, "p3", org_type="welfare")
    rules.start(state, T0)
    openchair.request_chair(state, "p1", T0)
    rules.leave(state, "p1", T0 + 60)
    openchair.request_chair(state, "p2", T0 + 60)
    openchair.request_chair(state, "p1", T0 + 90)
    openchair.request_chair(state, "p3", T0 + 90)
    rules.end(state, T0 + 120)
    people = {row["person"]: row for row in stats.person_totals(state, T0 + 120)}
    assert people["g1"]["seconds"] == 120 and people["g1"]["panel"]
    assert (people["p1"]["turns"], people["p1"]["seconds"]) == (2, 90)
    assert people["p2"]["seconds"] == 60 and people["p3"]["seconds"] == 30
    assert people["g1"]["share"] == pytest.approx(120 / 300)
    groups = {g["org_type"]: g for g in stats.org_type_totals(list(people.values()))}
    assert groups["mso"] == {
        "org_type": "mso", "people": 2, "turns": 3, "seconds": 150, "share": pytest.approx(0.5)
    }
    assert groups["welfare"]["seconds"] == 150 and groups["welfare"]["people"] == 2
    assert sum(g["share"] for g in groups.values()) == pytest.approx(1)


def _rows(*seconds, panel=False):
    return [{"person": f"p{i}", "seconds": s, "panel": panel} for i, s in enumerate(seconds)]


def test_dominance_hint_when_the_top_fifth_holds_more_than_half():
    assert stats.dominance(_rows(600, 100, 100, 100, 100))["dominant"]
    balanced = stats.dominance(_rows(200, 150, 150, 150, 150))
    assert not balanced["dominant"] and balanced["top"] == 1
    assert not stats.dominance(_rows(600, 10))["dominant"]  # too few to compare
    assert not stats.dominance(_rows(600, 600, 600, 600, panel=True) + _rows(10, 10, 10))[
        "dominant"
    ]  # the panel is not counted
    assert stats.dominance(_rows(*[10] * 15))["top"] == 3  # no float noise: 15 * 0.2 == 3


def test_format_duration_and_clock_time():
    assert stats.format_duration(0) == "0:00"
    assert stats.format_duration(65.4) == "1:05"
    assert stats.format_duration(3725) == "62:05"
    assert len(stats.clock_time(T0)) == 5 and stats.clock_time(T0)[2] == ":"


# -- questions --------------------------------------------------------------------


def test_upvotes_toggle_one_per_person_and_not_on_ones_own_question():
    state = make()
    first = questions.post(state, "p1", "Who pays?", T0)
    second = questions.post(state, "p2", "When?", T0 + 1)
    assert questions.toggle_upvote(state, second, "p1") is True
    assert questions.toggle_upvote(state, second, "p3") is True
    assert questions.toggle_upvote(state, second, "p3") is False
    assert questions.find(state, second)["upvoters"] == ["p1"]
    with pytest.raises(RuleError, match="own_question"):
        questions.toggle_upvote(state, first, "p1")
    assert [q["id"] for q in questions.ranked(state)] == [second, first]


def test_hidden_questions_leave_the_screen_and_cannot_be_upvoted_or_shown():
    state = make()
    question = questions.post(state, "p1", "Off topic", T0)
    questions.show(state, question)
    assert state["shown_question"] == question
    questions.set_hidden(state, question)
    assert state["shown_question"] is None
    assert questions.ranked(state) == []
    with pytest.raises(RuleError, match="unknown_question"):
        questions.toggle_upvote(state, question, "p2")
    with pytest.raises(RuleError, match="question_hidden"):
        questions.show(state, question)
    with pytest.raises(RuleError, match="unknown_question"):
        questions.set_answered(state, "q99")


def test_a_person_may_post_only_so_many_questions():
    state = make()
    for number in range(questions.MAX_PER_PERSON):
        questions.post(state, "p1", f"Question {number}", T0)
    with pytest.raises(RuleError, match="too_many_questions"):
        questions.post(state, "p1", "One more", T0)
    questions.post(state, None, "From a card", T0)  # the facilitator has no limit


@pytest.mark.parametrize("module", [rules, openchair, questions, stats])
def test_rule_modules_stay_pure(module):
    """Rules import no Flask and nothing of the core: only each other and the stdlib."""
    tree = ast.parse(Path(module.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    for name in imported:
        assert name in {"__future__", "math", "datetime", "typing"} or name.startswith(
            "facilitator_plugins.fishbowl."), name
