"""Workshop bundles: export on one laptop, import on another; duplicates, damaged and
foreign files are refused with a clear message and change nothing."""

from __future__ import annotations

import json

import pytest

from facilitator.app import create_app
from facilitator.bundle import export_bundle, import_bundle
from facilitator.errors import ActionError
from facilitator.testing import FakeClock
from tests.helpers.archive import populate


@pytest.fixture
def other():
    """The organiser's own Facilitator (another app, another store)."""
    app = create_app({"TESTING": True, "LIVE_SYNC": True, "CLOCK": FakeClock(1_780_000_000.0),
                      "SECRET_KEY": "other"})
    yield app
    app.extensions["facilitator"].store.close()


def _snapshot(core) -> dict:
    tables = ("workshops", "sessions", "participants", "agreements", "settings")
    return {t: sorted(core.store.all(t), key=lambda d: json.dumps(d, sort_keys=True)) for t in tables}


def test_round_trip_keeps_workshop_sessions_people_and_ledger_history(core, other):
    first, _second = populate(core)
    data = export_bundle(core, first["id"])
    target = other.extensions["facilitator"]
    imported = import_bundle(target, data)
    assert imported["id"] == first["id"] and imported["title"] == first["title"]
    assert imported["imported_at"] == 1_780_000_000.0
    assert imported["projector_key"] != first["projector_key"]
    assert [s["title"] for s in target.workshops.sessions(first["id"])] == \
        [s["title"] for s in core.workshops.sessions(first["id"])]
    assert target.ledger.of_workshop(first["id"]) == core.ledger.of_workshop(first["id"])
    [with_history] = [a for a in target.ledger.of_workshop(first["id"]) if a["history"]]
    assert with_history["history"][0]["status"] == "in_progress"
    assert with_history["history"][0]["note"] == "Angefragt beim Bürgerhaus"
    people = target.people.of_workshop(first["id"], include_absent=True)
    assert sorted(p["name"] for p in people) == ["Jürgen Zebrastreifen", "Samir"]
    # tokens do not travel: the phones belong to the other laptop
    assert b'"token"' not in data
    assert {p["token"] for p in people}.isdisjoint(p["token"] for p in core.people.of_workshop(first["id"], True))
    # the ledger of the organiser's server takes status changes on imported agreements
    changed = target.ledger.set_status(with_history["id"], "done", "erledigt")
    assert [h["status"] for h in changed["history"]] == ["in_progress", "done"]


def test_finalised_minutes_versions_and_a_running_session_travel(core, other):
    first, _second = populate(core)
    versions = [{"number": 1, "finalised_at": 1_774_000_500.0, "data": {"title": first["title"]}}]
    core.store.put("workshops", first["id"], {**core.workshops.get(first["id"]), "minutes_versions": versions})
    core.engine.activate_session(first["id"], first["session_ids"][1])
    target = other.extensions["facilitator"]
    imported = import_bundle(target, export_bundle(core, first["id"]))
    assert target.workshops.get(first["id"])["minutes_versions"] == versions == imported["minutes_versions"]
    # not running here: the active session is paused, so the archive may delete it
    assert imported["active_session_id"] is None
    assert [s["status"] for s in target.workshops.sessions(first["id"])] == ["closed", "pending"]
    from facilitator.archive import delete_workshop

    delete_workshop(target, first["id"])
    assert target.store.all("sessions") == []


def test_bundle_download_from_the_dashboard(app, fac, core):
    first, _second = populate(core)
    dashboard = fac.get(f"/facilitator/w/{first['id']}").get_data(as_text=True)
    assert f"/archive/w/{first['id']}/bundle" in dashboard
    response = fac.get(f"/archive/w/{first['id']}/bundle")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert json.loads(response.data)["format"] == "facilitator-bundle"


