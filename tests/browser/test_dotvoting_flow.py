"""Dot voting in the browser, as issue 3's "Done" describes it, at phone size.

Three people join by the join URL on phones (360x740, touch), the
facilitator runs the demo's dot-voting session from the laptop dashboard and
the wall shows the projector page:

collect (each phone adds an idea) → vote (tapping + and -, dots left on every
phone, one over-budget tap refused) → close → reveal (ranking with a tie on the
projector) → assign an owner for the top option → the downloaded minutes
show the ranking, the dot counts and the agreement.

The browsers ask for English, so phones and dashboard are English; the demo
workshop is German, so the projector and the minutes are German. Only texts
the test typed and the demo's prepared options are matched literally, plus
the few German words of the minutes table that carry meaning (the tie mark).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from browser_steps import expect_connected, join, non_local
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

DEMO_TITLE = "Demo: Runder Tisch Integration"

#: The demo session's prepared options (plugins/dotvoting/config.py, in German).
PREPARED = ["Sprache und Bildung", "Arbeit und Ausbildung", "Gesundheit", "Wohnen"]
#: One idea per phone, added while collecting.
IDEAS = {
    "Amira": "Mobility for everyone",
    "Jonas": "Childcare places",
    "Lena": "Digital counselling",
}
#: How the minutes (German) mark a shared rank: "2 (gleichauf)".
TIE_MARK = "(gleichauf)"


# -- helpers --------------------------------------------------------------------








def dots_left_text(count: int) -> str:
    """What a phone shows above the ballot (in plain words at zero)."""
    if count == 0:
        return "All dots placed"
    return f"{count} dot left" if count == 1 else f"{count} dots left"


def option_card(phone: Page, text: str) -> Locator:
    """The ballot card of one option on a phone."""
    return phone.locator(".dv-option").filter(
        has=phone.locator(".dv-option-text", has_text=re.compile(rf"^\s*{re.escape(text)}\b"))
    )


def my_dots(phone: Page, text: str) -> int:
    """How many of this phone's dots sit on option ``text`` (counted in the page)."""
    return option_card(phone, text).locator(".dv-dot").count()


def tap(phone: Page, text: str, sign: str, mine: int, left: int) -> None:
    """Tap + (place a dot) or - (take one back) on option ``text``; wait for the new state.

    Waiting matters: a button's payload is the absolute count from the view the
    phone shows, so a second tap before the update would repeat the same count.
    """
    label = "Place a dot on: " if sign == "+" else "Take a dot back from: "
    phone.get_by_role("button", name=label + text, exact=True).click()
    expect(option_card(phone, text).locator(".dv-dot")).to_have_count(mine)
    expect(phone.locator(".dv p.big")).to_have_text(dots_left_text(left))


def minutes_section(minutes: str, title: str) -> str:
    """The body of the minutes section ``## <n>. <title>`` (up to the next ``## ``)."""
    pattern = rf"^## \d+\. {re.escape(title)}\n(.*?)(?=^## )"
    match = re.search(pattern, minutes, re.MULTILINE | re.DOTALL)
    assert match, f"no section {title!r} in the minutes:\n{minutes}"
    return match.group(1)


