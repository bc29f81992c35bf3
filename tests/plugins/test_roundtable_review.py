"""Reviewing earlier agreements: status written back across round tables on one server,
and agreements read from an uploaded minutes file (taken into this server's ledger)."""

from __future__ import annotations

import json

import pytest
from facilitator_plugins.roundtable.method import RoundTable

from facilitator import ActionError, ConfigError
from facilitator.minutes import minutes_markdown
from facilitator.testing import MethodHarness

FORM = {"items": "Housing; 10", "speaking_limit": "0"}


def first_meeting() -> MethodHarness:
    """A round table with two agreements, one after a consent check."""
    h = MethodHarness(RoundTable(), {**FORM, "review_from": "none"}, participants=["anna", "ben"])
    h.act("go_to_item", {"item": "i1"})
    h.act("start_check", {"text": "Language café on Mondays"})
    h.act("answer", {"check": h.state["checks"][0]["id"], "answer": "agree"}, by="anna")
    h.act("record_agreement", {"check": h.state["checks"][0]["id"], "who_org": "VHS",
                               "follow_up": "Ben", "due": "2026-04-01"})
    h.act("record_agreement", {"what": "Flyer in five languages", "who_person": "Anna",
                               "due": "2026-04-15"})
    return h


def later(h: MethodHarness, **form) -> MethodHarness:
    """Another round table (another workshop) on the same server."""
    return MethodHarness(RoundTable(), {**FORM, **form}, participants=["cem"], core=h.core, clock=h.clock)


def by_what(entries: list[dict]) -> dict[str, dict]:
    return {e["what"]: e for e in entries}


def test_second_round_table_reviews_and_writes_status_back_third_sees_it():
    first = first_meeting()
    first.clock.advance(86400 * 30)
    second = later(first, review_from="latest")
    assert second.state["items"][0]["kind"] == "review"
    entries = by_what(second.view("facilitator")["review"])
    assert set(entries) == {"Language café on Mondays", "Flyer in five languages"}
    assert entries["Flyer in five languages"]["old_status"] == "open"
    second.act("go_to_item", {"item": "review"})
    second.act("review_set", {"entry": entries["Language café on Mondays"]["id"], "outcome": "done",
                              "note": "Runs since April"})
    with pytest.raises(ActionError) as refused:
        second.act("review_set", {"entry": entries["Flyer in five languages"]["id"], "outcome": "postponed"})
    assert refused.value.code == "due_required"
    second.act("review_set", {"entry": entries["Flyer in five languages"]["id"], "outcome": "postponed",
                              "due": "2026-07-01", "note": "Translator ill"})
    ledger = {a["what"]: a for a in first.ledger}
    assert ledger["Language café on Mondays"]["status"] == "done"
    assert ledger["Language café on Mondays"]["status_note"] == "Runs since April"
    assert (ledger["Flyer in five languages"]["status"], ledger["Flyer in five languages"]["due"]) == (
        "open", "2026-07-01")
    minutes = second.minutes()
    assert "| Language café on Mondays | VHS | Test workshop 2026-03-30 | open, by 2026-04-01 | done | Runs since April |" in minutes
    assert "postponed to 2026-07-01" in minutes
    third = later(first, review_from="all")
    entries = by_what(third.view("facilitator")["review"])
    assert set(entries) == {"Flyer in five languages"}
    assert entries["Flyer in five languages"]["due"] == "2026-07-01"


def test_choose_on_the_dashboard_and_take_a_workshop_out_again():
    first = first_meeting()
    second = later(first, review_from="choose")
    view = second.view("facilitator")
    assert view["review"] == [] and [w["count"] for w in view["review_workshops"]] == [2]
    workshop = view["review_workshops"][0]["id"]
    second.act("review_pick", {"workshop": workshop, "on": True})
    assert len(second.state["review"]["entries"]) == 2
    with pytest.raises(ActionError) as refused:
        second.act("review_pick", {"workshop": "w-unknown", "on": True})
    assert refused.value.code == "unknown_workshop"
    second.act("go_to_item", {"item": "review"})
    entry = second.state["review"]["entries"][0]["id"]
    second.act("review_set", {"entry": entry, "outcome": "in_progress"})
    with pytest.raises(ActionError) as refused:
        second.act("review_pick", {"workshop": workshop, "on": False})
    assert refused.value.code == "reviewed_already"
    with pytest.raises(ActionError) as refused:
        second.act("review_set", {"entry": "l:nothing", "outcome": "done"})
    assert refused.value.code == "unknown_entry"


