"""Minutes in every format (.md, .html, .pdf, .docx, .json): same content, inert hostile text,
readable file names, versions, the protocol header, outside a request too."""

from __future__ import annotations

import io
import json
import re
import zipfile

import docx
import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from facilitator.methods import Actor
from facilitator.minutes_export import FORMATS, content_disposition, export_minutes
from facilitator.minutes_protocol import Protocol
from facilitator.minutes_read import read_minutes_agreements

SCRIPT = "<script>alert(1)</script>"
LINK = "[x](javascript:alert(1))"
PIPE = "a | b"
HEADING = "# Kopf"
TICKS = "`code`"
TEMPLATE = "{{ config.SECRET_KEY }}"
HOSTILE = (SCRIPT, LINK, PIPE, HEADING, TICKS, TEMPLATE)
FAC = Actor("facilitator")


def hostile(tag: str) -> str:
    """A text with every hostile piece, marked with where it was typed."""
    return f"{tag} {SCRIPT} {LINK} {PIPE} {TICKS} {TEMPLATE}"


def act(core, wid, sid, name, payload, actor=FAC, key=[0]):  # noqa: B006 (a counter)
    key[0] += 1
    core.engine.apply_action(wid, actor, sid, name, payload, f"k{key[0]}")


def hostile_workshop(core, language="de", privacy="named"):
    """A workshop where participant text reaches every part of the minutes."""
    w = core.workshops.create({"title": "Öffentlichkeit und Presse", "date": "2026-10-01",
                               "place": "Rathaus", "organiser": "Integrationsbüro",
                               "language": language, "privacy": privacy})
    wid = w["id"]
    people = [core.people.join(wid, {"name": name, "organisation": org, "org_type": t})
              for name, org, t in [(f"{HEADING} Samir", hostile("ORG1"), "mso"),
                                   ("Şule Öztürk", "Caritas", "welfare"), ("محمد", "", "other")]]
    vote = core.workshops.add_session(wid, "dotvoting", {
        "title": "Prioritäten", "question": hostile("QUESTION"),
        "options": f"{hostile('OPTION')}\nArbeit", "skip_collect": True})
    core.engine.activate_session(wid, vote["id"])
    view = core.engine.method_view(w, core.workshops.session(wid, vote["id"]), "facilitator", FAC)
    first = view["options"][0]["id"]
    for person in people:
        act(core, wid, vote["id"], "set_dots", {"option": first, "count": 1}, core.people.actor(w, person))
    act(core, wid, vote["id"], "close_voting", {})
    act(core, wid, vote["id"], "reveal", {})
    core.engine.close_session(wid, vote["id"])
    talk = core.workshops.add_session(wid, "fishbowl", {"title": "Aktuelle Stunde", "topic": hostile("TOPIC"),
                                                           "questions_enabled": True})
    core.engine.activate_session(wid, talk["id"])
    act(core, wid, talk["id"], "add_guest", {"name": f"GUEST {SCRIPT} {PIPE}", "organisation": "Presse",
                                             "org_type": "other"})
    act(core, wid, talk["id"], "start", {})
    act(core, wid, talk["id"], "post_question", {"text": hostile("ASKED")}, core.people.actor(w, people[1]))
    act(core, wid, talk["id"], "mark_statement", {"text": hostile("SAID"), "person": people[0]["id"]})
    core.ledger.save(wid, {"what": hostile("WHAT") + "\nzweite Zeile", "who_person": f"PERSON {TICKS} {PIPE}",
                           "who_org": hostile("WHOORG"), "follow_up": "Frau Öz", "due": "2026-10-05",
                           "session_id": talk["id"]})
    Protocol(core.workshops).save(wid, {
        "moderator": hostile("MODERATOR")[:120], "minute_taker": "Jürgen Weiß", "apologies": hostile("SORRY"),
        "distribution": "Amt für Öffentlichkeit\n" + hostile("LIST"), "next_date": "2026-11-12",
        "next_place": hostile("NEXT"), "summary": hostile("SUMMARY") + "\n\n# zweiter Absatz"})
    return core.workshops.get(wid)


TAGS = ("ORG1", "QUESTION", "OPTION", "TOPIC", "GUEST", "ASKED", "SAID", "WHAT", "PERSON", "WHOORG",
        "MODERATOR", "SORRY", "LIST", "NEXT", "SUMMARY")


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    for page in reader.pages:
        assert "/Annots" not in page  # no link of any kind
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    assert "hyperlink" not in xml and "javascript" not in xml.replace("javascript:alert", "")
    return " ".join(" ".join(parts).split())


@pytest.fixture
def exported(app, core):
    workshop = hostile_workshop(core)
    with app.app_context():  # an app context only, as the command line has it
        return {fmt: export_minutes(core, workshop, fmt) for fmt in FORMATS}


def test_every_format_has_its_type_and_a_readable_file_name(exported):
    names = {fmt: exported[fmt][2] for fmt in FORMATS}
    assert names["pdf"] == "2026-10-01-öffentlichkeit-und-presse.pdf"
    assert exported["pdf"][0].startswith(b"%PDF")
    assert exported["docx"][0].startswith(b"PK")
    assert exported["docx"][1].endswith("wordprocessingml.document")
    assert json.loads(exported["json"][0])["format"] == "facilitator-minutes"


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    header = content_disposition("2026-10-01-öffentlichkeit-und-presse.pdf")
    assert 'filename="2026-10-01-oeffentlichkeit-und-presse.pdf"' in header
    assert "filename*=UTF-8''2026-10-01-%C3%B6ffentlichkeit-und-presse.pdf" in header


