"""A fishbowl in the browser, from the "Add a session" form to the downloaded minutes.

The issue's "Done" walk-through with the real server (``facilitator serve
--demo``), Debian's headless Chromium, five phones, the facilitator's laptop
and the projector. The facilitator adds a fishbowl of four chairs (one of
them open) with a panel of two named guests through "Add a session", so the
circle is full after two people from the audience and the make-room rule
comes into play. Step by step (circle | queue):

1. start: the panel sits (Petra, Yusuf, two free chairs | nobody);
2. Amira takes a free chair, Bernd the open one: the circle is full;
3. Chiara, Dmitri and Elif ask for the chair and are queued at places 1-3;
4. the facilitator confirms the make-room prompt: Amira leaves;
5. "Seat the next person": Chiara sits (| Dmitri, Elif);
6. Bernd taps "I'm done"; "Seat the next person": Dmitri sits (| Elif);
7. the facilitator asks Dmitri to leave: one open chair again (| Elif).

Then Elif posts a question, three others upvote it, the facilitator puts it
on the projector and marks a key statement, and ends. Every turn lasts at
least ``TALK`` seconds of real time, so the rotation log has durations > 0.

The browsers ask for English; the demo workshop is German, so the projector
and the minutes are German (the texts asserted here come from the fishbowl's
German catalogue).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_steps import expect_connected, join, non_local
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

DEMO_TITLE = "Demo: Runder Tisch Integration"
SESSION_TITLE = "Fishbowl: Ankommen im Quartier"
TOPIC = "What helps newcomers feel at home in our district?"
PANEL = {  # name: (organisation, type of organisation)
    "Petra Neumann": ("Landratsamt", "district"),
    "Yusuf Demir": ("Migrantenverein Bunt", "mso"),
}
PHONES = {
    "Amira Haddad": ("Volkshochschule", "education"),
    "Bernd Krause": ("Caritas", "welfare"),
    "Chiara Rossi": ("Jobcenter", "employment"),
    "Dmitri Volkov": ("Sportverein", "association"),
    "Elif Aydin": ("Stadtverwaltung", "municipality"),
}
QUESTION = "How do newcomers find a sports club that welcomes them?"
STATEMENT = "Mentoring works best when the first contact is personal."
TALK = 1.2  # seconds each person stays seated at least (durations round to whole seconds)
DURATION = re.compile(r"^(\d+):([0-5]\d)$")


# -- helpers --------------------------------------------------------------------








def add_fishbowl(dashboard: Page) -> None:
    """Add a fishbowl session through "Add a session": 4 chairs, 1 open, a panel of two."""
    dashboard.locator("summary", has_text="Add a session").click()
    dashboard.locator(".add-session a", has_text="Fishbowl").click()
    form = dashboard.locator("form.card")
    form.get_by_label("Title of the session").fill(SESSION_TITLE)
    form.get_by_label("Topic or question").fill(TOPIC)
    form.get_by_label("Chairs in the inner circle").fill("4")
    form.get_by_label("Open chairs").fill("1")
    form.get_by_label("Format").select_option("open")
    for row, (name, (org, kind)) in enumerate(PANEL.items()):  # one row per guest
        form.get_by_label(f"Name of guest {row + 1}").fill(name)
        form.locator(f"#f-panel-org-{row}").fill(org)
        form.locator(f"#f-panel-type-{row}").select_option(kind)
    form.get_by_label("Guidance time per turn (minutes)").fill("2")
    expect(form.get_by_label("The outer circle may post questions")).to_be_checked()
    form.get_by_label("Queue order").select_option("arrival")
    form.get_by_role("button", name="Add session").click()
    expect(dashboard.locator(".agenda-item strong", has_text=SESSION_TITLE)).to_be_visible()
    expect_connected(dashboard)


def start_session(dashboard: Page, title: str) -> None:
    """Click "Start" on the agenda item ``title`` and wait until it runs."""
    item = dashboard.locator(".agenda-item").filter(has=dashboard.locator("strong", has_text=title))
    item.get_by_role("button", name="Start").click()
    expect(item.locator(".badge")).to_have_text("Running")


def expect_circle(page: Page, names: list[str]) -> None:
    """The chair list (phone or dashboard) shows exactly ``names`` ("" = open chair), in order."""
    rows = page.locator(".fb-chair-list > li")
    expect(rows).to_have_count(len(names))
    for index, name in enumerate(names):
        if name:
            expect(rows.nth(index).locator(".fb-row-name")).to_contain_text(name)
        else:
            expect(rows.nth(index)).to_have_class(re.compile(r"\bfb-row-open\b"))


def expect_me(phone: Page, text: str) -> None:
    """The phone's own-place card says ``text``."""
    expect(phone.locator(".fb-me")).to_contain_text(text)


