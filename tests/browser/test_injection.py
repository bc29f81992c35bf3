"""Hostile text in every field stays text: phones, projector, dashboard and minutes.

Issue "Reliability and security", part "Injection". One real server (``serve
--demo``), two phones (360x740), the facilitator's laptop and the projector.
Everything a participant or the facilitator can type is filled with hostile
text through the pages themselves (so CSRF tokens, if the forms carry them,
travel as usual):

* workshop title, place and organiser (Edit workshop);
* session titles; dot voting's question, categories and prepared options;
  the fishbowl's topic and panel guests (Add a session);
* display names and organisations at joining (one phone joins as
  ``<img src=x onerror=alert(1)>``, name and organisation);
* dot voting: ideas from phones (``add_option``), the facilitator's own option
  and its edit (``edit_option``), the owner of the top option (``assign``);
* fishbowl: a question from a phone and one from a card (``post_question``),
  a guest (``add_guest``), a key statement (``mark_statement``), an agreement
  (``record_agreement``);
* an agreement through the dashboard's core form (``agreement.save``).

The texts: ``<script>``, a ``javascript:`` Markdown link, an attribute
breakout ``"><svg onload=…>``, ``</textarea></title>`` breakouts, Jinja
syntax (``{{7*7}}``, ``{% raw %}…{% endraw %}``), Markdown breakers (``|``,
``#`` and backticks, at the start of a line in multi-line fields), U+202E
(right-to-left override) and ``<img src=x onerror=alert(1)>``.

Checked on every page visited (join, lobby, both methods on phones, projector
and dashboard, the edit forms, the workshop list, the handout and the HTML
minutes): no JavaScript dialog opens, no injected element exists (``img[src=x]``,
``svg[onload]``, ``javascript:`` links, ``on…`` handlers calling ``alert``,
scripts other than the page's own), and the texts show literally (so
``{{7*7}}`` never became 49). The ``.md`` minutes are rendered with
python-markdown (as a reader's Markdown viewer would) and must stay inert,
keep the texts and keep every table's columns. No request leaves 127.0.0.1.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import pytest
from browser_steps import expect_connected, join, non_local
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

DEMO_TITLE = "Demo: Runder Tisch Integration"

# -- the hostile texts ------------------------------------------------------------

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
LINK = "[x](javascript:alert(1))"
SVG = '"><svg onload=alert(1)>'
SUM = "{{7*7}}"
RAW = "{% raw %}{{ config }}{% endraw %}"
PIPE = "| a | b |"
HEADING = "# Heading"
TICKS = "```"
RLO = "\u202eevil"  # right-to-left override: what follows it is shown mirrored
BREAKOUT = "</textarea></title><img src=x onerror=alert(1)>"
#: All of them; U+202E last, as it mirrors the rest of its line on screen.
HOSTILE = (SCRIPT, LINK, SVG, SUM, RAW, PIPE, HEADING, TICKS, IMG, RLO)


def one_line(*texts: str) -> str:
    return " ".join(texts)


def lines(*texts: str) -> str:
    """A multi-line text: the Markdown breakers start lines here."""
    return "\n".join(texts)


# -- what goes into which field ---------------------------------------------------

WS_TITLE = one_line(BREAKOUT, SCRIPT, SUM, SVG)  # <= 120
WS_PLACE = one_line(PIPE, LINK, RAW, RLO)
WS_ORGANISER = one_line(HEADING, TICKS, IMG, SUM)

#: Two phones: (name, organisation, type of organisation).
PHONE_A = (IMG, IMG, "welfare")
PHONE_B = (one_line(SVG, SUM), one_line(PIPE, SCRIPT, LINK, RLO), "education")

DV_TITLE = one_line(HEADING, SCRIPT, SUM, "dots")
DV_QUESTION = one_line(*HOSTILE)  # <= 200
DV_CATEGORIES = (IMG, one_line(PIPE, SUM), one_line(TICKS, LINK))
DV_PREPARED = (SCRIPT, one_line(HEADING, RAW))
#: Ideas from the phones: (text, category label or "").
IDEAS_A = ((LINK, DV_CATEGORIES[0]), (one_line(SVG, RLO), ""))
IDEAS_B = ((one_line(PIPE, SUM), DV_CATEGORIES[1]), (IMG, ""))
FAC_IDEA = "An idea from the facilitator"
FAC_EDITED = one_line(PIPE, TICKS, SUM, IMG)  # gets both dots, so it is assigned
DV_OPTIONS = (*DV_PREPARED, *(t for t, _ in IDEAS_A + IDEAS_B), FAC_EDITED)
DV_PERSON = one_line(LINK, SUM)  # <= 60
DV_ORG = one_line(PIPE, IMG, RAW)  # <= 100

FB_TITLE = one_line(PIPE, IMG, RAW, "fishbowl")
FB_TOPIC = one_line(IMG, SVG, SUM, RAW, LINK, SCRIPT, PIPE, HEADING, TICKS, RLO)
#: Panel guests of the session form: (name, organisation, type of organisation).
GUESTS = ((SCRIPT, one_line(LINK, HEADING), "association"),
          (one_line(SUM, TICKS), one_line(RAW, RLO), "science"))
NEW_GUEST = (one_line(SVG, TICKS), one_line(PIPE, SCRIPT, SUM))  # add_guest
FB_QUESTION = lines(PIPE, HEADING, TICKS, SCRIPT, LINK, SVG, SUM, RAW, IMG, RLO)  # <= 280
FAC_QUESTION = one_line(HEADING, IMG, SUM)
STATEMENT = lines(PIPE, HEADING, TICKS, BREAKOUT, SCRIPT, LINK, SVG, SUM, RAW, IMG, RLO)
#: Agreements: (what, who_person, who_org).
FB_AGREEMENT = (lines(PIPE, HEADING, TICKS, BREAKOUT, LINK, SUM), one_line(IMG, SUM),
                one_line(PIPE, SVG, RAW))
CORE_AGREEMENT = (lines(HEADING, PIPE, TICKS, SCRIPT, RAW, RLO), IMG, one_line(PIPE, LINK, SUM))

PEOPLE_TEXTS = (*PHONE_A[:2], *PHONE_B[:2])
FB_PEOPLE = (GUESTS[0][0], GUESTS[1][0], PHONE_A[0], PHONE_B[0])  # the circle, in order


# -- page probes ------------------------------------------------------------------

#: Injected elements in the page, its text (body and title) for the literal checks.
PROBE = """() => {
  const injected = new Set();
  const show = (el) => el.outerHTML.slice(0, 160);
  const bad = 'img[src="x"], svg[onload], iframe, object, embed, [href^="javascript:" i],'
    + ' [src^="javascript:" i], [action^="javascript:" i]';
  document.querySelectorAll(bad).forEach((el) => injected.add(show(el)));
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name) && /alert/i.test(attr.value)) injected.add(show(el));
    }
  }
  for (const script of document.querySelectorAll("script")) {
    if (script.src) {  // the page's own scripts: this server's /static/ or /plugins/ files
      const url = new URL(script.src);
      if (url.origin !== location.origin || !/^\\/(static|plugins)\\//.test(url.pathname)) {
        injected.add(show(script));
      }
    } else if (script.parentElement !== document.body || /alert/.test(script.textContent)) {
      injected.add(show(script));  // inline scripts only where the templates put them
    }
  }
  return {injected: [...injected], text: document.title + "\\n" + document.body.textContent};
}"""


def normal(text: str) -> str:
    """Whitespace folded, as a browser shows text and the minutes write it."""
    return " ".join(text.split())


def minutes_forms(text: str) -> tuple[str, ...]:
    """How ``text`` shows in minutes rendered by python-markdown: exactly as typed."""
    return (normal(text),)


def check_page(page: Page, where: str, texts, problems: list[str], minutes: bool = False) -> None:
    """Record injected elements, and texts of ``texts`` not shown literally, in ``problems``."""
    found = page.evaluate(PROBE)
    problems += [f"{where}: injected element {item}" for item in found["injected"]]
    shown = normal(found["text"])
    for text in texts:
        forms = minutes_forms(text) if minutes else (normal(text),)
        if not any(form in shown for form in forms):
            problems.append(f"{where}: {text!r} is not shown literally")
    if "<Config" in shown or "SECRET_KEY" in shown:
        problems.append(f"{where}: template syntax was evaluated (the app's config shows)")


def watch_dialogs(page: Page, dialogs: list[str], where: str) -> Page:
    """Record (and dismiss) every JavaScript dialog of ``page``."""
    def record(dialog) -> None:
        dialogs.append(f"{where}: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    page.on("dialog", record)
    return page


def starts_with(text: str) -> re.Pattern:
    """Locator text that begins with ``text`` (whitespace folded)."""
    return re.compile(r"^\s*" + re.escape(normal(text)))


def input_values(page: Page, where: str, expected: dict[str, str], problems: list[str]) -> None:
    """Form fields (by CSS selector) hold exactly the saved text: attribute and RCDATA contexts."""
    for selector, value in expected.items():
        actual = page.locator(selector).input_value()
        if actual.replace("\r\n", "\n") != value:
            problems.append(f"{where}: {selector} holds {actual!r}, not {value!r}")


# -- the Markdown minutes -----------------------------------------------------------


class Rendered(HTMLParser):
    """Tags, attributes, text and table cells of HTML rendered from Markdown."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.chunks: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(normal("".join(self._cell)))
            self._cell = None

    def handle_data(self, data):
        self.chunks.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def text(self) -> str:
        return normal("".join(self.chunks))


