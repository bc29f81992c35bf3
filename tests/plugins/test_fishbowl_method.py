"""The fishbowl method through the real core (MethodHarness): flow, bad input, removals,
the session lifecycle, anonymity, views, minutes, templates."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jinja2
import pytest
from facilitator_plugins.fishbowl import config, facilitator_register_methods, stats
from facilitator_plugins.fishbowl.messages import refusal
from facilitator_plugins.fishbowl.method import FishbowlMethod

from facilitator import ActionError, Actor, ConfigError, Field, _, ngettext
from facilitator.fields import form_values
from facilitator.i18n import force_locale
from facilitator.minutes import minutes_markdown
from facilitator.testing import FakeClock, MethodHarness

T0 = 1_700_000_000.0
METHOD = FishbowlMethod()
PANEL = ["Dr. Anna Schmidt; Caritas Köln; welfare", "Bernd Vogel; Landkreis Kleve; district"]
ORG_TYPES = {"p1": "mso", "p2": "mso", "p3": "education", "p4": "municipality", "p5": "volunteers"}
PEOPLE = list(ORG_TYPES)
NAMES = ["Anna", "Schmidt", "Bernd", "Vogel", "Caritas", "Kleve", "P1", "P2", "P3", "P4", "P5"]
#: The core's labels of the types of organisation used here.
WELFARE, MSO = "Welfare association", "Migrant organisation (MSO)"
EDUCATION, MUNICIPALITY = "Education (school, adult education)", "Town or municipality"
TEMPLATES = Path(METHOD.root_dir()) / "templates"
P, F = ("participant",), ("facilitator",)
#: Every action with the roles that may send it (docs/protocol.md, section 11).
ACTIONS = {
    "request_chair": P, "withdraw": P, "done": P, "post_question": ("participant", "facilitator"),
    "upvote_question": P, "start": F, "pause": F, "resume": F, "end": F, "next_round": F,
    "add_guest": F, "seat": F, "seat_next": F, "ask_to_leave": F, "confirm_make_room": F,
    "mark_statement": F, "record_agreement": F, "hide_question": F, "answer_question": F,
    "show_question": F, "unshow_question": F,
}


def setup(privacy: str = "named", **config) -> MethodHarness:
    """A fresh fishbowl (session active, not started) with a panel of two and five participants.

    The form is sent as a browser sends it: a checked checkbox is there, an unchecked one absent.
    """
    form = {"topic": "Wohnen für alle", "panel": PANEL, "questions_enabled": True, **config}
    if form["questions_enabled"] is False:
        del form["questions_enabled"]
    return MethodHarness(METHOD, form,
                         participants=PEOPLE, privacy=privacy, org_types=ORG_TYPES,
                         clock=FakeClock(T0))


def at(h: MethodHarness, seconds: float) -> None:
    """Set the clock to ``seconds`` after T0."""
    h.clock.now = T0 + seconds


def ids(h: MethodHarness, payload: dict) -> dict:
    """``payload`` with participant names (``"p1"``) replaced by their participant ids."""
    return {key: h.pid(value) if isinstance(value, str) and value in h.ids else value
            for key, value in payload.items()}


def name(h: MethodHarness, person: str) -> str:
    """A participant id as the name it joined under; guests (``g1``) stay as they are."""
    return h.name_of(person) if person in h.ids.values() else person


def full_flow(privacy: str = "named") -> MethodHarness:
    """Two guests and five participants rotate; a 60 s pause; ended at T0 + 400."""
    h = setup(privacy)
    h.act("start")
    for second, person in ((60, "p1"), (70, "p2"), (120, "p3")):
        at(h, second)
        assert h.act("request_chair", by=person) == {"result": "seated", "position": None}
    at(h, 125)
    assert h.act("request_chair", by="p4") == {"result": "queued", "position": 1}
    h.act("request_chair", by="p5")
    assert h.view("facilitator")["make_room"]["person"] == h.pid("p1")
    at(h, 180)
    h.act("confirm_make_room", {"person": h.pid("p1")})
    at(h, 185)
    assert h.act("seat_next") == {"person": h.pid("p4")}
    at(h, 200)
    h.act("pause")
    at(h, 260)
    h.act("resume")
    at(h, 300)
    h.act("done", by="p2")
    at(h, 301)
    h.act("seat_next")
    h.act("request_chair", by="p1")
    h.act("post_question", {"text": "Wer bezahlt das?"}, by="p1")
    h.act("post_question", {"text": "Und die Schulen?"}, by="p2")
    for voter in ("p3", "p4"):
        h.act("upvote_question", {"question": "q2"}, by=voter)
    h.act("answer_question", {"question": "q2"})
    h.act("show_question", {"question": "q2"})
    h.act("mark_statement", {"text": "Housing first works.", "person": "g1"})
    h.act("mark_statement", {"text": "We need data.", "person": h.pid("p3")})
    h.act("record_agreement", {
        "what": "Joint housing round", "who_person": "Anna Schmidt", "who_org": "Integrationsrat",
        "due": "2026-03-31"})
    at(h, 400)
    h.act("end")
    return h


# -- configuration ---------------------------------------------------------------


def test_registered_through_the_hook():
    [method] = facilitator_register_methods()
    assert method.slug == "fishbowl" and str(method.name) == "Fishbowl"
    assert method.fields is config.FIELDS and all(isinstance(f, Field) for f in method.fields)
    assert [f.name for f in method.config_fields()] == list(config.DEFAULTS)


def test_every_action_is_declared_once_with_its_roles():
    assert {name: spec.roles for name, spec in METHOD.actions.items()} == ACTIONS


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"chairs": 5, "open_chairs": 5}, "open_chairs"),
        ({"chairs": 3, "open_chairs": 0}, "open_chairs"),
        ({"chairs": 9}, "chairs"),
        ({"topic": " "}, "topic"),
        ({"panel": ["A; B; aliens"]}, "panel"),
        ({"panel": ["; Caritas; welfare"]}, "panel"),
        ({"panel": ["A; B; welfare; extra"]}, "panel"),
        ({"chairs": 3, "open_chairs": 1, "panel": ["A", "B", "C"]}, "panel"),
        ({"mode": "secret"}, "mode"),
        ({"fairness": "loudest"}, "fairness"),
    ],
)
def test_invalid_configs_are_refused_on_the_right_field(config, field):
    with pytest.raises(ConfigError) as err:
        METHOD.validate_config({"topic": "T", **config})
    assert field in err.value.errors


def test_the_core_form_refuses_a_panel_that_does_not_fit():
    with pytest.raises(ConfigError) as err:
        setup(chairs="3", open_chairs="1", panel="A\nB\nC")
    assert "panel" in err.value.errors


def test_a_closed_fishbowl_may_fill_every_chair_with_its_panel():
    h = MethodHarness(METHOD, {"topic": "T", "chairs": 3, "mode": "closed", "panel": "A\nB\nC"})
    assert [c["person"] for c in h.state["chairs"]] == ["g1", "g2", "g3"]
    assert h.state["people"]["g1"]["org_type"] == "other"


def test_demo_config_passes_the_core_form_parser():
    h = MethodHarness(METHOD, {**form_values(METHOD, None), **METHOD.demo_config()})  # as demo.py
    assert h.session["title"] and h.config["topic"] and h.config["turn_guidance_minutes"] == 3
    assert h.state["settings"]["questions_enabled"] is True
    assert [h.state["people"][c["person"]]["kind"] for c in h.state["chairs"] if c] == [
        "guest", "guest"]


# -- the whole flow --------------------------------------------------------------


def test_full_flow_rotation_log_and_durations():
    h = full_flow()
    log = [(name(h, t["person"]), t["start"] - T0, t["end"] - T0, t["reason"])
           for t in h.state["turns"]]
    assert log == [
        ("g1", 0, 400, "end"),
        ("g2", 0, 400, "end"),
        ("p1", 60, 180, "made_room"),
        ("p2", 70, 300, "done"),
        ("p3", 120, 400, "end"),
        ("p4", 185, 400, "end"),
        ("p5", 301, 400, "end"),
    ]
    minutes = h.minutes()
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \| (\d\d:\d\d) \| (\d\d:\d\d) \| (\d+:\d\d) \|$",
                      minutes, re.MULTILINE)
    durations = [(who.strip(), duration) for _n, who, _from, _to, duration in rows]
    # pauses (200-260) do not count
    assert durations == [
        ("Dr. Anna Schmidt (panel)", "5:40"), ("Bernd Vogel (panel)", "5:40"),
        ("P1", "2:00"), ("P2", "2:50"), ("P3", "3:40"), ("P4", "2:35"), ("P5", "1:39"),
    ]
    assert rows[2][2:4] == (stats.clock_time(T0 + 60), stats.clock_time(T0 + 180))
    assert "7 people sat in the circle (2 from the panel, 5 from the outer circle)" in minutes
    assert f"| {MSO} | 2 | 2 | 4:50 |" in minutes
    assert "**Topic:** Wohnen für alle" in minutes
    assert "5:40 of discussion (pauses excluded)" in minutes
    assert f"- Dr. Anna Schmidt (Caritas Köln, {WELFARE})" in minutes
    assert "(Dr. Anna Schmidt): Housing first works." in minutes
    # most upvoted first, answered or not
    assert minutes.index("1. Und die Schulen? (2 upvotes, answered)") < minutes.index(
        "2. Wer bezahlt das? (0 upvotes, not answered)")
    assert "- Joint housing round (Anna Schmidt, Integrationsrat; by 2026-03-31)" in minutes
    [agreement] = h.ledger
    assert (agreement["what"], agreement["session_id"]) == ("Joint housing round", h.session_id)


def test_anonymous_minutes_contain_no_names():
    h = full_flow("anonymous")
    minutes = h.minutes()
    for text in NAMES + list(h.ids.values()):
        assert text not in minutes, text
    assert f"| 1 | {WELFARE} (panel) |" in minutes
    assert f"| 3 | {MSO} · 1 |" in minutes  # p1, by the stable pseudonym of anonymous mode
    assert f"({EDUCATION} · 3): We need data." in minutes
    # the responsible organisation stays, the responsible person's name does not
    assert "- Joint housing round (Integrationsrat; by 2026-03-31)" in minutes


def test_anonymous_projector_and_phones_show_types_of_organisation_only():
    h = full_flow("anonymous")
    shown = json.dumps([h.view("projector"), h.view("p1")])
    for text in NAMES + list(h.ids.values()):
        assert text not in shown, text
    assert WELFARE in shown


# -- bad input -------------------------------------------------------------------


def busy() -> MethodHarness:
    """Running; p1-p3 and the panel fill the circle; p4 queued; p5 removed; q2 hidden."""
    h = setup()
    h.act("start")
    for person in ("p1", "p2", "p3", "p4"):
        h.advance(10)
        h.act("request_chair", by=person)
    h.act("post_question", {"text": "Mine"}, by="p4")
    h.act("post_question", {"text": "Rude"}, by="p2")
    h.act("hide_question", {"question": "q2"})
    h.remove("p5")
    return h


BAD = [
    ("request_chair", {}, "p1", "already_seated"),
    ("request_chair", {}, "p4", "already_queued"),
    # the core refuses every action of a removed participant before the method runs
    ("request_chair", {}, "p5", "removed"),
    ("post_question", {"text": "Hello"}, "p5", "removed"),
    ("upvote_question", {"question": "q1"}, "p5", "removed"),
    ("withdraw", {}, "p3", "not_queued"),
    ("done", {}, "p4", "not_seated"),
    ("post_question", {"text": "  "}, "p1", "required"),
    ("post_question", {"text": "x" * 281}, "p1", "too_long"),
    ("post_question", {"text": 7}, "p1", "invalid"),
    ("upvote_question", {"question": "q1"}, "p4", "own_question"),
    ("upvote_question", {"question": "q2"}, "p1", "unknown_question"),
    ("upvote_question", {}, "p1", "unknown_question"),
    ("start", {}, None, "already_started"),
    ("resume", {}, None, "not_paused"),
    ("seat", {"person": "p4"}, None, "chair_full"),
    ("seat", {"person": "ghost"}, None, "unknown_person"),
    ("seat", {"person": "p5"}, None, "person_removed"),
    ("seat", {"person": "p1"}, None, "already_seated"),
    ("seat", {"person": ["p4"]}, None, "invalid"),
    ("seat", {"person": "p4"}, "p1", "forbidden"),
    ("seat_next", {}, None, "chair_full"),
    ("ask_to_leave", {"person": "p4"}, None, "not_seated"),
    ("confirm_make_room", {"person": "p3"}, None, "suggestion_changed"),
    ("add_guest", {"name": ""}, None, "required"),
    ("add_guest", {"name": "X", "org_type": "aliens"}, None, "invalid_choice"),
    ("add_guest", {"name": "X", "seat": True}, None, "chair_full"),
    ("add_guest", {"name": "X", "seat": "yes"}, None, "invalid"),
    ("mark_statement", {"text": ""}, None, "required"),
    ("mark_statement", {"text": "ok", "person": "ghost"}, None, "unknown_person"),
    ("record_agreement", {"what": "x", "who_org": "A", "due": "soon"}, None, "invalid_date"),
    ("record_agreement", {"what": "x"}, None, "responsible_required"),
    ("show_question", {"question": "q2"}, None, "question_hidden"),
    ("answer_question", {"question": "q9"}, None, "unknown_question"),
    ("hide_question", {"question": "q1", "hidden": "no"}, None, "invalid"),
    ("no_such_action", {}, None, "unknown_action"),
]


@pytest.mark.parametrize(("action", "payload", "who", "code"), BAD)
def test_bad_input_is_refused_and_changes_nothing(action, payload, who, code):
    h = busy()
    before = copy.deepcopy(h.state)
    with pytest.raises(ActionError) as err:
        h.act(action, ids(h, payload), by=who or "facilitator")
    assert err.value.code == code
    assert err.value.message and err.value.message != code
    assert h.state == before
    assert h.ledger == []


def test_questions_can_be_switched_off_and_nothing_happens_without_a_suggestion():
    h = setup(questions_enabled=False)
    with pytest.raises(ActionError, match="switched off"):
        h.act("post_question", {"text": "Hi"}, by="p1")
    with pytest.raises(ActionError) as err:
        h.act("confirm_make_room")
    assert err.value.code == "no_suggestion"
    closed = setup(mode="closed")
    with pytest.raises(ActionError) as err:
        closed.act("request_chair", by="p1")
    assert err.value.code == "closed_fishbowl"


@pytest.mark.parametrize(("action", "who"), [
    ("request_chair", "p3"), ("withdraw", "p1"), ("done", "p3"), ("upvote_question", "p3"),
    ("post_question", "p3"), ("start", None), ("pause", None), ("resume", None), ("end", None),
    ("next_round", None), ("add_guest", None), ("seat", None), ("seat_next", None),
    ("ask_to_leave", None), ("mark_statement", None), ("record_agreement", None),
    ("hide_question", None), ("unshow_question", None),
])
def test_nothing_changes_after_the_end(action, who):
    h = full_flow()
    before = copy.deepcopy(h.state)
    payload = {"text": "x", "name": "X", "person": h.pid("p1"), "question": "q1", "what": "x",
               "who_org": "A"}
    with pytest.raises(ActionError) as err:
        h.act(action, payload, by=who or "facilitator")
    assert err.value.code == "session_ended"
    assert h.state == before
    assert len(h.ledger) == 1


def test_a_participant_may_not_send_facilitator_actions():
    h = setup()
    with pytest.raises(ActionError) as err:
        h.act("seat", {"person": h.pid("p1")}, by="p1")
    assert err.value.code == "forbidden"


def test_refusals_are_worded_for_the_sender():
    h = busy()
    with pytest.raises(ActionError) as err:
        h.act("request_chair", by="p1")
    assert err.value.message == refusal("already_seated", own=True) == "You are already in the circle."
    with pytest.raises(ActionError) as err:
        h.act("seat", {"person": h.pid("p1")})
    assert err.value.message == "This person is already in the circle."


# -- removal, guests, questions ----------------------------------------------------


def test_removed_participant_leaves_chair_and_queue_with_turn_closed():
    h = busy()
    h.advance(30)
    h.remove("p1")
    h.remove("p4")
    p1 = h.pid("p1")
    assert all(c is None or c["person"] != p1 for c in h.state["chairs"])
    assert h.state["queue"] == []
    assert "removed" not in h.state  # the core keeps who is gone, not the method
    turn = next(t for t in h.state["turns"] if t["person"] == p1)
    assert turn["end"] == h.clock.now and turn["reason"] == "removed"
    with pytest.raises(ActionError) as err:
        h.act("seat", {"person": p1})
    assert err.value.code == "person_removed"
    assert h.view("facilitator")["seatable"] == []  # p1, p4, p5 are gone; the others sit
    # a statement can still be credited to them; like every section of the minutes
    # (attendance leaves them out), the log and the statements no longer name them
    h.act("mark_statement", {"text": "Said before leaving.", "person": p1})
    minutes = h.minutes()
    assert "(removed participant): Said before leaving." in minutes
    assert re.search(r"^\| \d \| removed participant \| ", minutes, re.MULTILINE)
    assert "P1" not in minutes


def test_only_people_present_can_be_seated():
    h = busy()  # p5 was removed, p4 waits
    assert [p["person"] for p in h.view("facilitator")["seatable"]] == [h.pid("p4")]


def test_leaving_on_the_phone_is_like_a_removal():
    h = busy()
    h.advance(30)
    h.leave("p2")
    p2 = h.pid("p2")
    assert all(c is None or c["person"] != p2 for c in h.state["chairs"])
    turn = next(t for t in h.state["turns"] if t["person"] == p2)
    assert turn["end"] == h.clock.now and turn["reason"] == "removed"
    before = copy.deepcopy(h.state)
    with pytest.raises(ActionError) as err:
        h.act("request_chair", by="p2")
    assert err.value.code == "removed"
    assert h.state == before


def test_guests_added_during_the_session_can_be_seated_and_asked_to_leave():
    h = setup(panel="")
    assert h.act("add_guest", {"name": "Cem Aydın", "organisation": "IKB", "org_type": "mso",
                               "seat": True}) == {"guest": "g1"}
    h.act("add_guest", {"name": "Dana"})
    h.act("start")
    h.act("seat", {"person": "g2"})
    h.advance(90)
    h.act("ask_to_leave", {"person": "g1"})
    guests = h.view("facilitator")["guests"]
    assert [(g["name"], g["seated"]) for g in guests] == [("Cem Aydın", False), ("Dana", True)]
    assert h.state["turns"][0]["reason"] == "asked"


def test_upvotes_toggle_and_hidden_questions_disappear_for_phones():
    h = setup()
    h.act("post_question", {"text": "Why?"}, by="p1")
    h.act("post_question", {"text": "From a card"})
    assert h.act("upvote_question", {"question": "q1"}, by="p2") == {"upvoted": True}
    assert h.act("upvote_question", {"question": "q1"}, by="p2") == {"upvoted": False}
    h.act("upvote_question", {"question": "q1"}, by="p3")
    h.act("show_question", {"question": "q1"})
    assert h.view("projector")["shown_question"]["text"] == "Why?"
    h.act("hide_question", {"question": "q1"})
    phone = h.view("p2")
    assert [q["text"] for q in phone["questions"]] == ["From a card"]
    assert phone["shown_question"] is None
    facilitator = h.view("facilitator")
    assert [(q["text"], q["hidden"], q["votes"]) for q in facilitator["questions"]] == [
        ("Why?", True, 1), ("From a card", False, 0)]
    h.act("hide_question", {"question": "q1", "hidden": False})
    assert len(h.view("p2")["questions"]) == 2


# -- the session lifecycle -----------------------------------------------------------


def discussing() -> MethodHarness:
    """Started at T0 with the panel and p1 in the circle."""
    h = setup()
    h.act("start")
    h.act("request_chair", by="p1")
    return h


def test_closing_the_session_ends_the_fishbowl_and_stops_its_clocks():
    h = discussing()
    h.advance(600)
    h.close()
    closed_at = h.clock.now
    h.advance(3 * 3600)  # the minutes are downloaded three hours later
    assert h.state["phase"] == "ended" and h.state["ended_at"] == closed_at
    assert all(t["end"] == closed_at and t["reason"] == "end" for t in h.state["turns"])
    minutes = h.minutes()
    assert "10:00 of discussion (pauses excluded)" in minutes
    assert "190:00" not in minutes and "still" not in minutes
    assert re.search(r"^\| 3 \| P1 \| \d\d:\d\d \| \d\d:\d\d \| 10:00 \|$", minutes, re.MULTILINE)
    assert h.view("facilitator")["stats"]["total_time"] == "30:00"
    assert {c["elapsed_text"] for c in h.view("projector")["chairs"] if not c["empty"]} == {""}


def test_a_fishbowl_closed_while_the_room_is_in_the_lobby_counts_no_lobby_time():
    h = discussing()
    h.advance(600)
    h.to_lobby()
    h.advance(3600)
    h.close()
    h.advance(3 * 3600)
    assert h.state["phase"] == "ended"
    assert "10:00 of discussion (pauses excluded)" in h.minutes()


def test_time_in_the_lobby_is_not_counted():
    h = discussing()
    h.advance(300)
    h.to_lobby()
    assert h.state["phase"] == "paused" and h.state["paused_by_core"]
    h.advance(3600)
    h.activate()
    assert h.state["phase"] == "running" and not h.state["paused_by_core"]
    h.advance(300)
    assert h.view("facilitator")["stats"]["people"][0]["time"] == "10:00"
    h.act("end")
    minutes = h.minutes()
    assert "10:00 of discussion (pauses excluded)" in minutes
    assert re.search(r"^\| 3 \| P1 \| \d\d:\d\d \| \d\d:\d\d \| 10:00 \|$", minutes, re.MULTILINE)


def test_moving_to_another_session_pauses_and_coming_back_resumes():
    h = discussing()
    h.advance(120)
    other = h.core.workshops.add_session(h.workshop_id, "fishbowl", {"topic": "Something else"})
    h.core.engine.activate_session(h.workshop_id, other["id"])
    assert h.state["phase"] == "paused"
    h.advance(900)
    h.activate()
    assert h.state["phase"] == "running"
    h.advance(60)
    chair = next(c for c in h.view("projector")["chairs"] if c["label"] == "P1")
    assert chair["since"] == h.clock.now - 180  # 2 + 1 minutes, not the 15 away


def test_a_pause_by_the_facilitator_outlasts_the_lobby():
    h = discussing()
    h.advance(60)
    h.act("pause")
    h.to_lobby()
    h.advance(600)
    h.activate()
    assert h.state["phase"] == "paused"  # the facilitator resumes it, not the room's return
    h.act("resume")
    h.advance(60)
    h.act("end")
    assert "2:00 of discussion (pauses excluded)" in h.minutes()


def test_closing_a_fishbowl_that_never_started_leaves_it_ready():
    h = setup()
    h.close()
    assert h.state["phase"] == "ready" and h.state["turns"] == []
    assert "The fishbowl did not start." in h.minutes()
    h.activate()  # opened again, it can still start
    h.act("start")
    assert h.state["phase"] == "running"


def test_a_reopened_session_stays_ended():
    h = discussing()
    h.advance(60)
    h.close()
    h.advance(60)
    h.activate()
    assert h.state["phase"] == "ended" and h.state["clock"]["since"] is None
    with pytest.raises(ActionError) as err:
        h.act("resume")
    assert err.value.code == "session_ended"


# -- views -----------------------------------------------------------------------------


def test_phones_get_their_own_place_and_no_ids_of_others():
    h = busy()
    p1, p4 = h.view("p1"), h.view("p4")
    assert p1["me"]["seated"] and p1["me"]["make_room"] and not p1["can_request"]
    assert p4["me"] == {"seated": False, "queued": True, "position": 1, "make_room": False,
                        "since": None, "until": None, "elapsed_text": ""}
    assert not h.view("p3")["me"]["make_room"]
    for view in (p1, p4, h.view("projector")):
        text = json.dumps(view)
        assert '"person"' not in text
        assert not any(pid in text for pid in h.ids.values())
        assert not any(c.get("make_room") for c in view["chairs"] if not c.get("me"))


def test_running_time_ticks_from_an_effective_start_and_stops_while_paused():
    h = setup(turn_guidance_minutes=1)
    h.act("start")
    at(h, 100)
    view = h.view("projector")
    chair = view["chairs"][0]
    # while running the browser counts from `since`: the view itself stays the same over time,
    # so the core need not re-send it to every phone
    assert (chair["since"], chair["elapsed_text"], chair["until"]) == (T0, "", T0 + 60)
    assert chair["over"]
    at(h, 101)
    assert h.view("projector") == view
    at(h, 100)
    h.act("pause")
    at(h, 500)
    chair = h.view("projector")["chairs"][0]
    assert (chair["since"], chair["elapsed_text"]) == (None, "1:40")
    h.act("resume")
    at(h, 510)
    assert h.view("projector")["chairs"][0]["since"] == T0 + 400


def test_facilitator_sees_fairness_statistics_and_a_dominance_hint():
    h = setup(panel="", chairs=3)
    h.act("start")
    for person, seconds in (("p1", 600), ("p2", 60), ("p3", 60), ("p4", 60)):
        h.act("request_chair", by=person)
        h.advance(seconds)
        h.act("done", by=person)
    view = h.view("facilitator")["stats"]
    assert view["speakers"] == 4 and view["turns"] == 4
    assert view["people"][0] == {"label": "P1", "org_type_label": MSO, "panel": False,
                                 "turns": 1, "time": "10:00", "share": 77}
    assert [(g["label"], g["people"], g["share"]) for g in view["org_types"]] == [
        (MSO, 2, 85), (EDUCATION, 1, 8), (MUNICIPALITY, 1, 8)]
    assert view["dominance"]["dominant"] and "1 of 4 people" in view["dominance"]["hint"]


# -- templates -------------------------------------------------------------------------


def render(role: str, view: dict) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(_=_, ngettext=ngettext)
    return env.get_template(f"fishbowl/{role}.html").render(
        view=view, role=role, session={"id": "s1", "title": "Fishbowl", "method": "fishbowl",
                                       "status": "active"},
        workshop={"id": "w1", "title": "W", "language": "en", "privacy": "named"},
    )


def render_every_view(h: MethodHarness) -> None:
    """Render every role's (and every phone's) view of ``h`` as it is now."""
    for who in [*PEOPLE, "facilitator", "projector"]:
        role = who if who in ("facilitator", "projector") else "participant"
        view = h.view(who)
        html = render(role, view)
        assert view["topic"] in html
        if h.state["phase"] == "ended" and role != "projector":
            assert "data-action" not in html


def test_templates_render_in_every_phase():
    h = setup()
    render_every_view(h)
    fresh = render("projector", h.view("projector"))
    assert fresh.count("fb-chair fb-chair-open") == 3

    b = busy()
    b.act("post_question", {"text": "<b>bold</b>"}, by="p1")
    b.act("show_question", {"question": "q3"})
    render_every_view(b)
    projector = render("projector", b.view("projector"))
    assert "&lt;b&gt;bold&lt;/b&gt;" in projector and "<b>bold" not in projector
    assert "Dr. Anna Schmidt" in projector and "Open chair" not in projector
    queued = render("participant", b.view("p4"))
    assert "You are number 1 in the queue." in queued and 'data-action="withdraw"' in queued
    seated = render("participant", b.view("p1"))
    assert 'data-action="done"' in seated and "make room" in seated
    facilitator = render("facilitator", b.view("facilitator"))
    assert 'data-action="confirm_make_room"' in facilitator
    assert f'data-payload=\'{{"person": "{b.pid("p1")}"}}\'' in facilitator
    b.act("pause")
    render_every_view(b)

    render_every_view(full_flow())
    anonymous = full_flow("anonymous")
    render_every_view(anonymous)
    wall = render("projector", anonymous.view("projector"))
    assert "Anna" not in wall and WELFARE in wall
    closed = setup(mode="closed", turn_guidance_minutes=3)
    closed.act("start")
    render_every_view(closed)


# -- inside the core ---------------------------------------------------------------------


def test_runs_inside_the_core_and_writes_german_minutes(app, core, workshop, clock):
    wid = workshop["id"]
    session = core.workshops.add_session(wid, "fishbowl", {
        "title": "Aktuelle Stunde", "topic": "Teilhabe vor Ort", "chairs": "3",
        "panel": "Dr. Anna Schmidt; Caritas; welfare"})
    core.engine.activate_session(wid, session["id"])
    ayse, ben, cem = (core.people.actor(workshop, core.people.join(wid, {"name": name, "org_type": "mso"}))
                      for name in ("Ayşe", "Ben", "Cem"))
    facilitator = Actor("facilitator")
    ids = iter(range(100))

    def do(actor, action, payload=None):
        return core.engine.apply_action(wid, actor, session["id"], action, payload or {}, f"a{next(ids)}")

    do(facilitator, "start")
    clock.advance(60)
    assert do(ayse, "request_chair") == {"result": "seated", "position": None}
    assert do(ben, "request_chair") == {"result": "seated", "position": None}  # the open chair
    assert do(cem, "request_chair") == {"result": "queued", "position": 1}
    with pytest.raises(ActionError) as err:
        do(cem, "request_chair")
    assert err.value.code == "already_queued"
    clock.advance(90)
    assert do(facilitator, "confirm_make_room", {"person": ayse.participant_id}) == {
        "person": ayse.participant_id}
    do(facilitator, "seat_next")
    do(facilitator, "record_agreement", {"what": "Nächstes Treffen planen", "who_org": "Caritas"})
    clock.advance(30)
    do(facilitator, "end")
    with app.app_context():
        minutes = minutes_markdown(core, core.workshops.get(wid))
        with force_locale("de"):
            assert refusal("already_queued", own=True) == "Sie stehen bereits in der Warteschlange."
    assert "### Wechselprotokoll" in minutes and "**Thema:** Teilhabe vor Ort" in minutes
    assert re.search(r"\| 2 \| Ayşe \| \d\d:\d\d \| \d\d:\d\d \| 1:30 \|", minutes)
    assert re.search(r"\| 4 \| Cem \| \d\d:\d\d \| \d\d:\d\d \| 0:30 \|", minutes)
    assert "Nächstes Treffen planen" in minutes
