"""The Socket.IO transport: authorisation, validation, replies and live views."""

from __future__ import annotations


def views(client) -> list[dict]:
    """The ``view`` payloads a test client has received since the last call."""
    return [e["args"][0] for e in client.get_received() if e["name"] == "view"]


def dot_session(core, workshop):
    """An active dot-voting session with three prepared options."""
    s = core.workshops.add_session(workshop["id"], "dotvoting",
                         {"question": "Was zuerst?", "options": "Bildung\nArbeit\nWohnen", "skip_collect": True})
    return s


def test_connect_requires_valid_credentials(sio, workshop, app):
    assert not sio("participant", token="forged").is_connected()
    assert not sio("projector", workshop, key="wrong").is_connected()
    assert not sio("facilitator", workshop, token="wrong").is_connected()
    assert not sio("king", workshop).is_connected()
    assert sio("projector", workshop).is_connected()
    assert sio("facilitator", workshop).is_connected()


def test_every_role_gets_a_view_on_connect(sio, core, workshop):
    p = core.people.join(workshop["id"], {"name": "Ana"})
    for client in (sio("facilitator", workshop), sio("projector", workshop), sio("participant", token=p["token"])):
        received = views(client)
        assert received and received[-1]["workshop"]["id"] == workshop["id"]
        assert received[-1]["session"] is None
        assert received[-1]["html"]


def test_participant_view_follows_active_session(sio, core, workshop):
    s1 = dot_session(core, workshop)
    s2 = core.workshops.add_session(workshop["id"], "fishbowl", {"topic": "Ehrenamt"})
    p = core.people.join(workshop["id"], {"name": "Ana"})
    phone, fac, beamer = sio("participant", token=p["token"]), sio("facilitator", workshop), sio("projector", workshop)
    for c in (phone, fac, beamer):
        views(c)
    assert fac.emit("session.activate", {"session_id": s1["id"]}, callback=True) == {"ok": True}
    for c in (phone, fac, beamer):
        last = views(c)[-1]
        assert last["session"]["id"] == s1["id"]
        assert "Was zuerst?" in last["html"]
    fac.emit("session.activate", {"session_id": s2["id"]}, callback=True)
    assert views(phone)[-1]["session"]["method"] == "fishbowl"
    fac.emit("session.activate", {"session_id": None}, callback=True)
    assert views(phone)[-1]["session"] is None


def test_facilitator_events_are_refused_to_other_roles(sio, core, workshop):
    s = dot_session(core, workshop)
    p = core.people.join(workshop["id"], {"name": "Ana"})
    phone, beamer = sio("participant", token=p["token"]), sio("projector", workshop)
    for client in (phone, beamer):
        for event, data in [("session.activate", {"session_id": s["id"]}),
                            ("participant.remove", {"participant_id": p["id"]}),
                            ("agreement.save", {"what": "x", "who_org": "y"})]:
            reply = client.emit(event, data, callback=True)
            assert reply["ok"] is False and reply["error"]["code"] == "forbidden"
    assert core.workshops.get(workshop["id"])["active_session_id"] is None
    assert core.ledger.of_workshop(workshop["id"]) == []
    reply = beamer.emit("action", {"session_id": s["id"], "action": "set_dots", "payload": {}, "action_id": "1"},
                        callback=True)
    assert reply["error"]["code"] == "forbidden"


def test_malformed_events_get_clear_errors_and_change_nothing(sio, core, workshop):
    s = dot_session(core, workshop)
    fac = sio("facilitator", workshop)
    fac.emit("session.activate", {"session_id": s["id"]}, callback=True)
    p = core.people.join(workshop["id"], {"name": "Ana"})
    phone = sio("participant", token=p["token"])
    state = core.workshops.session(workshop["id"], s["id"])["state"]
    for data in ["text", 42, None, ["list"], {"session_id": s["id"]},
                 {"session_id": "nope", "action": "set_dots", "payload": {}, "action_id": "1"},
                 {"session_id": s["id"], "action": "set_dots", "payload": "x", "action_id": "1"},
                 {"session_id": s["id"], "action": "set_dots", "payload": {"option": "o1", "count": -1},
                  "action_id": "2"},
                 {"session_id": s["id"], "action": "set_dots", "payload": {"option": "o1", "count": 1.5},
                  "action_id": "3"}]:
        reply = phone.emit("action", data, callback=True)
        assert reply["ok"] is False, data
        assert reply["error"]["code"] and reply["error"]["message"], data
    assert core.workshops.session(workshop["id"], s["id"])["state"] == state
    reply = fac.emit("session.move", {"session_id": s["id"], "position": "first"}, callback=True)
    assert reply["error"]["code"] == "invalid"
    reply = fac.emit("agreement.save", {"what": "x" * 600, "who_org": "y"}, callback=True)
    assert reply["error"]["code"] == "too_long"


def test_retried_action_counts_once_and_acks_are_identical(sio, core, workshop):
    s = dot_session(core, workshop)
    sio("facilitator", workshop).emit("session.activate", {"session_id": s["id"]}, callback=True)
    p = core.people.join(workshop["id"], {"name": "Ana"})
    phone = sio("participant", token=p["token"])
    option = views(phone)[-1]["data"]["options"][0]["id"]
    message = {"session_id": s["id"], "action": "set_dots", "payload": {"option": option, "count": 1},
               "action_id": "tap-1"}
    first = phone.emit("action", message, callback=True)
    # a second tab of the same person retries the same message after a reconnect
    second_tab = sio("participant", token=p["token"])
    again = second_tab.emit("action", message, callback=True)
    assert first["ok"] and again == first
    assert views(second_tab)[-1]["data"]["dots_used"] == 1