def markup_problems(html: str, where: str) -> list[str]:
    """Active markup in rendered minutes: scripts, images, handlers, ``javascript:`` targets."""
    problems = [f"{where}: contains '<script'"] if "<script" in html.lower() else []
    for tag, attrs in Rendered(html).tags:
        if tag in ("script", "img", "svg", "iframe", "object", "embed", "style"):
            problems.append(f"{where}: <{tag} {attrs}>")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"{where}: <{tag}> has the handler {name}={value!r}")
            if (value or "").strip().lower().startswith("javascript:"):
                problems.append(f"{where}: <{tag}> links to {value!r}")
    return problems


def md_cells(row: str) -> list[str]:
    """The cells of a Markdown table row, split at unescaped ``|`` (GFM rules)."""
    cells, cell = [], ""
    chars = iter(row.strip())
    for char in chars:
        if char == "\\":
            cell += char + next(chars, "")
        elif char == "|":
            cells.append(cell)
            cell = ""
        else:
            cell += char
    cells.append(cell)
    return [c.strip() for c in cells[1:-1]]


def md_tables(text: str) -> list[list[str]]:
    """Every Markdown table in ``text`` as its lines (head, separator, rows)."""
    found, current = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    return found


def ledger_problems(tables: list[list[list[str]]], where: str) -> list[str]:
    """The minutes' table of agreements: 9 columns, and every cell holds its own text."""
    numbered = [table for table in tables if table and table[0][:1] == ["#"]]
    if not numbered:
        return [f"{where}: no table of agreements"]
    head, *rows = numbered[-1]  # the last one (the fishbowl's rotation log is numbered too)
    problems = [f"{where}: agreements table head {head!r}"] if len(head) != 9 else []
    expected = [
        ("1", FAC_EDITED, DV_PERSON, DV_ORG, DV_TITLE),
        ("2", *FB_AGREEMENT, FB_TITLE),
        ("3", *CORE_AGREEMENT, FB_TITLE),
    ]
    if len(rows) != len(expected):
        return [*problems, f"{where}: {len(rows)} agreements, not {len(expected)}: {rows!r}"]
    for row, (number, what, person, org, source) in zip(rows, expected, strict=True):
        cells = dict(zip(("#", "what", "person", "org", "source"),
                         (row[0], row[1], row[2], row[3], row[-1]), strict=True))
        wanted = {"#": number, "what": what, "person": person, "org": org, "source": source}
        if len(row) != 9:
            problems.append(f"{where}: agreement {number} has {len(row)} cells: {row!r}")
        for column, text in wanted.items():
            if cells[column] not in minutes_forms(text):
                problems.append(f"{where}: agreement {number}, {column}: {cells[column]!r}")
    return problems


