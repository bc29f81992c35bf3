"""One workshop with every installed method (dot voting, fishbowl, round table, twinning) driven
through the real engine as people would, its minutes in every format (.md, .html, .pdf, .docx,
.json) in German and English: each method's section, attendance and agreements match what
happened, and hostile text typed into every field that reaches the minutes stays literal and inert."""

from __future__ import annotations

import json
import re

import pytest
from markdown_it import MarkdownIt
from test_minutes_formats import LINK, PIPE, SCRIPT, TEMPLATE, TICKS, docx_text, pdf_text

from facilitator.methods import Actor
from facilitator.minutes_export import FORMATS, export_minutes
from facilitator.minutes_read import read_minutes_agreements
from facilitator.workers import run_inline

FAC = Actor("facilitator")
LEAD = "# "  # a leading '#' would make a Markdown heading


def hostile(tag: str) -> str:
    """Text with a leading ``#`` and every hostile piece, marked with where it was typed."""
    return f"{LEAD}{tag} {SCRIPT} {LINK} {PIPE} {TICKS} {TEMPLATE}"


#: Where participant text was typed (each tag must reach the minutes).
TAGS = ("IDEA", "SAID", "ASKED", "PROPOSAL", "REASON", "GROUPA", "GROUPB", "OFFERA", "NEEDA",
        "PROJECT", "FBAGREE", "RTAGREE")
HEADINGS = {
    "de": ("Programm", "Vereinbarungen und Zuständigkeiten", "Kernaussagen", "Wechselprotokoll", "Redezeit",
           "Tandems", "Punktzahl und Stabilität"),
    "en": ("Agenda", "Agreements and responsibilities", "Key statements", "Rotation log", "Speaking time",
           "Pairs", "Score and stability"),
}
TITLES = ("Prioritäten setzen", "Aktuelle Stunde", "Runder Tisch Wohnen", "Tandems bilden")


class Workshop:
    """Drives one workshop through the engine: people, sessions, actions."""

    def __init__(self, core, language: str) -> None:
        self.core = core
        core.engine.run_off = run_inline  # twinning's matching (ctx.compute) at once, as in MethodHarness
        self.w = core.workshops.create({"title": "Alle Methoden", "date": "2026-10-01", "place": "Rathaus",
                                        "organiser": "Integrationsbüro", "language": language,
                                        "privacy": "named"})
        self.wid = self.w["id"]
        self.keys = 0
        self.people = {name: core.people.join(self.wid, {"name": name, "organisation": org, "org_type": kind})
                       for name, org, kind in (("Amira", "Verein A", "mso"), ("Jonas", "Jobcenter", "employment"),
                                               ("Lena", "Caritas", "welfare"))}

    def actor(self, who: str) -> Actor:
        """The facilitator, or the participant called ``who``."""
        return FAC if who == "facilitator" else self.core.people.actor(self.w, self.people[who])

    def act(self, sid: str, name: str, payload: dict | None = None, by: str = "facilitator") -> dict:
        """One action through ``engine.apply_action`` with a fresh action id; its reply."""
        self.keys += 1
        return self.core.engine.apply_action(self.wid, self.actor(by), sid, name, payload or {}, f"k{self.keys}")

    def session(self, method: str, form: dict) -> str:
        """Add a session from its form and activate it; its id."""
        sid = self.core.workshops.add_session(self.wid, method, form)["id"]
        self.core.engine.activate_session(self.wid, sid)
        return sid

    def state(self, sid: str) -> dict:
        """The session's stored state."""
        return self.core.workshops.session(self.wid, sid)["state"]


