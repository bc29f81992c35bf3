"""The round table through the real engine (MethodHarness, fake clock): floor, timers, consent, bad input."""

from __future__ import annotations

import pytest
from facilitator_plugins.roundtable.method import RoundTable

from facilitator import ActionError
from facilitator.testing import MethodHarness

FORM = {"items": "Housing; 10; Sozialamt\nNews; 5; ; round", "speaking_limit": "60", "review_from": "none"}


def harness(form=None, people=("anna", "ben", "cem", "dora"), **options) -> MethodHarness:
    h = MethodHarness(RoundTable(), {**FORM, **(form or {})}, participants=people, **options)
    h.act("go_to_item", {"item": "i1"})
    return h


def queue_names(h: MethodHarness) -> list[tuple[str, str]]:
    return [(q["label"], q["kind"]) for q in h.view("facilitator")["queue"]]


def refused(h: MethodHarness, action: str, payload: dict, by: str) -> str:
    before = h.state
    with pytest.raises(ActionError) as error:
        h.act(action, payload, by=by)
    assert h.state == before, "a refused action changed nothing"
    assert error.value.message and error.value.message != error.value.code
    return error.value.code


def test_reply_jumps_ahead_of_new_contributions_and_point_of_order_first():
    h = harness()
    h.act("raise_hand", {"kind": "new"}, by="anna")
    h.act("raise_hand", {"kind": "new"}, by="ben")
    h.act("next_speaker")
    assert h.view("projector")["floor"]["label"] == "Anna"
    h.act("raise_hand", {"kind": "new"}, by="dora")
    reply = h.act("raise_hand", {"kind": "reply"}, by="cem")
    assert reply["place"] == 1
    assert queue_names(h) == [("Cem", "reply"), ("Ben", "new"), ("Dora", "new")]
    h.act("raise_hand", {"kind": "order"}, by="dora")
    assert queue_names(h)[0] == ("Dora", "order")
    assert h.view("dora")["mine"] == [{"kind": "order", "kind_label": "Point of order", "place": 1},
                                      {"kind": "new", "kind_label": "New contribution", "place": 4}]
    h.act("next_speaker")
    assert h.view("facilitator")["floor"]["kind"] == "order"
    h.act("next_speaker")
    floor = h.view("facilitator")["floor"]
    assert (floor["label"], floor["kind"], floor["reply_to"]) == ("Cem", "reply", "Anna")
    assert [t["kind"] for t in h.state["turns"]] == ["new", "order"]


def test_fairness_option_puts_those_who_have_not_spoken_on_the_item_first():
    h = harness()
    h.act("raise_hand", {"kind": "new"}, by="anna")
    h.act("next_speaker")
    h.act("end_turn")
    h.act("raise_hand", {"kind": "new"}, by="anna")
    h.act("raise_hand", {"kind": "new"}, by="ben")
    assert queue_names(h) == [("Anna", "new"), ("Ben", "new")]
    h.act("set_fairness", {"item": "i1", "fair": True})
    assert queue_names(h) == [("Ben", "new"), ("Anna", "new")]
    assert [q["not_yet_here"] for q in h.view("facilitator")["queue"]] == [True, False]


def test_speaking_limit_and_time_box_fire_with_nobody_clicking():
    h = harness()
    h.act("raise_hand", {"kind": "new"}, by="anna")
    h.act("next_speaker")
    assert {t["key"] for t in h.timers} == {"speaker", "item"}
    h.advance(59)
    assert h.state["floor"]["over"] is False
    assert h.advance(2) == 1
    assert h.state["floor"]["over"] is True
    assert h.view("projector")["floor"]["over"] is True
    h.act("end_turn")
    assert h.state["turns"][-1]["over"] is True and h.state["turns"][-1]["seconds"] == 61
    assert {t["key"] for t in h.timers} == {"item"}
    # Leaving the session stops the item's clock; coming back runs it on where it was.
    h.to_lobby()
    assert h.timers == []
    h.advance(1000)
    h.activate()
    assert h.state["items"][0]["over"] is False
    h.advance(600 - 61 - 1)
    assert h.state["items"][0]["over"] is False
    h.advance(2)
    assert h.state["items"][0]["over"] is True
    assert h.view("anna")["item"]["over"] is True


def test_round_gives_everyone_one_turn_and_only_points_of_order_jump_in():
    h = harness()
    h.act("go_to_item", {"item": "i2"})
    assert h.state["items"][0]["status"] == "done"
    assert refused(h, "raise_hand", {"kind": "new"}, "anna") == "round_item"
    h.act("next_speaker")
    h.act("raise_hand", {"kind": "order"}, by="cem")
    h.act("next_speaker")
    assert h.view("facilitator")["floor"]["label"] == "Cem"
    spoken = ["Anna", "Cem"]
    for _ in range(3):
        h.act("next_speaker")
        spoken.append(h.view("facilitator")["floor"]["label"])
    assert spoken == ["Anna", "Cem", "Ben", "Cem", "Dora"]
    assert refused(h, "next_speaker", {}, "facilitator") == "nobody_waiting"


