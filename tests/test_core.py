"""The core service without any transport: workshops, sessions, people, ledger, actions."""

from __future__ import annotations

import pytest

from facilitator.methods import ActionError, Actor, ConfigError


def test_create_workshop_validates_and_assigns_codes(core):
    w = core.workshops.create({"title": "  AG Bildung  ", "privacy": "anonymous", "language": "en"})
    assert w["title"] == "AG Bildung"
    assert len(w["join_code"]) == 6 and w["join_code"].isalnum()
    assert w["privacy"] == "anonymous"
    other = core.workshops.create({"title": "Zweiter"})
    assert other["join_code"] != w["join_code"]
    assert core.workshops.by_code(w["join_code"].lower())["id"] == w["id"]
    with pytest.raises(ActionError) as err:
        core.workshops.create({"title": ""})
    assert err.value.code == "required"
    with pytest.raises(ActionError) as err:
        core.workshops.create({"title": "x" * 500})
    assert err.value.code == "too_long"
    with pytest.raises(ActionError) as err:
        core.workshops.create({"title": "x", "date": "31.12.2026"})
    assert err.value.code == "invalid_date"
    assert len(core.workshops.all()) == 2


def test_unknown_workshop_and_session_errors(core, workshop):
    with pytest.raises(ActionError) as err:
        core.workshops.get("nope")
    assert err.value.code == "unknown_workshop"
    with pytest.raises(ActionError) as err:
        core.workshops.by_code("ZZZZZZ")
    assert err.value.code == "unknown_workshop"
    with pytest.raises(ActionError) as err:
        core.workshops.session(workshop["id"], "nope")
    assert err.value.code == "unknown_session"


def test_sessions_add_configure_move_activate_close(core, workshop):
    wid = workshop["id"]
    a = core.workshops.add_session(wid, "dotvoting", {"title": "Prioritäten", "question": "Was zuerst?"})
    b = core.workshops.add_session(wid, "fishbowl", {"topic": "Teilhabe"})
    assert [s["id"] for s in core.workshops.sessions(wid)] == [a["id"], b["id"]]
    assert b["title"]  # defaults to the method name
    with pytest.raises(ConfigError) as err:
        core.workshops.add_session(wid, "dotvoting", {"question": ""})
    assert "question" in err.value.errors
    with pytest.raises(ActionError):
        core.workshops.add_session(wid, "nomethod", {})
    core.workshops.move_session(wid, b["id"], 0)
    assert [s["id"] for s in core.workshops.sessions(wid)] == [b["id"], a["id"]]
    with pytest.raises(ActionError):
        core.workshops.move_session(wid, b["id"], 7)
    core.engine.activate_session(wid, a["id"])
    assert core.workshops.get(wid)["active_session_id"] == a["id"]
    core.engine.activate_session(wid, b["id"])
    assert core.workshops.session(wid, a["id"])["status"] == "pending"
    assert core.workshops.session(wid, b["id"])["status"] == "active"
    core.engine.close_session(wid, b["id"])
    assert core.workshops.session(wid, b["id"])["status"] == "closed"
    # a started session keeps its config; only the title may change
    with pytest.raises(ActionError) as err:
        core.workshops.configure_session(wid, a["id"], {"title": "Neu", "question": "Anders?"})
    assert err.value.code == "session_started"
    core.workshops.configure_session(wid, a["id"], {"title": "Neu", "question": "Was zuerst?"})
    assert core.workshops.session(wid, a["id"])["title"] == "Neu"
    core.workshops.delete_session(wid, a["id"])
    assert [s["id"] for s in core.workshops.sessions(wid)] == [b["id"]]


def test_join_named_and_anonymous(core, workshop):
    with pytest.raises(ActionError) as err:
        core.people.join(workshop["id"], {"org_type": "mso"})
    assert err.value.code == "required"
    p = core.people.join(workshop["id"], {"name": "Ayşe", "organisation": "Elternverein", "org_type": "mso"})
    assert core.people.by_token(p["token"])["id"] == p["id"]
    assert core.people.label(workshop, p) == "Ayşe"
    with pytest.raises(ActionError) as err:
        core.people.join(workshop["id"], {"name": "X", "org_type": "secret-service"})
    assert err.value.code == "invalid_choice"
    anon = core.workshops.create({"title": "Anonym", "privacy": "anonymous", "language": "en"})
    q = core.people.join(anon["id"], {"name": "Should not be kept", "org_type": "welfare"})
    assert q["name"] == ""  # data minimisation: no name stored in anonymous mode
    assert core.people.label(anon, q) == "Welfare association · 1"  # a stable pseudonym


def test_privacy_mode_is_locked_after_joining(core, workshop):
    core.people.join(workshop["id"], {"name": "A"})
    with pytest.raises(ActionError) as err:
        core.workshops.update(workshop["id"], {**workshop, "privacy": "anonymous"})
    assert err.value.code == "privacy_locked"