def minutes_of(h: MethodHarness, app) -> str:
    with app.app_context():
        return minutes_markdown(h.core, h.core.workshops.get(h.workshop_id))


def test_review_from_an_uploaded_minutes_file_records_into_this_ledger(app):
    first = first_meeting()
    text = minutes_of(first, app)
    other_server = MethodHarness(RoundTable(), {**FORM, "review_from": "none", "review_file": text},
                                 participants=["cem"])
    entries = by_what(other_server.view("facilitator")["review"])
    assert set(entries) == {"Language café on Mondays", "Flyer in five languages"}
    assert entries["Flyer in five languages"]["source"] == "file"
    assert other_server.ledger == []
    other_server.act("go_to_item", {"item": "review"})
    other_server.act("review_set", {"entry": entries["Flyer in five languages"]["id"], "outcome": "postponed",
                                    "due": "2026-08-01", "note": "Later"})
    [taken] = other_server.ledger
    assert (taken["what"], taken["who_person"], taken["status"], taken["due"]) == (
        "Flyer in five languages", "Anna", "open", "2026-08-01")
    assert "Taken over from the minutes “Test workshop”" in taken["history"][0]["note"]
    # Correcting the outcome changes the same ledger entry, it does not add one.
    other_server.act("review_set", {"entry": entries["Flyer in five languages"]["id"], "outcome": "done"})
    assert [a["status"] for a in other_server.ledger] == ["done"]
    # The next round table on that server sees the file's agreement from this ledger.
    fourth = later(other_server, review_from="latest")
    assert by_what(fourth.view("facilitator")["review"]) == {}
    minutes = other_server.minutes()
    assert "From the minutes file “Test workshop” (2026-03-30)." in minutes


@pytest.mark.parametrize("text", [
    "# Just some notes\n\nNothing to see.\n",
    json.dumps({"format": "something-else"}),
    "{ not json",
])
def test_a_file_that_is_not_facilitator_minutes_is_a_clear_error_under_the_field(text):
    with pytest.raises(ConfigError) as refused:
        MethodHarness(RoundTable(), {**FORM, "review_file": text})
    message = refused.value.errors["review_file"]
    assert "Line" in message or "minutes" in message
    assert set(refused.value.errors) == {"review_file"}


def test_a_damaged_agreements_table_names_its_line(app):
    text = minutes_of(first_meeting(), app)
    lines = text.splitlines()
    row = max(n for n, line in enumerate(lines) if line.startswith("|") and "Flyer in five languages" in line)
    lines[row] = lines[row].replace("| open |", "| maybe |").replace("| offen |", "| maybe |")
    with pytest.raises(ConfigError) as refused:
        MethodHarness(RoundTable(), {**FORM, "review_file": "\n".join(lines)})
    assert f"Line {row + 1}" in refused.value.errors["review_file"]


def test_review_from_the_json_minutes_file(app):
    from facilitator.minutes_data import minutes_data

    first = first_meeting()
    with app.app_context():
        text = json.dumps(minutes_data(first.core, first.core.workshops.get(first.workshop_id)))
    third = MethodHarness(RoundTable(), {**FORM, "review_from": "none", "review_file": text})
    entries = by_what(third.view("facilitator")["review"])
    assert entries["Language café on Mondays"]["follow_up"] == "Ben"
    assert entries["Language café on Mondays"]["due"] == "2026-04-01"
    assert third.state["review"]["file"] == {"title": "Test workshop", "date": "2026-03-30"}