def open_panel(section: Locator, summary: str) -> Locator:
    """Open the ``<details>`` whose summary says ``summary`` (if it is closed) and return it."""
    details = section.locator("details").filter(
        has=section.page.locator("summary", has_text=summary)
    )
    if not details.evaluate("details => details.open"):
        details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    return details


def fishbowl_section(minutes: str) -> str:
    """The added fishbowl's part of the Markdown minutes: ``## <n>. <title>`` up to the next."""
    match = re.search(rf"^## \d+\. {re.escape(SESSION_TITLE)}$", minutes, re.MULTILINE)
    assert match, f"no section for {SESSION_TITLE!r} in the minutes:\n{minutes}"
    following = minutes.find("\n## ", match.end())
    return minutes[match.start():] if following == -1 else minutes[match.start():following]


def subsections(section: str) -> dict[str, str]:
    """The ``### heading`` parts of a section: heading -> text up to the next heading."""
    parts = re.split(r"^### (.+)$", section, flags=re.MULTILINE)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2])}


def tables(text: str) -> list[list[list[str]]]:
    """The body rows (cells) of every Markdown table in ``text``, without head and ``|---|``."""
    found, rows = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
        elif rows:
            found.append(rows[2:])
            rows = []
    return found


def seconds(duration: str) -> int:
    """``"1:05"`` -> 65; fails on anything that is not ``m:ss``."""
    match = DURATION.match(duration)
    assert match, f"not a m:ss duration: {duration!r}"
    return 60 * int(match[1]) + int(match[2])


# -- the test -----------------------------------------------------------------------


