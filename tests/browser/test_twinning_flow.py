"""Twinning in the browser, as issue 11's "Done" describes it, at phone size.

Six representatives join on phones (360x740) and register their groups (one
excludes another); three more groups come from a CSV with one bad row, which
the facilitator sees reported before importing the good rows. The facilitator
matches (one group of three for the odd pool), locks a pair, re-runs and
publishes; the twins confirm on their phones (the facilitator confirms for the
CSV groups), one declines and is re-matched; a pair plans its joint project on
a phone. The downloaded minutes show the pairs, their reasons and the project,
and the ledger holds the dated meetings.

Phones and dashboard are English (the browsers ask for English); the demo
workshop is German, so the projector and the minutes are German: only typed
texts, names and dates are matched there.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from browser_steps import expect_connected, join, non_local
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

DEMO_TITLE = "Demo: Runder Tisch Integration"
SHOTS = Path("/tmp/shots/twinning")

#: Phone: (person, group, type, offers, needs, languages).
PHONES = [
    ("Amira", "Deutsch-Arabischer Verein", "mso", "German conversation groups", "Job contacts",
     "German, Arabic"),
    ("Jonas", "Jobcenter Nord", "employment", "Job contacts", "German conversation groups", "German"),
    ("Lena", "Sportverein Blau-Weiss", "association", "Sports for young people",
     "Rooms for meetings", "German, Turkish"),
    ("Omar", "Volkshochschule", "education", "Rooms for meetings", "Sports for young people",
     "German, English"),
    ("Pia", "Frauencafe", "mso", "Childcare", "Legal advice", "German, Farsi"),
    ("Ute", "Caritas", "welfare", "Legal advice", "Childcare", "German"),
]
#: Caritas (Ute) does not want to be paired with the Frauencafe (Pia).
EXCLUDES = {"Ute": "Frauencafe"}
CSV = (
    "Group name;Type of organisation;Town;Topics;What the group offers;What the group needs;"
    "Languages;Contact person\n"
    "Anwaltverein;association;Neustadt;Education;Legal advice;Childcare;German;Frau Recht\n"
    "Kita Sonnenschein;education;Neustadt;Education;Childcare;Legal advice;German;Herr Klein\n"
    "Ohne Ort;mso;;Education;Something;Other;German;Nobody\n"
    "Stadtbibliothek;municipality;Neustadt;Education;Reading rooms;Volunteers;German;Frau Buch\n"
)
CSV_GROUPS = ["Anwaltverein", "Kita Sonnenschein", "Stadtbibliothek"]


#: The sizes the screens are looked at in: phone, laptop, projector (small and large).
SIZES = {"phone": [(390, 844)], "laptop": [(1366, 768)], "projector": [(1024, 768), (1920, 1080)]}


def save(page: Page, name: str) -> None:
    """Screenshots at the sizes of its kind (``phone-…``, ``facilitator-…`` = laptop,
    ``projector-…``) under /tmp/shots/twinning, for looking at the screens."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    kind = {"facilitator": "laptop"}.get(name.split("-")[0], name.split("-")[0])
    before = page.viewport_size
    for width, height in SIZES[kind]:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(150)  # the page script fits the projector's text to the new size
        if kind == "projector":  # the wall never scrolls
            assert page.evaluate("document.documentElement.scrollHeight <= innerHeight + 1"), name
        page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"), full_page=kind != "projector")
    page.set_viewport_size(before)


def register(phone: Page, person: tuple, exclude: str | None) -> None:
    """Fill in the group's profile on a phone."""
    _who, group, org_type, offers, needs, languages = person
    form = phone.locator("form[data-action=register]")
    form.locator("#tw-reg-name").fill(group)
    form.locator("#tw-reg-type").select_option(org_type)
    form.locator("#tw-reg-town").fill("Neustadt")
    form.locator(".tw-topics input[type=checkbox]").first.check()  # the demo topics are German
    form.locator("#tw-reg-offers").fill(offers)
    form.locator("#tw-reg-needs").fill(needs)
    form.locator("#tw-reg-lang").fill(languages)
    form.locator("#tw-reg-contact").fill(f"{person[0]}, 0171 {len(group):04d}")
    if exclude:
        form.get_by_label(exclude, exact=True).check()
    form.get_by_role("button", name="Register the group").click()
    expect(phone.locator(".tw .note")).to_contain_text("Your group is registered")


def draft_pairs(dashboard: Page) -> list[set[str]]:
    """The pairs (or triplets) the dashboard shows, as sets of group names."""
    return [set(text.split(" ⇄ ")) for text in dashboard.locator(".tw-pair-names").all_inner_texts()]


def twin_names(phone: Page) -> set[str]:
    """The names of the twins a phone shows."""
    return set(phone.locator(".tw-twin .tw-name").all_inner_texts())


