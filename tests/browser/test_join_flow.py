"""What people do in the browser: join by QR code on a phone, follow the room, get removed.

Each test starts the real server (``facilitator serve --demo``) in a
subprocess and drives Debian's headless Chromium with Playwright: a phone
(360x740, touch), the facilitator's laptop and the projector. The browsers
ask for English (``en-US``); the demo workshop itself is German, so session
titles are read from the dashboard instead of being spelled out here.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from browser_steps import expect_connected, join, non_local
from PIL import Image
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

DEMO_TITLE = "Demo: Runder Tisch Integration"
NARROWEST_PHONE = {"viewport": {"width": 320, "height": 640}}


# -- helpers --------------------------------------------------------------------








def open_dashboard(page: Page, facilitator_url: str) -> None:
    """Open the secret facilitator link, then the demo workshop's live dashboard.

    The browser asks for English, so the whole dashboard, including its live
    part, must be English although the demo workshop is German.
    """
    page.goto(facilitator_url)
    page.get_by_role("link", name=DEMO_TITLE).click()
    expect(page.get_by_role("heading", name="Agenda")).to_be_visible()
    expect_connected(page)


def agenda_titles(page: Page) -> list[str]:
    """The titles of the sessions in the dashboard's agenda, in order."""
    return [title.strip() for title in page.locator(".agenda-item strong").all_inner_texts()]


def add_session(dashboard: Page, title: str) -> None:
    """Add a session of the first method listed, filling its required fields with text."""
    dashboard.locator("summary", has_text="Add a session").click()
    dashboard.locator(".add-session a").first.click()
    form = dashboard.locator("form.card")
    form.get_by_label("Title of the session").fill(title)
    for label in form.locator("label[for]").filter(has_text="*").all():
        field = form.locator(f"#{label.get_attribute('for')}")
        if not field.input_value():
            field.fill("Browser test")
    form.get_by_role("button", name="Add session").click()
    expect(dashboard.locator(".agenda-item strong", has_text=title)).to_be_visible()
    expect_connected(dashboard)


def two_sessions(dashboard: Page) -> tuple[str, str]:
    """The first two sessions of the agenda (adding a second if the demo has only one)."""
    titles = agenda_titles(dashboard)
    assert titles, "the demo workshop has no sessions"
    if len(titles) < 2:
        add_session(dashboard, "Second session (browser test)")
        titles = agenda_titles(dashboard)
    return titles[0], titles[1]


def start_session(dashboard: Page, title: str) -> None:
    """Click "Start" on the agenda item ``title`` and wait until it runs."""
    item = dashboard.locator(".agenda-item").filter(
        has=dashboard.locator("strong", has_text=title)
    )
    item.get_by_role("button", name="Start").click()
    expect(item.locator(".badge")).to_have_text("Running")


def expect_session(phone: Page, title: str) -> None:
    """The phone shows session ``title``."""
    expect(phone.locator("#live .session-head h1")).to_have_text(title)


def mark_page(page: Page) -> None:
    """Leave a marker in the page's JavaScript state; a reload would lose it."""
    page.evaluate("window.__noReload = true")


def assert_not_reloaded(page: Page) -> None:
    """The page was updated in place, not reloaded."""
    assert page.evaluate("window.__noReload === true"), "the page was reloaded"


#: Measures a page: horizontal overflow, elements sticking out, buttons under 44 px.
LAYOUT_PROBE = """() => {
  const root = document.documentElement, width = root.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "")
    + " " + JSON.stringify((el.innerText || el.value || "").trim().slice(0, 30));
  const shown = (el) => { const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== "hidden"; };
  const outside = [], small = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 || r.left < -0.5) outside.push(name(el) + " " + Math.round(r.left) + ".." + Math.round(r.right));
  }
  for (const el of document.querySelectorAll("button, .btn, input[type=submit], input[type=button]")) {
    if (shown(el) && el.getBoundingClientRect().height < 44) small.push(name(el) + " " + el.getBoundingClientRect().height + "px");
  }
  return {scrollWidth: root.scrollWidth, clientWidth: width, outside, small};
}"""


def layout_problems(page: Page, where: str) -> list[str]:
    """What makes ``page`` hard to use on a narrow phone, described for the assertion.

    Besides ``scrollWidth <= clientWidth`` every visible element must lie within
    the viewport: app.css sets ``overflow-x: hidden`` on html and body, which
    keeps ``scrollWidth`` small even when content is cut off at the right.
    """
    found = page.evaluate(LAYOUT_PROBE)
    problems = []
    if found["scrollWidth"] > found["clientWidth"]:
        problems.append(f"{where}: scrolls horizontally ({found['scrollWidth']} > {found['clientWidth']})")
    problems += [f"{where}: sticks out: {item}" for item in found["outside"]]
    problems += [f"{where}: button under 44 px: {item}" for item in found["small"]]
    return problems


def decode_qr(png: bytes) -> list[str]:
    """The texts of every QR code in a screenshot."""
    import zxingcpp

    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


# -- tests ----------------------------------------------------------------------