def test_fishbowl_with_five_phones_a_panel_and_minutes(server, new_context, network_log, shot):
    """Five phones, a panel of two: queue, rotate, make room, questions, projector, minutes."""
    petra, yusuf = PANEL
    amira, bernd, chiara, dmitri, elif_ = PHONES

    projector = new_context("projector").new_page()
    projector.goto(server.projector_url)
    expect_connected(projector)

    phones: dict[str, Page] = {}
    for name, (organisation, org_type) in PHONES.items():
        phones[name] = new_context("phone").new_page()
        join(phones[name], server.join_url, name, organisation, org_type)

    dashboard = new_context("laptop").new_page()
    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    dashboard.on("dialog", accept)
    dashboard.goto(server.facilitator_url)
    dashboard.get_by_role("link", name=DEMO_TITLE).click()
    expect_connected(dashboard)
    expect(dashboard.get_by_test_id("participant-count")).to_have_text(str(len(PHONES)))
    add_fishbowl(dashboard)
    start_session(dashboard, SESSION_TITLE)
    for phone in phones.values():
        expect(phone.locator("#live .session-head h1")).to_have_text(SESSION_TITLE)
    expect(projector.locator(".projector-title")).to_have_text(SESSION_TITLE)

    # The panel sits from the beginning; the phones see it and two free chairs.
    expect_circle(phones[amira], [petra, yusuf, "", ""])
    expect(phones[amira].locator(".fb-status")).to_contain_text("Not started yet")
    fishbowl = dashboard.locator(".dash-session")
    fishbowl.get_by_role("button", name="Start the discussion").click()
    expect(phones[amira].locator(".fb-status")).to_contain_text("Running")
    expect(projector.locator(".fb-status")).to_contain_text("Läuft")
    expect(projector.locator(".fb-chair-open")).to_have_count(2)

    # Amira takes a free chair, Bernd the open one: the circle is full.
    phones[amira].get_by_role("button", name="Take a free chair").click()  # two chairs are free
    expect_me(phones[amira], "You are in the inner circle.")
    expect_circle(phones[bernd], [petra, yusuf, amira, ""])
    phones[amira].wait_for_timeout(TALK * 1000)
    phones[bernd].get_by_role("button", name="Take the open chair").click()
    expect_me(phones[bernd], "You are in the inner circle.")
    expect_circle(phones[chiara], [petra, yusuf, amira, bernd])

    # The others queue and see their place; the button says what will happen.
    for place, name in enumerate((chiara, dmitri, elif_), start=1):
        phones[name].get_by_role("button", name="Queue for the open chair").click()
        expect_me(phones[name], f"You are number {place} in the queue.")
    expect(phones[elif_].locator(".fb-queue > li")).to_have_text(
        [chiara, dmitri, f"{elif_} (you)"]
    )
    expect(projector.locator(".fb-queue-big > li")).to_have_text([chiara, dmitri, elif_])
    shot(phones[elif_], "phone-queued", full_page=True)

    # Full circle: the facilitator is prompted to let the longest-seated audience member make room.
    prompt = fishbowl.locator(".alert", has_text="The circle is full.")
    expect(prompt).to_contain_text(amira)
    expect_me(phones[amira], "Please make room when you have finished your thought.")
    shot(phones[amira], "phone-make-room", full_page=True)
    shot(projector, "projector-full-circle")
    prompt.get_by_role("button", name=f"{amira} leaves the circle").click()
    expect(phones[amira].get_by_role("button", name="Queue for the open chair")).to_be_visible()
    expect_circle(fishbowl, [petra, yusuf, "", bernd])
    expect(fishbowl).to_contain_text(f"Next: {chiara}")

    # Seat the next from the queue; everybody moves up one place.
    fishbowl.get_by_role("button", name="Seat the next person").click()
    expect_me(phones[chiara], "You are in the inner circle.")
    expect_me(phones[dmitri], "You are number 1 in the queue.")
    expect_me(phones[elif_], "You are number 2 in the queue.")
    expect_circle(fishbowl, [petra, yusuf, chiara, bernd])

    # Bernd is done; the facilitator seats the next one.
    phones[bernd].wait_for_timeout(TALK * 1000)
    phones[bernd].get_by_role("button", name="I'm done: leave the chair").click()
    expect(phones[bernd].get_by_role("button", name="Queue for the open chair")).to_be_visible()
    expect_circle(fishbowl, [petra, yusuf, chiara, ""])
    fishbowl.get_by_role("button", name="Seat the next person").click()
    expect_me(phones[dmitri], "You are in the inner circle.")
    expect_me(phones[elif_], "You are number 1 in the queue.")
    expect(fishbowl.locator(".alert", has_text="The circle is full.")).to_contain_text(chiara)

    # The facilitator asks Dmitri to leave (after confirming).
    phones[dmitri].wait_for_timeout(TALK * 1000)
    dmitri_row = fishbowl.locator(".fb-chair-list > li", has_text=dmitri)
    dmitri_row.get_by_role("button", name="Leave").click()
    expect(phones[dmitri].get_by_role("button", name="Queue for the open chair")).to_be_visible()
    expect_circle(fishbowl, [petra, yusuf, chiara, ""])
    expect(fishbowl.locator(".alert", has_text="The circle is full.")).to_have_count(0)

    # A question from the outer circle, upvoted by three, put on the projector.
    phones[elif_].get_by_label("Your question or comment for the circle").fill(QUESTION)
    phones[elif_].get_by_role("button", name="Post").click()
    for voter in (amira, bernd, chiara):
        row = phones[voter].locator(".fb-question-row", has_text=QUESTION)
        row.get_by_role("button", name=re.compile(r"^(\d+ upvotes?|No upvotes yet)$")).click()
        expect(row.get_by_role("button", pressed=True)).to_be_visible()
    open_panel(fishbowl, "Questions from the outer circle")
    question = fishbowl.locator(".fb-questions > li", has_text=QUESTION)
    expect(question).to_contain_text("▲ 3")
    question.get_by_role("button", name="Show").click()
    expect(projector.locator(".fb-centre-question")).to_have_text(QUESTION)
    expect(phones[elif_].locator(".fb-question-row", has_text=QUESTION)).to_contain_text("▲ 3")

    # A key statement, attributed to a panel guest.
    open_panel(fishbowl, "Key statements")
    statement_form = fishbowl.locator("form[data-action=mark_statement]")
    statement_form.get_by_label("Statement").fill(STATEMENT)
    statement_form.get_by_label("Said by (optional)").select_option(label=petra)
    statement_form.get_by_role("button", name="Mark statement").click()
    expect(fishbowl.locator("details", has_text="Key statements")).to_contain_text(STATEMENT)

    # The projector: the circle with names, the open chair, the queue, the question.
    chairs = projector.locator(".fb-chair")
    expect(chairs).to_have_count(4)
    expect(chairs.locator(".fb-chair-name")).to_have_text([petra, yusuf, chiara, "Offener Stuhl"])
    expect(projector.locator(".fb-chair-open")).to_contain_text("Kommen Sie dazu!")
    running_turn = re.compile(r"^\d+:\d\d$")
    for seated in range(3):
        expect(chairs.nth(seated).locator(".fb-chair-time")).to_have_text(running_turn)
    expect(projector.locator(".fb-queue-big > li")).to_have_text([elif_])
    expect(projector.locator(".fb-centre")).to_contain_text("Aus dem Publikum")
    shot(projector, "projector-question")
    shot(phones[elif_], "phone-question", full_page=True)
    shot(phones[chiara], "phone-seated", full_page=True)
    shot(dashboard, "dashboard-running", full_page=True)

    # Finishing the session ends the discussion: phones thank everyone, nothing can change.
    phones[chiara].wait_for_timeout(TALK * 1000)
    fishbowl.get_by_role("button", name="Finish session").click()
    expect_me(phones[elif_], "The fishbowl has ended. Thank you!")
    expect(phones[chiara].get_by_role("button", name="I'm done: leave the chair")).to_have_count(0)
    expect(projector.locator(".fb-status")).to_contain_text("Beendet")
    expect(projector.locator(".fb-queue-big")).to_have_count(0)
    shot(phones[elif_], "phone-ended", full_page=True)
    assert dialogs == [f"Ask {dmitri} to leave the circle?",
                       "Finish this session? Participants can no longer act in it."]

    # Per-person speaking time is personal data: only in the minutes once the facilitator
    # ticks it on the minutes page.
    with dashboard.expect_download() as download_info:
        dashboard.get_by_role("link", name="Download minutes (.md)").click()
    without = fishbowl_section(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert "| Person |" not in without and "Personen saßen im Kreis" in without
    dashboard.get_by_role("link", name="Minutes", exact=True).click()
    dashboard.get_by_label("Show each person's speaking time in the minutes").check()
    dashboard.get_by_role("button", name="Save", exact=True).first.click()
    expect(dashboard.get_by_label("Show each person's speaking time in the minutes")).to_be_checked()
    with dashboard.expect_download() as download_info:
        dashboard.get_by_role("link", name="Markdown (.md)").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".md")
    section = fishbowl_section(Path(download.path()).read_text(encoding="utf-8"))
    parts = subsections(section)

    assert f"**Thema:** {TOPIC}" in section
    assert "Offene Fishbowl: 4 Stühle, davon 1 offen." in section
    assert f"- {petra} (Landratsamt, Landkreis)" in section
    assert f"- {yusuf} (Migrantenverein Bunt, Migrantenselbstorganisation (MSO))" in section
    discussion = re.search(r"Von (\d\d:\d\d) bis (\d\d:\d\d); (\d+:\d\d) Diskussion", section)
    assert discussion, section

    # Rotation log: everyone who sat, in the order they sat down, each for a plausible time.
    [log] = tables(parts["Wechselprotokoll"])
    assert [row[1] for row in log] == [
        f"{petra} (Podium)", f"{yusuf} (Podium)", amira, bernd, chiara, dmitri,
    ], log
    assert [row[0] for row in log] == ["1", "2", "3", "4", "5", "6"]
    clock = re.compile(r"^\d\d:\d\d$")
    assert all(clock.match(row[2]) and clock.match(row[3]) for row in log), log
    durations = {row[1].removesuffix(" (Podium)"): seconds(row[4]) for row in log}
    assert all(0 < time < 300 for time in durations.values()), durations
    # The panel sat from the start to the end: exactly the discussion time, nobody longer.
    assert durations[petra] == durations[yusuf] == seconds(discussion[3]), durations
    assert all(time <= durations[petra] for time in durations.values()), durations
    assert durations[petra] >= 4 * TALK, durations

    # Statistics: how many sat, time by type of organisation and per person.
    [stats] = [text for text in parts.values() if "Personen saßen im Kreis" in text]
    assert "6 Personen saßen im Kreis (2 vom Podium, 4 aus dem Außenkreis), 6 Beiträge" in stats
    by_type, per_person = tables(stats)
    assert {row[0] for row in by_type} == {
        "Landkreis", "Migrantenselbstorganisation (MSO)", "Bildung (Schule, Erwachsenenbildung)",
        "Wohlfahrtsverband", "Arbeitgeber oder Jobcenter", "Verein oder Verband",
    }, by_type
    assert 98 <= sum(int(row[4].removesuffix(" %")) for row in by_type) <= 102, by_type
    assert {row[0]: seconds(row[2]) for row in per_person} == durations

    # The question with its upvotes, and the key statement.
    assert f"1. {QUESTION} (3 Unterstützungen, nicht beantwortet)" in parts[
        "Fragen aus dem Außenkreis"
    ]
    assert re.search(
        rf"^- \d\d:\d\d \({petra}\): {re.escape(STATEMENT)}$", parts["Kernaussagen"], re.MULTILINE
    ), parts["Kernaussagen"]

    assert network_log, "no requests were recorded"
    assert non_local(network_log) == []