def run_workshop(core, language: str) -> dict:
    """Every method once, with hostile text in every participant-typed field; returns the workshop."""
    ws = Workshop(core, language)
    vote = ws.session("dotvoting", {"title": TITLES[0], "question": "Was zuerst?"})
    ws.act(vote, "add_option", {"text": hostile("IDEA")}, by="Amira")
    ws.act(vote, "add_option", {"text": "Wohnen"}, by="Jonas")
    ws.act(vote, "start_voting")
    for who in ws.people:
        ws.act(vote, "set_dots", {"option": "o1", "count": 2}, by=who)
    ws.act(vote, "set_dots", {"option": "o2", "count": 1}, by="Lena")
    ws.act(vote, "close_voting")
    ws.act(vote, "reveal")
    ws.act(vote, "assign", {"option": "o1", "who_person": "Amira", "who_org": "Verein A", "due": "2026-11-01"})
    core.engine.close_session(ws.wid, vote)

    talk = ws.session("fishbowl", {"title": TITLES[1], "topic": "Presse", "questions_enabled": True})
    ws.act(talk, "add_guest", {"name": "Frau Presse", "organisation": "Zeitung", "org_type": "other"})
    ws.act(talk, "start")
    ws.act(talk, "request_chair", by="Jonas")
    ws.act(talk, "post_question", {"text": hostile("ASKED")}, by="Lena")
    ws.act(talk, "mark_statement", {"text": hostile("SAID"), "person": ws.people["Jonas"]["id"]})
    ws.act(talk, "record_agreement", {"what": hostile("FBAGREE"), "who_person": "Lena", "who_org": "Caritas",
                                      "due": "2026-11-15"})
    core.engine.close_session(ws.wid, talk)

    table = ws.session("roundtable", {"title": TITLES[2], "items": "Wohnraum; 10; Sozialamt",
                                      "speaking_limit": "0", "review_from": "none"})
    ws.act(table, "go_to_item", {"item": "i1"})
    ws.act(table, "raise_hand", {"kind": "new"}, by="Lena")
    ws.act(table, "next_speaker")
    core.clock.advance(30)
    ws.act(table, "end_turn")
    proposal = ws.act(table, "propose", {"text": hostile("PROPOSAL")}, by="Amira")["proposal"]
    check = ws.act(table, "start_check", {"proposal": proposal})["check"]
    ws.act(table, "answer", {"check": check, "answer": "agree"}, by="Amira")
    ws.act(table, "answer", {"check": check, "answer": "object", "reason": hostile("REASON")}, by="Jonas")
    ws.act(table, "answer", {"check": check, "answer": "live_with"}, by="Lena")
    ws.act(table, "close_check", {"check": check})
    ws.act(table, "record_agreement", {"check": check, "who_person": "Amira", "who_org": "Verein A",
                                       "due": "2026-12-01"})
    ws.act(table, "record_agreement", {"what": hostile("RTAGREE"), "who_org": "Jobcenter"})
    core.engine.close_session(ws.wid, table)

    twin = ws.session("twinning", {"title": TITLES[3], "topics": "Bildung\nArbeit"})
    for who, name, offers, needs in (("Amira", hostile("GROUPA"), hostile("OFFERA"), hostile("NEEDA")),
                                     ("Jonas", hostile("GROUPB"), hostile("NEEDA"), hostile("OFFERA"))):
        ws.act(twin, "register", {"name": name, "org_type": "mso", "town": "Neustadt", "topic:Bildung": True,
                                  "topics_other": "", "offers": offers, "needs": needs, "languages": "Deutsch",
                                  "contact": f"Kontakt {who}", "organisation": ""}, by=who)
    ws.act(twin, "run_matching")
    assert ws.state(twin)["phase"] == "review"
    ws.act(twin, "publish")
    ws.act(twin, "respond", {"response": "confirm"}, by="Amira")
    ws.act(twin, "respond", {"response": "confirm"}, by="Jonas")
    ws.act(twin, "start_planning")
    a, b = ws.state(twin)["order"]
    ws.act(twin, "plan", {"title": hostile("PROJECT")[:120], "goal": "Sprachcafé", "start": "2026-11-01",
                          f"meeting:{a}": "2026-11-15", f"meeting:{b}": "2026-12-06",
                          f"responsible:{a}": "Amira K.", f"responsible:{b}": "Jonas B.",
                          "working": "2027-01-20", "presentation": "2027-03-30"}, by="Amira")
    core.engine.close_session(ws.wid, twin)
    return core.workshops.get(ws.wid)


@pytest.fixture(params=["de", "en"])
def exported(request, app, core):
    workshop = run_workshop(core, request.param)
    with app.app_context():
        files = {fmt: export_minutes(core, workshop, fmt)[0] for fmt in FORMATS}
    ledger = core.ledger.of_workshop(workshop["id"])
    return request.param, files, ledger


def texts(files: dict) -> dict[str, str]:
    """The readable text of every format (PDF and DOCX read back)."""
    html = re.sub("<[^>]+>", " ", files["html"].decode())
    html = html.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", '"')
    return {"md": files["md"].decode(), "html": " ".join(html.split()),
            "pdf": pdf_text(files["pdf"]), "docx": docx_text(files["docx"]),
            "json": json.dumps(json.loads(files["json"]), ensure_ascii=False)}


def test_every_method_has_its_section_and_headings_in_every_format(exported):
    language, files, _ledger = exported
    for fmt, text in texts(files).items():
        for title in TITLES:
            assert title in text, (fmt, title)
        if fmt != "json":
            for heading in HEADINGS[language]:
                assert heading in text, (fmt, heading)
    md = files["md"].decode()
    for number, title in enumerate(TITLES, 1):
        assert f"\n## {number}. {title}\n" in md