def consent_harness(consent_by: str, privacy: str = "named") -> MethodHarness:
    h = MethodHarness(RoundTable(), {**FORM, "consent_by": consent_by}, privacy=privacy)
    for name, org in (("anna", "Caritas"), ("ben", "Caritas"), ("cem", "Jobcenter"), ("dora", "")):
        h.join(name, "welfare", org)
    h.act("go_to_item", {"item": "i1"})
    h.act("start_check", {"text": "Open a second language café"})
    return h


def answer_all(h: MethodHarness) -> str:
    check = h.state["checks"][-1]["id"]
    h.act("answer", {"check": check, "answer": "agree"}, by="anna")
    h.act("answer", {"check": check, "answer": "object", "reason": "No room"}, by="ben")
    h.act("answer", {"check": check, "answer": "live_with"}, by="cem")
    h.act("answer", {"check": check, "answer": "object", "reason": "Too late"}, by="dora")
    assert h.act("answer", {"check": check, "answer": "agree"}, by="dora") == {"changed": True}
    return check


def test_consent_per_person_last_answer_counts():
    h = consent_harness("person")
    answer_all(h)
    check = h.view("facilitator")["check"]
    assert check["tally"] == {"agree": 2, "live_with": 1, "object": 1}
    assert check["objections"] == [{"reason": "No room", "label": "Ben"}]
    assert check["changes"] == 1
    assert h.view("projector")["check"]["objections"] == [{"reason": "No room", "label": ""}]


def test_consent_per_institution_one_voice_and_fallback_when_anonymous():
    h = consent_harness("institution")
    answer_all(h)
    check = h.view("facilitator")["check"]
    assert check["by"] == "institution"
    assert check["tally"] == {"agree": 1, "live_with": 1, "object": 1}  # Caritas: Ben's answer was last
    assert check["voices"] == 3 and check["people"] == 4
    anonymous = consent_harness("institution", privacy="anonymous")
    answer_all(anonymous)
    assert anonymous.view("facilitator")["check"]["by"] == "person"
    assert anonymous.view("facilitator")["consent_fallback"] is True
    assert anonymous.view("facilitator")["check"]["tally"] == {"agree": 2, "live_with": 1, "object": 1}


def test_agreement_with_consent_result_goes_into_the_ledger_and_minutes():
    h = consent_harness("person")
    check = answer_all(h)
    h.act("record_agreement", {"check": check, "who_person": "Anna", "who_org": "Caritas",
                               "follow_up": "Cem", "due": "2026-05-01", "review": "2026-06-01"})
    assert [(a["what"], a["follow_up"], a["due"]) for a in h.ledger] == [
        ("Open a second language café", "Cem", "2026-05-01")]
    assert h.state["checks"][0]["open"] is False
    minutes = h.minutes()
    assert "Open a second language café (Anna, Caritas; follow-up: Cem; by 2026-05-01" in minutes
    assert "objections (Agree: 2, Can live with it: 1, Object: 1; counted per person)" in minutes
    assert "  - Objection: No room" in minutes
    assert refused(h, "record_agreement", {"check": check, "who_org": "X"}, "facilitator") == "already_answered"


def test_bad_input_is_refused_and_changes_nothing():
    h = harness()
    h.act("raise_hand", {"kind": "new"}, by="anna")
    assert refused(h, "raise_hand", {"kind": "new"}, "anna") == "already_raised"
    assert refused(h, "raise_hand", {"kind": "loud"}, "anna") == "invalid_kind"
    assert refused(h, "raise_hand", {"kind": "reply"}, "ben") == "nobody_to_reply"
    assert refused(h, "answer", {"check": "c99", "answer": "agree"}, "anna") == "no_check"
    h.act("start_check", {"text": "Agree?"})
    check = h.state["checks"][0]["id"]
    assert refused(h, "answer", {"check": check, "answer": "object"}, "anna") == "reason_required"
    assert refused(h, "answer", {"check": check, "answer": "object", "reason": "x" * 301}, "anna") == "reason_too_long"
    assert refused(h, "start_check", {"text": "Another"}, "facilitator") == "check_open"
    h.act("close_check", {"check": check})
    assert refused(h, "answer", {"check": check, "answer": "agree"}, "anna") == "check_closed"
    h.act("set_list_open", {"open": False})
    assert refused(h, "raise_hand", {"kind": "clarify"}, "ben") == "list_closed"
    h.act("raise_hand", {"kind": "order"}, by="ben")  # a point of order is always possible
    h.remove("cem")
    assert refused(h, "give_floor", {"person": h.pid("cem")}, "facilitator") == "person_removed"
    assert refused(h, "give_floor", {"person": "nobody"}, "facilitator") == "unknown_person"
    h.act("go_to_item", {"item": "i2"})
    assert refused(h, "save_notes", {"item": "i1", "notes": "late"}, "facilitator") == "item_closed"
    assert refused(h, "go_to_item", {"item": "i9"}, "facilitator") == "unknown_item"
    assert refused(h, "next_speaker", {}, "anna") == "forbidden"