# -- steps ----------------------------------------------------------------------------


def edit_workshop(dashboard: Page) -> None:
    dashboard.get_by_role("link", name="Edit workshop").click()
    dashboard.locator("input[name=title]").fill(WS_TITLE)
    dashboard.locator("input[name=place]").fill(WS_PLACE)
    dashboard.locator("input[name=organiser]").fill(WS_ORGANISER)
    dashboard.get_by_role("button", name="Save").click()
    expect(dashboard.locator(".dash-head h1")).to_have_text(WS_TITLE)
    expect_connected(dashboard)


def add_session(dashboard: Page, method: str, title: str, fill) -> None:
    """"Add a session" of ``method`` with ``title``; ``fill(form)`` does the method's fields."""
    dashboard.locator("summary", has_text="Add a session").click()
    dashboard.locator(".add-session a", has_text=method).click()
    form = dashboard.locator("form.card")
    form.get_by_label("Title of the session").fill(title)
    fill(form)
    form.get_by_role("button", name="Add session").click()
    expect(dashboard.locator(".agenda-item strong", has_text=title)).to_have_text(title)
    expect_connected(dashboard)


def fill_dot_voting(form) -> None:
    form.locator("#f-question").fill(DV_QUESTION)
    form.locator("#f-categories").fill(lines(*DV_CATEGORIES))
    form.locator("#f-options").fill(lines(*DV_PREPARED))


