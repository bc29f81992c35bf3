"""Data protection: deleting a workshop leaves nothing of it, and nothing grows without bound.

* after *Delete workshop* no file in the data folder holds a byte of it (its
  texts, also JSON-escaped, its ids and tokens), and other workshops stay whole;
* the token index forgets the deleted participants;
* receipts of deleted sessions go, and every receipt goes after a day
  (``RECEIPT_TTL``), which no real retry waits for (docs/protocol.md §7).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from facilitator.app import create_app
from facilitator.engine import RECEIPT_PRUNE_EVERY, RECEIPT_TTL
from facilitator.errors import ActionError
from facilitator.methods import Actor
from facilitator.storage import tinystore
from facilitator.testing import FakeClock

FACILITATOR = Actor("facilitator")
HOUR = 60 * 60


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def disk_app(data_dir: Path):
    """An app whose data lives in ``data_dir`` (the journal store), closed at the end."""
    app = create_app({"TESTING": True, "LIVE_SYNC": True, "CLOCK": FakeClock(), "SECRET_KEY": "test",
                      "DATA_DIR": data_dir})
    yield app
    app.extensions["facilitator"].store.close()


def folder_bytes(data_dir: Path) -> dict[str, bytes]:
    """Every file in the data folder (leftovers included), by name."""
    return {str(p.relative_to(data_dir)): p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file()}


def spellings(text: str) -> set[bytes]:
    """The ways ``text`` can sit in a file: UTF-8, and inside JSON with or without ASCII escapes."""
    return {text.encode("utf-8"), json.dumps(text)[1:-1].encode("ascii"),
            json.dumps(text, ensure_ascii=False)[1:-1].encode("utf-8")}


def traces(data_dir: Path, secrets: list[str]) -> list[tuple[str, str]]:
    """(file, secret) for every secret that some file of the folder still holds."""
    files = folder_bytes(data_dir)
    return [(name, secret) for secret in secrets for name, data in files.items()
            if any(form in data for form in spellings(secret))]


def run_workshop(core, title: str, name: str, organisation: str, agreement: str, option: str) -> dict:
    """A named workshop with a participant, an agreement and a dot vote on a proposed option."""
    workshop = core.workshops.create({"title": title, "place": f"{title} Saal", "organiser": organisation,
                                      "language": "de", "privacy": "named"})
    wid = workshop["id"]
    person = core.people.join(wid, {"name": name, "organisation": organisation, "org_type": "mso"})
    actor = core.people.actor(workshop, person)
    session = core.workshops.add_session(wid, "dotvoting", {"title": f"Abstimmung {title}", "question": "Was zuerst?",
                                                            "options": "Bildung\nArbeit"})
    sid = session["id"]
    core.engine.activate_session(wid, sid)
    added = core.engine.apply_action(wid, actor, sid, "add_option", {"text": option}, "a1")
    core.engine.apply_action(wid, FACILITATOR, sid, "start_voting", {}, "f1")
    core.engine.apply_action(wid, actor, sid, "set_dots", {"option": added["option"], "count": 2}, "a2")
    core.ledger.save(wid, {"what": agreement, "who_person": name, "who_org": organisation})
    core.engine.close_session(wid, sid)
    return {"workshop": workshop, "person": person, "session": session}


GONE = {"title": "Zyxwvu Werkstatt Ærøskøbing", "name": "Zyxwvu Qwerty", "organisation": "Qwfpgj Vøgelsang e.V.",
        "agreement": "Vereinbarung Jkxqzv über Straßenbäume", "option": "Qxvbnm Straßenbahn für Ümläute"}
STAYS = {"title": "Bleibt Werkstatt", "name": "Bleibt Person", "organisation": "Bleibt Verein",
         "agreement": "Bleibt Vereinbarung", "option": "Bleibt Vorschlag"}


def test_deleting_a_workshop_leaves_no_byte_of_it_in_the_data_folder(disk_app, data_dir):
    core = disk_app.extensions["facilitator"]
    gone = run_workshop(core, **GONE)
    stays = run_workshop(core, **STAYS)
    secrets = [*GONE.values(), gone["workshop"]["id"], gone["workshop"]["projector_key"],
               gone["person"]["id"], gone["person"]["token"], gone["session"]["id"]]
    core.store.checkpoint()  # the snapshot holds the workshop too, not only the journal
    snapshot = data_dir / tinystore.SNAPSHOT_NAME
    shutil.copy(snapshot, snapshot.with_name(tinystore.SNAPSHOT_NAME + ".tmp"))  # a crashed checkpoint's leftover
    core.people.join(gone["workshop"]["id"], {"name": "Zyxwvu Zweite", "org_type": "other"})  # in the journal
    assert {secret for _file, secret in traces(data_dir, secrets)} == set(secrets)  # the check can see them

    core.workshops.delete(gone["workshop"]["id"])  # what *Edit workshop → Delete workshop* calls

    assert traces(data_dir, [*secrets, "Zyxwvu Zweite"]) == []
    assert not any(name.endswith(".tmp") for name in folder_bytes(data_dir))
    assert (data_dir / tinystore.JOURNAL_NAME).read_bytes() == b""
    kept = [*STAYS.values(), stays["workshop"]["id"], stays["person"]["token"], stays["session"]["id"]]
    assert {secret for _file, secret in traces(data_dir, kept)} == set(kept)


def test_the_other_workshop_survives_the_deletion_and_a_restart(disk_app, data_dir):
    core = disk_app.extensions["facilitator"]
    gone = run_workshop(core, **GONE)
    stays = run_workshop(core, **STAYS)
    core.workshops.delete(gone["workshop"]["id"])
    core.store.close()

    app = create_app({"TESTING": True, "LIVE_SYNC": True, "CLOCK": FakeClock(), "SECRET_KEY": "test",
                      "DATA_DIR": data_dir})
    try:
        again = app.extensions["facilitator"]
        wid = stays["workshop"]["id"]
        assert [w["id"] for w in again.workshops.all()] == [wid]
        assert again.people.by_token(stays["person"]["token"])["name"] == STAYS["name"]
        assert [a["what"] for a in again.ledger.of_workshop(wid)] == [STAYS["agreement"]]
        state = again.workshops.session(wid, stays["session"]["id"])["state"]
        assert STAYS["option"] in [o["text"] for o in state["options"]]
        # The retry of an action of the surviving workshop is still answered from its receipt.
        actor = again.people.actor(again.workshops.get(wid), again.people.get(wid, stays["person"]["id"]))
        assert "option" in again.engine.apply_action(wid, actor, stays["session"]["id"], "add_option",
                                                     {"text": STAYS["option"]}, "a1")
        with pytest.raises(ActionError):
            again.people.by_token(gone["person"]["token"])
    finally:
        app.extensions["facilitator"].store.close()


# -- what the core keeps in memory -----------------------------------------------------


def test_deleting_a_workshop_forgets_its_tokens_and_it_no_longer_exists(core):
    gone = run_workshop(core, **GONE)
    stays = run_workshop(core, **STAYS)
    wid = gone["workshop"]["id"]
    assert core.workshops.exists(wid)
    core.workshops.delete(wid)
    assert not core.workshops.exists(wid) and core.workshops.exists(stays["workshop"]["id"])
    assert not core.workshops.exists(None)
    tokens = core.people._tokens()
    assert gone["person"]["token"] not in tokens and gone["person"]["id"] not in tokens.values()
    assert tokens[stays["person"]["token"]] == stays["person"]["id"]
    for table in ("sessions", "participants", "agreements", "receipts", "timers", "jobs"):
        assert [d for d in core.store.all(table) if d.get("workshop_id") == wid] == []


def test_memory_store_compacts_as_a_no_op(core):
    core.store.compact()


# -- receipts -------------------------------------------------------------------------


def test_deleting_a_session_deletes_its_receipts_also_undated_ones(core):
    run = run_workshop(core, **GONE)
    wid, sid = run["workshop"]["id"], run["session"]["id"]
    other = core.workshops.add_session(wid, "dotvoting", {"question": "Q?", "options": "A\nB"})
    core.engine.activate_session(wid, other["id"])
    core.engine.apply_action(wid, FACILITATOR, other["id"], "start_voting", {}, "keep")
    legacy = f"{sid}:facilitator:old"  # written before receipts carried a session_id and a time
    core.store.put("receipts", legacy, {"id": legacy, "workshop_id": wid, "reply": {}})
    assert len([r for r in core.store.all("receipts") if r["id"].startswith(sid)]) == 4
    core.workshops.delete_session(wid, sid)
    assert [r["id"] for r in core.store.all("receipts")] == [f"{other['id']}:facilitator:keep"]


def test_receipts_answer_retries_for_a_day_and_then_go(core, clock):
    run = run_workshop(core, **GONE)
    wid, sid, person = run["workshop"]["id"], run["session"]["id"], run["person"]
    actor = core.people.actor(run["workshop"], person)
    first = core.workshops.session(wid, sid)["state"]["options"][-1]["id"]
    receipts = {r["id"] for r in core.store.all("receipts")}
    assert len(receipts) == 3

    clock.advance(RECEIPT_TTL - HOUR)  # the session is closed; a retry is still answered word for word
    assert core.engine.apply_action(wid, actor, sid, "add_option", {"text": GONE["option"]}, "a1") \
        == {"option": first}
    assert {r["id"] for r in core.store.all("receipts")} == receipts

    clock.advance(HOUR + RECEIPT_PRUNE_EVERY)  # a day and more later the receipts are gone
    with pytest.raises(ActionError) as err:
        core.engine.apply_action(wid, actor, sid, "add_option", {"text": GONE["option"]}, "a1")
    assert err.value.code == "session_not_active"
    assert core.store.all("receipts") == []


def test_pruning_runs_at_most_hourly_and_keeps_undated_receipts_of_the_active_session(core, clock):
    run = run_workshop(core, **GONE)
    wid, sid = run["workshop"]["id"], run["session"]["id"]
    core.engine.activate_session(wid, sid)  # reopened: its undated receipts may still be retried
    active, closed = f"{sid}:facilitator:undated", "s-gone:facilitator:undated"
    for key in (active, closed):
        core.store.put("receipts", key, {"id": key, "workshop_id": wid, "reply": {}})
    assert core.engine.prune_receipts() == 1
    assert core.store.get("receipts", active) is not None and core.store.get("receipts", closed) is None

    clock.advance(RECEIPT_TTL + 1)
    core.engine.apply_action(wid, FACILITATOR, sid, "close_voting", {}, "f2")  # prunes: the dated ones are old
    assert {r["id"] for r in core.store.all("receipts")} == {active, f"{sid}:facilitator:f2"}
    clock.advance(RECEIPT_TTL + 1)
    core.engine.apply_action(wid, FACILITATOR, sid, "reopen_voting", {}, "f3")
    assert core.store.get("receipts", f"{sid}:facilitator:f2") is None
    clock.advance(RECEIPT_PRUNE_EVERY / 2)  # not due again yet: this call does not scan
    core.store.put("receipts", closed, {"id": closed, "workshop_id": wid, "reply": {}})
    core.engine.apply_action(wid, FACILITATOR, sid, "close_voting", {}, "f4")
    assert core.store.get("receipts", closed) is not None
