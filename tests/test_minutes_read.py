"""Reading agreements back from minutes: the writer and the reader agree, foreign files are refused."""

from __future__ import annotations

import json

import pytest
from markdown_it import MarkdownIt

from facilitator import MinutesFileError, read_minutes_agreements
from facilitator.minutes import minutes_markdown
from facilitator.minutes_table import md_cell, md_uncell

HOSTILE = [
    "Raum | Zeit klären",
    "Pfad C:\\Daten\\ und \\| ein Strich",
    "Zeile eins\nZeile zwei\n\nnach Leerzeile",
    "<script>alert(1)</script> & [x](javascript:alert(1))",
    "# Überschrift? `code` {{ config }} *fett* _kursiv_ ~~weg~~",
    "endet mit Backslash \\",
    "&lt; schon kodiert <br> getippt",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_comes_back_as_typed(text):
    assert md_uncell(md_cell(text)) == text


def _record(core, workshop, session_title="Planung"):
    wid = workshop["id"]
    session = core.workshops.add_session(wid, "dotvoting", {"title": session_title, "question": "Q?",
                                                            "options": "A\nB"})
    saved = []
    for n, text in enumerate(HOSTILE):
        saved.append(core.ledger.save(wid, {
            "what": text, "who_person": f"Şule Öztürk {n} | x", "who_org": "Amt für Öffentlichkeit\\",
            "follow_up": "محمد", "due": "2026-01-15" if n % 2 else "2027-03-01",
            "review": "" if n % 3 else "2026-12-24", "session_id": session["id"] if n % 2 else None}))
    core.ledger.set_status(saved[1]["id"], "in_progress", "läuft — | gut\nweiter")
    core.ledger.set_status(saved[2]["id"], "done")
    return session


@pytest.mark.parametrize("language", ["de", "en"])
def test_markdown_round_trip(app, core, workshop, language):
    workshop = core.workshops.update(workshop["id"], {**workshop, "language": language})
    _record(core, workshop)
    with app.app_context():
        text = minutes_markdown(core, workshop)
    read = read_minutes_agreements(text, "protokoll.md")
    assert read["title"] == workshop["title"]
    assert read["date"] == workshop["date"]
    assert read["language"] == language
    stored = core.ledger.of_workshop(workshop["id"])
    assert len(read["agreements"]) == len(stored)
    for got, want in zip(read["agreements"], stored, strict=True):
        assert got["what"] == want["what"]
        assert got["who_person"] == want["who_person"]
        assert got["who_org"] == want["who_org"]
        assert got["follow_up"] == want["follow_up"]
        assert got["due"] == want["due"] and got["review"] == want["review"]
        assert got["status"] == want["status"] and got["status_note"] == want["status_note"]
        assert got["session"] == ("Planung" if want["session_id"] else "")


def test_the_table_is_the_same_table_for_markdown_it(app, core, workshop):
    _record(core, workshop)
    with app.app_context():
        text = minutes_markdown(core, workshop)
    section = text.split("## Vereinbarungen und Zuständigkeiten")[1]
    tokens = MarkdownIt("commonmark").enable("table").parse(section)
    rows, row = [], None
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close":
            rows.append(row)
            row = None
    assert len(rows) == 1 + len(HOSTILE)
    assert all(len(r) == 9 for r in rows)
    assert rows[0][:3] == ["\\#", "Vereinbarung", "Wer (Person)"]
    renderer = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    html = renderer.render(section)
    assert "<script>" not in html and 'href="javascript' not in html
    assert "Raum | Zeit klären" in html


def test_overdue_dates_are_flagged_and_read_back(app, core, workshop, clock):
    core.ledger.save(workshop["id"], {"what": "Alt", "who_person": "A", "due": "2000-01-01"})
    core.ledger.save(workshop["id"], {"what": "Neu", "who_person": "B", "due": "2999-01-01"})
    with app.app_context():
        text = minutes_markdown(core, workshop)
    rows = [line for line in text.splitlines() if line.startswith(("| 1 ", "| 2 "))]
    assert "01.01.2000 (überfällig)" in rows[0]
    assert "überfällig" not in rows[1]
    read = read_minutes_agreements(text, "x.md")
    assert [a["due"] for a in read["agreements"]] == ["2000-01-01", "2999-01-01"]


def test_minutes_without_agreements_read_as_none(app, core, workshop):
    with app.app_context():
        text = minutes_markdown(core, workshop)
    assert read_minutes_agreements(text, "x.md")["agreements"] == []


def test_json_is_read(core):
    data = {"format": "facilitator-minutes", "format_version": 1,
            "workshop": {"title": "T", "date": "2026-03-31", "language": "de"},
            "agreements": [{"what": "W", "who_person": "P", "who_org": "", "follow_up": "",
                            "due": "2026-04-01", "review": "", "status": "done", "status_note": "",
                            "session": "S"}]}
    read = read_minutes_agreements(json.dumps(data), "a.JSON")
    assert read["title"] == "T" and read["language"] == "de"
    assert read["agreements"][0]["status"] == "done" and read["agreements"][0]["session"] == "S"


TABLE_HEAD = ("# T\n\n## Agreements and responsibilities\n\n| # | What | Who (person) | Organisation | "
              "Who follows up | By when | Review | Status | From session |\n"
              "|---|---|---|---|---|---|---|---|---|\n")


@pytest.mark.parametrize(("text", "name", "line"), [
    ("# Some notes\n\nNothing here\n", "notes.md", 1),
    ("# T\n\n## Agreements and responsibilities\n\n| a | b |\n|---|---|\n", "x.md", 5),
    (TABLE_HEAD + "| 1 | x | y | | | 2026-13-40 | | open | — |\n", "x.md", 7),
    (TABLE_HEAD + "| 1 | x | y | | | | | kaputt | — |\n", "x.md", 7),
    (TABLE_HEAD + "| 1 | x | y |\n", "x.md", 7),
    ('{\n  "format": "facilitator-minutes",\n  "workshop": {\n', "x.json", 4),
    ('{"format": "something-else", "agreements": []}', "x.json", 1),
    ("anything", "x.pdf", None),
])
def test_a_bad_or_foreign_file_names_the_line(text, name, line):
    with pytest.raises(MinutesFileError) as caught:
        read_minutes_agreements(text, name)
    assert caught.value.line == line
    assert isinstance(caught.value, ValueError)
    if line is not None:
        assert f"Line {line}:" in str(caught.value)


def test_the_error_is_translated(app):
    with app.test_request_context(headers={"Accept-Language": "de"}), \
            pytest.raises(MinutesFileError) as caught:
        read_minutes_agreements("# x\n", "x.md")
    assert str(caught.value).startswith("Zeile 1:")
