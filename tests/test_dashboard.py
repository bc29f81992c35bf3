"""The facilitator's screens: one state per session, pseudonyms in anonymous mode, the
agreement form's session choice, feedback on every control, the handout's cards and
Wi-Fi line, the fishbowl's panel rows and its open chairs."""

from __future__ import annotations

import re

import pytest
from facilitator_plugins.fishbowl import openchair
from facilitator_plugins.fishbowl.people import parse_panel

from facilitator.pages_facilitator import rows_as_lines
from facilitator.render import SESSION_STATES, session_state


def views(client) -> list[dict]:
    """The ``view`` payloads a Socket.IO test client has received since the last call."""
    return [e["args"][0] for e in client.get_received() if e["name"] == "view"]


def dashboard(sio, workshop):
    """The facilitator's live connection (English), its first view already read."""
    client = sio("facilitator", workshop, language="en")
    views(client)
    return client


def agenda_item(html: str, title: str) -> str:
    """The ``<li class="agenda-item …">`` of the session ``title`` in the dashboard HTML."""
    for item in re.findall(r'<li class="agenda-item.*?</li>', html, re.DOTALL):
        if f'<strong class="agenda-title">{title}</strong>' in item:
            return item
    raise AssertionError(f"no agenda item {title!r}")


def badge(html: str) -> str:
    """The text of the first session-state badge in ``html``."""
    match = re.search(r'<span class="badge state state-(\w+)">([^<]*)</span>', html)
    assert match, html
    return match.group(2)


# -- one state per session ------------------------------------------------------------


@pytest.mark.parametrize("record, expected", [
    ({"status": "pending"}, "not_started"),
    ({"status": "pending", "started": True}, "paused"),
    ({"status": "active", "started": True}, "running"),
    ({"status": "closed", "started": True}, "finished"),
    ({"status": "closed"}, "finished"),  # closed from the agenda before it ever ran
])
def test_session_state_from_the_core_record(record, expected):
    assert session_state(record) == expected
    assert expected in SESSION_STATES


def test_agenda_and_panel_show_the_same_state_through_the_lifecycle(sio, core, workshop):
    wid = workshop["id"]
    vote = core.workshops.add_session(wid, "dotvoting", {"title": "Vote", "question": "Q?"})
    talk = core.workshops.add_session(wid, "fishbowl", {"title": "Talk", "topic": "T"})
    fac = dashboard(sio, workshop)

    def states() -> dict[str, str]:
        view = views(fac)[-1]
        return {s["title"]: s["state"] for s in view["agenda"]}, view

    fac.emit("session.activate", {"session_id": vote["id"]}, callback=True)
    agenda, view = states()
    assert agenda == {"Vote": "running", "Talk": "not_started"}
    assert view["session"]["state"] == "running"
    assert badge(agenda_item(view["html"], "Vote")) == "Running"
    panel = view["html"].split('class="card stack dash-session"', 1)[1]
    assert badge(panel) == "Running" and 'data-event="session.close"' in panel
    assert ">Start</button>" in agenda_item(view["html"], "Talk")

    # Starting another session: the first is paused (resumable), not "waiting" again.
    fac.emit("session.activate", {"session_id": talk["id"]}, callback=True)
    agenda, view = states()
    assert agenda == {"Vote": "paused", "Talk": "running"}
    item = agenda_item(view["html"], "Vote")
    assert badge(item) == "Paused" and ">Resume</button>" in item and "Finish session" in item

    # Finished stays finished when another session starts; reopening makes it run again.
    fac.emit("session.close", {"session_id": vote["id"]}, callback=True)
    fac.emit("session.activate", {"session_id": None}, callback=True)
    agenda, view = states()
    assert agenda == {"Vote": "finished", "Talk": "paused"}
    assert ">Reopen</button>" in agenda_item(view["html"], "Vote")
    fac.emit("session.activate", {"session_id": talk["id"]}, callback=True)
    assert states()[0]["Vote"] == "finished"


