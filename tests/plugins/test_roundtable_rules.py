"""The round table's pure rules: speaker order, rounds, consent tallies, statistics, agenda lines."""

from __future__ import annotations

import pytest
from facilitator_plugins.roundtable import consent, speakers, stats
from facilitator_plugins.roundtable.config import parse_item, validate

from facilitator import ConfigError


def hands(*specs):
    """Hands from ``(person, kind)`` pairs, raised in this order."""
    out: list[dict] = []
    for seq, (person, kind) in enumerate(specs, start=1):
        speakers.raise_hand(out, person, kind, seq, float(seq))
    return out


def order(queue):
    return [(h["person"], h["kind"]) for h in queue]


def test_precedence_point_of_order_then_clarify_then_reply_then_new():
    queue = speakers.ordered(hands(("a", "new"), ("b", "reply"), ("c", "new"), ("d", "clarify"),
                                   ("e", "order"), ("f", "reply")))
    assert order(queue) == [("e", "order"), ("d", "clarify"), ("b", "reply"), ("f", "reply"),
                            ("a", "new"), ("c", "new")]


def test_one_hand_per_kind_but_several_kinds():
    raised = hands(("a", "new"), ("a", "reply"))
    with pytest.raises(speakers.SpeakersError) as refused:
        speakers.raise_hand(raised, "a", "new", 3, 3.0)
    assert refused.value.code == "already_raised"
    assert len(raised) == 2
    with pytest.raises(speakers.SpeakersError):
        speakers.raise_hand(raised, "a", "shout", 4, 4.0)


def test_withdraw_one_kind_or_all():
    raised = hands(("a", "new"), ("a", "reply"), ("b", "new"))
    assert order(speakers.withdraw(raised, "a", "reply")) == [("a", "new"), ("b", "new")]
    assert order(speakers.withdraw(raised, "a")) == [("b", "new")]
    with pytest.raises(speakers.SpeakersError) as refused:
        speakers.withdraw(raised, "c")
    assert refused.value.code == "no_hand"


def test_fairness_moves_those_not_yet_spoken_ahead_within_their_kind_only():
    raised = hands(("a", "new"), ("b", "new"), ("c", "reply"), ("d", "reply"), ("a", "order"))
    spoken = {"a", "c"}
    assert order(speakers.ordered(raised, spoken, fair=False)) == [
        ("a", "order"), ("c", "reply"), ("d", "reply"), ("a", "new"), ("b", "new")]
    # A point of order stays first even from someone who spoke; within a kind, d and b jump.
    assert order(speakers.ordered(raised, spoken, fair=True)) == [
        ("a", "order"), ("d", "reply"), ("c", "reply"), ("b", "new"), ("a", "new")]


def test_place_of_counts_in_speaking_order():
    queue = speakers.ordered(hands(("a", "new"), ("b", "reply")))
    assert speakers.place_of(queue, "a") == 2
    assert speakers.place_of(queue, "b") == 1
    assert speakers.place_of(queue, "z") is None


def test_round_per_person_and_per_institution():
    people = [{"id": "p1", "organisation": "Caritas"}, {"id": "p2", "organisation": " caritas "},
              {"id": "p3", "organisation": ""}, {"id": "p4", "organisation": "VHS"},
              {"id": "p5", "organisation": ""}]
    assert speakers.round_order(people, "person") == ["p1", "p2", "p3", "p4", "p5"]
    assert speakers.round_order(people, "institution") == ["p1", "p3", "p4", "p5"]
    assert speakers.next_in_round(["p1", "p3", "p4"], done={"p1"}, present={"p1", "p4"}) == "p4"
    assert speakers.next_in_round(["p1"], done={"p1"}, present={"p1"}) is None


def answered(by, *answers):
    """A check with ``(person, organisation, answer, reason)`` answers given in this order."""
    check = consent.new_check("c1", "Text", None, 0.0)
    for at, (person, org, value, reason) in enumerate(answers, start=1):
        consent.answer(check, person, org, value, reason, float(at))
    return consent.tally(check, by)