def test_attendance_counts_match(exported):
    language, files, _ledger = exported
    data = json.loads(files["json"])
    assert data["attendance"]["participants"] == 3 and data["attendance"]["guests"] == 1
    assert data["attendance"]["organisations"] == 4  # Verein A, Jobcenter, Caritas, the guest's Zeitung
    wanted = ("Teilnehmende: 3, und 1 Gast, aus 4 Organisationen" if language == "de"
              else "Participants: 3, and 1 guest, from 4 organisations")
    for fmt, text in texts(files).items():
        if fmt != "json":
            assert wanted in text.replace("**", ""), fmt
        for name in ("Amira", "Jonas", "Lena", "Frau Presse"):
            assert name in text, (fmt, name)


def test_every_agreement_is_in_the_agreements_table(exported):
    _language, files, ledger = exported
    # dot voting 1, fishbowl 1, round table 2, twinning: the pair + 4 planned dates
    assert len(ledger) == 9
    whats = {a["what"] for a in ledger}
    assert hostile("IDEA") in whats and hostile("FBAGREE") in whats and hostile("RTAGREE") in whats
    assert hostile("PROPOSAL") in whats  # recorded from the consent check on the proposal
    titles = {item["session_id"]: item["title"] for item in json.loads(files["json"])["agenda"]}
    assert sorted(titles[a["session_id"]] for a in ledger) == sorted([TITLES[0], TITLES[1]] + [TITLES[2]] * 2
                                                                    + [TITLES[3]] * 5)
    md_rows = read_minutes_agreements(files["md"].decode(), "x.md")["agreements"]
    json_rows = read_minutes_agreements(files["json"].decode(), "x.json")["agreements"]
    for rows in (md_rows, json_rows):
        assert [r["what"] for r in rows] == [a["what"] for a in ledger]
        assert [r["who_org"] for r in rows] == [a["who_org"] for a in ledger]
        assert [r["session"] for r in rows] == [titles[a["session_id"]] for a in ledger]
    plain = texts(files)
    for a in ledger:
        for fmt in ("pdf", "docx", "html"):
            assert " ".join(a["what"].split()) in plain[fmt], (fmt, a["what"])


def test_hostile_text_reaches_every_format_literally(exported):
    _language, files, _ledger = exported
    for fmt, text in texts(files).items():
        if fmt in ("md", "json"):
            continue  # escaped Markdown (json: the sections' Markdown): checked through the rendering
        for tag in TAGS:
            assert hostile(tag) in text, (fmt, tag)
    md = files["md"].decode()
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    plain = " ".join(re.sub("<[^>]+>", " ", rendered).replace("&lt;", "<").replace("&gt;", ">")
                     .replace("&amp;", "&").replace("&quot;", '"').split())
    for tag in TAGS:
        assert hostile(tag) in plain, tag
    data = json.loads(files["json"])  # the JSON's sections are the same escaped Markdown
    assert all(section["markdown"] in md for section in data["sections"])
    assert {a["what"] for a in data["agreements"]} >= {hostile(t) for t in ("IDEA", "FBAGREE", "RTAGREE")}


def test_hostile_text_is_never_markup(exported):
    _language, files, _ledger = exported
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(files["md"].decode())
    html = files["html"].decode()
    for where, page in (("md", rendered), ("html", html)):
        assert "<script" not in page, where
        assert "javascript:" not in page.replace("(javascript:alert(1))", ""), where
        assert "<a " not in page and "<code" not in page, where
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, where
        assert TEMPLATE in page, where
        for tag in TAGS:
            assert not re.search(rf"<h[1-6][^>]*>[^<]*{tag}", page), (where, tag)
    # The agreements table keeps its columns: the '|' stays inside its cell.
    rows = [line for line in files["md"].decode().splitlines() if line.startswith("| ") and "FBAGREE" in line]
    assert len(rows) == 1 and rows[0].count(" | ") == 8


def test_the_sections_say_what_happened(exported):
    language, files, _ledger = exported
    md = files["md"].decode()
    sections = dict(re.findall(r"\n## \d\. ([^\n]+)\n(.*?)(?=\n## )", md, re.DOTALL))
    assert "IDEA" in sections[TITLES[0]] and "Wohnen" in sections[TITLES[0]]
    dots = re.findall(r"^\| (\d) \| (.*?) \| (\d+) \|", sections[TITLES[0]], re.MULTILINE)
    assert [(rank, total) for rank, _option, total in dots] == [("1", "6"), ("2", "1")]
    assert "IDEA" in dots[0][1]
    assert "SAID" in sections[TITLES[1]] and "ASKED" in sections[TITLES[1]]
    assert "Frau Presse" in sections[TITLES[1]] and "FBAGREE" in sections[TITLES[1]]
    rt = sections[TITLES[2]]
    assert "PROPOSAL" in rt and "REASON" in rt and "RTAGREE" in rt and "Lena" in rt
    assert ("Einwände" if language == "de" else "objections") in rt
    tw = sections[TITLES[3]]
    assert "GROUPA" in tw and "GROUPB" in tw and "PROJECT" in tw
    assert ("bestätigt" if language == "de" else "confirmed") in tw