def test_the_fishbowl_has_one_start_and_one_end(sio, core, workshop):
    """Its own buttons start, pause and resume the discussion; ending it is the agenda's
    "Finish session" (session.close), which ends a running fishbowl."""
    talk = core.workshops.add_session(workshop["id"], "fishbowl", {"title": "Talk", "topic": "T"})
    fac = dashboard(sio, workshop)
    fac.emit("session.activate", {"session_id": talk["id"]}, callback=True)
    html = views(fac)[-1]["html"]
    panel = html.split('class="card stack dash-session"', 1)[1]
    assert "Start the discussion" in panel and 'data-action="end"' not in panel
    assert ">Start<" not in panel  # the agenda's Start is the only plain "Start"
    fac.emit("action", {"session_id": talk["id"], "action": "start", "payload": {}, "action_id": "a1"},
             callback=True)
    panel = views(fac)[-1]["html"].split('class="card stack dash-session"', 1)[1]
    assert "Discussion running" in panel and "Finish session" in panel
    assert fac.emit("session.close", {"session_id": talk["id"]}, callback=True) == {"ok": True}
    view = views(fac)[-1]
    assert view["data"]["phase"] == "ended" and view["session"]["state"] == "finished"
    panel = view["html"].split('class="card stack dash-session"', 1)[1]
    assert "Discussion ended" in panel and "data-action" not in panel


def test_every_dashboard_control_confirms_itself(sio, core, workshop):
    """Each button and form that changes something carries a ``data-done`` text (live.js
    says it in the message area once the server acknowledged)."""
    core.workshops.add_session(workshop["id"], "dotvoting", {"title": "Vote", "question": "Q?"})
    core.people.join(workshop["id"], {"name": "Ana"})
    core.ledger.save(workshop["id"], {"what": "Flyer", "who_org": "Caritas"})
    fac = dashboard(sio, workshop)
    fac.emit("session.activate", {"session_id": core.workshops.sessions(workshop["id"])[0]["id"]},
             callback=True)
    html = views(fac)[-1]["html"]
    controls = re.findall(r"<(?:button|form)\b[^>]*data-(?:event|action)=[^>]*>", html)
    assert len(controls) >= 10
    silent = [c for c in controls if "data-done=" not in c and "session.move" not in c]
    assert silent == []


# -- anonymous mode: stable pseudonyms ------------------------------------------------------


def test_participants_get_the_next_free_number_of_their_workshop(core, workshop):
    other = core.workshops.create({"title": "Other", "language": "en"})
    first = core.people.join(workshop["id"], {"name": "A"})
    second = core.people.join(workshop["id"], {"name": "B"})
    elsewhere = core.people.join(other["id"], {"name": "C"})
    core.engine.remove_participant(workshop["id"], second["id"])
    third = core.people.join(workshop["id"], {"name": "D"})
    assert [first["number"], second["number"], third["number"]] == [1, 2, 3]  # never given twice
    assert elsewhere["number"] == 1


def test_anonymous_labels_are_stable_pseudonyms(app, core):
    anon = core.workshops.create({"title": "Anonym", "privacy": "anonymous", "language": "en"})
    welfare = [core.people.join(anon["id"], {"org_type": "welfare"}) for _ in range(2)]
    other = core.people.join(anon["id"], {})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert [core.people.label(anon, p) for p in welfare] == [
            "Welfare association · 1", "Welfare association · 2"]
        assert core.people.label(anon, other) == "Participant 3"
        assert core.people.label(anon, {"org_type": "mso"}) == "Migrant organisation (MSO)"  # older records
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert core.people.label(anon, other) == "Teilnehmer/in 3"


def test_anonymous_fishbowl_shows_pseudonyms_and_each_type_once(sio, core):
    anon = core.workshops.create({"title": "Anonym", "privacy": "anonymous", "language": "en"})
    talk = core.workshops.add_session(anon["id"], "fishbowl", {"topic": "T"})
    people = [core.people.join(anon["id"], {"org_type": "welfare"}) for _ in range(2)]
    core.engine.activate_session(anon["id"], talk["id"])
    phones = [sio("participant", token=p["token"]) for p in people]
    for phone in phones:
        phone.emit("action", {"session_id": talk["id"], "action": "request_chair", "payload": {},
                              "action_id": "r1"}, callback=True)
    fac = sio("facilitator", anon, language="en")
    view = views(fac)[-1]
    labels = [c["label"] for c in view["data"]["chairs"] if not c["empty"]]
    assert labels == ["Welfare association · 1", "Welfare association · 2"]
    circle = view["html"].split("fb-chair-list", 1)[1].split("</ul>", 1)[0]
    assert '<span class="muted small">Welfare association</span>' not in circle  # not repeated
    people = view["html"].split('id="d-people"', 1)[1].split("</details>", 1)[0]
    assert "Welfare association · 1" in people and "Welfare association · 2" in people


# -- recording an agreement: which session, or none ------------------------------------------


