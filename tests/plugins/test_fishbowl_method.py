"""The fishbowl method through FakeContext: flow, bad input, anonymity, views, minutes, templates."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jinja2
import pytest
from facilitator_plugins.fishbowl import facilitator_register_methods, stats
from facilitator_plugins.fishbowl.messages import refusal
from facilitator_plugins.fishbowl.method import FishbowlMethod

from facilitator.i18n import _, force_locale, ngettext
from facilitator.methods import ActionError, Actor, ConfigError
from facilitator.minutes import minutes_markdown
from facilitator.testing import FakeContext

T0 = 1_700_000_000.0
METHOD = FishbowlMethod()
PANEL = ["Dr. Anna Schmidt; Caritas Köln; welfare", "Bernd Vogel; Landkreis Kleve; district"]
ORG_TYPES = {"p1": "mso", "p2": "mso", "p3": "education", "p4": "municipality", "p5": "volunteers"}
PEOPLE = list(ORG_TYPES)
NAMES = ["Anna", "Schmidt", "Bernd", "Vogel", "Caritas", "Kleve", "P1", "P2", "P3", "P4", "P5"]
TEMPLATES = Path(METHOD.root_dir()) / "templates"


def setup(privacy: str = "named", **config):
    """A fresh fishbowl with a panel of two guests and five participants."""
    cfg = METHOD.validate_config({"topic": "Wohnen für alle", "panel": PANEL, **config})
    ctx = FakeContext(
        config=cfg, participants=list(PEOPLE), privacy=privacy, now=T0, org_types=ORG_TYPES
    )
    return ctx, METHOD.initial_state(cfg)


def act(ctx, state, action, payload=None, who=None):
    """Apply like the core does (role check, copy, agreements committed on success)."""
    actor = ctx.actor(who) if who else ctx.actor(role="facilitator")
    return ctx.apply(METHOD, state, action, payload or {}, actor)


def at(ctx, seconds):
    ctx.clock = T0 + seconds


def full_flow(privacy: str = "named"):
    """Two guests and five participants rotate; a 60 s pause; ended at T0 + 400."""
    ctx, state = setup(privacy)
    state = act(ctx, state, "start")
    for second, person in ((60, "p1"), (70, "p2"), (120, "p3")):
        at(ctx, second)
        state = act(ctx, state, "request_chair", who=person)
        assert ctx.last_reply == {"result": "seated", "position": None}
    at(ctx, 125)
    state = act(ctx, state, "request_chair", who="p4")
    assert ctx.last_reply == {"result": "queued", "position": 1}
    state = act(ctx, state, "request_chair", who="p5")
    assert METHOD.view(state, "facilitator", None, ctx)["make_room"]["person"] == "p1"
    at(ctx, 180)
    state = act(ctx, state, "confirm_make_room", {"person": "p1"})
    at(ctx, 185)
    state = act(ctx, state, "seat_next")
    assert ctx.last_reply == {"person": "p4"}
    at(ctx, 200)
    state = act(ctx, state, "pause")
    at(ctx, 260)
    state = act(ctx, state, "resume")
    at(ctx, 300)
    state = act(ctx, state, "done", who="p2")
    at(ctx, 301)
    state = act(ctx, state, "seat_next")
    state = act(ctx, state, "request_chair", who="p1")
    state = act(ctx, state, "post_question", {"text": "Wer bezahlt das?"}, who="p1")
    state = act(ctx, state, "post_question", {"text": "Und die Schulen?"}, who="p2")
    for voter in ("p3", "p4"):
        state = act(ctx, state, "upvote_question", {"question": "q2"}, who=voter)
    state = act(ctx, state, "answer_question", {"question": "q2"})
    state = act(ctx, state, "show_question", {"question": "q2"})
    state = act(ctx, state, "mark_statement", {"text": "Housing first works.", "person": "g1"})
    state = act(ctx, state, "mark_statement", {"text": "We need data.", "person": "p3"})
    state = act(ctx, state, "record_agreement", {
        "what": "Joint housing round", "who_person": "Anna Schmidt", "who_org": "Integrationsrat",
        "due": "2026-03-31"})
    at(ctx, 400)
    state = act(ctx, state, "end")
    return ctx, state


# -- configuration ---------------------------------------------------------------


def test_registered_through_the_hook():
    [method] = facilitator_register_methods()
    assert method.slug == "fishbowl" and str(method.name) == "Fishbowl"


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


def test_a_closed_fishbowl_may_fill_every_chair_with_its_panel():
    config = METHOD.validate_config(
        {"topic": "T", "chairs": 3, "mode": "closed", "panel": ["A", "B", "C"]}
    )
    state = METHOD.initial_state(config)
    assert [c["person"] for c in state["chairs"]] == ["g1", "g2", "g3"]
    assert state["people"]["g1"]["org_type"] == "other"


# -- the whole flow --------------------------------------------------------------


def test_full_flow_rotation_log_and_durations():
    ctx, state = full_flow()
    log = [(t["person"], t["start"] - T0, t["end"] - T0, t["reason"]) for t in state["turns"]]
    assert log == [
        ("g1", 0, 400, "end"),
        ("g2", 0, 400, "end"),
        ("p1", 60, 180, "made_room"),
        ("p2", 70, 300, "done"),
        ("p3", 120, 400, "end"),
        ("p4", 185, 400, "end"),
        ("p5", 301, 400, "end"),
    ]
    minutes = METHOD.minutes(state, ctx)
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
    assert "| Mso | 2 | 2 | 4:50 |" in minutes
    assert "**Topic:** Wohnen für alle" in minutes
    assert "- Dr. Anna Schmidt (Caritas Köln, Welfare)" in minutes
    assert "(Dr. Anna Schmidt): Housing first works." in minutes
    # most upvoted first, answered or not
    assert minutes.index("1. Und die Schulen? (2 upvotes, answered)") < minutes.index(
        "2. Wer bezahlt das? (0 upvotes, not answered)")
    assert "- Joint housing round (Anna Schmidt, Integrationsrat; by 2026-03-31)" in minutes
    assert ctx.ledger[0]["what"] == "Joint housing round"


def test_anonymous_minutes_contain_no_names():
    ctx, state = full_flow("anonymous")
    minutes = METHOD.minutes(state, ctx)
    for name in NAMES:
        assert name not in minutes, name
    assert "| 1 | Welfare (panel) |" in minutes
    assert "| 3 | Mso |" in minutes
    assert "(Education): We need data." in minutes
    # the responsible organisation stays, the responsible person's name does not
    assert "- Joint housing round (Integrationsrat; by 2026-03-31)" in minutes


def test_anonymous_projector_and_phones_show_types_of_organisation_only():
    ctx, state = full_flow("anonymous")
    shown = json.dumps([METHOD.view(state, "projector", None, ctx),
                        METHOD.view(state, "participant", ctx.actor("p1"), ctx)])
    for name in NAMES:
        assert name not in shown, name
    assert "Welfare" in shown


# -- bad input -------------------------------------------------------------------


def busy():
    """Running; p1-p3 and the panel fill the circle; p4 queued; p5 removed; q2 hidden."""
    ctx, state = setup()
    state = act(ctx, state, "start")
    for person in ("p1", "p2", "p3", "p4"):
        ctx.clock += 10
        state = act(ctx, state, "request_chair", who=person)
    state = act(ctx, state, "post_question", {"text": "Mine"}, who="p4")
    state = act(ctx, state, "post_question", {"text": "Rude"}, who="p2")
    state = act(ctx, state, "hide_question", {"question": "q2"})
    ctx.remove_participant("p5")
    state = METHOD.participant_removed(state, "p5", ctx)
    return ctx, state


BAD = [
    ("request_chair", {}, "p1", "already_seated"),
    ("request_chair", {}, "p4", "already_queued"),
    ("request_chair", {}, "p5", "person_removed"),
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
]


@pytest.mark.parametrize(("action", "payload", "who", "code"), BAD)
def test_bad_input_is_refused_and_changes_nothing(action, payload, who, code):
    ctx, state = busy()
    before = copy.deepcopy(state)
    actor = ctx.actor(who) if who else ctx.actor(role="facilitator")
    with pytest.raises(ActionError) as err:
        METHOD.apply(state, action, payload, actor, ctx)  # no copy in between
    assert err.value.code == code
    assert err.value.message and err.value.message != code
    assert state == before
    assert ctx.ledger == []


def test_questions_can_be_switched_off_and_nothing_happens_without_a_suggestion():
    ctx, state = setup(questions_enabled=False)
    with pytest.raises(ActionError, match="switched off"):
        act(ctx, state, "post_question", {"text": "Hi"}, who="p1")
    with pytest.raises(ActionError) as err:
        act(ctx, state, "confirm_make_room")
    assert err.value.code == "no_suggestion"
    closed_ctx, closed = setup(mode="closed")
    with pytest.raises(ActionError) as err:
        act(closed_ctx, closed, "request_chair", who="p1")
    assert err.value.code == "closed_fishbowl"


@pytest.mark.parametrize(("action", "who"), [
    ("request_chair", "p3"), ("withdraw", "p1"), ("done", "p3"), ("upvote_question", "p3"),
    ("post_question", "p3"), ("start", None), ("pause", None), ("resume", None), ("end", None),
    ("next_round", None), ("add_guest", None), ("seat", None), ("seat_next", None),
    ("ask_to_leave", None), ("mark_statement", None), ("record_agreement", None),
    ("hide_question", None), ("unshow_question", None),
])
def test_nothing_changes_after_the_end(action, who):
    ctx, state = full_flow()
    before = copy.deepcopy(state)
    payload = {"text": "x", "name": "X", "person": "p1", "question": "q1", "what": "x",
               "who_org": "A"}
    with pytest.raises(ActionError) as err:
        act(ctx, state, action, payload, who=who)
    assert err.value.code == "session_ended"
    assert state == before


def test_a_participant_may_not_send_facilitator_actions():
    ctx, state = setup()
    with pytest.raises(ActionError) as err:
        act(ctx, state, "seat", {"person": "p1"}, who="p1")
    assert err.value.code == "forbidden"


# -- removal, guests, questions ----------------------------------------------------


def test_removed_participant_leaves_chair_and_queue_with_turn_closed():
    ctx, state = busy()
    ctx.clock += 30
    ctx.remove_participant("p1")
    state = METHOD.participant_removed(state, "p1", ctx)
    ctx.remove_participant("p4")
    state = METHOD.participant_removed(state, "p4", ctx)
    assert all(c is None or c["person"] != "p1" for c in state["chairs"])
    assert state["queue"] == []
    turn = next(t for t in state["turns"] if t["person"] == "p1")
    assert turn["end"] == ctx.clock and turn["reason"] == "removed"
    with pytest.raises(ActionError) as err:
        act(ctx, state, "seat", {"person": "p1"})
    assert err.value.code == "person_removed"


def test_guests_added_during_the_session_can_be_seated_and_asked_to_leave():
    ctx, state = setup(panel=[])
    state = act(ctx, state, "add_guest",
                {"name": "Cem Aydın", "organisation": "IKB", "org_type": "mso", "seat": True})
    assert ctx.last_reply == {"guest": "g1"}
    state = act(ctx, state, "add_guest", {"name": "Dana"})
    state = act(ctx, state, "start")
    state = act(ctx, state, "seat", {"person": "g2"})
    ctx.clock += 90
    state = act(ctx, state, "ask_to_leave", {"person": "g1"})
    guests = METHOD.view(state, "facilitator", None, ctx)["guests"]
    assert [(g["name"], g["seated"]) for g in guests] == [("Cem Aydın", False), ("Dana", True)]
    assert state["turns"][0]["reason"] == "asked"


def test_upvotes_toggle_and_hidden_questions_disappear_for_phones():
    ctx, state = setup()
    state = act(ctx, state, "post_question", {"text": "Why?"}, who="p1")
    state = act(ctx, state, "post_question", {"text": "From a card"})
    state = act(ctx, state, "upvote_question", {"question": "q1"}, who="p2")
    assert ctx.last_reply == {"upvoted": True}
    state = act(ctx, state, "upvote_question", {"question": "q1"}, who="p2")
    assert ctx.last_reply == {"upvoted": False}
    state = act(ctx, state, "upvote_question", {"question": "q1"}, who="p3")
    state = act(ctx, state, "show_question", {"question": "q1"})
    assert METHOD.view(state, "projector", None, ctx)["shown_question"]["text"] == "Why?"
    state = act(ctx, state, "hide_question", {"question": "q1"})
    phone = METHOD.view(state, "participant", ctx.actor("p2"), ctx)
    assert [q["text"] for q in phone["questions"]] == ["From a card"]
    assert phone["shown_question"] is None
    facilitator = METHOD.view(state, "facilitator", None, ctx)
    assert [(q["text"], q["hidden"], q["votes"]) for q in facilitator["questions"]] == [
        ("Why?", True, 1), ("From a card", False, 0)]
    state = act(ctx, state, "hide_question", {"question": "q1", "hidden": False})
    assert len(METHOD.view(state, "participant", ctx.actor("p2"), ctx)["questions"]) == 2


# -- views -----------------------------------------------------------------------------


def test_phones_get_their_own_place_and_no_ids_of_others():
    ctx, state = busy()
    p1 = METHOD.view(state, "participant", ctx.actor("p1"), ctx)
    p4 = METHOD.view(state, "participant", ctx.actor("p4"), ctx)
    assert p1["me"]["seated"] and p1["me"]["make_room"] and not p1["can_request"]
    assert p4["me"] == {"seated": False, "queued": True, "position": 1, "make_room": False,
                        "since": None, "until": None, "elapsed_text": ""}
    p3 = METHOD.view(state, "participant", ctx.actor("p3"), ctx)
    assert not p3["me"]["make_room"]
    for view in (p1, p4, METHOD.view(state, "projector", None, ctx)):
        assert '"person"' not in json.dumps(view)
        assert not any(c.get("make_room") for c in view["chairs"] if not c.get("me"))


def test_running_time_ticks_from_an_effective_start_and_stops_while_paused():
    ctx, state = setup(turn_guidance_minutes=1)
    state = act(ctx, state, "start")
    at(ctx, 100)
    view = METHOD.view(state, "projector", None, ctx)
    chair = view["chairs"][0]
    # while running the browser counts from `since`: the view itself stays the same over time,
    # so the core need not re-send it to every phone
    assert (chair["since"], chair["elapsed_text"], chair["until"]) == (T0, "", T0 + 60)
    assert chair["over"]
    at(ctx, 101)
    assert METHOD.view(state, "projector", None, ctx) == view
    at(ctx, 100)
    state = act(ctx, state, "pause")
    at(ctx, 500)
    chair = METHOD.view(state, "projector", None, ctx)["chairs"][0]
    assert (chair["since"], chair["elapsed_text"]) == (None, "1:40")
    state = act(ctx, state, "resume")
    at(ctx, 510)
    assert METHOD.view(state, "projector", None, ctx)["chairs"][0]["since"] == T0 + 400


def test_facilitator_sees_fairness_statistics_and_a_dominance_hint():
    ctx, state = setup(panel=[], chairs=3)
    state = act(ctx, state, "start")
    for person, seconds in (("p1", 600), ("p2", 60), ("p3", 60), ("p4", 60)):
        state = act(ctx, state, "request_chair", who=person)
        ctx.clock += seconds
        state = act(ctx, state, "done", who=person)
    view = METHOD.view(state, "facilitator", None, ctx)["stats"]
    assert view["speakers"] == 4 and view["turns"] == 4
    assert view["people"][0] == {"label": "P1", "org_type_label": "Mso", "panel": False,
                                 "turns": 1, "time": "10:00", "share": 77}
    assert [(g["label"], g["people"], g["share"]) for g in view["org_types"]] == [
        ("Mso", 2, 85), ("Education", 1, 8), ("Municipality", 1, 8)]
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


def views_of(ctx, state):
    return {
        "participant": [METHOD.view(state, "participant", ctx.actor(p), ctx) for p in PEOPLE],
        "facilitator": [METHOD.view(state, "facilitator", None, ctx)],
        "projector": [METHOD.view(state, "projector", None, ctx)],
    }


def test_templates_render_in_every_phase():
    ctx, state = setup()
    samples = [(ctx, state)]
    ctx2, busy_state = busy()
    busy_state = act(ctx2, busy_state, "post_question", {"text": "<b>bold</b>"}, who="p1")
    busy_state = act(ctx2, busy_state, "show_question", {"question": "q3"})
    samples.append((ctx2, busy_state))
    samples.append((ctx2, act(ctx2, busy_state, "pause")))
    samples.append(full_flow())
    samples.append(full_flow("anonymous"))
    ctx3, closed = setup(mode="closed", turn_guidance_minutes=3)
    samples.append((ctx3, act(ctx3, closed, "start")))
    for sample_ctx, sample in samples:
        for role, views in views_of(sample_ctx, sample).items():
            for view in views:
                html = render(role, view)
                assert view["topic"] in html
                if sample["phase"] == "ended" and role != "projector":
                    assert "data-action" not in html
    projector = render("projector", METHOD.view(busy_state, "projector", None, ctx2))
    assert "&lt;b&gt;bold&lt;/b&gt;" in projector and "<b>bold" not in projector
    assert "Dr. Anna Schmidt" in projector and "Open chair" not in projector
    fresh = render("projector", METHOD.view(state, "projector", None, ctx))
    assert fresh.count("fb-chair fb-chair-open") == 3
    queued = render("participant", METHOD.view(busy_state, "participant", ctx2.actor("p4"), ctx2))
    assert "You are number 1 in the queue." in queued and 'data-action="withdraw"' in queued
    seated = render("participant", METHOD.view(busy_state, "participant", ctx2.actor("p1"), ctx2))
    assert 'data-action="done"' in seated and "make room" in seated
    facilitator = render("facilitator", METHOD.view(busy_state, "facilitator", None, ctx2))
    assert 'data-action="confirm_make_room"' in facilitator
    assert 'data-payload=\'{"person": "p1"}\'' in facilitator
    anonymous_ctx, anonymous = full_flow("anonymous")
    wall = render("projector", METHOD.view(anonymous, "projector", None, anonymous_ctx))
    assert "Anna" not in wall and "Welfare" in wall


# -- inside the core ---------------------------------------------------------------------


def test_runs_inside_the_core_and_writes_german_minutes(app, core, workshop, clock):
    wid = workshop["id"]
    session = core.add_session(wid, "fishbowl", {
        "title": "Aktuelle Stunde", "topic": "Teilhabe vor Ort", "chairs": "3",
        "panel": "Dr. Anna Schmidt; Caritas; welfare"})
    core.activate_session(wid, session["id"])
    ayse, ben, cem = (core.actor(workshop, core.join(wid, {"name": name, "org_type": "mso"}))
                      for name in ("Ayşe", "Ben", "Cem"))
    facilitator = Actor("facilitator")
    ids = iter(range(100))

    def do(actor, action, payload=None):
        return core.apply_action(wid, actor, session["id"], action, payload or {}, f"a{next(ids)}")

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
        minutes = minutes_markdown(core, core.workshop(wid))
        with force_locale("de"):
            assert refusal("already_queued", own=True) == "Sie stehen bereits in der Warteschlange."
    assert "### Wechselprotokoll" in minutes and "**Thema:** Teilhabe vor Ort" in minutes
    assert re.search(r"\| 2 \| Ayşe \| \d\d:\d\d \| \d\d:\d\d \| 1:30 \|", minutes)
    assert re.search(r"\| 4 \| Cem \| \d\d:\d\d \| \d\d:\d\d \| 0:30 \|", minutes)
    assert "Nächstes Treffen planen" in minutes