def table_rows(markdown: str) -> list[list[str]]:
    """The body rows of the first Markdown table in ``markdown``, as stripped cells."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


# -- the test -------------------------------------------------------------------


def test_dot_voting_from_ideas_to_owner(server, new_context, network_log, shot):
    """Collect ideas on phones, vote with dots, reveal with a tie, assign, download minutes."""
    projector = new_context("projector").new_page()
    projector.goto(server.projector_url)
    expect_connected(projector)

    people = [
        ("Amira", "Amira Kaya", "Caritas", "welfare"),
        ("Jonas", "Jonas Weber", "Jobcenter", "employment"),
        ("Lena", "Lena Schulz", "Volkshochschule", "education"),
    ]
    phones: dict[str, Page] = {}
    for key, name, organisation, org_type in people:
        phones[key] = new_context("phone").new_page()
        join(phones[key], server.join_url, name, organisation, org_type)

    dashboard = new_context("laptop").new_page()
    dashboard.goto(server.facilitator_url)
    dashboard.get_by_role("link", name=DEMO_TITLE).click()
    expect_connected(dashboard)
    expect(dashboard.get_by_test_id("participant-count")).to_have_text("3")

    # -- the facilitator starts the demo's dot-voting session (collecting) --------
    item = dashboard.locator(".agenda-item").filter(has_text="Dot voting")
    expect(item).to_have_count(1)
    title = item.locator("strong").inner_text().strip()
    item.get_by_role("button", name="Start").click()
    expect(item.locator(".badge")).to_have_text("Running")
    expect(projector.locator(".projector-title")).to_have_text(title)
    for phone in phones.values():
        expect(phone.locator("#live .session-head h1")).to_have_text(title)
        expect(phone.locator(".dv ul.list li")).to_have_count(len(PREPARED))

    # -- each phone adds an idea; everyone (and the wall) sees it -----------------
    for number, (key, idea) in enumerate(IDEAS.items(), 1):
        form = phones[key].locator("form[data-action=add_option]")
        form.get_by_label("Your idea").fill(idea)
        form.get_by_role("button", name="Add").click()
        expect(phones[key].locator(".dv ul.list li", has_text=idea)).to_contain_text("your idea")
        expect(projector.locator(".dv-projector li.card")).to_have_count(len(PREPARED) + number)
    for phone in phones.values():
        expect(phone.locator(".dv ul.list li")).to_have_count(len(PREPARED) + len(IDEAS))
    shot(phones["Amira"], "phone-collect")

    # -- voting opens: every phone has 3 dots -----------------------------------------
    dashboard.get_by_role("button", name="Start voting").click()
    for phone in phones.values():
        expect(phone.locator(".dv p.big")).to_have_text(dots_left_text(3))
        expect(phone.locator(".dv-option")).to_have_count(len(PREPARED) + len(IDEAS))
    expect(projector.locator(".dv-projector .huge")).to_have_text("0 von 3")

    mobility, childcare, digital = IDEAS["Amira"], IDEAS["Jonas"], IDEAS["Lena"]
    language, work, health, housing = PREPARED

    amira = phones["Amira"]
    tap(amira, mobility, "+", mine=1, left=2)
    tap(amira, housing, "+", mine=1, left=1)
    tap(amira, mobility, "+", mine=2, left=0)
    expect(amira.get_by_role("button", name="Place a dot on: " + language)).to_be_disabled()
    tap(amira, housing, "-", mine=0, left=1)  # changed her mind: takes the dot back
    tap(amira, mobility, "+", mine=3, left=0)
    shot(amira, "phone-voted")

    jonas = phones["Jonas"]
    tap(jonas, childcare, "+", mine=1, left=2)
    tap(jonas, childcare, "+", mine=2, left=1)
    tap(jonas, mobility, "+", mine=1, left=0)

    lena = phones["Lena"]
    tap(lena, housing, "+", mine=1, left=2)
    tap(lena, housing, "+", mine=2, left=1)
    # A quick double tap on two options with one dot left: both taps leave the phone
    # before its view can change, so the server must refuse the second one.
    lena.evaluate(
        """([first, second]) => {
             document.querySelector(`button[aria-label="Place a dot on: ${first}"]`).click();
             document.querySelector(`button[aria-label="Place a dot on: ${second}"]`).click();
           }""",
        [language, health],
    )
    expect(lena.locator("#messages .message.error")).to_have_text("You have only 0 dots left.")
    expect(lena.locator(".dv p.big")).to_have_text(dots_left_text(0))
    shot(lena, "phone-over-budget")
    placed = {text: my_dots(lena, text) for text in (language, health)}
    assert sorted(placed.values()) == [0, 1], f"exactly one of the two taps counts: {placed}"
    assert my_dots(lena, housing) == 2, "the refused tap changed nothing"
    if placed[health]:  # the server took the taps in the other order: move that dot
        tap(lena, health, "-", mine=0, left=1)
        tap(lena, language, "+", mine=1, left=0)

    expect(projector.locator(".dv-projector .huge")).to_have_text("3 von 3")
    expect(projector.locator(".dv-ranking")).to_have_count(0)  # results stay hidden
    expect(dashboard.locator(".dv .big").first).to_contain_text("3 of 3 participants have voted")
    shot(projector, "projector-voting")

    # -- close, reveal: the wall ranks the options, ties shown as ties ---------------------
    dashboard.get_by_role("button", name="Close voting").click()
    for phone in phones.values():
        expect(phone.get_by_role("button", name="Place a dot on: " + mobility)).to_have_count(0)
    dashboard.get_by_role("button", name="Reveal the result").click()

    expected = [  # (option, dots, rank, tied): ties listed in the order options were added
        (mobility, 4, 1, False),
        (housing, 2, 2, True),
        (childcare, 2, 2, True),
        (language, 1, 4, False),
        (work, 0, 5, True),
        (health, 0, 5, True),
        (digital, 0, 5, True),
    ]
    rows = projector.locator(".dv-ranking li")
    expect(rows).to_have_count(len(expected))
    for row, (text, dots, rank, tied) in zip(rows.all(), expected, strict=True):
        expect(row.locator(".row > span").first).to_have_text(text)
        expect(row.locator(".dv-count")).to_have_text(str(dots))
        expect(row.locator("strong")).to_have_text(f"{rank} gleichauf" if tied else str(rank))
    shot(projector, "projector-ranking")
    expect(lena.locator(".dv-ranking li").first).to_contain_text(mobility)
    shot(lena, "phone-result")

    # -- the facilitator names an owner for the top option ----------------------------
    due = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    form = dashboard.locator(".dv-assign").filter(has_text=f"1. {mobility}")
    form.get_by_label("Person").fill("Dana Owner")
    form.get_by_label("Organisation").fill("Stadtwerke")
    form.get_by_label("By (date)").fill(due)
    form.get_by_role("button", name="Record agreement").click()
    expect(form.locator(".badge", has_text="assigned")).to_be_visible()
    expect(dashboard.locator(".dv li", has_text="Dana Owner, Stadtwerke")).to_contain_text(mobility)
    shot(dashboard, "dashboard-assigned", full_page=True)

    # -- the minutes: ranking, dots and the agreement ---------------------------------
    with dashboard.expect_download() as download_info:
        dashboard.get_by_role("link", name="Download minutes (.md)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".md")
    minutes = Path(download.path()).read_text(encoding="utf-8")

    section = minutes_section(minutes, title)
    table = table_rows(section)
    assert [row[1] for row in table] == [text for text, *_ in expected]
    assert [int(row[2]) for row in table] == [dots for _, dots, *_ in expected]
    assert [row[0] for row in table] == [
        f"{rank} {TIE_MARK}" if tied else str(rank) for _, _, rank, tied in expected
    ]
    assert [row[3].split()[-2] for row in table] == ["44", "22", "22", "11", "0", "0", "0"]
    assert "3 von 3" in section, "turnout: 3 of 3 participants present voted"

    due_de = dt.date.fromisoformat(due).strftime("%d.%m.%Y")
    assert f"- **{mobility}** — wer: Dana Owner, Stadtwerke; bis {due_de}" in section
    ledger = minutes.split("\n| \\# |", 1)  # the consolidated table of agreements
    assert len(ledger) == 2, minutes
    agreements = table_rows("| \\# |" + ledger[1])
    # what, who, organisation, who follows up, due, review, status, session
    assert agreements == [["1", mobility, "Dana Owner", "Stadtwerke", "", due_de, "", "offen", title]]

    assert network_log, "no requests were recorded"
    assert non_local(network_log) == []
