"""The round table in the browser, as issue 10's "Done" describes it, at phone size.

Four people join the demo workshop on phones (360x740, touch); the facilitator
sets up its round table (two items, a speaking-time limit of 3 seconds) and runs
it from the laptop dashboard; the wall shows the projector page:

item 1: two new contributions, a direct reply that jumps ahead of the waiting
new contribution, a point of order that jumps ahead of everything, a speaker
who runs over the limit (signalled by the server's timer, nobody clicks), a
consent check with one objection (with its reason) and one change of mind,
two agreements into the ledger; item 2: a round per institution.

Then a second workshop on the same server reviews the first one's open
agreements (one done, one postponed), and a third reviews the first one's
downloaded minutes file. The minutes of all three show it and the ledger
status carries over.

Browsers ask for English (phones, dashboard); the demo workshop is German, so
its projector and minutes are German; the two later workshops are English.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from browser_steps import expect_connected, join, non_local
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

DEMO_TITLE = "Demo: Runder Tisch Integration"
SHOTS = Path(os.environ.get("ROUNDTABLE_SHOTS", "/tmp/shots/roundtable"))
PEOPLE = [  # key, name, organisation, type of organisation
    ("amira", "Amira Kaya", "Caritas", "welfare"),
    ("jonas", "Jonas Weber", "Jobcenter", "employment"),
    ("lena", "Lena Schulz", "Volkshochschule", "education"),
    ("mehmet", "Mehmet Yilmaz", "Integrationsrat", "mso"),
]
CAFE = "Open a language café on Mondays"
FLYER = "Flyer about the courses in five languages"


def save(page: Page, name: str, full_page: bool = False) -> None:
    """Keep a screenshot for people to look at (outside the repository)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def act_ok(page: Page) -> None:
    """Wait until the page has no action waiting for its reply."""
    expect(page.locator(".is-pending")).to_have_count(0)


def raise_hand(phone: Page, kind: str) -> None:
    phone.get_by_role("button", name=kind, exact=True).click()
    expect(phone.locator(".rt-mine", has_text=kind)).to_be_visible()


def my_place(phone: Page, kind: str) -> Page:
    return phone.locator(".rt-mine", has_text=kind)


def floor_name(page: Page):
    return page.locator(".rt-floor-name")


def minutes_of(dashboard: Page, name: str) -> str:
    """Download the workshop's minutes (and keep a copy beside the screenshots)."""
    with dashboard.expect_download() as download_info:
        dashboard.get_by_role("link", name="Download minutes (.md)").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{name}.md").write_text(text, encoding="utf-8")
    return text


def open_workshop(laptop: Page, base_url: str, title: str) -> None:
    """Create a workshop (English minutes, named) from the home page and open its dashboard."""
    laptop.goto(base_url + "/facilitator/")
    form = laptop.locator("form", has=laptop.get_by_role("button", name="Create workshop"))
    form.get_by_label("Title").fill(title)
    form.get_by_label("Language of the minutes").select_option("en")
    form.get_by_role("button", name="Create workshop").click()
    expect(laptop.locator("#agenda-h")).to_be_visible()


def add_round_table(laptop: Page, title: str, review: str, upload: Path | None = None) -> None:
    """Add a round table with one item from the dashboard's "Add a session"."""
    laptop.locator("#d-add-session summary").click()
    laptop.get_by_role("link", name="Round table", exact=True).click()
    laptop.get_by_label("Title of the session").fill(title)
    laptop.get_by_label("Item 1", exact=True).fill("Language courses")
    laptop.get_by_label("Review the open agreements of").select_option(review)
    if upload is not None:
        laptop.locator("input[type=file][name=review_file]").set_input_files(str(upload))
    laptop.get_by_role("button", name="Add session").click()
    item = laptop.locator(".agenda-item").filter(has_text=title)
    expect(item).to_have_count(1)
    item.get_by_role("button", name="Start").click()
    expect(laptop.locator(".rt-facilitator")).to_be_visible()
    expect_connected(laptop)


