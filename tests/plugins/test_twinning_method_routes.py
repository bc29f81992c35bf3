"""The twinning's pages through Flask: the CSV template (public) and the handout per pair
(the facilitator, or a participant of that pair only)."""

from __future__ import annotations

import time

from facilitator_plugins.twinning import csvimport
from test_twinning_method import GROUPS, METHOD, PEOPLE, TOPICS, plan_payload

from facilitator.testing import MethodHarness


def test_template_download_is_public_and_reads_back(client):
    page = client.get("/plugins/twinning/template.csv")
    assert page.status_code == 200 and page.mimetype == "text/csv"
    assert "attachment" in page.headers["Content-Disposition"]
    found = csvimport.parse(csvimport.decode(page.data), ["Sports"], {})
    assert found["errors"] == [] and len(found["rows"]) == 1


def test_handout_for_the_facilitator_and_the_pair_only(app, core, client, fac):
    h = MethodHarness(METHOD, {"topics": TOPICS}, participants=PEOPLE, core=core)
    for who, data in GROUPS:
        h.act("register", {**data, "contact": data["contact"] + " <b>"}, by=who)
    h.act("run_matching")
    for _ in range(100):  # the app's core matches in a worker thread
        if h.state["phase"] == "review":
            break
        time.sleep(0.05)
    h.act("publish")
    for who in PEOPLE:
        h.act("respond", {"response": "confirm"}, by=who)
    h.act("start_planning")
    h.act("plan", plan_payload(h), by="amira")
    pair = next(p for p in h.state["pairs"] if h.pid("amira") in
                [h.state["groups"][g]["participant"] for g in p["members"]])
    url = f"/plugins/twinning/handout/{h.workshop_id}/{h.session_id}/{pair['key']}"
    assert client.get(url).status_code == 403
    page = fac.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Verein A" in html and "Contact of Jobcenter &lt;b&gt;" in html and "<b>" not in html
    assert "Language café at the job centre" in html
    assert "German conversation groups" in html  # why
    assert fac.get(url.replace(pair["key"], "nope")).status_code == 404

    def phone(name: str):
        browser = app.test_client()
        person = core.people.get(h.workshop_id, h.pid(name))
        browser.set_cookie(f"fp_{h.workshop_id}", person["token"])
        return browser

    assert phone("amira").get(url).status_code == 200
    assert phone("lena").get(url).status_code == 403  # another pair's handout
