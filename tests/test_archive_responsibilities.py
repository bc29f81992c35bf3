"""Responsibilities across workshops: filters, overdue marks, status updates through the
ledger, Markdown, CSV for Excel and an iCalendar file (parsed back)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from icalendar import Calendar

from facilitator import responsibilities
from tests.helpers.archive import populate

TODAY = dt.date(2026, 3, 20)  # the fake clock's day


@pytest.fixture
def org(app):
    """A browser that opened the organiser's link."""
    client = app.test_client()
    client.get(f"/o/{app.config['ORGANISER_TOKEN']}")
    return client


def _whats(rows):
    return [a["what"] for a in rows]


def test_rows_come_from_every_workshop_in_due_order(core):
    populate(core)
    rows = responsibilities.rows(core, TODAY)
    assert _whats(rows) == ["Invite employers", "Flyer Zebrastreifen übersetzen", "Räume für Sprachcafé anfragen",
                            "Send the slides"]
    assert [a["overdue"] for a in rows] == [True, True, False, False]
    assert rows[1]["workshop_title"].startswith("Runder Tisch") and rows[1]["session_title"].startswith("Aktuelle")


@pytest.mark.parametrize(("args", "expected"), [
    ({"org": "caritas"}, ["Räume für Sprachcafé anfragen"]),
    ({"person": "samir"}, ["Flyer Zebrastreifen übersetzen"]),
    ({"person": "öztürk"}, ["Räume für Sprachcafé anfragen"]),  # who follows up counts too
    ({"status": "done"}, ["Send the slides"]),
    ({"status": "in_progress"}, ["Räume für Sprachcafé anfragen"]),
    ({"due_from": "2026-01-01", "due_to": "2026-03-31"}, ["Flyer Zebrastreifen übersetzen"]),
    ({"overdue": "1"}, ["Invite employers", "Flyer Zebrastreifen übersetzen"]),
    ({"q": "SPRACHCAFÉ"}, ["Räume für Sprachcafé anfragen"]),
    ({"status": "nonsense"}, ["Invite employers", "Flyer Zebrastreifen übersetzen",
                              "Räume für Sprachcafé anfragen", "Send the slides"]),
])
def test_filters(core, args, expected):
    populate(core)
    assert _whats(responsibilities.apply_filters(responsibilities.rows(core, TODAY), args)) == expected


def test_page_marks_overdue_and_filters(core, org):
    populate(core)
    page = org.get("/archive/responsibilities?org=MSO", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Flyer Zebrastreifen übersetzen" in page and "Invite employers" not in page
    assert page.count('class="badge badge-overdue"') == 1 and "is-overdue" in page
    everything = org.get("/archive/responsibilities", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert everything.count('class="badge badge-overdue"') == 2 and "2 overdue" in everything


def test_status_update_goes_through_the_ledger(core, org, csrf_token):
    first, _second = populate(core)
    [flyer] = [a for a in core.ledger.of_workshop(first["id"]) if a["what"].startswith("Flyer")]
    token = csrf_token(org, "/archive/responsibilities")
    response = org.post(f"/archive/agreements/{flyer['id']}/status",
                        data={"csrf_token": token, "status": "done", "note": "Druckerei beauftragt",
                              "next": "/archive/responsibilities?org=MSO"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/archive/responsibilities?org=MSO")
    stored = core.ledger.find(flyer["id"])
    assert (stored["status"], stored["status_note"]) == ("done", "Druckerei beauftragt")
    assert stored["history"][-1]["status"] == "done"
    # what the next round table's review reads
    assert flyer["id"] not in [a["id"] for a in core.ledger.elsewhere("wOther")]
    page = org.get("/archive/responsibilities?org=MSO").get_data(as_text=True)
    assert "Druckerei beauftragt" in page and "badge-overdue" not in page


def test_bad_status_update_changes_nothing(core, org, csrf_token):
    first, _second = populate(core)
    flyer = core.ledger.of_workshop(first["id"])[0]
    token = csrf_token(org, "/archive/responsibilities")
    response = org.post(f"/archive/agreements/{flyer['id']}/status", data={"csrf_token": token, "status": "maybe"},
                        follow_redirects=True, headers={"Accept-Language": "en"})
    assert response.status_code == 200 and 'class="alert"' in response.get_data(as_text=True)
    assert core.ledger.find(flyer["id"]) == flyer
    assert org.post(f"/archive/agreements/{flyer['id']}/status", data={"status": "done"}).status_code == 403
    assert core.ledger.find(flyer["id"]) == flyer
    unknown = org.post("/archive/agreements/nope/status", data={"csrf_token": token, "status": "done"},
                       follow_redirects=True, headers={"Accept-Language": "en"})
    assert "There is no such agreement." in unknown.get_data(as_text=True)


def test_csv_opens_in_excel_with_umlauts(core, org):
    populate(core)
    response = org.get("/archive/responsibilities.csv?person=j%C3%BCrgen")
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel reads as "UTF-8"
    assert "Räume für Sprachcafé anfragen".encode() in data and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2 and len(rows[0]) == len(rows[1]) == 12
    assert rows[1][:5] == ["Räume für Sprachcafé anfragen", "Jürgen", "Caritas", "Frau Öztürk", "30.06.2026"]


def test_csv_cells_cannot_be_formulas(core):
    first, _second = populate(core)
    core.ledger.save(first["id"], {"what": "=HYPERLINK(\"http://x\")", "who_person": "@Bob"})
    data = responsibilities.to_csv(responsibilities.rows(core, TODAY)).decode("utf-8-sig")
    assert "'=HYPERLINK" in data and "'@Bob" in data


def test_markdown_export(core, org):
    populate(core)
    text = org.get("/archive/responsibilities.md?overdue=1").get_data(as_text=True)
    assert text.startswith("# ") and re.search(r"^\| .*Flyer Zebrastreifen übersetzen.* \|$", text, re.MULTILINE)
    assert "Invite employers" in text and "Send the slides" not in text


def test_ics_parses_back_with_due_and_review_dates(core, org):
    populate(core)
    calendar = Calendar.from_ical(org.get("/archive/responsibilities.ics").data)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    flyer = next(e for uid, e in events.items() if uid.endswith("-due@facilitator") and "Flyer" in str(e["summary"]))
    assert flyer.decoded("dtstart") == dt.date(2026, 3, 1)
    assert "Samir" in str(flyer["description"])
    reviews = [e for uid, e in events.items() if uid.endswith("-review@facilitator")]
    assert [r.decoded("dtstart") for r in reviews] == [dt.date(2026, 4, 15)]
    # done agreements have no due event; three due events (two open, one in progress)
    assert len([u for u in events if u.endswith("-due@facilitator")]) == 3


def test_calendar_subscription_link(core, org, client):
    populate(core)
    page = org.get("/archive/responsibilities?org=Caritas").get_data(as_text=True)
    url = re.search(r"<code>(http[^<]+)</code>", page).group(1).replace("&amp;", "&")
    path = url.split("//", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)  # an owner's calendar app: no cookie
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    summaries = [str(e["summary"]) for e in Calendar.from_ical(response.data).walk("VEVENT")]
    assert summaries and all("Sprachcafé" in s for s in summaries)
    assert client.get("/calendar/wrong.ics").status_code == 404
    # the subscription link opens nothing else
    assert client.get("/archive/").status_code == 403