def test_round_table_two_items_consent_and_reviews(server, new_context, network_log):
    projector = new_context("projector").new_page()
    projector.goto(server.projector_url)
    expect_connected(projector)
    phones: dict[str, Page] = {}
    for key, name, organisation, org_type in PEOPLE:
        phones[key] = new_context("phone").new_page()
        join(phones[key], server.join_url, name, organisation, org_type)
    amira, jonas, lena, mehmet = (phones[k] for k, *_ in PEOPLE)

    dashboard = new_context("laptop").new_page()
    dashboard.on("dialog", lambda dialog: dialog.accept())
    dashboard.goto(server.facilitator_url)
    dashboard.get_by_role("link", name=DEMO_TITLE).click()
    expect_connected(dashboard)

    # -- set the demo's round table up: two items, 3 seconds per contribution -----------
    item = dashboard.locator(".agenda-item").filter(has_text="Round table")
    item.get_by_role("link", name="Edit").click()
    expect(dashboard.get_by_label("Item 1", exact=True)).to_have_value("Sprachkurse: Wartelisten")
    dashboard.get_by_label("Speaking time per contribution (seconds, 0 = no limit)").fill("3")
    dashboard.get_by_label("Item 2", exact=True).fill("News from the institutions")
    dashboard.get_by_label("Item 3", exact=True).fill("")
    dashboard.get_by_label("Time box (minutes)", exact=True).nth(2).fill("")
    dashboard.get_by_label("Presenter (optional)").nth(2).fill("")
    dashboard.get_by_label("Review the open agreements of").select_option("none")
    save(dashboard, "laptop-form", full_page=True)
    dashboard.get_by_role("button", name="Save").click()
    item = dashboard.locator(".agenda-item").filter(has_text="Round table")
    title = item.locator("strong").inner_text().strip()
    item.get_by_role("button", name="Start").click()
    panel = dashboard.locator(".rt-facilitator")
    expect(panel.locator(".rt-agenda-row")).to_have_count(2)
    for phone in phones.values():
        expect(phone.locator(".rt .big")).to_have_text("The round table will begin shortly.")

    # -- item 1: new contributions, a reply jumping ahead, a point of order -------------
    panel.locator(".rt-agenda-row").first.get_by_role("button", name="Discuss").click()
    for phone in phones.values():
        expect(phone.locator(".rt-item-title")).to_have_text("Sprachkurse: Wartelisten")
    raise_hand(amira, "New contribution")
    raise_hand(jonas, "New contribution")
    expect(my_place(jonas, "New contribution")).to_contain_text("You are number 2.")
    expect(lena.get_by_role("button", name="Direct reply", exact=True)).to_be_disabled()  # nobody speaks yet
    panel.get_by_role("button", name="Next: Amira Kaya").click()
    for page in (dashboard, amira, lena):
        expect(floor_name(page).first).to_contain_text("Amira Kaya")
    expect(projector.locator(".rt-p-speaker")).to_have_text("Amira Kaya")
    raise_hand(lena, "Direct reply")
    expect(my_place(lena, "Direct reply")).to_contain_text("You are number 1.")
    expect(my_place(jonas, "New contribution")).to_contain_text("You are number 2.")
    expect(projector.locator(".rt-p-queue li").first).to_contain_text("Lena Schulz")
    # Amira's 3 seconds run out: the server's timer signals it, nobody clicks.
    expect(amira.locator(".rt-floor .rt-badge-over")).to_be_visible(timeout=8000)
    expect(projector.locator(".rt-p-over")).to_be_visible()
    save(projector, "projector-over-1280")
    for size, name in (((1024, 768), "projector-1024"), ((1920, 1080), "projector-1920")):
        projector.set_viewport_size({"width": size[0], "height": size[1]})
        expect(projector.locator(".rt-p-speaker")).to_be_visible()
        save(projector, name)
    amira.set_viewport_size({"width": 390, "height": 844})
    save(amira, "phone-speaking-over-390")
    save(lena, "phone-reply-queued")
    raise_hand(mehmet, "Point of order")
    expect(my_place(mehmet, "Point of order")).to_contain_text("You are number 1.")
    expect(my_place(lena, "Direct reply")).to_contain_text("You are number 2.")
    expect(my_place(jonas, "New contribution")).to_contain_text("You are number 3.")
    save(dashboard, "laptop-dashboard-queue", full_page=True)
    for expected in ("Mehmet Yilmaz", "Lena Schulz", "Jonas Weber"):
        panel.get_by_role("button", name=f"Next: {expected}").click()
        expect(floor_name(dashboard)).to_contain_text(expected)
    expect(dashboard.locator(".rt-floor .rt-kind")).to_have_text("New contribution")
    jonas.get_by_role("button", name="I have finished").click()
    expect(dashboard.locator(".rt-floor-empty")).to_be_visible()

    # -- consent: one objection with a reason, one change of mind -----------------------
    panel.get_by_label("Agreement to check for consent").fill(CAFE)
    panel.get_by_role("button", name="Start a consent check").click()
    for phone in phones.values():
        expect(phone.locator(".rt-check-text")).to_have_text(CAFE)
    amira.get_by_role("button", name="Agree", exact=True).click()
    lena.get_by_role("button", name="Agree", exact=True).click()
    mehmet.get_by_role("button", name="Can live with it", exact=True).click()
    jonas.get_by_role("button", name="Object", exact=True).click()  # no reason: refused
    expect(jonas.locator("#rt-reason:invalid")).to_have_count(1)
    jonas.get_by_label("Object, because …").fill("No room on Mondays at the job centre")
    jonas.get_by_role("button", name="Object", exact=True).click()
    expect(jonas.locator(".rt-check")).to_contain_text("Your answer: Object")
    expect(lena.locator(".rt-check")).to_contain_text("Your answer: Agree")
    lena.get_by_role("button", name="Can live with it", exact=True).click()  # changes her mind
    expect(lena.locator(".rt-check")).to_contain_text("Your answer: Can live with it")
    tally = dashboard.locator(".rt-consent .rt-tally-count")
    expect(tally).to_have_text(["1", "2", "1"])
    expect(dashboard.locator(".rt-consent")).to_contain_text("1 change of mind")
    expect(dashboard.locator(".rt-objections")).to_contain_text("Jonas Weber: No room on Mondays at the job centre")
    expect(projector.locator(".rt-p-check .rt-tally-count")).to_have_text(["1", "2", "1"])
    save(projector, "projector-consent-1920")
    projector.set_viewport_size({"width": 1024, "height": 768})
    save(projector, "projector-consent-1024")
    lena.set_viewport_size({"width": 390, "height": 844})
    save(lena, "phone-consent-390")
    save(dashboard, "laptop-dashboard-consent", full_page=True)
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    form = dashboard.locator(".rt-agreement-form")
    expect(form.get_by_label("What")).to_have_value(CAFE)
    form.get_by_label("Organisation").fill("Volkshochschule")
    form.get_by_label("Who follows up").fill("Amira Kaya")
    form.get_by_label("By when").fill(due)
    form.get_by_role("button", name="Record the agreement").click()
    expect(dashboard.locator(".rt-consent li", has_text=CAFE).first).to_be_visible()
    expect(amira.locator(".rt-check")).to_have_count(0)
    form.get_by_label("What").fill(FLYER)
    form.get_by_label("Who (person)").fill("Jonas Weber")
    form.get_by_label("By when").fill(due)
    form.get_by_role("button", name="Record the agreement").click()
    expect(dashboard.locator(".rt-consent li", has_text=FLYER).first).to_be_visible()

    # -- item 2: a round, one turn per institution ---------------------------------------
    panel.locator(".rt-agenda-row").nth(1).get_by_role("button", name="Discuss").click()
    expect(amira.locator(".rt-item-title")).to_have_text("News from the institutions")
    panel.get_by_role("button", name="Next: Amira Kaya").click()
    expect(floor_name(dashboard)).to_contain_text("Amira Kaya")
    panel.get_by_role("button", name="Next: Jonas Weber").click()
    expect(floor_name(dashboard)).to_contain_text("Jonas Weber")
    panel.get_by_role("button", name="End turn").click()
    expect(dashboard.locator(".rt-floor-empty")).to_be_visible()
    dashboard.get_by_role("button", name="Finish session").first.click()
    expect(dashboard.locator(".agenda-item").filter(has_text=title).locator(".badge")).to_have_text("Finished")
    minutes = minutes_of(dashboard, "minutes-first")
    section = minutes.split(title, 2)[-1]
    assert "Amira Kaya (Neuer Beitrag" in section, section
    assert "Lena Schulz (Direkte Erwiderung" in section
    assert "Mehmet Yilmaz (Geschäftsordnungsantrag" in section
    assert "über der Redezeit" in section  # Amira ran over the limit
    assert "Einwand: No room on Mondays at the job centre" in section
    assert "Einwände (Zustimmung: 1, Kann damit leben: 2, Einwand: 1; pro Institution gezählt)" in section
    first_minutes = minutes

    # -- a second round table on this server reviews the first one's open agreements ----
    laptop = dashboard
    laptop.set_viewport_size({"width": 1366, "height": 768})
    open_workshop(laptop, server.base_url, "Round table, second meeting")
    add_round_table(laptop, "Round table 2", "latest")
    guest = new_context("phone").new_page()  # a phone in the second meeting follows the review
    guest.goto(laptop.locator(".dash-join-url").inner_text().strip())
    form = guest.locator("#join-form")
    form.get_by_label("Your name").fill("Nora Berg")
    form.get_by_label("Type of organisation").select_option("municipality")
    form.get_by_role("button", name="Join").click()
    expect_connected(guest)
    expect(guest.locator(".rt-item-title")).to_have_count(0)  # no item is discussed yet
    panel = laptop.locator(".rt-facilitator")
    panel.locator(".rt-agenda-row").first.get_by_role("button", name="Discuss").click()
    rows = panel.locator(".rt-review-row")
    expect(rows).to_have_count(2)
    expect(guest.locator(".rt-review-row")).to_have_count(2)
    cafe = rows.filter(has_text=CAFE)
    cafe.get_by_label("New status").select_option("done")
    cafe.get_by_label("Note").fill("Runs since last month")
    cafe.get_by_role("button", name="Save status").click()
    expect(cafe.locator(".rt-outcome")).to_have_text("done")
    flyer = rows.filter(has_text=FLYER)
    later = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    flyer.get_by_label("New status").select_option("postponed")
    flyer.get_by_label("New due date (if postponed)").fill(later)
    flyer.get_by_label("Note").fill("Translator ill")
    flyer.get_by_role("button", name="Save status").click()
    expect(flyer.locator(".rt-outcome")).to_have_text("postponed")
    expect(guest.locator(".rt-review-row", has_text=FLYER).locator(".rt-outcome")).to_have_text("postponed")
    guest.set_viewport_size({"width": 390, "height": 844})
    save(guest, "phone-review-390", full_page=True)
    save(laptop, "laptop-review-1366")
    save(laptop, "laptop-review-full", full_page=True)
    second = minutes_of(laptop, "minutes-second")
    assert re.search(rf"\| {CAFE} \| Volkshochschule \| {DEMO_TITLE} .*\| open, by .* \| done \| Runs since last month \|", second), second
    assert f"postponed to {dt.date.fromisoformat(later).isoformat()}" in second

    # -- a third reviews from the first one's minutes file --------------------------------
    upload = SHOTS / "minutes-first.md"
    assert upload.read_text(encoding="utf-8") == first_minutes
    open_workshop(laptop, server.base_url, "Round table, third meeting")
    add_round_table(laptop, "Round table 3", "none", upload=upload)
    panel = laptop.locator(".rt-facilitator")
    panel.locator(".rt-agenda-row").first.get_by_role("button", name="Discuss").click()
    rows = panel.locator(".rt-review-row")
    expect(rows).to_have_count(2)  # the file was written before the second meeting
    flyer = rows.filter(has_text=FLYER)
    expect(flyer).to_contain_text("from the minutes file")
    flyer.get_by_label("New status").select_option("done")
    flyer.get_by_role("button", name="Save status").click()
    expect(flyer.locator(".rt-outcome")).to_have_text("done")
    third = minutes_of(laptop, "minutes-third")
    assert f"| {FLYER} | Jonas Weber |" in third
    assert "| done |" in third
    table = third.split("## Agreements and responsibilities", 1)[1]
    assert FLYER in table, "the file's agreement is in this server's ledger now"

    # -- the first workshop's minutes show the status written back -------------------
    laptop.goto(server.facilitator_url)
    laptop.get_by_role("link", name=DEMO_TITLE).click()
    first_again = minutes_of(laptop, "minutes-first-after")
    table = first_again.split("## Vereinbarungen und Zuständigkeiten", 1)[1]
    cafe_row = next(line for line in table.splitlines() if CAFE in line)
    assert "erledigt" in cafe_row, cafe_row
    assert non_local(network_log) == []
