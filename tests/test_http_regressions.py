"""Regressions the HTTP fuzz (tests/fuzz/test_fuzz_http.py) found: each answered 500, or
changed the store on a refused request."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("version", ["²", "٣", "9" * 5000])
def test_a_minutes_version_that_is_no_plain_number_is_not_found(fac, workshop, version):
    """``str.isdigit`` holds for "²" (``int`` refuses it) and for 5,000 digits (more than
    ``int`` reads from a string): both answered 500."""
    for path in (f"/facilitator/w/{workshop['id']}/minutes.md",
                 f"/facilitator/w/{workshop['id']}/minutes/file.json"):
        response = fac.get(path, query_string={"version": version})
        assert response.status_code == 404, (path, response.status_code)
    assert fac.get(f"/facilitator/w/{workshop['id']}/minutes.md", query_string={"version": "0"}).status_code == 200


def test_a_wrong_calendar_link_changes_nothing(app, client, core):
    """The calendar token was made on first use: the first (refused) request wrote it."""
    before = core.store.all("settings")
    assert client.get("/calendar/wrong.ics").status_code == 404
    assert core.store.all("settings") == before
    token = core.store.get("settings", "calendar_token")["value"]
    assert client.get(f"/calendar/{token}.ics").status_code == 200


@pytest.mark.parametrize("title", ["Runder Tisch\x00", "Forum \ufffe Arbeit"])
def test_minutes_as_word_with_a_nul_in_the_title(app, fac, core, title):
    """A NUL (or U+FFFE) in a title is stored, and Word's XML cannot hold it: the .docx
    download and the archive's ZIP answered 500."""
    workshop = core.workshops.create({"title": title, "place": "Saal\x00", "language": "de", "privacy": "named"})
    response = fac.get(f"/facilitator/w/{workshop['id']}/minutes/file.docx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert fac.get(f"/archive/w/{workshop['id']}/minutes.docx").status_code == 200
    assert fac.get("/archive/all.zip").status_code == 200