#: Where each chair of the projector's circle is, and the window's height.
CHAIRS_PROBE = """() => ({
  height: innerHeight,
  chairs: [...document.querySelectorAll('.fb-chair')].map((chair, index) => {
    const box = chair.getBoundingClientRect();
    return {index, name: chair.innerText.split('\\n')[0],
            top: Math.round(box.top), bottom: Math.round(box.bottom)};
  }),
})"""


def test_projector_shows_every_chair_on_common_projector_screens(server, new_context, shot):
    """On 1280x720 and 1024x768 projectors every chair of the circle is on the screen."""
    dashboard = new_context("laptop").new_page()
    dashboard.goto(server.facilitator_url)
    dashboard.get_by_role("link", name=DEMO_TITLE).click()
    expect_connected(dashboard)
    demo_fishbowl = dashboard.locator(".agenda-item").filter(has_text="Fishbowl").first
    demo_fishbowl.get_by_role("button", name="Start").click()
    dashboard.locator(".dash-session").get_by_role("button", name="Start the discussion").click()

    projector = new_context("projector").new_page()
    projector.goto(server.projector_url)
    expect(projector.locator(".fb-status")).to_contain_text("Läuft")
    hidden = []
    for width, height in ((1280, 720), (1024, 768)):
        projector.set_viewport_size({"width": width, "height": height})
        shot(projector, f"projector-{width}x{height}")
        found = projector.evaluate(CHAIRS_PROBE)
        hidden += [
            f"{width}x{height}: chair {chair['index']} ({chair['name']}) "
            f"spans {chair['top']}..{chair['bottom']} px"
            for chair in found["chairs"] if chair["bottom"] > found["height"]
        ]
    assert not hidden, "chairs below the screen:\n" + "\n".join(hidden)