def test_views_are_sent_only_when_they_change(sio, core, workshop):
    s = dot_session(core, workshop)
    fac = sio("facilitator", workshop)
    fac.emit("session.activate", {"session_id": s["id"]}, callback=True)
    a, b = core.people.join(workshop["id"], {"name": "A"}), core.people.join(workshop["id"], {"name": "B"})
    phone_a, phone_b = sio("participant", token=a["token"]), sio("participant", token=b["token"])
    option = views(phone_a)[-1]["data"]["options"][0]["id"]
    views(phone_b)
    phone_a.emit("action", {"session_id": s["id"], "action": "set_dots", "payload": {"option": option, "count": 1},
                            "action_id": "1"}, callback=True)
    assert views(phone_a)  # A sees their own dot
    assert views(phone_b) == []  # B's view did not change (results hidden): nothing sent


def test_remove_participant_disconnects_their_phones(sio, core, workshop):
    p = core.people.join(workshop["id"], {"name": "Ana"})
    phone, fac = sio("participant", token=p["token"]), sio("facilitator", workshop)
    assert fac.emit("participant.remove", {"participant_id": p["id"]}, callback=True) == {"ok": True}
    assert not phone.is_connected()
    assert not sio("participant", token=p["token"]).is_connected()
    reply = fac.emit("participant.remove", {"participant_id": "nobody"}, callback=True)
    assert reply["error"]["code"] == "unknown_participant"


def test_participant_language_is_their_own(sio, core, workshop):
    s = dot_session(core, workshop)
    sio("facilitator", workshop).emit("session.activate", {"session_id": s["id"]}, callback=True)
    p = core.people.join(workshop["id"], {"name": "Ana", "language": "en"})
    phone = sio("participant", token=p["token"])
    html_en = views(phone)[-1]["html"]
    assert phone.emit("language", {"language": "de"}, callback=True) == {"ok": True}
    html_de = views(phone)[-1]["html"]
    assert html_en != html_de
    assert core.people.get(workshop["id"], p["id"])["language"] == "de"
    assert phone.emit("language", {"language": "xx"}, callback=True)["error"]["code"] == "invalid_choice"


def test_agreements_over_socket(sio, core, workshop):
    fac = sio("facilitator", workshop)
    reply = fac.emit("agreement.save", {"what": "Dolmetscherpool aufbauen", "who_person": "Herr O.",
                                        "who_org": "Caritas", "due": "2026-09-30"}, callback=True)
    assert reply["ok"] and reply["agreement"]["id"]
    assert "Dolmetscherpool" in views(fac)[-1]["html"]
    reply = fac.emit("agreement.delete", {"id": reply["agreement"]["id"]}, callback=True)
    assert reply == {"ok": True} and core.ledger.of_workshop(workshop["id"]) == []


def test_unknown_events_are_answered(sio, workshop):
    reply = sio("projector", workshop).emit("teleport", {"to": "mars"}, callback=True)
    assert reply["ok"] is False and reply["error"]["code"] == "unknown_event"


def test_an_action_id_cannot_be_reused_for_another_action(sio, core, workshop):
    s = dot_session(core, workshop)
    fac = sio("facilitator", workshop)
    fac.emit("session.activate", {"session_id": s["id"]}, callback=True)
    first = fac.emit("action", {"session_id": s["id"], "action": "close_voting", "payload": {}, "action_id": "x"},
                     callback=True)
    assert first["ok"]
    reused = fac.emit("action", {"session_id": s["id"], "action": "reveal", "payload": {}, "action_id": "x"},
                      callback=True)
    assert reused["error"]["code"] == "action_id_reused"
    assert core.workshops.session(workshop["id"], s["id"])["state"]["phase"] == "closed"


def test_structured_data_for_own_clients_and_no_names_on_the_wall(sio, core, workshop):
    s = dot_session(core, workshop)
    core.people.join(workshop["id"], {"name": "Ana", "org_type": "mso"})
    core.ledger.save(workshop["id"], {"what": "Protokoll verschicken", "who_org": "Landkreis"})
    fac_view = views(sio("facilitator", workshop))[-1]
    assert [a["id"] for a in fac_view["agenda"]] == [s["id"]]
    assert fac_view["roster"]["people"][0]["label"] == "Ana"
    assert fac_view["agreements"][0]["what"] == "Protokoll verschicken"
    wall = views(sio("projector", workshop))[-1]
    assert wall["roster"]["count"] == 1 and "people" not in wall["roster"]
    assert "Ana" not in str(wall)


def test_workshop_edits_reach_open_clients(sio, core, workshop):
    p = core.people.join(workshop["id"], {"name": "Ana"})
    phone = sio("participant", token=p["token"])
    views(phone)
    core.workshops.update(workshop["id"], {**workshop, "title": "Runder Tisch Integration 2026"})
    assert views(phone)[-1]["workshop"]["title"] == "Runder Tisch Integration 2026"