def test_the_agreement_form_asks_for_the_session(sio, core, workshop):
    vote = core.workshops.add_session(workshop["id"], "dotvoting", {"title": "Vote", "question": "Q?"})
    fac = dashboard(sio, workshop)
    fac.emit("session.activate", {"session_id": vote["id"]}, callback=True)
    html = views(fac)[-1]["html"]
    form = html.split('id="d-new-agreement"', 1)[1]
    assert 'name="session_id"' in form and "Which session does it belong to?" in form
    assert f'<option value="{vote["id"]}" selected>Vote</option>' in form  # visible, changeable
    assert '<option value="">None: the workshop as a whole</option>' in form

    none = fac.emit("agreement.save", {"session_id": "", "what": "Newsletter", "who_org": "Stadt"},
                    callback=True)
    tied = fac.emit("agreement.save", {"session_id": vote["id"], "what": "Flyer", "who_person": "Ana",
                                       "due": "2026-05-31"}, callback=True)
    assert none["agreement"]["session_id"] is None and tied["agreement"]["session_id"] == vote["id"]
    html = views(fac)[-1]["html"]
    assert "The workshop as a whole" in html and "Session: Vote" in html
    assert "Responsible: Ana, by 2026-05-31" in html
    bad = fac.emit("agreement.save", {"session_id": "sNOPE", "what": "X", "who_org": "Y"}, callback=True)
    assert bad["error"]["code"] == "unknown_session"


def test_editing_an_agreement_keeps_who_follows_up(sio, core, workshop):
    core.ledger.save(workshop["id"], {"what": "Flyer", "who_org": "Caritas", "follow_up": "Jana"})
    html = views(sio("facilitator", workshop, language="en"))[-1]["html"]
    assert 'name="follow_up"' in html and 'value="Jana"' in html
    assert "followed up by Jana" in html


def test_german_dates_on_the_dashboard(sio, core, workshop):
    core.ledger.save(workshop["id"], {"what": "Flyer", "who_org": "Caritas", "due": "2026-05-31"})
    fac = sio("facilitator", workshop, language="de")
    assert "bis 31.05.2026" in views(fac)[-1]["html"]


def test_plain_words_when_nobody_is_there(sio, workshop):
    html = views(sio("facilitator", workshop, language="de"))[-1]["html"]
    assert "Noch niemand ist dabei." in html and "0 Personen" not in html


# -- the handout ---------------------------------------------------------------------------------


def test_handout_fills_whole_pages_with_cards(fac, workshop):
    page = fac.get(f"/facilitator/w/{workshop['id']}/handout").get_data(as_text=True)
    assert page.count('class="handout-card"') == 8 and page.count('class="handout-sheet"') == 1
    assert "onclick" not in page and "data-print" in page
    two = fac.get(f"/facilitator/w/{workshop['id']}/handout?pages=2").get_data(as_text=True)
    assert two.count('class="handout-card"') == 16 and two.count('class="handout-sheet"') == 2
    silly = fac.get(f"/facilitator/w/{workshop['id']}/handout?pages=lots").get_data(as_text=True)
    assert silly.count('class="handout-card"') == 8


def test_handout_never_breaks_the_join_code(fac, workshop):
    page = fac.get(f"/facilitator/w/{workshop['id']}/handout").get_data(as_text=True)
    code = workshop["join_code"]
    assert f'/<wbr><span class="handout-code-part">j/{code}</span></p>' in page  # breaks only before j/


def test_handout_prints_the_wifi_line_and_stores_nothing(fac, core, workshop):
    before = {name: core.store.all(name) for name in ("workshops", "settings")}
    url = f"/facilitator/w/{workshop['id']}/handout?wifi=Rathaus-Gast&password=Willkommen%3C2026"
    page = fac.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.count("Wi-Fi: Rathaus-Gast") == 8
    assert page.count("Password: Willkommen&lt;2026") == 8
    assert 'value="Rathaus-Gast"' in page  # the form shows what will be printed
    assert {name: core.store.all(name) for name in ("workshops", "settings")} == before
    assert "Wi-Fi:" not in fac.get(f"/facilitator/w/{workshop['id']}/handout").get_data(as_text=True)
    long = fac.get(f"/facilitator/w/{workshop['id']}/handout?wifi={'x' * 100}").get_data(as_text=True)
    assert "x" * 64 in long and "x" * 65 not in long


# -- forms: the fishbowl's panel rows, open chairs -------------------------------------------