def test_remove_participant_revokes_token_and_updates_methods(core, workshop):
    wid = workshop["id"]
    s = core.workshops.add_session(wid, "dotvoting", {"question": "Q", "options": "A\nB", "skip_collect": True})
    core.engine.activate_session(wid, s["id"])
    p = core.people.join(wid, {"name": "Ben"})
    actor = core.people.actor(workshop, p)
    option = s["state"]["options"]
    option_id = next(iter(option)) if isinstance(option, dict) else option[0]["id"]
    core.engine.apply_action(wid, actor, s["id"], "set_dots", {"option": option_id, "count": 2}, "x1")
    core.engine.remove_participant(wid, p["id"])
    with pytest.raises(ActionError) as err:
        core.people.by_token(p["token"])
    assert err.value.code == "removed"
    assert core.people.of_workshop(wid) == []
    view = core.engine.method_view(workshop, core.workshops.session(wid, s["id"]), "facilitator", Actor("facilitator"))
    assert "Ben" not in str(view)
    with pytest.raises(ActionError) as err:
        core.engine.remove_participant(wid, p["id"])
    assert err.value.code == "already_removed"


def test_apply_action_envelope_receipts_and_roles(core, workshop):
    wid = workshop["id"]
    s = core.workshops.add_session(wid, "dotvoting", {"question": "Q", "options": "A\nB", "skip_collect": True})
    p = core.people.join(wid, {"name": "Cem"})
    actor = core.people.actor(workshop, p)
    option_id = core.engine.method_view(workshop, s, "participant", actor)["options"][0]["id"]
    with pytest.raises(ActionError) as err:  # not active yet
        core.engine.apply_action(wid, actor, s["id"], "set_dots", {"option": option_id, "count": 1}, "a1")
    assert err.value.code == "session_not_active"
    core.engine.activate_session(wid, s["id"])
    for bad_name, bad_payload, bad_id, code in [
        ("Set Dots!", {}, "a1", "invalid"),
        ("set_dots", [1, 2], "a1", "invalid"),
        ("set_dots", {}, "", "invalid"),
        ("set_dots", {}, "x" * 65, "invalid"),
        ("fly", {}, "a1", "unknown_action"),
        ("reveal", {}, "a1", "forbidden"),
    ]:
        with pytest.raises(ActionError) as err:
            core.engine.apply_action(wid, actor, s["id"], bad_name, bad_payload, bad_id)
        assert err.value.code == code
    before = core.workshops.session(wid, s["id"])["state"]
    with pytest.raises(ActionError):
        core.engine.apply_action(wid, actor, s["id"], "set_dots", {"option": option_id, "count": 99}, "a2")
    assert core.workshops.session(wid, s["id"])["state"] == before
    first = core.engine.apply_action(wid, actor, s["id"], "set_dots", {"option": option_id, "count": 1}, "a3")
    again = core.engine.apply_action(wid, actor, s["id"], "set_dots", {"option": option_id, "count": 1}, "a3")
    assert first == again
    view = core.engine.method_view(workshop, core.workshops.session(wid, s["id"]), "participant", actor)
    assert view["dots_left"] == view["dots_per_participant"] - 1
    core.engine.close_session(wid, s["id"])
    with pytest.raises(ActionError) as err:
        core.engine.apply_action(wid, actor, s["id"], "set_dots", {"option": option_id, "count": 0}, "a4")
    assert err.value.code == "session_not_active"


def test_ledger_create_edit_delete(core, workshop):
    wid = workshop["id"]
    with pytest.raises(ActionError) as err:
        core.ledger.save(wid, {"what": "Flyer übersetzen"})
    assert err.value.code == "responsible_required"
    a = core.ledger.save(wid, {"what": "Flyer übersetzen", "who_org": "MSO Brücke", "due": "2026-05-01"})
    assert a["source"] == "facilitator" and a["session_id"] is None
    edited = core.ledger.save(wid, {"id": a["id"], "what": "Flyer in 3 Sprachen", "who_person": "Frau K.",
                                       "who_org": "MSO Brücke", "due": "2026-05-15", "review": "2026-06-01"})
    assert edited["id"] == a["id"] and core.ledger.of_workshop(wid)[0]["what"] == "Flyer in 3 Sprachen"
    with pytest.raises(ActionError) as err:
        core.ledger.save(wid, {"id": a["id"], "what": "x", "who_org": "y", "due": "bald"})
    assert err.value.code == "invalid_date"
    assert core.ledger.of_workshop(wid)[0]["due"] == "2026-05-15"
    with pytest.raises(ActionError) as err:
        core.ledger.save(wid, {"what": "x", "who_org": "y", "session_id": "nope"})
    assert err.value.code == "unknown_session"
    core.ledger.delete(wid, a["id"])
    assert core.ledger.of_workshop(wid) == []


def test_delete_workshop_erases_everything(core, workshop):
    wid = workshop["id"]
    core.workshops.add_session(wid, "fishbowl", {"topic": "T"})
    core.people.join(wid, {"name": "D"})
    core.ledger.save(wid, {"what": "x", "who_org": "y"})
    core.workshops.delete(wid)
    for table in ("workshops", "sessions", "participants", "agreements"):
        assert [d for d in core.store.all(table) if d.get("workshop_id", d.get("id")) == wid] == []