def test_join_by_qr_follow_sessions_and_download_minutes(server, new_context, network_log, shot):
    """The core issue's walk-through: QR code → phone joins → follows the room → minutes."""
    projector = new_context("projector").new_page()
    projector.goto(server.projector_url)
    expect_connected(projector)
    projector.wait_for_function(
        "() => { const img = document.querySelector('img.qr');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    decoded = decode_qr(shot(projector, "projector-lobby"))
    assert decoded == [server.join_url]

    phone = new_context("phone").new_page()
    join(phone, decoded[0], "Amira Test", "Volkshochschule", "education")
    shot(phone, "phone-lobby")
    mark_page(phone)

    dashboard = new_context("laptop").new_page()
    open_dashboard(dashboard, server.facilitator_url)
    expect(dashboard.get_by_test_id("participant-count")).to_have_text("1")
    installed = dashboard.locator(".add-session li strong").all_text_contents()
    in_demo = dashboard.locator(".agenda-item .muted.small").all_text_contents()
    assert sorted(in_demo) == sorted(installed), "the demo holds one session of every method"
    first, second = two_sessions(dashboard)
    start_session(dashboard, first)
    expect_session(phone, first)
    expect(projector.locator(".projector-title")).to_have_text(first)
    shot(phone, "phone-first-session")
    start_session(dashboard, second)
    expect_session(phone, second)
    expect(projector.locator(".projector-title")).to_have_text(second)
    shot(phone, "phone-second-session")
    shot(dashboard, "dashboard")
    assert_not_reloaded(phone)

    with dashboard.expect_download() as download_info:
        dashboard.get_by_role("link", name="Download minutes (.md)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".md")
    minutes = Path(download.path()).read_text(encoding="utf-8")
    assert minutes.startswith(f"# {DEMO_TITLE}\n")
    assert "Amira Test (Volkshochschule)" in minutes

    assert network_log, "no requests were recorded"
    assert non_local(network_log) == []


def test_phone_keeps_its_identity_across_reload_and_dropped_connection(server, new_context, shot):
    """A reload, lost cookies or a Wi-Fi drop bring the phone back as the same person."""
    phone_context = new_context("phone")
    phone = phone_context.new_page()
    join(phone, server.join_url, "Jonas Reload", "Caritas", "welfare")

    phone.reload()
    expect_connected(phone)
    expect(phone.locator("#live h1")).to_have_text("Welcome, Jonas Reload!")
    expect(phone.locator("#join-form")).to_have_count(0)

    # Cookies gone (e.g. cleared by the browser): the token in local storage restores them.
    phone_context.clear_cookies()
    phone.reload()
    expect_connected(phone)
    expect(phone.locator("#live h1")).to_have_text("Welcome, Jonas Reload!")

    dashboard = new_context("laptop").new_page()
    open_dashboard(dashboard, server.facilitator_url)
    expect(dashboard.get_by_test_id("participant-count")).to_have_text("1")
    first, second = two_sessions(dashboard)

    phone_context.set_offline(True)
    expect(phone.locator("#conn")).not_to_have_attribute("data-state", "connected")
    start_session(dashboard, first)  # the room moves on while the phone is offline
    shot(phone, "phone-offline")
    phone_context.set_offline(False)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "connected", timeout=15_000)
    expect_session(phone, first)

    start_session(dashboard, second)
    expect_session(phone, second)
    expect(dashboard.get_by_test_id("participant-count")).to_have_text("1")


def test_participant_pages_fit_a_320px_phone(server, new_context, shot):
    """Join page, lobby and every session: no horizontal scrolling, buttons at least 44 px tall."""
    phone = new_context("phone", **NARROWEST_PHONE).new_page()
    phone.goto(server.join_url)
    expect(phone.locator("#join-form")).to_be_visible()
    problems = layout_problems(phone, "join page")
    shot(phone, "join-320", full_page=True)
    join(phone, server.join_url, "Lea Schmal", "Stadt Musterstadt", "municipality")
    problems += layout_problems(phone, "lobby")
    shot(phone, "lobby-320", full_page=True)

    dashboard = new_context("laptop").new_page()
    open_dashboard(dashboard, server.facilitator_url)
    titles = agenda_titles(dashboard)
    assert titles, "the demo workshop has no sessions"
    for number, title in enumerate(titles, 1):
        start_session(dashboard, title)
        expect_session(phone, title)
        problems += layout_problems(phone, f"session {title!r}")
        shot(phone, f"session-{number}-320", full_page=True)
    assert not problems, "\n".join(problems)


def test_facilitator_removes_a_participant(server, new_context, shot):
    """Dashboard → "Show everyone" → Remove (confirmed): the phone says it was removed."""
    phone = new_context("phone").new_page()
    join(phone, server.join_url, "Max Weg", "", "other")
    mark_page(phone)

    dashboard = new_context("laptop").new_page()
    open_dashboard(dashboard, server.facilitator_url)
    expect(dashboard.get_by_test_id("participant-count")).to_have_text("1")
    dashboard.locator("summary", has_text="Show everyone").click()
    person = dashboard.locator(".people li").filter(has_text="Max Weg")
    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    dashboard.once("dialog", accept)
    person.get_by_role("button", name="Remove").click()

    expect(phone.locator("#live")).to_contain_text(
        "The facilitator has removed you from this workshop."
    )
    shot(phone, "phone-removed")
    assert_not_reloaded(phone)
    assert dialogs == ["Remove Max Weg from the workshop?"]
    expect(dashboard.get_by_test_id("participant-count")).to_have_text("0")
    expect(dashboard.locator(".people li").filter(has_text="Max Weg")).to_have_count(0)

    # The phone forgot its identity: opening the link again shows the join form.
    phone.goto(server.join_url)
    expect(phone.locator("#join-form")).to_be_visible()
    phone.wait_for_load_state("networkidle")  # its resume script has had its say
    expect(phone.locator("#join-form")).to_be_visible()
