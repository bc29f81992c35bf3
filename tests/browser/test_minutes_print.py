"""The printable minutes (.html) on A4 in Chromium: no word is broken inside.

The responsibilities table used to print "Samir" as "Sam/ir" and dates as
"01./10./202/7". Here the standalone .html is printed to PDF (A4) by Chromium
and, with print media emulated at the width of an A4 page's text, every word
of every table cell is checked to lie on one line.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from facilitator.app import create_app
from facilitator.minutes_export import export_minutes
from facilitator.minutes_protocol import Protocol
from facilitator.testing import FakeClock

pytestmark = pytest.mark.browser

#: A4 is 210 mm wide; the print stylesheet leaves 15 mm each side: 180 mm at 96 dpi.
A4_TEXT_WIDTH_PX = round(180 / 25.4 * 96)
#: The responsibilities table prints on A4 landscape pages: 297 mm less 2 × 15 mm.
A4_LANDSCAPE_TEXT_WIDTH_PX = round(267 / 25.4 * 96)
PEOPLE = [("Samir", "Caritas Kreisverband"), ("Şule Öztürk", "Migrantenselbstorganisation Brücke"),
          ("Jürgen Weiß", "Integrationsbeauftragte Landkreis"), ("Ana", "Volkshochschule"),
          ("Mohammed Al-Hassan", "Jobcenter Oberberg")]
DATES = ["2027-10-01", "2027-12-24", "2026-01-15", "2027-03-31", "2027-07-07"]

#: Every word of a table cell (or of the whole page) whose text spans more than one line.
#: A word runs between spaces and hyphens: "Al-|Hassan" may wrap after its hyphen, as
#: typesetting allows; "Sam|ir" or "01.|10." may not.
BROKEN_WORDS_JS = """(selector) => {
  const broken = [];
  for (const cell of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s\\-\\u2010-\\u2014]+/g;
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


@pytest.fixture
def minutes_html() -> str:
    """The standalone minutes of a round with a full responsibilities table."""
    app = create_app({"TESTING": True, "LIVE_SYNC": True, "CLOCK": FakeClock(), "SECRET_KEY": "t"})
    core = app.extensions["facilitator"]
    try:
        w = core.workshops.create({"title": "Runder Tisch Öffentlichkeit", "date": "2027-09-30",
                                   "place": "Kreishaus", "language": "de"})
        for name, org in PEOPLE:
            core.people.join(w["id"], {"name": name, "organisation": org, "org_type": "welfare"})
        for index, ((name, org), due) in enumerate(zip(PEOPLE * 2, DATES * 2, strict=True)):
            core.ledger.save(w["id"], {
                "what": f"Flyer für die Öffentlichkeitsarbeit abstimmen und verteilen ({index})",
                "who_person": name, "who_org": org, "follow_up": PEOPLE[-1 - index % 5][0],
                "due": due, "review": DATES[(index + 2) % 5]})
        Protocol(core.workshops).save(w["id"], {"moderator": "Frau Dr. Hülya Yıldırım",
                                                "minute_taker": "Samir"})
        with app.app_context():
            return export_minutes(core, core.workshops.get(w["id"]), "html", 0)[0].decode()
    finally:
        core.store.close()


def test_printed_table_keeps_every_word_whole(new_context, minutes_html, shot):
    page = new_context("laptop", viewport={"width": A4_LANDSCAPE_TEXT_WIDTH_PX, "height": 794}).new_page()
    page.set_content(minutes_html)
    page.emulate_media(media="print")
    assert page.locator("table.agreements tbody tr").count() == 10
    broken = page.evaluate(BROKEN_WORDS_JS, "table.agreements th, table.agreements td")
    assert broken == [], broken
    width = page.evaluate("document.querySelector('table.agreements').getBoundingClientRect().width")
    assert width <= A4_LANDSCAPE_TEXT_WIDTH_PX + 1  # the table fits its page
    shot(page, "a4-landscape-table", full_page=True)


def test_printed_text_keeps_every_word_whole_in_portrait(new_context, minutes_html):
    page = new_context("laptop", viewport={"width": A4_TEXT_WIDTH_PX, "height": 1123}).new_page()
    page.set_content(minutes_html)
    page.emulate_media(media="print")
    assert page.evaluate(BROKEN_WORDS_JS, ".minutes-doc > :not(.agreements-section)") == []
    right = page.evaluate("Math.max(...[...document.querySelectorAll("
                          "'.minutes-doc > :not(.agreements-section)')].map(e => e.getBoundingClientRect().right))")
    assert right <= A4_TEXT_WIDTH_PX + 1  # (the table has its landscape pages)


def test_chromium_pdf_on_a4_has_names_and_dates_whole(new_context, minutes_html):
    page = new_context("laptop").new_page()
    page.set_content(minutes_html)
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    reader = PdfReader(io.BytesIO(pdf))
    sizes = [(round(float(p.mediabox.width) / 72 * 25.4), round(float(p.mediabox.height) / 72 * 25.4))
             for p in reader.pages]
    assert sizes[0] == (210, 297)
    table_pages = [size for p, size in zip(reader.pages, sizes, strict=True)
                   if "Vereinbarungen und Zuständigkeiten" in p.extract_text()]
    assert table_pages and all(size == (297, 210) for size in table_pages)  # A4 landscape
    text = "\n".join(page_.extract_text() for page_ in reader.pages)
    for name, _org in PEOPLE:
        for word in name.split():
            assert word in text, word
    for date in ("01.10.2027", "24.12.2027", "15.01.2026"):
        assert date in text, date
    assert not re.search(r"Sam\s*\n\s*ir", text)
    assert not re.search(r"\d{2}\.\s*\n\s*\d{2}\.", text)
