"""The phone in a hand (issue 9): offline taps, the offline bar, counters, words, languages.

One real server (``facilitator serve``) on a data folder prepared through the
core before it starts: a German named workshop with a 110-character title, a
dot voting of twelve prepared options and a fishbowl; and an English anonymous
workshop. The facilitator is played by a Socket.IO client (docs/protocol.md),
so these tests do not depend on the dashboard's buttons. Phones are Debian's
headless Chromium at 360x740 (and 320x640 where it matters), asking for
English unless a test says otherwise.

Checked: taps made while offline are marked as waiting and confirmed once
the connection is back, each applied once; the offline bar stays at the top
while the page scrolls and pushes the page down rather than covering it (also
on the projector); dots left stay in view and say "done" at zero; a live
character counter; the Join button in view under a long title; no
organisation asked in anonymous mode; a browser language that is not offered
falls back to the workshop's; "Leave on this phone" asks first; plain words
for zero counts. Screenshots of every state go to test-artifacts/browser/.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import socketio
from browser_steps import expect_connected
from helpers.server import Server
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

#: 110 characters, as a municipal workshop title can be.
LONG_TITLE = ("Runder Tisch Integration und Teilhabe im Landkreis Musterstadt: "
              "Handlungsfelder, Zuständigkeiten und nächste Schritte")
OPTIONS = [
    "Sprachkurse mit Kinderbetreuung", "Mehr Plätze in Integrationskursen", "Lotsen für Behördengänge",
    "Wohnraum für Familien", "Anerkennung ausländischer Abschlüsse", "Ausbildungspatenschaften",
    "Digitale Beratung in mehreren Sprachen", "Begegnungscafés in den Stadtteilen",
    "Gesundheitslotsen", "Sportvereine öffnen", "Ehrenamt stärken", "Übersetzte Elternbriefe",
]
PHONE_320 = {"viewport": {"width": 320, "height": 640}}


@dataclass
class World:
    """The running server and what was prepared in its data folder."""

    server: Server
    token: str  # the facilitator token
    named: dict  # the German named workshop: id, join_code, sessions {slug: id}
    anonymous: dict  # the English anonymous workshop

    def join_url(self, workshop: dict) -> str:
        return f"{self.server.base}/j/{workshop['join_code']}"

    def projector_url(self, workshop: dict) -> str:
        return f"{self.server.base}/p/{workshop['id']}?key={workshop['projector_key']}"


def prepare(data_dir: Path) -> tuple[str, dict, dict]:
    """Create the workshops through the core (the server is not running yet)."""
    from facilitator.app import create_app
    from facilitator.fields import form_values

    app = create_app({"DATA_DIR": data_dir})
    core = app.extensions["facilitator"]
    try:
        with app.app_context():
            named = core.workshops.create({"title": LONG_TITLE, "date": "2026-03-31", "language": "de",
                                           "place": "Rathaus, Raum 1", "privacy": "named"})
            anonymous = core.workshops.create({"title": "Anonymous round", "language": "en",
                                               "privacy": "anonymous"})
            sessions = {}
            for slug, config in {
                "dotvoting": {"title": "Prioritäten", "question": "Was packen wir zuerst an?",
                              "options": "\n".join(OPTIONS), "order": "fixed",
                              "dots_per_participant": 3, "max_per_option": 3},
                "fishbowl": {"title": "Fishbowl", "topic": "Was hilft beim Ankommen?", "chairs": 3,
                             "open_chairs": 1, "panel": "Petra Neumann; Landratsamt; district"},
            }.items():
                data = form_values(core.methods.method(slug), None)
                data.update(config)
                sessions[slug] = core.workshops.add_session(named["id"], slug, data)["id"]
            named = {**named, "sessions": sessions}
        token = app.config["FACILITATOR_TOKEN"]
    finally:
        core.store.close()
    return token, named, anonymous


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """The prepared server, stopped by its pid at the end."""
    token, named, anonymous = prepare(tmp_path / "data")
    server = Server(tmp_path / "data", demo=False)
    try:
        server.start(timeout=20)
    except RuntimeError as error:
        pytest.fail(str(error))
    try:
        yield World(server, token, named, anonymous)
    finally:
        server.stop()


class Facilitator:
    """The facilitator as a protocol client: activate sessions, send method actions."""

    def __init__(self, world: World, workshop: dict) -> None:
        self.workshop = workshop
        self.client = socketio.Client()
        self.latest: dict | None = None
        self.changed = threading.Event()
        self.client.on("view", self._on_view)
        self.client.connect(world.server.base, transports=["websocket"], wait_timeout=5, auth={
            "role": "facilitator", "workshop": workshop["id"], "token": world.token, "language": "en"})

    def _on_view(self, view: dict) -> None:
        self.latest = view
        self.changed.set()

    def call(self, event: str, data: dict) -> dict:
        reply = self.client.call(event, data, timeout=10)
        assert reply and reply.get("ok"), reply
        return reply

    def activate(self, slug: str) -> str:
        session_id = self.workshop["sessions"][slug]
        self.call("session.activate", {"session_id": session_id})
        return session_id

    def act(self, slug: str, action: str, **payload) -> dict:
        return self.call("action", {"session_id": self.workshop["sessions"][slug], "action": action,
                                    "payload": payload, "action_id": uuid.uuid4().hex})

    def wait_view(self, predicate, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.latest is not None and predicate(self.latest):
                return self.latest
            self.changed.wait(0.1)
            self.changed.clear()
        raise AssertionError(f"no such view; latest data: {self.latest and self.latest.get('data')}")

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def facilitator(world: World) -> Iterator[Facilitator]:
    fac = Facilitator(world, world.named)
    yield fac
    fac.close()


def join(page: Page, url: str, name: str = "Amira Kaya", org_type: str = "education") -> None:
    """Join on a phone (English page) and wait for the live lobby."""
    page.goto(url)
    form = page.locator("#join-form")
    if form.get_by_label("Your name").count():
        form.get_by_label("Your name").fill(name)
    form.get_by_label("Type of organisation").select_option(org_type)
    form.get_by_role("button", name="Join").click()
    expect_connected(page)


BAR = "#conn-bar"


def bar_box(page: Page) -> dict:
    return page.locator(BAR).bounding_box()


# -- the join page ----------------------------------------------------------------


@pytest.mark.parametrize("size", ["360x740", "320x640"])
def test_join_button_in_view_under_a_long_title(world, new_context, shot, size):
    """The Join button shows without scrolling; the date is German in the German UI."""
    width, height = map(int, size.split("x"))
    phone = new_context("phone", viewport={"width": width, "height": height}, locale="de-DE").new_page()
    phone.goto(world.join_url(world.named))
    expect(phone.locator("h1")).to_have_text(LONG_TITLE)
    expect(phone.locator(".join-where")).to_contain_text("31.03.2026")
    button = phone.get_by_role("button", name="Teilnehmen")
    box = button.bounding_box()
    shot(phone, f"join-long-title-{size}")
    assert box["y"] + box["height"] <= height, f"the Join button ends at {box['y'] + box['height']} px"
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    # Counters on the text fields, translated.
    expect(phone.locator("#name-counter")).to_have_text("Noch 60 Zeichen")
    phone.get_by_label("Ihr Name").fill("Amira")
    expect(phone.locator("#name-counter")).to_have_text("Noch 55 Zeichen")


def test_language_switch_on_the_join_page(world, new_context):
    """The switch sends itself (the page script, no inline handler) and the form follows."""
    phone = new_context("phone").new_page()
    phone.goto(world.join_url(world.named))
    expect(phone.locator("#join-form button[type=submit]")).to_have_text("Join")
    phone.locator("#lang-select").select_option("de")
    expect(phone.locator("#join-form button[type=submit]")).to_have_text("Teilnehmen")
    expect(phone.locator("#join-form input[name=language]")).to_have_value("de")


def test_anonymous_join_asks_no_organisation(world, new_context, shot):
    phone = new_context("phone").new_page()
    phone.goto(world.join_url(world.anonymous))
    expect(phone.locator("#join-form")).to_be_visible()
    expect(phone.locator("#organisation")).to_have_count(0)
    expect(phone.locator("#name")).to_have_count(0)
    shot(phone, "join-anonymous")
    join(phone, world.join_url(world.anonymous), org_type="welfare")
    expect(phone.locator("#live h1")).to_have_text("Welcome!")


@pytest.mark.parametrize("accept, workshop, expected", [
    ("ar, fr;q=0.9", "named", "Teilnehmen"),  # nothing offered: the workshop's language (German)
    ("ar, fr;q=0.9", "anonymous", "Join"),  # ... or English for an English workshop
    ("tr, de;q=0.5", "anonymous", "Teilnehmen"),  # German is offered, if less preferred
])
def test_a_browser_language_not_offered_falls_back_to_the_workshops(world, new_context, accept, workshop,
                                                                     expected):
    phone = new_context("phone").new_page()
    # The context's locale would win over extra headers: set the header on the way out.
    phone.route("**/j/**", lambda route: route.continue_(
        headers={**route.request.headers, "accept-language": accept}))
    phone.goto(world.join_url(getattr(world, workshop)))
    expect(phone.locator("#join-form button[type=submit]")).to_have_text(expected)


# -- offline: the bar, waiting taps, confirmation -----------------------------------------


def voting_phone(world, facilitator, new_context):
    """A phone that joined the named workshop, with dot voting open and 3 dots to place."""
    context = new_context("phone")
    phone = context.new_page()
    join(phone, world.join_url(world.named))
    facilitator.activate("dotvoting")
    facilitator.act("dotvoting", "start_voting")
    expect(phone.locator(".dv-left p.big")).to_have_text("3 dots left")
    return context, phone


def test_taps_made_offline_wait_and_then_confirm(world, facilitator, new_context, shot):
    """Offline: the bar stays in view, taps are marked as waiting; back online each is saved once."""
    context, phone = voting_phone(world, facilitator, new_context)
    expect(phone.locator(BAR)).to_have_attribute("data-state", "hidden")
    assert bar_box(phone)["height"] == 0, "the bar takes no room while connected"
    title_top = phone.locator(".topbar").bounding_box()["y"]

    context.set_offline(True)
    expect(phone.locator(BAR)).to_contain_text("Offline", timeout=15_000)
    bar = bar_box(phone)
    assert bar["y"] == 0 and 20 <= bar["height"] <= 60, bar
    assert phone.locator(".topbar").bounding_box()["y"] >= title_top + bar["height"] - 1, \
        "the bar pushes the page down instead of covering it"
    title = phone.locator(".topbar-title").bounding_box()
    assert title["width"] > 200, "the title keeps its width"

    first, second = OPTIONS[0], OPTIONS[-1]
    plus_first = phone.get_by_role("button", name=f"Place a dot on: {first}", exact=True)
    plus_first.click()
    expect(plus_first).to_have_class(re.compile(r"\bis-pending\b"))
    expect(plus_first).to_have_attribute("aria-busy", "true")
    expect(plus_first).to_have_accessible_description("Waiting for connection…")
    expect(phone.locator("#messages .message.pending")).to_contain_text("You are offline.")
    expect(phone.locator(BAR)).to_contain_text("1 tap waiting")
    plus_first.click()  # the same tap again would change nothing: it is not queued twice
    expect(phone.locator("#messages .message.pending").last).to_contain_text("already waiting")
    expect(phone.locator(BAR)).to_contain_text("1 tap waiting")

    plus_second = phone.get_by_role("button", name=f"Place a dot on: {second}", exact=True)
    plus_second.scroll_into_view_if_needed()
    assert bar_box(phone)["y"] == 0, "the bar stays in view while scrolling"
    dots_left = phone.locator(".dv-left").bounding_box()
    assert abs(dots_left["y"] - bar_box(phone)["height"]) <= 1, "dots left stay in view, under the bar"
    plus_second.click()
    expect(phone.locator(BAR)).to_contain_text("2 taps waiting")
    shot(phone, "offline-waiting-360")
    assert phone.locator(".dv-dot").count() == 0, "nothing is shown as placed before it is saved"

    context.set_offline(False)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "connected", timeout=15_000)
    expect(phone.locator("#messages .message.ok").first).to_contain_text("saved")
    expect(phone.locator(".dv-left p.big")).to_have_text("1 dot left")
    for option in (first, second):
        card = phone.locator(".dv-option").filter(has_text=option)
        expect(card.locator(".dv-dot")).to_have_count(1)
    expect(phone.locator(".is-pending")).to_have_count(0)
    shot(phone, "offline-confirmed-360")
    expect(phone.locator(BAR)).to_have_attribute("data-state", "hidden", timeout=5_000)
    # Nothing waits any more, not even in session storage.
    assert phone.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('facilitator:queue'))") == []


def test_a_tap_waiting_offline_survives_a_reload(world, facilitator, new_context):
    """The queue is kept in session storage: a tab reloaded (or discarded) while offline still sends."""
    context, phone = voting_phone(world, facilitator, new_context)
    context.set_offline(True)
    expect(phone.locator(BAR)).to_contain_text("Offline", timeout=15_000)
    phone.get_by_role("button", name=f"Place a dot on: {OPTIONS[1]}", exact=True).click()
    kept = phone.evaluate("JSON.parse(sessionStorage.getItem(Object.keys(sessionStorage)"
                          ".find(k => k.startsWith('facilitator:queue'))))")
    assert len(kept) == 1 and kept[0]["data"]["action"] == "set_dots"
    context.set_offline(False)
    phone.reload()
    expect_connected(phone)
    expect(phone.locator(".dv-left p.big")).to_have_text("2 dots left")
    expect(phone.locator("#messages .message.ok")).to_contain_text("Dot placed: saved.")


def test_offline_bar_on_a_320px_phone_keeps_the_title_whole(world, new_context, shot):
    context = new_context("phone", **PHONE_320)
    phone = context.new_page()
    join(phone, world.join_url(world.named))
    context.set_offline(True)
    expect(phone.locator(BAR)).to_contain_text("Offline", timeout=15_000)
    title = phone.locator(".topbar-title").bounding_box()
    assert title["width"] >= 280, f"the title is squashed: {title}"
    assert phone.locator(".topbar").bounding_box()["y"] >= bar_box(phone)["height"] - 1
    shot(phone, "offline-lobby-320")
    phone.mouse.wheel(0, 400)
    phone.wait_for_timeout(200)
    assert bar_box(phone)["y"] == 0
    context.set_offline(False)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "connected", timeout=15_000)
    expect(phone.locator(BAR)).to_contain_text("Connected again.")


def test_offline_bar_on_the_projector_and_the_dashboard(world, new_context, shot):
    """The same bar on every live page; the projector makes room for it instead of scrolling."""
    for kind, url in (("projector", world.projector_url(world.named)),
                      ("laptop", f"{world.server.base}/f/{world.token}")):
        context = new_context(kind)
        page = context.new_page()
        page.goto(url)
        if kind == "laptop":
            page.goto(f"{world.server.base}/facilitator/w/{world.named['id']}")
        expect_connected(page)
        expect(page.locator("#live")).not_to_contain_text("Connecting")  # the first view is in
        context.set_offline(True)
        expect(page.locator(BAR)).to_contain_text("Offline", timeout=15_000)
        assert bar_box(page)["y"] == 0
        if kind == "projector":
            assert page.evaluate("document.documentElement.scrollHeight <= innerHeight"), \
                "the projector page scrolls with the bar"
        shot(page, f"offline-{kind}")
        context.set_offline(False)
        expect(page.locator("#conn")).to_have_attribute("data-state", "connected", timeout=15_000)


# -- dot voting on a phone ------------------------------------------------------------------


@pytest.mark.parametrize("size", ["360x740", "320x640"])
def test_dot_voting_on_a_phone(world, facilitator, new_context, shot, size):
    """Counter while collecting; dots left stay in view; a done state at zero; padded cards."""
    width, height = map(int, size.split("x"))
    phone = new_context("phone", viewport={"width": width, "height": height}).new_page()
    join(phone, world.join_url(world.named))
    shot(phone, f"lobby-{size}")
    facilitator.activate("dotvoting")
    field = phone.get_by_label("Your idea")
    counter = phone.locator("#dv-text-counter")
    expect(counter).to_have_text("120 characters left")
    field.fill("Mobilität für alle")
    expect(counter).to_have_text("102 characters left")
    field.fill("x" * 130)  # the field keeps 120: the counter says so instead of cutting silently
    expect(counter).to_have_text("0 characters left")
    expect(counter).to_have_class(re.compile(r"\bis-full\b"))
    field.fill("Mobilität für alle")
    shot(phone, f"collect-{size}")
    phone.get_by_role("button", name="Add").click()
    expect(phone.locator("#messages .message.ok")).to_have_text("Your idea has been added.")
    expect(phone.locator("#messages .message.ok")).to_have_attribute("data-kind", "ok")
    expect(counter).to_have_text("120 characters left")
    expect(phone.locator(".dv ul.list li", has_text="Mobilität für alle")).to_contain_text("your idea")

    facilitator.act("dotvoting", "start_voting")
    expect(phone.locator(".dv-left p.big")).to_have_text("3 dots left")
    card = phone.locator(".dv-option").first
    text_box = card.locator(".dv-option-text").bounding_box()
    card_box = card.bounding_box()
    assert text_box["x"] - card_box["x"] >= 10, "the option text keeps its distance from the border"
    phone.mouse.wheel(0, 1500)
    phone.wait_for_timeout(300)
    assert phone.evaluate("scrollY") > 300
    left = phone.locator(".dv-left").bounding_box()
    assert 0 <= left["y"] <= 1, f"dots left scrolled away: {left}"
    shot(phone, f"vote-scrolled-{size}")
    for placed, option in enumerate((OPTIONS[-1], OPTIONS[-2], OPTIONS[-3]), 1):
        phone.get_by_role("button", name=f"Place a dot on: {option}", exact=True).click()
        expect(phone.locator(".dv-dot")).to_have_count(placed)
        expect(phone.locator("#messages .message.ok").last).to_have_text("Dot placed: saved.")
    expect(phone.locator(".dv-left p.big")).to_have_text("All dots placed")
    expect(phone.locator(".dv-done")).to_have_text("Your vote is saved.")
    assert phone.locator(".dv-left").bounding_box()["height"] <= 80, "the sticky part stays slim"
    expect(phone.locator(".dv-left")).to_have_class(re.compile(r"\bdv-left-done\b"))
    shot(phone, f"vote-done-{size}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= width


# -- fishbowl on a phone ------------------------------------------------------------------------


def test_fishbowl_on_a_phone_speaks_plainly(world, facilitator, new_context, shot):
    """"Nobody is waiting" instead of a zero; taps confirm themselves; queued and seated states."""
    phones = []
    for name in ("Amira Kaya", "Bernd Krause", "Chiara Rossi"):
        page = new_context("phone").new_page()
        join(page, world.join_url(world.named), name=name)
        phones.append(page)
    amira, bernd, chiara = phones
    facilitator.activate("fishbowl")
    facilitator.act("fishbowl", "start")
    # Three chairs, one for the panel guest: two people from the audience fill the circle.
    for page in (amira, bernd):
        page.locator(".fb-me button[data-action=request_chair]").click()
        expect(page.locator("#messages .message.ok")).to_have_text("Request sent.")
        expect(page.locator(".fb-me")).to_contain_text("You are in the inner circle.")
    expect(chiara.locator(".fb-me")).to_contain_text("Nobody is waiting.")
    shot(chiara, "fishbowl-nobody-waiting-360", full_page=True)
    chiara.get_by_role("button", name="Queue for the open chair").click()
    expect(chiara.locator(".fb-me")).to_contain_text("You are number 1 in the queue.")
    shot(chiara, "fishbowl-queued-360", full_page=True)

    chiara.get_by_label("Your question or comment for the circle").fill("Wie finden Neue einen Verein?")
    expect(chiara.locator("#fb-question-counter")).to_have_text("251 characters left")
    chiara.get_by_role("button", name="Post").click()
    expect(chiara.locator("#messages .message.ok").last).to_have_text("Your question has been posted.")
    row = amira.locator(".fb-question-row", has_text="Wie finden Neue")
    row.get_by_role("button", name="No upvotes yet").click()
    expect(amira.locator("#messages .message.ok").last).to_have_text("Your vote has been counted.")
    expect(row.get_by_role("button", name="1 upvote")).to_have_attribute("aria-pressed", "true")
    shot(amira, "fishbowl-seated-360", full_page=True)

    narrow = new_context("phone", **PHONE_320).new_page()
    join(narrow, world.join_url(world.named), name="Dana Schmal")
    expect(narrow.locator(".fb-me")).to_contain_text("1 person is waiting.")
    shot(narrow, "fishbowl-320", full_page=True)
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 320


# -- leaving -------------------------------------------------------------------------------------


def test_leave_on_this_phone_asks_first(world, new_context):
    phone = new_context("phone").new_page()
    join(phone, world.join_url(world.named))
    key = f"facilitator:{world.named['id']}"
    assert phone.evaluate("k => localStorage.getItem(k)", key)
    dialogs: list[str] = []

    def answer(accept: bool):
        def handle(dialog) -> None:
            dialogs.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return handle

    phone.once("dialog", answer(False))
    phone.get_by_role("button", name="Leave on this phone").click()
    expect_connected(phone)
    expect(phone.locator("#live h1")).to_have_text("Welcome, Amira Kaya!")
    assert phone.evaluate("k => localStorage.getItem(k)", key), "declining keeps the token"

    phone.once("dialog", answer(True))
    phone.get_by_role("button", name="Leave on this phone").click()
    expect(phone.locator("#join-form")).to_be_visible()
    assert dialogs == ["Leave the workshop on this phone? To take part again, you will have to join anew."] * 2
    assert phone.evaluate("k => localStorage.getItem(k)", key) is None
