"""The set-up API: a script creates and configures workshops and sessions with the
facilitator token as bearer token (no cookie, no CSRF token); bad input is a clear error."""

from __future__ import annotations

import pytest


@pytest.fixture
def api(app, client):
    """``api(method, path, json=None)``: a request with the facilitator's bearer token."""

    def call(method: str, path: str, json=None, token: str | None = None, **kwargs):
        headers = {"Authorization": f"Bearer {token or app.config['FACILITATOR_TOKEN']}",
                   "Accept-Language": "en"}
        return client.open(f"/api/v1{path}", method=method, json=json, headers=headers, **kwargs)

    return call


SERIES = [
    {"title": "Runder Tisch Integration 1/3", "date": "2026-04-14", "place": "Rathaus", "language": "de",
     "sessions": [{"method": "fishbowl", "title": "Aktuelle Stunde", "topic": "Wohnen"},
                  {"method": "dotvoting", "title": "Prioritäten", "question": "Was zuerst?",
                   "options": ["Bildung", "Arbeit", "Wohnen"]}]},
    {"title": "Runder Tisch Integration 2/3", "date": "2026-06-09", "privacy": "anonymous"},
]


def test_a_script_prepares_a_series_of_round_tables(api, core):
    made = []
    for workshop in SERIES:
        response = api("POST", "/workshops", json=workshop)
        assert response.status_code == 201, response.json
        made.append(response.json["workshop"])
    first = core.workshops.get(made[0]["id"])
    assert first["date"] == "2026-04-14" and first["privacy"] == "named"
    sessions = core.workshops.sessions(first["id"])
    assert [(s["method"], s["title"]) for s in sessions] == [("fishbowl", "Aktuelle Stunde"), ("dotvoting", "Prioritäten")]
    assert sessions[1]["config"]["options"] == ["Bildung", "Arbeit", "Wohnen"]
    assert core.workshops.get(made[1]["id"])["privacy"] == "anonymous"
    listed = api("GET", "/workshops").json["workshops"]
    assert {w["id"] for w in listed} == {w["id"] for w in made}
    # add, configure, move and delete sessions afterwards
    wid = made[1]["id"]
    added = api("POST", f"/workshops/{wid}/sessions", json={"method": "dotvoting", "question": "Welche Termine?",
                                                            "options": "Mai\nJuni"})
    assert added.status_code == 201
    sid = added.json["session"]["id"]
    second = api("POST", f"/workshops/{wid}/sessions", json={"method": "fishbowl", "topic": "Sprache"}).json["session"]
    changed = api("PATCH", f"/workshops/{wid}/sessions/{sid}", json={"title": "Termine"})
    assert changed.status_code == 200 and changed.json["session"]["title"] == "Termine"
    assert core.workshops.session(wid, sid)["config"]["options"] == ["Mai", "Juni"]  # omitted fields stay
    moved = api("POST", f"/workshops/{wid}/sessions/{second['id']}/move", json={"position": 0})
    assert [s["id"] for s in moved.json["workshop"]["sessions"]] == [second["id"], sid]
    assert api("PATCH", f"/workshops/{wid}", json={"place": "Kreishaus"}).json["workshop"]["place"] == "Kreishaus"
    assert core.workshops.get(wid)["title"] == "Runder Tisch Integration 2/3"
    assert api("DELETE", f"/workshops/{wid}/sessions/{sid}").json == {"ok": True}
    assert api("DELETE", f"/workshops/{wid}").json == {"ok": True}
    assert not core.workshops.exists(wid)
    methods = {m["slug"] for m in api("GET", "/methods").json["methods"]}
    assert {"fishbowl", "dotvoting"} <= methods


def test_without_the_token_nothing_happens(api, client, core):
    assert api("POST", "/workshops", json={"title": "X"}, token="wrong").status_code == 401
    assert client.post("/api/v1/workshops", json={"title": "X"}).status_code == 401
    # the facilitator's cookie does not count here (so no cross-site request can use it)
    assert core.workshops.all() == []


def test_cookie_of_the_facilitator_does_not_authorise(fac, core):
    assert fac.post("/api/v1/workshops", json={"title": "X"}).status_code == 401
    assert core.workshops.all() == []


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"date": "2026-04-14"}, 400, "required"),
    ({"title": "x" * 500}, 400, "too_long"),
    ({"title": "T", "date": "14.04.2026"}, 400, "invalid_date"),
    ({"title": "T", "privacy": "secret"}, 400, "invalid_choice"),
    ({"title": "T", "sessions": [{"method": "nope"}]}, 404, "unknown_method"),
    ({"title": "T", "sessions": "fishbowl"}, 400, "invalid"),
    ({"title": "T", "sessions": [{"method": "dotvoting", "question": "", "options": ["a"]}]}, 400, "invalid_config"),
    ([1, 2], 400, "invalid"),
])
def test_bad_input_is_a_clear_error_and_changes_nothing(api, core, payload, status, code):
    response = api("POST", "/workshops", json=payload)
    assert response.status_code == status, response.json
    assert response.json["ok"] is False and response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert core.workshops.all() == []


def test_bad_session_and_unknown_ids(api, core, workshop):
    wid = workshop["id"]
    refused = api("POST", f"/workshops/{wid}/sessions", json={"method": "dotvoting", "options": "A"})
    assert refused.status_code == 400 and "fields" in refused.json["error"]
    assert core.workshops.sessions(wid) == []
    assert api("GET", "/workshops/nope").status_code == 404
    assert api("POST", "/workshops/nope/sessions", json={"method": "fishbowl"}).json["error"]["code"] == "unknown_workshop"
    assert api("PATCH", f"/workshops/{wid}/sessions/nope", json={}).status_code == 404
    assert api("POST", f"/workshops/{wid}/sessions", data="title=x",
               content_type="application/x-www-form-urlencoded").status_code == 415


def test_a_running_workshop_cannot_be_deleted(api, core, workshop):
    session = core.workshops.add_session(workshop["id"], "fishbowl", {"topic": "X"})
    core.engine.activate_session(workshop["id"], session["id"])
    response = api("DELETE", f"/workshops/{workshop['id']}")
    assert response.status_code == 409 and response.json["error"]["code"] == "workshop_running"
    assert core.workshops.exists(workshop["id"])