def test_duplicates_are_recognised_by_id_and_by_content(core, other):
    first, _second = populate(core)
    data = export_bundle(core, first["id"])
    target = other.extensions["facilitator"]
    import_bundle(target, data)
    before = _snapshot(target)
    with pytest.raises(ActionError) as same_id:
        import_bundle(target, data)
    assert same_id.value.code == "duplicate_bundle"
    # the same content under other ids (e.g. exported again after a copy of the data folder)
    text = data.decode()
    for old in [first["id"], *first["session_ids"], *(a["id"] for a in core.ledger.of_workshop(first["id"])),
                *(p["id"] for p in core.people.of_workshop(first["id"], True))]:
        text = text.replace(old, old[:1] + "Q" + old[2:])
    bundle = json.loads(text)
    import hashlib

    from facilitator.bundle import _canonical

    bundle["sha256"] = hashlib.sha256(_canonical(bundle["content"])).hexdigest()
    with pytest.raises(ActionError) as same_content:
        import_bundle(target, json.dumps(bundle).encode())
    assert same_content.value.code == "duplicate_bundle"
    assert first["title"] in same_content.value.message
    assert _snapshot(target) == before


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _tampered(data: bytes) -> bytes:
    return data.replace(b"Samir", b"Sabine", 1)


def _foreign(_data: bytes) -> bytes:
    return json.dumps({"name": "some other app", "items": [1, 2]}).encode()


def _garbage(_data: bytes) -> bytes:
    return bytes(range(256)) * 10


def _newer(data: bytes) -> bytes:
    bundle = json.loads(data)
    bundle["version"] = 99
    return json.dumps(bundle).encode()


@pytest.mark.parametrize(("spoil", "code"), [
    (_truncated, "corrupt_bundle"), (_tampered, "corrupt_bundle"), (_foreign, "not_a_bundle"),
    (_garbage, "not_a_bundle"), (_newer, "bundle_version"), (lambda _d: b"", "not_a_bundle"),
])
def test_a_bad_file_is_a_clear_error_and_changes_nothing(core, other, spoil, code):
    first, _second = populate(core)
    target = other.extensions["facilitator"]
    existing = target.workshops.create({"title": "Schon da"})
    before = _snapshot(target)
    with pytest.raises(ActionError) as refused:
        import_bundle(target, spoil(export_bundle(core, first["id"])))
    assert refused.value.code == code and refused.value.message
    assert _snapshot(target) == before and [w["id"] for w in target.workshops.all()] == [existing["id"]]


def test_a_forged_bundle_cannot_overwrite_records_of_another_workshop(core, other):
    """A bundle with a right checksum but another workshop's agreement id changes nothing."""
    import hashlib

    from facilitator.bundle import _canonical

    first, second = populate(core)
    target_core = core  # import into the same server: ids clash with the second workshop
    bundle = json.loads(export_bundle(core, first["id"]))
    bundle["content"]["workshop"]["id"] = "wNEW"
    for table in bundle["content"]["tables"].values():
        for record in table:
            record["workshop_id"] = "wNEW"
    bundle["content"]["workshop"]["title"] = "Anders"
    bundle["content"]["tables"]["agreements"][0]["id"] = core.ledger.of_workshop(second["id"])[0]["id"]
    bundle["sha256"] = hashlib.sha256(_canonical(bundle["content"])).hexdigest()
    before = _snapshot(target_core)
    with pytest.raises(ActionError) as refused:
        import_bundle(target_core, json.dumps(bundle).encode())
    assert refused.value.code == "bundle_conflict"
    assert _snapshot(target_core) == before


def test_import_page_shows_errors_and_imports(core, other, csrf_token):
    import io

    first, _second = populate(core)
    data = export_bundle(core, first["id"])
    org = other.test_client()
    org.get(f"/o/{other.config['ORGANISER_TOKEN']}")
    token = csrf_token(org, "/archive/")
    refused = org.post("/archive/import", data={"csrf_token": token, "bundle": (io.BytesIO(b"hello"), "x.json")},
                       headers={"Accept-Language": "en"}, content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "not a Facilitator workshop bundle" in refused.get_data(as_text=True)
    done = org.post("/archive/import", data={"csrf_token": token, "bundle": (io.BytesIO(data), "b.json")},
                    content_type="multipart/form-data", follow_redirects=True, headers={"Accept-Language": "en"})
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "was imported" in page and "imported" in page
    again = org.post("/archive/import", data={"csrf_token": token, "bundle": (io.BytesIO(data), "b.json")},
                     content_type="multipart/form-data", headers={"Accept-Language": "en"})
    assert again.status_code == 400 and "already in this archive" in again.get_data(as_text=True)
