"""The organisers' archive: access by the organiser link, listing and filters, downloads,
one ZIP of everything, complete deletion (nothing left in the data folder), refusals."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from facilitator import archive
from facilitator.app import create_app
from facilitator.testing import FakeClock
from tests.helpers.archive import MARKER, populate


@pytest.fixture
def org(app):
    """A browser that opened the organiser's secret link."""
    client = app.test_client()
    response = client.get(f"/o/{app.config['ORGANISER_TOKEN']}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/archive/")
    return client


def test_the_archive_needs_the_organiser_or_facilitator_link(app, client, fac, org):
    assert client.get("/archive/").status_code == 403
    assert "Organiser" in client.get("/archive/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert client.get("/o/not-the-token").status_code == 403
    assert client.get(f"/o/{app.config['FACILITATOR_TOKEN']}").status_code == 403
    assert app.config["ORGANISER_TOKEN"] != app.config["FACILITATOR_TOKEN"]
    assert org.get("/archive/").status_code == 200
    assert fac.get("/archive/").status_code == 200
    # the organiser's link opens no dashboard
    assert org.get("/facilitator/").status_code == 403


def test_organiser_token_survives_a_restart(tmp_path):
    first = create_app({"DATA_DIR": tmp_path})
    token = first.config["ORGANISER_TOKEN"]
    first.extensions["facilitator"].store.close()
    again = create_app({"DATA_DIR": tmp_path})
    assert again.config["ORGANISER_TOKEN"] == token
    again.extensions["facilitator"].store.close()


def test_listing_shows_status_and_counts(core, org):
    first, second = populate(core)
    rows = {r["workshop"]["id"]: r for r in archive.summaries(core)}
    assert rows[first["id"]] | {"workshop": None} == {
        "workshop": None, "status": "held", "sessions": 2, "participants": 2, "agreements": 2, "open": 2,
        "imported": False}
    assert (rows[second["id"]]["status"], rows[second["id"]]["agreements"], rows[second["id"]]["open"]) == ("planned", 2, 1)
    page = org.get("/archive/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.index(first["title"]) < page.index("Forum Arbeit")  # newest date first
    assert "2 participants" in page and "2 open" in page and "1 open" in page
    assert "held" in page and "planned" in page
    for fmt in archive.formats():
        assert f'/archive/w/{first["id"]}/minutes.{fmt}"' in page


@pytest.mark.parametrize(("query", "expected"), [
    ("q=rathaus", ["first"]), ("q=JOBCENTER", ["second"]), ("status=planned", ["second"]),
    ("year=2025", ["second"]), ("open=1", ["first", "second"]), ("q=nothing-like-it", []),
])
def test_search_and_filters(core, org, query, expected):
    first, second = populate(core)
    names = {"first": first["title"], "second": second["title"]}
    page = org.get(f"/archive/?{query}").get_data(as_text=True)
    shown = [key for key, title in names.items() if title in page]
    assert shown == expected


def test_running_status_and_the_filter_for_it(core, org):
    first, _second = populate(core)
    core.engine.activate_session(first["id"], first["session_ids"][1])
    page = org.get("/archive/?status=running").get_data(as_text=True)
    assert first["title"] in page and "Forum Arbeit" not in page


def test_downloads_of_one_workshop(core, org):
    first, _second = populate(core)
    response = org.get(f"/archive/w/{first['id']}/minutes.md")
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    assert MARKER in response.get_data(as_text=True)
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    # the name is sent as UTF-8 (RFC 5987) beside an ASCII fallback: umlauts survive
    bundle = org.get(f"/archive/w/{first['id']}/bundle")
    disposition = bundle.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition and "%c3%b6ffentlichkeit" in disposition.lower()
    assert 'filename="2026-03-10-runder-tisch-zebrastreifen-_ffentlichkeit.facilitator.json"' in disposition
    assert org.get(f"/archive/w/{first['id']}/minutes.exe").status_code == 404
    assert org.get("/archive/w/nope/minutes.md").status_code == 404


def test_zip_holds_every_workshop_in_every_format(app, core, org):
    first, second = populate(core)
    response = org.get("/archive/all.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as zipped:
        names = zipped.namelist()
        assert zipped.testzip() is None
        for workshop in (first, second):
            folder = archive.folder_name(workshop)
            for fmt in archive.formats():
                with app.app_context():
                    data, _mime, filename = archive.export(core, workshop, fmt)
                assert f"{folder}/{filename}" in names
                if fmt == "md":
                    assert zipped.read(f"{folder}/{filename}").decode().split("\n")[0] == data.decode().split("\n")[0]
        assert any(n.endswith(".csv") for n in names if "/" not in n)
        assert len([n for n in names if "/" in n]) == 2 * len(archive.formats())


def test_delete_after_confirmation(core, org, csrf_token):
    first, second = populate(core)
    token = csrf_token(org, f"/archive/w/{first['id']}/delete")
    confirm = org.get(f"/archive/w/{first['id']}/delete").get_data(as_text=True)
    assert first["title"] in confirm
    # a post without the confirmation field changes nothing
    assert org.post(f"/archive/w/{first['id']}/delete", data={"csrf_token": token}).status_code == 200
    assert core.workshops.exists(first["id"])
    response = org.post(f"/archive/w/{first['id']}/delete", data={"csrf_token": token, "confirm": "yes"})
    assert response.status_code == 302
    assert not core.workshops.exists(first["id"]) and core.workshops.exists(second["id"])
    assert core.ledger.of_workshop(first["id"]) == [] and core.people.of_workshop(first["id"], True) == []


def test_delete_without_token_is_refused(core, org):
    first, _second = populate(core)
    assert org.post(f"/archive/w/{first['id']}/delete", data={"confirm": "yes"}).status_code == 403
    assert core.workshops.exists(first["id"])


def test_deleting_a_running_workshop_is_refused(core, org, csrf_token):
    first, _second = populate(core)
    core.engine.activate_session(first["id"], first["session_ids"][1])
    token = csrf_token(org, f"/archive/w/{first['id']}/delete")
    response = org.post(f"/archive/w/{first['id']}/delete", data={"csrf_token": token, "confirm": "yes"},
                        headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "is running" in response.get_data(as_text=True)
    assert core.workshops.exists(first["id"]) and len(core.ledger.of_workshop(first["id"])) == 2


def _folder_bytes(folder) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_delete_leaves_no_trace_in_the_data_folder(tmp_path, csrf_token):
    app = create_app({"DATA_DIR": tmp_path, "TESTING": True, "LIVE_SYNC": True, "CLOCK": FakeClock(),
                      "SECRET_KEY": "test"})
    core = app.extensions["facilitator"]
    try:
        first, _second = populate(core)
        core.store.close()  # a checkpoint: the snapshot holds the workshop now
        assert MARKER.encode() in _folder_bytes(tmp_path)
    finally:
        core.store.close()
    app = create_app({"DATA_DIR": tmp_path, "TESTING": True, "LIVE_SYNC": True, "CLOCK": FakeClock(),
                      "SECRET_KEY": "test"})
    core = app.extensions["facilitator"]
    try:
        org = app.test_client()
        org.get(f"/o/{app.config['ORGANISER_TOKEN']}")
        token = csrf_token(org, "/archive/")
        assert org.post(f"/archive/w/{first['id']}/delete", data={"csrf_token": token, "confirm": "yes"}).status_code == 302
        files = _folder_bytes(tmp_path)
        for trace in (MARKER, first["id"], "Samir", "Öztürk", "Rathaus Süd", *first["session_ids"]):
            assert trace.encode() not in files, trace
            assert trace.encode("unicode_escape") not in files, trace
        assert b"Forum Arbeit" in files  # the other workshop is still there
    finally:
        core.store.close()
    assert re.search(rb"Forum Arbeit", _folder_bytes(tmp_path))