def fill_fishbowl(form) -> None:
    form.locator("#f-topic").fill(FB_TOPIC)
    form.get_by_label("Chairs in the inner circle").fill("4")
    form.get_by_label("Open chairs").fill("1")
    form.get_by_label("Format").select_option("open")
    for row, (name, organisation, org_type) in enumerate(GUESTS):  # the panel's rows
        form.locator(f"#f-panel-name-{row}").fill(name)
        form.locator(f"#f-panel-org-{row}").fill(organisation)
        form.locator(f"#f-panel-type-{row}").select_option(org_type)


def start_session(dashboard: Page, title: str) -> None:
    item = dashboard.locator(".agenda-item").filter(has=dashboard.locator("strong", has_text=title))
    item.get_by_role("button", name="Start").click()
    expect(item.locator(".badge")).to_have_text("Running")


def add_idea(phone: Page, text: str, category: str) -> None:
    form = phone.locator("form[data-action=add_option]")
    form.get_by_label("Your idea").fill(text)
    if category:
        form.get_by_label("Category").select_option(label=category)
    form.get_by_role("button", name="Add").click()
    idea = phone.locator(".dv ul.list li").filter(has_text=starts_with(text))
    expect(idea).to_contain_text("your idea")


def place_dot(phone: Page, text: str, left: int) -> None:
    card = phone.locator(".dv-option").filter(
        has=phone.locator(".dv-option-text", has_text=starts_with(text))
    )
    card.get_by_role("button", name=re.compile(r"^Place a dot on: ")).click()
    expect(card.locator(".dv-dot")).to_have_count(1)
    expect(phone.locator(".dv p.big")).to_have_text(f"{left} dots left")


def open_details(page: Page, details_id: str):
    details = page.locator(f"#{details_id}")
    if not details.evaluate("d => d.open"):
        details.locator("summary").first.click()
    expect(details).to_have_attribute("open", "")
    return details


# -- the tests ---------------------------------------------------------------------------