def confirm_all(dashboard: Page, phones: dict[str, Page], group_of: dict[str, str],
                skip: set[str] = frozenset()) -> None:
    """Every group confirms: phones tap Confirm, the facilitator confirms for CSV groups."""
    for who, phone in phones.items():
        if who in skip:
            continue
        button = phone.get_by_role("button", name="Confirm", exact=True)
        if button.count():
            button.click()
            expect(phone.locator(".tw-twin")).to_contain_text(re.compile("confirmed|Confirmed"))
    for group in CSV_GROUPS:
        button = dashboard.get_by_role("button", name=f"Confirm for {group}")
        if button.count():
            button.click()
            expect(button).to_have_count(0)


def test_twinning_from_registration_to_planned_project(server, new_context, network_log, shot):
    """Register on phones and by CSV, match, lock, re-run, publish, decline, re-match, plan."""
    projector = new_context("projector", viewport={"width": 1024, "height": 768}).new_page()
    projector.goto(server.projector_url)
    expect_connected(projector)
    phones: dict[str, Page] = {}
    for person in PHONES:
        phones[person[0]] = new_context("phone").new_page()
        join(phones[person[0]], server.join_url, person[0], person[1], person[2])
    group_of = {p[0]: p[1] for p in PHONES}

    dashboard = new_context("laptop", viewport={"width": 1366, "height": 768}).new_page()
    dashboard.goto(server.facilitator_url)
    dashboard.get_by_role("link", name=DEMO_TITLE).click()
    expect_connected(dashboard)
    item = dashboard.locator(".agenda-item").filter(has_text="Twinning")
    expect(item).to_have_count(1)
    item.get_by_role("button", name="Start").click()
    expect(item.locator(".badge")).to_have_text("Running")

    # -- six groups register on their phones; Caritas excludes the Frauencafe ---------
    for person in PHONES:
        phone = phones[person[0]]
        expect(phone.locator("form[data-action=register]")).to_be_visible()
        register(phone, person, EXCLUDES.get(person[0]))
    save(phones["Ute"], "phone-registered")
    expect(projector.locator(".p-question")).to_contain_text("6")
    save(projector, "projector-registration")

    # -- the demo's waiting import is discarded; a CSV with one bad row is pasted --------
    dashboard.get_by_role("button", name="Discard").click()
    dashboard.locator("#tw-import-form summary").click()
    dashboard.locator("#tw-csv").fill(CSV)
    dashboard.get_by_role("button", name="Read the rows").click()
    errors = dashboard.locator(".tw-errors li")
    expect(errors).to_have_count(1)
    expect(errors).to_contain_text("Row 4:")
    expect(errors).to_contain_text("Town")
    save(dashboard, "facilitator-import")
    dashboard.get_by_role("button", name="Import 3 good rows").click()
    expect(dashboard.locator(".tw-pool > li")).to_have_count(9)

    # -- one group of three for the odd pool; match ------------------------------------
    dashboard.locator("#tw-odd").select_option("triplet")
    dashboard.get_by_role("button", name="Save settings").click()
    expect(dashboard.locator("#tw-odd")).to_have_value("triplet")
    dashboard.get_by_role("button", name="Close registration and match").click()
    expect(dashboard.locator(".tw-summary")).to_be_visible(timeout=20_000)
    pairs = draft_pairs(dashboard)
    assert sorted(len(p) for p in pairs) == [2, 2, 2, 3]
    assert {"Caritas", "Frauencafe"} not in [set(p) for p in pairs if len(p) == 2]
    assert not any({"Caritas", "Frauencafe"} <= p for p in pairs), "the exclusion holds"
    expect(dashboard.locator(".tw-pair .tw-why li").first).to_be_visible()
    save(dashboard, "facilitator-review")

    # -- lock the Verein's pair, re-run: it stays -------------------------------------------
    verein = dashboard.locator(".tw-pair").filter(has_text="Deutsch-Arabischer Verein")
    locked_names = draft_pairs(dashboard)[dashboard.locator(".tw-pair").all_inner_texts().index(
        verein.inner_text())]
    verein.get_by_role("button", name="Lock", exact=True).click()
    expect(verein.locator(".tw-locked")).to_be_visible()
    dashboard.get_by_role("button", name="Re-run (locks kept)").click()
    expect(dashboard.locator(".tw-summary")).to_be_visible(timeout=20_000)
    expect(dashboard.locator(".tw-pair").filter(has_text="Deutsch-Arabischer Verein")
           .locator(".tw-locked")).to_be_visible()
    assert locked_names in draft_pairs(dashboard)
    dashboard.once("dialog", lambda dialog: dialog.accept())
    dashboard.get_by_role("button", name="Publish").click()
    expect(dashboard.get_by_role("button", name="Open planning")).to_be_visible()
    first_pairs = draft_pairs(dashboard)
    expect(projector.locator(".tw-p-pair")).to_have_count(4)
    save(projector, "projector-pairs")

    # -- phones see their twin, why, and the contact -----------------------------------------
    amira = phones["Amira"]
    expect(amira.locator(".tw-twin")).to_be_visible()
    assert twin_names(amira) == locked_names - {"Deutsch-Arabischer Verein"}
    expect(amira.locator(".tw-twin .tw-why li").first).to_be_visible()
    expect(amira.locator(".tw-twin .tw-contact").first).not_to_be_empty()
    save(amira, "phone-twin")

    # -- Amira confirms, Lena declines; the groups without a confirmed twin are re-matched --
    lena = phones["Lena"]
    lena_before = twin_names(lena)
    lena.once("dialog", lambda dialog: dialog.accept())
    lena.get_by_role("button", name="Decline").click()
    expect(lena.locator(".tw")).to_contain_text("looking for a new twin")
    amira.get_by_role("button", name="Confirm", exact=True).click()
    expect(amira.locator(".tw-twin")).to_contain_text("You have confirmed")
    dashboard.get_by_role("button", name=re.compile(r"Re-match \d+ group")).click()
    expect(dashboard.locator(".tw-summary")).to_be_visible(timeout=20_000)
    after = draft_pairs(dashboard)
    assert {"Sportverein Blau-Weiss"} | lena_before not in after, "the declined pair is not re-formed"
    assert any("Sportverein Blau-Weiss" in p for p in after), "Lena's group has a new twin"
    assert locked_names in after
    dashboard.once("dialog", lambda dialog: dialog.accept())
    dashboard.get_by_role("button", name="Publish").click()
    expect(dashboard.get_by_role("button", name="Open planning")).to_be_visible()
    expect(lena.locator(".tw-twin")).to_be_visible()
    assert twin_names(lena) and twin_names(lena) != lena_before
    confirm_all(dashboard, phones, group_of)
    expect(dashboard.locator(".tw-pair .badge", has_text="confirmed")).to_have_count(len(after))
    assert first_pairs  # published twice
    save(dashboard, "facilitator-published")

    # -- planning: the Verein's pair records its joint project on the phone --------------
    dashboard.get_by_role("button", name="Open planning").click()
    form = amira.locator("form[data-action=plan]")
    expect(form).to_be_visible()
    start = dt.date.today() + dt.timedelta(days=14)
    dates = {"start": start, "meet1": start + dt.timedelta(days=7), "meet2": start + dt.timedelta(days=21),
             "work": start + dt.timedelta(days=35), "presentation": start + dt.timedelta(days=150)}
    form.locator("#tw-plan-title").fill("Sprachcafé im Jobcenter")
    form.locator("#tw-plan-goal").fill("Job seekers practise German with volunteers")
    form.locator("#tw-plan-start").fill(dates["start"].isoformat())
    meetings = form.locator("input[name^='meeting:']")
    responsible = form.locator("input[name^='responsible:']")
    expect(meetings).to_have_count(2)
    meetings.nth(0).fill(dates["meet1"].isoformat())
    meetings.nth(1).fill(dates["meet2"].isoformat())
    responsible.nth(0).fill("Amira Kaya")
    responsible.nth(1).fill("Jonas Weber")
    form.locator("#tw-plan-working").fill(dates["work"].isoformat())
    # first a presentation too late: refused with the reason
    form.locator("#tw-plan-presentation").fill((start + dt.timedelta(days=200)).isoformat())
    form.get_by_role("button", name="Save the plan").click()
    expect(amira.locator("#messages")).to_contain_text("six months")
    form.locator("#tw-plan-presentation").fill(dates["presentation"].isoformat())
    form.get_by_role("button", name="Save the plan").click()
    expect(dashboard.locator(".tw-plan-view")).to_contain_text("Sprachcafé im Jobcenter")
    save(amira, "phone-plan")
    handout = amira.context.new_page()
    handout.goto(server.base_url + amira.get_by_role("link", name="Printable handout").get_attribute("href"))
    expect(handout.locator("h1")).to_contain_text("Jobcenter Nord")
    expect(handout.locator(".tw-plan-view")).to_contain_text("Sprachcafé im Jobcenter")
    save(handout, "phone-handout")
    save(dashboard, "facilitator-planning")

    # -- the minutes: pairs, reasons, the project; the ledger: the dated meetings ----------
    with dashboard.expect_download() as download_info:
        dashboard.get_by_role("link", name="Download minutes (.md)").click()
    minutes = Path(download_info.value.path()).read_text(encoding="utf-8")
    for pair in after:
        assert all(name in minutes for name in pair)
    assert "German conversation groups" in minutes  # a reason in words
    assert "Sprachcafé im Jobcenter" in minutes
    assert "Amira Kaya" in minutes and "Jonas Weber" in minutes
    for day in dates.values():
        if day != dates["start"]:
            assert day.strftime("%d.%m.%Y") in minutes, day
    # The consolidated table of agreements comes from the ledger: one row per dated step.
    ledger = minutes.split("\n| \\# |", 1)
    assert len(ledger) == 2, minutes
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in ledger[1].splitlines() if line.startswith("|") and "Sprachcaf" in line]
    due = {day.strftime("%d.%m.%Y") for k, day in dates.items() if k != "start"}
    assert {cell for row in rows for cell in row} >= due
    meeting = next(row for row in rows if dates["meet1"].strftime("%d.%m.%Y") in row)
    assert "Amira Kaya" in meeting

    assert non_local(network_log) == []