def test_panel_rows_become_lines_and_types_are_choices(fac, core, workshop, csrf_token):
    wid = workshop["id"]
    form = fac.get(f"/facilitator/w/{wid}/sessions/new/fishbowl", headers={"Accept-Language": "de"})
    text = form.get_data(as_text=True)
    assert 'name="panel[org_type]"' in text and ">Wohlfahrtsverband</option>" in text
    token = csrf_token(fac, f"/facilitator/w/{wid}/sessions/new/fishbowl")
    data = {"csrf_token": token, "topic": "Wohnen", "chairs": "5", "open_chairs": "1", "mode": "open",
            "panel[name]": ["Dr. Anna Schmidt", "", "Bernd Vogel"],
            "panel[organisation]": ["Caritas", "", ""],
            "panel[org_type]": ["welfare", "", "district"]}
    assert fac.post(f"/facilitator/w/{wid}/sessions/new/fishbowl", data=data).status_code == 302
    [session] = core.workshops.sessions(wid)
    assert session["config"]["panel"] == ["Dr. Anna Schmidt; Caritas; welfare", "Bernd Vogel; ; district"]
    edit = fac.get(f"/facilitator/w/{wid}/sessions/{session['id']}/edit").get_data(as_text=True)
    assert 'value="Dr. Anna Schmidt"' in edit and '<option value="district" selected>' in edit
    bad = dict(data, **{"panel[name]": ["", "x"], "panel[organisation]": ["Caritas", ""],
                        "panel[org_type]": ["", ""]})
    refused = fac.post(f"/facilitator/w/{wid}/sessions/new/fishbowl", data=bad)
    assert refused.status_code == 400 and 'value="Caritas"' in refused.get_data(as_text=True)


def test_rows_as_lines_drops_empty_rows_and_trailing_columns():
    from werkzeug.datastructures import MultiDict

    form = MultiDict([("p[a]", "Ana"), ("p[b]", ""), ("p[c]", ""), ("p[a]", ""), ("p[b]", ""),
                      ("p[c]", ""), ("p[a]", "Ben"), ("p[b]", "X"), ("p[c]", "mso")])
    assert rows_as_lines(form, "p") == "Ana\nBen; X; mso"
    assert rows_as_lines(MultiDict([("p", "typed\nlines")]), "p") is None


def test_panel_accepts_keys_of_old_configs_and_translated_labels(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        guests = parse_panel(["A; Caritas; welfare", "B; ; Wohlfahrtsverband", "C", "D;;LANDKREIS"])
        assert [g["org_type"] for g in guests] == ["welfare", "welfare", "other", "district"]
        with pytest.raises(ValueError, match="Wohlfahrtsverband"):
            parse_panel(["E; ; secret service"])


def test_open_chairs_are_the_empty_chairs_kept_for_the_audience():
    state = {"settings": {"chairs": 5, "open_chairs": 1, "mode": "open"},
             "chairs": [{"person": "g1", "seq": 1}, {"person": "g2", "seq": 2}, None, None, None]}
    assert openchair.open_chairs_free(state) == 1 and openchair.open_chair_indexes(state) == {4}
    state["chairs"][2:4] = [{"person": "p1", "seq": 3}, {"person": "p2", "seq": 4}]
    assert openchair.open_chairs_free(state) == 1 and openchair.open_chair_indexes(state) == {4}
    state["chairs"][4] = {"person": "p3", "seq": 5}
    assert openchair.open_chairs_free(state) == 0
    state["settings"]["mode"] = "closed"
    state["chairs"][4] = None
    assert openchair.open_chairs_free(state) == 0 and openchair.open_chair_indexes(state) == set()


def test_the_dashboard_tells_free_chairs_from_open_ones(sio, core, workshop):
    talk = core.workshops.add_session(workshop["id"], "fishbowl", {
        "topic": "T", "chairs": "5", "open_chairs": "1", "panel": "Anna; ; welfare\nBernd"})
    fac = dashboard(sio, workshop)
    fac.emit("session.activate", {"session_id": talk["id"]}, callback=True)
    view = views(fac)[-1]
    assert [c["open"] for c in view["data"]["chairs"]] == [False, False, False, False, True]
    assert view["data"]["open_free"] == 1 and view["data"]["free_chairs"] == 3
    circle = view["html"].split("fb-chair-list", 1)[1].split("</ul>", 1)[0]
    assert circle.count("Free chair") == 2 and circle.count("Open chair") == 1