def test_tally_per_person_last_answer_counts_and_objections_need_reasons():
    check = consent.new_check("c1", "Text", None, 0.0)
    consent.answer(check, "a", "", "agree", "", 1.0)
    assert consent.answer(check, "a", "", "object", "Too expensive", 2.0) is True
    consent.answer(check, "b", "", "live_with", "", 3.0)
    with pytest.raises(consent.ConsentError) as refused:
        consent.answer(check, "c", "", "object", "   ", 4.0)
    assert refused.value.code == "reason_required"
    result = consent.tally(check, "person")
    assert result["counts"] == {"agree": 0, "live_with": 1, "object": 1}
    assert result["objections"] == [{"person": "a", "reason": "Too expensive", "voice": "a"}]
    assert result["result"] == "objections" and result["changes"] == 1 and result["people"] == 2
    consent.answer(check, "a", "", "agree", "ignored reason", 5.0)
    assert consent.tally(check, "person")["result"] == "consent"
    assert check["answers"]["a"]["reason"] == ""


def test_tally_per_institution_one_voice_each_latest_answer():
    answers = [("a", "Caritas", "agree", ""), ("b", "Jobcenter", "object", "No budget"),
               ("c", "caritas", "live_with", ""), ("d", "", "agree", ""), ("e", "", "agree", "")]
    per_person = answered("person", *answers)
    assert per_person["counts"] == {"agree": 3, "live_with": 1, "object": 1}
    per_org = answered("institution", *answers)
    # Caritas speaks once (its latest answer: c's), people without an organisation each alone.
    assert per_org["counts"] == {"agree": 2, "live_with": 1, "object": 1}
    assert per_org["voices"] == 4 and per_org["people"] == 5


def test_closed_check_refuses_answers_and_keeps_result():
    check = consent.new_check("c1", "Text", None, 0.0)
    consent.answer(check, "a", "", "agree", "", 1.0)
    assert consent.close(check, "person", 2.0)["result"] == "consent"
    with pytest.raises(consent.ConsentError) as refused:
        consent.answer(check, "a", "", "object", "late", 3.0)
    assert refused.value.code == "check_closed"
    assert check["answers"]["a"]["answer"] == "agree"
    assert consent.tally(consent.new_check("c2", "T", None, 0.0), "person")["result"] == "no_answers"


def test_statistics_per_person_institution_and_type():
    people = {"a": {"org_type": "welfare", "organisation": "Caritas"},
              "b": {"org_type": "welfare", "organisation": "AWO"},
              "c": {"org_type": "municipal", "organisation": "caritas"}}
    turns = [{"person": "a", "item": "i1", "seconds": 60, "first": True},
             {"person": "b", "item": "i1", "seconds": 30, "first": True},
             {"person": "a", "item": "i2", "seconds": 30, "first": False},
             {"person": "c", "item": "i2", "seconds": 80, "first": True}]
    by_type = {r["key"]: r for r in stats.totals(turns, people, "org_type")}
    assert by_type["welfare"]["seconds"] == 120 and by_type["welfare"]["turns"] == 3
    assert by_type["welfare"]["first_turns"] == 2 and by_type["municipal"]["share"] == 40
    by_org = {r["key"]: r for r in stats.totals(turns, people, "institution")}
    assert by_org["org:caritas"]["seconds"] == 170 and by_org["org:caritas"]["people"] == 2
    by_person = stats.totals(turns, people, "person")
    assert [r["key"] for r in by_person] == ["a", "c", "b"]
    assert stats.spoken_on(turns, "i2") == {"a", "c"}
    assert stats.is_first(turns, "z") and not stats.is_first(turns, "a")
    assert stats.format_duration(125) == "2:05" and stats.format_duration(3725) == "1:02:05"


def test_agenda_lines_parse_and_refuse_with_the_line_number():
    assert parse_item("Housing; 20; Sozialamt; round_org; fair", 1) == {
        "title": "Housing", "minutes": 20, "presenter": "Sozialamt", "format": "round_org", "fair": True}
    assert parse_item("News", 2)["minutes"] == 15
    with pytest.raises(ValueError, match="Item 3"):
        parse_item("Jobs; many", 3)
    with pytest.raises(ConfigError) as refused:
        validate({"items": ["Ok; 5", "Bad; 5; ; circle"]})
    assert "Item 2" in refused.value.errors["items"]