def test_hostile_text_is_literal_in_pdf_and_docx(exported):
    pdf, word = pdf_text(exported["pdf"][0]), docx_text(exported["docx"][0])
    for text, where in ((pdf, "pdf"), (word, "docx")):
        for tag in TAGS:  # every place participant text reaches the minutes
            assert tag in text, (where, tag)
        for piece in (SCRIPT, LINK, TICKS, TEMPLATE, PIPE, HEADING):
            assert piece in text, (where, piece)
        assert hostile("SAID") in text and hostile("ASKED") in text, where


def test_hostile_text_is_inert_in_markdown_and_html(exported):
    md = exported["md"][0].decode()
    for tag in TAGS:
        assert tag in md
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    html = exported["html"][0].decode()
    for page in (rendered, html):
        assert "<script" not in page
        assert 'href="javascript' not in page and "<a " not in page
        assert "<code>" not in page
        assert "<h1>Kopf" not in page and "<h1># Kopf" not in page
        assert "{{ config.SECRET_KEY }}" in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "# zweiter Absatz" in html  # a summary paragraph that starts with # stays text


def test_the_agreements_row_is_one_row_with_the_pipe_inside(exported):
    md = exported["md"][0].decode()
    read = read_minutes_agreements(md, "x.md")
    agreement = read["agreements"][0]
    assert agreement["what"] == hostile("WHAT") + "\nzweite Zeile"
    assert agreement["who_person"] == f"PERSON {TICKS} {PIPE}"
    assert agreement["session"] == "Aktuelle Stunde"
    assert read_minutes_agreements(exported["json"][0].decode(), "x.json")["agreements"][0]["what"] == \
        agreement["what"]


def test_header_and_attendance_in_every_format(exported):
    texts = {"md": exported["md"][0].decode().replace("**", ""), "pdf": pdf_text(exported["pdf"][0]),
             "docx": docx_text(exported["docx"][0]),
             "html": re.sub("<[^>]+>", "", exported["html"][0].decode())}
    for fmt, text in texts.items():
        for wanted in ("Datum", "01.10.2026", "Moderation", "Jürgen Weiß", "Entschuldigt", "Verteiler",
                       "Amt für Öffentlichkeit", "Nächstes Treffen", "12.11.2026", "Şule Öztürk",
                       "محمد", "(Gast)", "Zusammenfassung", "Teilnehmende: 3, und 1 Gast"):
            assert wanted in text, (fmt, wanted)


def test_umlauts_and_names_render_in_the_pdf_font(exported):
    text = pdf_text(exported["pdf"][0])
    assert "Öffentlichkeit" in text and "Jürgen Weiß" in text and "Şule Öztürk" in text
    reader = PdfReader(io.BytesIO(exported["pdf"][0]))
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts  # an embedded font, not a core font without umlauts
    assert any("DejaVu" in str(f.get_object()["/BaseFont"]) for page in reader.pages
               for f in page["/Resources"]["/Font"].values())


def test_english_minutes(app, core):
    workshop = hostile_workshop(core, language="en")
    with app.app_context():
        pdf = pdf_text(export_minutes(core, workshop, "pdf")[0])
        word = docx_text(export_minutes(core, workshop, "docx")[0])
    for text in (pdf, word):
        assert "Agreements and responsibilities" in text and "Apologies" in text and "2026-10-05" in text


def test_finalised_versions_stay_and_an_edit_makes_the_next(app, core, fac):
    workshop = hostile_workshop(core)
    wid = workshop["id"]
    protocol = Protocol(core.workshops)
    with app.app_context():
        first = export_minutes(core, workshop, "md", 0)[0].decode()
        protocol.finalise(wid, __import__("facilitator.minutes_data", fromlist=["x"]).minutes_data(
            core, core.workshops.get(wid)))
        protocol.save(wid, {**core.workshops.get(wid)["protocol"], "summary": "Neue Fassung"})
        workshop = core.workshops.get(wid)
        protocol.finalise(wid, __import__("facilitator.minutes_data", fromlist=["x"]).minutes_data(
            core, workshop))
        workshop = core.workshops.get(wid)
        v1, _mime, name1 = export_minutes(core, workshop, "md", 1)
        v2, _mime, name2 = export_minutes(core, workshop, "md")
    assert name1.endswith("-v1.md") and name2.endswith("-v2.md")
    assert hostile("SUMMARY").split()[0] in v1.decode() and "Neue Fassung" not in v1.decode()
    assert "Neue Fassung" in v2.decode()
    assert "- **Version:** 1, abgeschlossen am" in v1.decode()
    assert "Entwurf" in first
    assert fac.get(f"/facilitator/w/{wid}/minutes/file.pdf?version=1").status_code == 200
    assert fac.get(f"/facilitator/w/{wid}/minutes/file.pdf?version=9").status_code == 404
    assert fac.get(f"/facilitator/w/{wid}/minutes/file.exe").status_code == 404


def test_unknown_format_or_version_is_a_clear_error(app, core, workshop):
    from facilitator.errors import ActionError

    with app.app_context():
        with pytest.raises(ActionError) as caught:
            export_minutes(core, workshop, "rtf")
        assert caught.value.code == "unknown_format"
        with pytest.raises(ActionError):
            export_minutes(core, workshop, "md", 3)
