"""HTTP pages: facilitator access, forms, joining, projector, handout, minutes."""

from __future__ import annotations

import re


def test_facilitator_pages_need_the_secret_link(client, app, workshop):
    assert client.get("/facilitator/").status_code == 403
    assert client.get(f"/facilitator/w/{workshop['id']}").status_code == 403
    assert client.get("/f/not-the-token").status_code == 403
    assert client.post("/facilitator/workshops", data={"title": "Hack"}).status_code == 403
    assert client.get(f"/f/{app.config['FACILITATOR_TOKEN']}").status_code == 302
    assert client.get("/facilitator/").status_code == 200


def test_create_workshop_and_add_sessions_through_forms(fac, core, csrf_token):
    token = csrf_token(fac, "/facilitator/")
    response = fac.post("/facilitator/workshops", data={
        "title": "Netzwerktreffen", "date": "2026-04-27", "place": "Kreishaus", "organiser": "Landkreis",
        "language": "de", "privacy": "anonymous", "csrf_token": token})
    assert response.status_code == 302
    workshop = core.workshops.all()[0]
    assert workshop["privacy"] == "anonymous"
    dashboard = fac.get(response.headers["Location"])
    assert dashboard.status_code == 200 and workshop["join_code"].encode() in dashboard.data
    form = fac.get(f"/facilitator/w/{workshop['id']}/sessions/new/dotvoting")
    assert form.status_code == 200 and b'name="question"' in form.data
    bad = fac.post(f"/facilitator/w/{workshop['id']}/sessions/new/dotvoting",
                   data={"question": "", "dots_per_participant": "99", "csrf_token": token})
    assert bad.status_code == 400 and b"field-error" in bad.data
    assert core.workshops.sessions(workshop["id"]) == []
    ok = fac.post(f"/facilitator/w/{workshop['id']}/sessions/new/dotvoting",
                  data={"title": "Prioritäten", "question": "Was zuerst?", "dots_per_participant": "5",
                        "max_per_option": "2", "csrf_token": token})
    assert ok.status_code == 302
    [session] = core.workshops.sessions(workshop["id"])
    assert session["config"]["dots_per_participant"] == 5 and session["title"] == "Prioritäten"
    assert fac.get(f"/facilitator/w/{workshop['id']}/sessions/new/nomethod").status_code == 404
    edit = fac.post(f"/facilitator/w/{workshop['id']}/sessions/{session['id']}/edit",
                    data={"title": "Neu", "question": "Was zuerst?", "dots_per_participant": "4",
                          "max_per_option": "2", "csrf_token": token})
    assert edit.status_code == 302 and core.workshops.sessions(workshop["id"])[0]["config"]["dots_per_participant"] == 4


def test_cross_site_form_posts_are_refused(fac, core, csrf_token):
    # Refused for its Origin even with a valid token (the second line behind the token).
    response = fac.post("/facilitator/workshops", data={"title": "X", "csrf_token": csrf_token(fac)},
                        headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    assert core.workshops.all() == []


def test_join_form_sets_identity_and_shows_live_page(client, core, workshop, csrf_token):
    page = client.get(f"/j/{workshop['join_code']}")
    assert page.status_code == 200 and b'name="name"' in page.data
    token = csrf_token(client, f"/j/{workshop['join_code']}")
    missing = client.post(f"/j/{workshop['join_code']}", data={"org_type": "mso", "csrf_token": token})
    assert missing.status_code == 400 and core.people.of_workshop(workshop["id"]) == []
    joined = client.post(f"/j/{workshop['join_code']}", data={"name": "Jana", "organisation": "Tafel",
                                                              "org_type": "volunteers", "language": "en",
                                                              "csrf_token": token})
    assert joined.status_code == 302
    live = client.get(f"/j/{workshop['join_code']}")
    [participant] = core.people.of_workshop(workshop["id"])
    assert b'id="live"' in live.data and participant["token"].encode() in live.data
    assert b"My language" in live.data  # the page speaks the participant's language


def test_json_join_and_resume(client, app, core, workshop):
    reply = client.post(f"/j/{workshop['join_code']}", json={"name": "Omar", "org_type": "mso"})
    assert reply.status_code == 200 and reply.json["ok"] and reply.json["token"]
    bad = client.post(f"/j/{workshop['join_code']}", json={"name": "x" * 61})
    assert bad.status_code == 400 and bad.json["error"]["code"] == "too_long"
    unknown = client.post("/j/NOPE99", json={"name": "Omar"})
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "unknown_workshop"
    fresh = app.test_client()  # cookie lost, token kept in local storage
    assert fresh.post(f"/j/{workshop['join_code']}/resume", json={"token": reply.json["token"]}).json["ok"]
    assert b'id="live"' in fresh.get(f"/j/{workshop['join_code']}").data
    assert fresh.post(f"/j/{workshop['join_code']}/resume", json={"token": "forged"}).status_code == 400


def test_landing_page_redirects_codes(client, workshop):
    response = client.get("/?code=" + workshop["join_code"].lower())
    assert response.status_code == 302 and response.headers["Location"].endswith(workshop["join_code"])
    assert client.get("/j/NOPE99").status_code == 404


def test_projector_needs_its_key_and_shows_qr(client, workshop):
    assert client.get(f"/p/{workshop['id']}").status_code == 404
    assert client.get(f"/p/{workshop['id']}?key=wrong").status_code == 404
    page = client.get(f"/p/{workshop['id']}?key={workshop['projector_key']}")
    assert page.status_code == 200 and workshop["join_code"].encode() in page.data
    svg = client.get(f"/qr/{workshop['join_code']}.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_handout_and_minutes_downloads(fac, core, workshop):
    handout = fac.get(f"/facilitator/w/{workshop['id']}/handout")
    assert handout.status_code == 200 and handout.data.count(workshop["join_code"].encode()) >= 4
    md = fac.get(f"/facilitator/w/{workshop['id']}/minutes.md")
    assert md.status_code == 200 and md.mimetype == "text/markdown"
    assert "attachment" in md.headers["Content-Disposition"] and ".md" in md.headers["Content-Disposition"]
    assert "# Runder Tisch Integration" in md.get_data(as_text=True)
    html = fac.get(f"/facilitator/w/{workshop['id']}/minutes")
    assert html.status_code == 200 and b"<h1>Runder Tisch Integration</h1>" in html.data


def test_pages_load_nothing_from_the_internet(fac, client, workshop):
    pages = [fac.get("/facilitator/"), fac.get(f"/facilitator/w/{workshop['id']}"),
             client.get(f"/j/{workshop['join_code']}"),
             client.get(f"/p/{workshop['id']}?key={workshop['projector_key']}")]
    for page in pages:
        urls = re.findall(rb'(?:src|href)="([^"]+)"', page.data)
        assert urls
        assert all(not u.startswith((b"http:", b"https:", b"//")) for u in urls), urls


def test_bundled_assets_are_served(client):
    for path in ("/static/js/socket.io.min.js", "/static/js/idiomorph.min.js", "/static/js/live.js",
                 "/static/css/app.css"):
        assert client.get(path).status_code == 200, path


def test_join_with_a_body_that_is_not_an_object(client, core, workshop):
    for body in ("[1, 2]", "not json"):
        reply = client.post(f"/j/{workshop['join_code']}", data=body, content_type="application/json")
        assert reply.status_code == 400 and reply.json["error"]["code"] == "invalid"
    assert core.people.of_workshop(workshop["id"]) == []