def test_hostile_text_stays_text_everywhere(server, new_context, network_log, shot):
    """Every text field of the core and both methods, on every page and in the minutes."""
    dialogs: list[str] = []
    problems: list[str] = []

    # -- the facilitator names the workshop and adds two sessions -------------------------
    dashboard = watch_dialogs(new_context("laptop").new_page(), dialogs, "dashboard")
    dashboard.goto(server.facilitator_url)
    dashboard.get_by_role("link", name=DEMO_TITLE).click()
    expect_connected(dashboard)
    dashboard_url = dashboard.url
    workshop_id = urlsplit(dashboard_url).path.rstrip("/").rsplit("/", 1)[-1]
    edit_workshop(dashboard)
    add_session(dashboard, "Dot voting", DV_TITLE, fill_dot_voting)
    add_session(dashboard, "Fishbowl", FB_TITLE, fill_fishbowl)
    check_page(dashboard, "dashboard (agenda)", [WS_TITLE, DV_TITLE, FB_TITLE], problems)

    projector = watch_dialogs(new_context("projector").new_page(), dialogs, "projector")
    projector.goto(server.projector_url)
    expect_connected(projector)
    expect(projector.locator(".projector-title")).to_have_text(WS_TITLE)
    check_page(projector, "projector (lobby)", [WS_TITLE], problems)

    # -- two phones join; one is called <img src=x onerror=alert(1)> (and so is its org) ---
    phones: dict[str, Page] = {}
    for key, (name, organisation, org_type) in (("A", PHONE_A), ("B", PHONE_B)):
        phone = watch_dialogs(new_context("phone").new_page(), dialogs, f"phone {key}")
        phone.goto(server.join_url)
        expect(phone.locator("#join-form")).to_be_visible()
        check_page(phone, f"phone {key} (join page)", [WS_TITLE, WS_PLACE], problems)
        join(phone, server.join_url, name, organisation, org_type)  # "Welcome, <name>!" literally
        expect(phone.locator(".topbar-title")).to_have_text(WS_TITLE)
        check_page(phone, f"phone {key} (lobby)", [WS_TITLE, name], problems)
        phones[key] = phone
    shot(phones["A"], "phone-lobby")
    expect(dashboard.get_by_test_id("participant-count")).to_have_text("2")

    # -- dot voting: ideas from phones, the facilitator's option edited ---------------------
    start_session(dashboard, DV_TITLE)
    for phone in phones.values():
        expect(phone.locator("#live .session-head h1")).to_have_text(DV_TITLE)
        expect(phone.locator(".dv h2")).to_have_text(DV_QUESTION)
    for key, ideas in (("A", IDEAS_A), ("B", IDEAS_B)):
        for text, category in ideas:
            add_idea(phones[key], text, category)
    dv = dashboard.locator(".dash-session .dv")
    own = dv.locator("form[data-action=add_option]")
    own.get_by_label("Add an option").fill(FAC_IDEA)
    own.get_by_role("button", name="Add").click()
    card = dv.locator("li.card").filter(  # (other cards name it in their "merge into" list)
        has=dashboard.locator("div.row > span:first-child", has_text=FAC_IDEA)
    )
    card.locator("summary", has_text="Edit").click()
    card.locator("form[data-action=edit_option] input[name=text]").fill(FAC_EDITED)
    card.locator("form[data-action=edit_option]").get_by_role("button", name="Save").click()
    expect(dv.locator("li.card").filter(has_text=starts_with(FAC_EDITED))).to_have_count(1)

    for phone in phones.values():
        items = phone.locator(".dv ul.list li")
        expect(items).to_have_count(len(DV_OPTIONS))
        expect(items.filter(has_text=starts_with(FAC_EDITED))).to_have_count(1)
    cards = projector.locator(".dv-projector li.card")
    expect(cards).to_have_count(len(DV_OPTIONS))
    expect(projector.locator(".dv-projector h1")).to_have_text(DV_QUESTION)
    collected = [WS_TITLE, DV_TITLE, DV_QUESTION, *DV_OPTIONS, *DV_CATEGORIES]
    for key, phone in phones.items():
        check_page(phone, f"phone {key} (dot voting, collecting)", collected, problems)
    check_page(projector, "projector (dot voting, collecting)",
               [DV_TITLE, DV_QUESTION, *DV_OPTIONS, DV_CATEGORIES[0], DV_CATEGORIES[1]], problems)
    shot(phones["B"], "phone-dotvoting-collect", full_page=True)
    shot(projector, "projector-dotvoting-collect")

    # -- vote (one dot each on the edited option), reveal, assign an owner -------------------
    dashboard.get_by_role("button", name="Start voting").click()
    for phone in phones.values():
        expect(phone.locator(".dv p.big")).to_have_text("3 dots left")
        place_dot(phone, FAC_EDITED, left=2)
    check_page(phones["A"], "phone A (dot voting, ballot)", DV_OPTIONS, problems)
    dashboard.get_by_role("button", name="Close voting").click()
    dashboard.get_by_role("button", name="Reveal the result").click()
    ranking = projector.locator(".dv-ranking li")
    expect(ranking).to_have_count(len(DV_OPTIONS))
    expect(ranking.first.locator(".row > span").first).to_have_text(FAC_EDITED)  # not "… 49 …"
    expect(ranking.first.locator(".dv-count")).to_have_text("2")
    for key, phone in phones.items():
        expect(phone.locator(".dv-ranking li")).to_have_count(len(DV_OPTIONS))
        check_page(phone, f"phone {key} (dot voting, result)", DV_OPTIONS, problems)
    check_page(projector, "projector (dot voting, result)", DV_OPTIONS, problems)
    shot(phones["A"], "phone-dotvoting-result", full_page=True)

    assign = dashboard.locator(".dv-assign").first
    expect(assign).to_contain_text(f"1. {FAC_EDITED}")
    assign.get_by_label("Person").fill(DV_PERSON)
    assign.get_by_label("Organisation").fill(DV_ORG)
    assign.get_by_role("button", name="Record agreement").click()
    expect(assign.locator(".badge", has_text="assigned")).to_be_visible()
    owner = dv.locator("li").filter(has=dashboard.locator("strong", has_text=FAC_EDITED))
    expect(owner).to_contain_text(f"{DV_PERSON}, {DV_ORG}")
    check_page(dashboard, "dashboard (dot voting)",
               [WS_TITLE, DV_TITLE, FB_TITLE, DV_QUESTION, *DV_OPTIONS, *DV_CATEGORIES,
                DV_PERSON, DV_ORG, *PEOPLE_TEXTS], problems)
    shot(dashboard, "dashboard-dotvoting", full_page=True)

    # -- fishbowl: both phones sit, questions, a guest, a statement, agreements ------------
    start_session(dashboard, FB_TITLE)
    fishbowl = dashboard.locator(".dash-session")
    fishbowl.get_by_role("button", name="Start the discussion").click()
    for phone in phones.values():
        expect(phone.locator(".fb-topic-small")).to_have_text(FB_TOPIC)
        phone.get_by_role("button", name=re.compile("Take (the open|a free) chair")).click()
        expect(phone.locator(".fb-me")).to_contain_text("You are in the inner circle.")
    expect(projector.locator(".fb-chair-name")).to_have_text(list(FB_PEOPLE))

    phones["B"].get_by_label("Your question or comment for the circle").fill(FB_QUESTION)
    phones["B"].get_by_role("button", name="Post").click()
    row = phones["A"].locator(".fb-question-row")
    expect(row.locator(".fb-q-text")).to_contain_text(FB_QUESTION)
    row.get_by_role("button", name=re.compile(r"^(\d+ upvotes?|No upvotes yet)$")).click()
    expect(row.get_by_role("button", pressed=True)).to_be_visible()
    questions = open_details(dashboard, "fb-questions")
    questions.locator(".fb-questions > li").first.get_by_role("button", name="Show").click()
    expect(projector.locator(".fb-centre-question")).to_have_text(FB_QUESTION)
    card_form = questions.locator("form[data-action=post_question]")
    card_form.locator("input[name=text]").fill(FAC_QUESTION)
    card_form.get_by_role("button", name="Add").click()
    expect(questions.locator(".fb-questions > li")).to_have_count(2)

    guests = open_details(dashboard, "fb-guests")
    guest_form = guests.locator("form[data-action=add_guest]")
    guest_form.locator("#fb-guest-name").fill(NEW_GUEST[0])
    guest_form.locator("#fb-guest-org").fill(NEW_GUEST[1])
    guest_form.locator("input[name=seat]").uncheck()
    guest_form.get_by_role("button", name="Add guest").click()
    expect(guests.locator("li").filter(has_text=starts_with(NEW_GUEST[0]))).to_have_count(1)

    statements = open_details(dashboard, "fb-statements")
    statements.locator("#fb-statement").fill(STATEMENT)
    statements.locator("#fb-statement-person").select_option(label=GUESTS[0][0])
    statements.get_by_role("button", name="Mark statement").click()
    expect(statements.locator("li")).to_contain_text(STATEMENT)

    ledger = dashboard.locator(".dash-agreements .agreements form.agreement")
    expect(ledger).to_have_count(1)  # the owner from dot voting
    agreement = open_details(dashboard, "fb-agreement")
    agreement.locator("#fb-what").fill(FB_AGREEMENT[0])
    agreement.locator("#fb-who-person").fill(FB_AGREEMENT[1])
    agreement.locator("#fb-who-org").fill(FB_AGREEMENT[2])
    agreement.get_by_role("button", name="Record agreement").click()
    expect(ledger).to_have_count(2)
    core_form = open_details(dashboard, "d-new-agreement").locator("form")
    core_form.locator("textarea[name=what]").fill(CORE_AGREEMENT[0])
    core_form.locator("input[name=who_person]").fill(CORE_AGREEMENT[1])
    core_form.locator("input[name=who_org]").fill(CORE_AGREEMENT[2])
    core_form.get_by_role("button", name="Record").click()
    expect(ledger).to_have_count(3)

    fb_phone = [WS_TITLE, FB_TITLE, FB_TOPIC, *FB_PEOPLE, FB_QUESTION, FAC_QUESTION]
    for key, phone in phones.items():
        expect(phone.locator(".fb-q-text")).to_have_count(2)
        check_page(phone, f"phone {key} (fishbowl)", fb_phone, problems)
    check_page(projector, "projector (fishbowl)", [FB_TITLE, FB_TOPIC, *FB_PEOPLE, FB_QUESTION],
               problems)
    check_page(dashboard, "dashboard (fishbowl)",
               [WS_TITLE, DV_TITLE, FB_TITLE, FB_TOPIC, *FB_PEOPLE, GUESTS[0][1], GUESTS[1][1],
                *NEW_GUEST, FB_QUESTION, FAC_QUESTION, STATEMENT, FB_AGREEMENT[0],
                CORE_AGREEMENT[0], *PEOPLE_TEXTS], problems)
    saved = [tuple(form.locator(f"[name={name}]").input_value().replace("\r\n", "\n")
                   for name in ("what", "who_person", "who_org")) for form in ledger.all()]
    expected_ledger = [(FAC_EDITED, DV_PERSON, DV_ORG), FB_AGREEMENT, CORE_AGREEMENT]
    if saved != expected_ledger:
        problems.append(f"dashboard: the agreement forms hold {saved!r}")
    shot(phones["B"], "phone-fishbowl", full_page=True)
    shot(projector, "projector-fishbowl")
    shot(dashboard, "dashboard-fishbowl", full_page=True)

    # -- the facilitator's other pages: forms hold the texts, lists and handout show them ----
    laptop = dashboard.context.new_page()
    watch_dialogs(laptop, dialogs, "laptop")
    laptop.goto(f"{dashboard_url}/edit")
    check_page(laptop, "edit workshop", [], problems)
    input_values(laptop, "edit workshop", {"input[name=title]": WS_TITLE,
                                           "input[name=place]": WS_PLACE,
                                           "input[name=organiser]": WS_ORGANISER}, problems)
    for title, fields in (
        (DV_TITLE, {"#f-question": DV_QUESTION, "#f-categories": lines(*DV_CATEGORIES),
                    "#f-options": lines(*DV_PREPARED)}),
        (FB_TITLE, {"#f-topic": FB_TOPIC,
                    **{f"#f-panel-name-{row}": name for row, (name, _, _) in enumerate(GUESTS)},
                    **{f"#f-panel-org-{row}": org for row, (_, org, _) in enumerate(GUESTS)}}),
    ):
        item = dashboard.locator(".agenda-item").filter(
            has=dashboard.locator("strong", has_text=title)
        )
        laptop.goto(server.base_url + item.get_by_role("link", name="Edit").get_attribute("href"))
        check_page(laptop, f"edit session {title!r}", [], problems)
        input_values(laptop, f"edit session {title!r}",
                     {"input[name=title]": title, **fields}, problems)
    laptop.goto(server.base_url + "/facilitator/")
    check_page(laptop, "workshop list", [WS_TITLE, WS_PLACE], problems)
    laptop.goto(f"{dashboard_url}/handout")
    check_page(laptop, "handout", [WS_TITLE], problems)

    # -- the HTML minutes in the browser ---------------------------------------------------------
    everything = [
        WS_TITLE, WS_PLACE, WS_ORGANISER, *PEOPLE_TEXTS, DV_TITLE, FB_TITLE, DV_QUESTION,
        *DV_OPTIONS, DV_CATEGORIES[0], DV_CATEGORIES[1], DV_PERSON, DV_ORG, FB_TOPIC,
        *(text for guest in GUESTS for text in guest[:2]), *NEW_GUEST, FB_QUESTION,
        FAC_QUESTION, STATEMENT, *FB_AGREEMENT, *CORE_AGREEMENT,
    ]
    laptop.goto(f"{server.base_url}/facilitator/w/{workshop_id}/minutes")
    expect(laptop.locator("article.minutes h1")).to_be_visible()
    check_page(laptop, "minutes (HTML page)", everything, problems, minutes=True)
    shot(laptop, "minutes-html", full_page=True)
    page_tables = laptop.locator("article.minutes table").evaluate_all(
        "ts => ts.map(t => [...t.rows].map(r => [...r.cells].map(c => c.textContent)))"
    )
    problems += ledger_problems(
        [[[normal(c) for c in row] for row in table] for table in page_tables], "minutes (HTML page)"
    )

    # -- the Markdown minutes, rendered by python-markdown ------------------------------------
    response = dashboard.request.get(f"{server.base_url}/facilitator/w/{workshop_id}/minutes.md")
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/markdown")
    source = response.text()
    for line in md_tables(source):
        widths = {len(md_cells(row)) for row in line}
        if len(widths) != 1:
            problems.append(f"minutes.md: a table's rows have {sorted(widths)} cells:\n" + "\n".join(line))
    with_tables = markdown.markdown(source, extensions=["tables"])
    problems += markup_problems(with_tables, "minutes.md (python-markdown, tables)")
    problems += markup_problems(markdown.markdown(source), "minutes.md (python-markdown)")
    rendered = Rendered(with_tables)
    for text in everything:
        if not any(form in rendered.text for form in minutes_forms(text)):
            problems.append(f"minutes.md: {text!r} is not shown literally")
    problems += ledger_problems(rendered.tables, "minutes.md (python-markdown)")

    assert not dialogs, "JavaScript dialogs opened:\n" + "\n".join(dialogs)
    assert not problems, "\n".join(problems)
    assert network_log, "no requests were recorded"
    assert non_local(network_log) == []
    assert not [url for url in network_log if urlsplit(url).path.endswith("/x")], (
        "an injected <img src=x> was loaded"
    )


def test_minutes_show_angle_brackets_literally(server, new_context):
    """A participant called ``<img src=x onerror=alert(1)>`` is listed under that name."""
    phone = new_context("phone").new_page()
    join(phone, server.join_url, IMG, IMG, "welfare")
    laptop = new_context("laptop").new_page()
    laptop.goto(server.facilitator_url)
    laptop.get_by_role("link", name=DEMO_TITLE).click()
    expect_connected(laptop)
    minutes_url = laptop.url + "/minutes"
    source = laptop.request.get(minutes_url + ".md").text()
    assert f"{IMG} ({IMG})" in Rendered(markdown.markdown(source, extensions=["tables"])).text
    laptop.goto(minutes_url)
    assert f"{IMG} ({IMG})" in normal(laptop.locator("article.minutes").text_content())