def test_removed_person_leaves_list_and_floor():
    h = harness()
    h.act("raise_hand", {"kind": "new"}, by="anna")
    h.act("raise_hand", {"kind": "new"}, by="ben")
    h.act("next_speaker")
    h.remove("anna")
    h.remove("ben")
    assert h.state["floor"] is None and h.state["hands"] == []
    assert [t["person"] for t in h.state["turns"]] == [h.pid("anna")]


def spoken_minutes(privacy: str) -> MethodHarness:
    h = harness(privacy=privacy)
    h.act("raise_hand", {"kind": "new"}, by="anna")
    h.act("next_speaker")
    h.advance(30)
    h.act("raise_hand", {"kind": "reply"}, by="ben")
    h.act("next_speaker")
    h.advance(70)
    h.act("end_turn")
    h.act("save_notes", {"item": "i1", "notes": "Waiting list *long*"})
    h.act("add_decision", {"text": "Ask the <district>"})
    h.act("carry_over", {"item": "i2", "on": True})
    h.act("set_next_meeting", {"date": "2026-06-15", "place": "Rathaus"})
    return h


def test_minutes_named_anonymous_and_chatham():
    named = spoken_minutes("named").minutes()
    assert "1. Anna (New contribution, 0:30, first contribution)" in named
    assert "2. Ben (Direct reply, 1:10, first contribution, over the speaking time)" in named
    assert "Waiting list \\*long\\*" in named and "Ask the &lt;district&gt;" in named
    assert "### Carried over to the next meeting" in named and "2026-06-15, Rathaus" in named
    assert "| Other | 2 | 2 | 1:40 | 100 % |" in named
    assert "| Person |" not in named
    chosen = spoken_minutes("named")
    chosen.act("set_stats_per_person", {"on": True})
    assert "| Ben | 1 | 1:10 | 70 % |" in chosen.minutes()
    workshop_wide = spoken_minutes("named")
    workshop_wide.set_speaking_time(True)  # the minutes page's setting for every method
    assert "| Ben | 1 | 1:10 | 70 % |" in workshop_wide.minutes()
    chatham = spoken_minutes("chatham")
    chatham.set_speaking_time(True)
    text = chatham.minutes()
    assert "Anna" not in text and "Ben" not in text
    assert "2 contributions (not attributed: Chatham House rule)" in text
    assert refused(chatham, "set_stats_per_person", {"on": True}, "facilitator") == "chatham"


def test_dashboard_statistics_per_institution_and_type_mark_first_contributions():
    h = consent_harness("person")
    h.act("close_check", {"check": h.state["checks"][0]["id"]})
    for name, seconds in (("anna", 20), ("ben", 10), ("dora", 5), ("anna", 15)):
        h.act("raise_hand", {"kind": "new"}, by=name)
        h.act("next_speaker")
        assert h.view("facilitator")["floor"]["first"] is (seconds != 15)
        h.advance(seconds)
        h.act("end_turn")
    view = h.view("facilitator")
    assert [(r["label"], r["turns"], r["time"]) for r in view["stats_institutions"]] == [
        ("Caritas", 3, "0:45"), ("Dora (no organisation)", 1, "0:05")]
    assert [(r["label"], r["first_turns"], r["share"]) for r in view["stats"]] == [("Welfare association", 3, 100)]
    assert [r["label"] for r in view["stats_people"]] == ["Anna", "Ben", "Dora"]
    anonymous = consent_harness("person", privacy="anonymous")
    assert anonymous.view("facilitator")["stats_institutions"] == []


def test_minutes_in_anonymous_mode_name_nobody():
    h = spoken_minutes("anonymous")
    h.act("set_stats_per_person", {"on": True})
    text = h.minutes()
    assert "Anna" not in text and "Ben" not in text
    label = h.view("facilitator")["stats_people"][0]["label"]
    assert label and label in text  # the pseudonym, as everywhere in this workshop


@pytest.mark.parametrize("wrong", [False, 0, [], {}])
def test_fields_of_the_wrong_type_are_refused_not_taken_as_empty(wrong):
    h = harness()
    h.act("raise_hand", {"kind": "new"}, by="anna")
    assert refused(h, "withdraw", {"kind": wrong}, "anna") == "invalid_kind"
    assert refused(h, "start_check", {"proposal": wrong, "text": "Fine"}, "facilitator") == "unknown_proposal"
    h.act("start_check", {"text": "Fine"})
    assert refused(h, "record_agreement", {"check": wrong, "who_org": "VHS", "what": "X"},
                   "facilitator") == "no_check"
    assert refused(h, "record_agreement", {"check": h.state["checks"][0]["id"], "what": wrong,
                                           "who_org": "VHS"}, "facilitator") == "invalid"
    if wrong is not False:  # false is a valid "on"
        assert refused(h, "carry_over", {"item": "i1", "on": wrong}, "facilitator") == "invalid"
