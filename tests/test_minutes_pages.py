"""The minutes page: protocol header form, corrections, finalising, downloads; the agreement form."""

from __future__ import annotations

import re
from urllib.parse import unquote


def test_the_page_has_the_forms_and_the_draft(fac, workshop):
    page = fac.get(f"/facilitator/w/{workshop['id']}/minutes")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for name in ("start_time", "end_time", "moderator", "minute_taker", "apologies", "distribution",
                 "next_date", "next_place", "summary", "speaking_time"):
        assert f'name="{name}"' in html, name
    for fmt in ("md", "html", "pdf", "docx", "json"):
        assert f"/minutes/file.{fmt}" in html
    assert "Runder Tisch Integration" in html and "minutes-print.css" in html


def test_saving_the_protocol_puts_it_in_the_minutes(fac, core, workshop, csrf_token):
    url = f"/facilitator/w/{workshop['id']}/minutes"
    token = csrf_token(fac, url)
    response = fac.post(f"{url}/protocol", data={
        "csrf_token": token, "start_time": "09:30", "end_time": "12:15", "moderator": "Frau Ay",
        "minute_taker": "Herr Bé", "apologies": "Stadt Nord\nJobcenter", "distribution": "Alle",
        "next_date": "2026-05-04", "next_place": "Bürgerhaus", "summary": "Gute Runde."})
    assert response.status_code == 302
    text = fac.get(f"{url}.md").get_data(as_text=True)
    for wanted in ("- **Zeit:** 09:30–12:15", "- **Moderation:** Frau Ay", "- **Protokoll:** Herr Bé",
                   "**Entschuldigt:**", "- Jobcenter", "**Verteiler:**", "## Nächstes Treffen",
                   "04.05.2026", "Bürgerhaus", "## Zusammenfassung", "Gute Runde."):
        assert wanted in text, wanted


def test_a_bad_time_is_refused_and_nothing_changes(fac, core, workshop, csrf_token):
    url = f"/facilitator/w/{workshop['id']}/minutes"
    response = fac.post(f"{url}/protocol", data={"csrf_token": csrf_token(fac, url), "start_time": "25:99",
                                                  "moderator": "X"})
    assert response.status_code == 400
    assert "09:30" in response.get_data(as_text=True)
    assert "protocol" not in core.workshops.get(workshop["id"])


def test_start_and_end_come_from_the_sessions(app, core, workshop, clock):
    s = core.workshops.add_session(workshop["id"], "fishbowl", {"title": "F", "topic": "T"})
    core.engine.activate_session(workshop["id"], s["id"])
    start = clock.now
    clock.advance(3600)
    core.engine.close_session(workshop["id"], s["id"])
    from facilitator.minutes_data import clock_time, minutes_data

    with app.app_context():
        protocol = minutes_data(core, core.workshops.get(workshop["id"]))["protocol"]
    assert protocol["start_time"] == clock_time(start) and protocol["end_time"] == clock_time(start + 3600)


def test_correcting_a_section_and_going_back(fac, core, workshop, csrf_token):
    wid = workshop["id"]
    s = core.workshops.add_session(wid, "fishbowl", {"title": "Aktuelle Stunde", "topic": "Teilhabe"})
    core.engine.activate_session(wid, s["id"])
    url = f"/facilitator/w/{wid}/minutes"
    token = csrf_token(fac, url)
    assert fac.post(f"{url}/sections/{s['id']}", data={"csrf_token": token,
                                                        "text": "Korrigierter Abschnitt."}).status_code == 302
    text = fac.get(f"{url}.md").get_data(as_text=True)
    assert "Korrigierter Abschnitt." in text and "Teilhabe" not in text.split("## 1. Aktuelle Stunde")[1]
    fac.post(f"{url}/sections/{s['id']}", data={"csrf_token": token, "reset": "1"})
    assert "Teilhabe" in fac.get(f"{url}.md").get_data(as_text=True)
    assert fac.post(f"{url}/sections/nope", data={"csrf_token": token, "text": "x"}).status_code == 404


def test_finalising_makes_versions_that_stay_downloadable(fac, core, workshop, csrf_token):
    wid = workshop["id"]
    url = f"/facilitator/w/{wid}/minutes"
    token = csrf_token(fac, url)
    fac.post(f"{url}/protocol", data={"csrf_token": token, "summary": "Erste Fassung."})
    fac.post(f"{url}/finalise", data={"csrf_token": token})
    fac.post(f"{url}/protocol", data={"csrf_token": token, "summary": "Zweite Fassung."})
    page = fac.get(url).get_data(as_text=True)
    assert "Geändert seit Version 1" in page and "Als Version 2 abschließen" in page
    fac.post(f"{url}/finalise", data={"csrf_token": token})
    first = fac.get(f"{url}/file.md?version=1")
    second = fac.get(f"{url}/file.md?version=2")
    assert "Erste Fassung." in first.get_data(as_text=True)
    assert "Zweite Fassung." in second.get_data(as_text=True)
    disposition = first.headers["Content-Disposition"]
    assert "-v1.md" in unquote(disposition)
    assert len(core.workshops.get(wid)["minutes_versions"]) == 2


def test_downloads_keep_umlauts_in_the_file_name(fac, core):
    w = core.workshops.create({"title": "Öffentlichkeit", "date": "2026-03-31", "language": "de"})
    response = fac.get(f"/facilitator/w/{w['id']}/minutes/file.docx")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert 'filename="2026-03-31-oeffentlichkeit.docx"' in disposition
    assert re.search(r"filename\*=UTF-8''2026-03-31-%C3%B6ffentlichkeit\.docx", disposition)


def test_a_recorded_agreement_without_session_belongs_to_none(core, workshop, sio):
    s = core.workshops.add_session(workshop["id"], "fishbowl", {"title": "F", "topic": "T"})
    core.engine.activate_session(workshop["id"], s["id"])
    client = sio("facilitator", workshop)
    reply = client.emit("agreement.save", {"what": "X", "who_org": "Amt", "session_id": ""}, callback=True)
    assert reply["ok"] and reply["agreement"]["session_id"] is None
