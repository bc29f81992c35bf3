"""Tests for the storage layer: the Store contract on every backend, then TinyJournalStore.

Crash recovery (kill -9, torn and corrupt journals) is in test_storage_recovery.py.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tinydb import Query, TinyDB
from tinydb.storages import JSONStorage

from facilitator.storage import (
    MemoryStore,
    Store,
    StoreClosedError,
    StoreLockedError,
    TinyJournalStore,
    open_store,
    tinystore,
)


@pytest.fixture(params=["memory", "tinyjournal"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each backend in turn, closed after the test."""
    backend: Store = (
        MemoryStore() if request.param == "memory" else TinyJournalStore(tmp_path / "data")
    )
    yield backend
    backend.close()


def journal_lines(data_dir: Path) -> list[bytes]:
    """The complete lines of the journal in ``data_dir``."""
    return (data_dir / tinystore.JOURNAL_NAME).read_bytes().splitlines()


# -- the Store contract, on every backend -------------------------------


def test_get_put_replace_delete(store: Store) -> None:
    assert store.get("votes", "a") is None
    store.put("votes", "a", {"dots": 1})
    assert store.get("votes", "a") == {"dots": 1}
    store.put("votes", "a", {"dots": 2, "by": "x"})
    assert store.get("votes", "a") == {"dots": 2, "by": "x"}
    assert store.get("other", "a") is None
    store.delete("votes", "a")
    assert store.get("votes", "a") is None
    store.delete("votes", "a")  # missing: no error
    store.delete("never", "seen")


def test_all_keeps_first_insertion_order(store: Store) -> None:
    assert store.all("votes") == []
    for key in ("c", "a", "b"):
        store.put("votes", key, {"key": key})
    store.put("votes", "a", {"key": "a", "replaced": True})  # keeps its place
    assert store.all("votes") == [{"key": "c"}, {"key": "a", "replaced": True}, {"key": "b"}]
    store.delete("votes", "c")
    store.put("votes", "c", {"key": "c"})  # deleted and re-inserted: now last
    assert [doc["key"] for doc in store.all("votes")] == ["a", "b", "c"]


def test_reads_are_copies_and_writes_copy_their_input(store: Store) -> None:
    doc = {"names": ["ann"], "nested": {"n": 1}}
    store.put("t", "k", doc)
    doc["names"].append("bob")  # the caller keeps using its dict
    got = store.get("t", "k")
    assert got == {"names": ["ann"], "nested": {"n": 1}}
    got["names"].append("eve")
    got["nested"]["n"] = 99
    store.all("t")[0]["names"].clear()
    assert store.get("t", "k") == {"names": ["ann"], "nested": {"n": 1}}


def test_put_many_applies_puts_and_deletes_in_order(store: Store) -> None:
    store.put("t", "old", {"v": 0})
    store.put_many(
        [
            ("t", "a", {"v": 1}),
            ("u", "b", {"v": 2}),
            ("t", "old", None),
            ("t", "a", {"v": 3}),  # later item for the same key wins
            ("t", "missing", None),
        ]
    )
    assert store.all("t") == [{"v": 3}]
    assert store.get("u", "b") == {"v": 2}
    store.put_many([])  # nothing to do


@pytest.mark.parametrize(
    "bad_doc",
    [
        {"tags": {"a", "b"}},
        {"when": object()},
        {"score": math.nan},
        {"score": math.inf},
        ["not", "a", "dict"],
        None,
        {"_key": "reserved field"},
    ],
    ids=["set", "object", "nan", "inf", "list", "none", "reserved-key-field"],
)
def test_invalid_doc_is_rejected_before_anything_changes(store: Store, bad_doc: object) -> None:
    store.put("t", "a", {"v": 1})
    with pytest.raises(ValueError, match="'t'"):
        store.put("t", "a", bad_doc)  # type: ignore[arg-type]
    batch = [("t", "b", {"v": 2}), ("t", "a", None), ("t", "c", bad_doc)]
    if bad_doc is not None:  # None in a batch is a delete, which is valid
        with pytest.raises(ValueError, match="'c'"):
            store.put_many(batch)  # type: ignore[arg-type]
    assert store.all("t") == [{"v": 1}]


def test_circular_doc_and_bad_names_are_rejected(store: Store) -> None:
    circular: dict = {}
    circular["self"] = circular
    with pytest.raises(ValueError, match="not JSON-serialisable"):
        store.put("t", "a", circular)
    with pytest.raises(ValueError, match="key must be a string"):
        store.put("t", 1, {})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reserved"):
        store.put("_meta", "a", {})
    with pytest.raises(ValueError, match="non-empty"):
        store.put("", "a", {})
    assert store.all("t") == []


def test_docs_come_back_as_json_would_return_them(store: Store) -> None:
    store.put("t", "a", {"pair": (1, 2), "by_id": {7: "x"}})
    assert store.get("t", "a") == {"pair": [1, 2], "by_id": {"7": "x"}}


def test_closed_store_refuses_use_and_close_is_idempotent(store: Store) -> None:
    store.put("t", "a", {})
    store.close()
    store.close()
    with pytest.raises(StoreClosedError):
        store.get("t", "a")
    with pytest.raises(StoreClosedError):
        store.put("t", "b", {})


def test_concurrent_writers_lose_nothing(store: Store) -> None:
    def write(thread: int) -> None:
        for number in range(50):
            store.put("t", f"{thread}-{number}", {"n": number})
            store.put_many([("u", f"{thread}-{number}", {"n": number})])

    threads = [threading.Thread(target=write, args=(thread,)) for thread in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(store.all("t")) == len(store.all("u")) == 200


def test_open_store_picks_the_backend(tmp_path: Path) -> None:
    memory = open_store(None)
    assert isinstance(memory, MemoryStore)
    assert not isinstance(memory, TinyJournalStore)
    with open_store(tmp_path / "new" / "folder") as durable:
        assert isinstance(durable, TinyJournalStore)
        assert (tmp_path / "new" / "folder").is_dir()


# -- TinyJournalStore ----------------------------------------------------


def test_reopen_after_close_restores_everything(tmp_path: Path) -> None:
    with TinyJournalStore(tmp_path) as first:
        for key in ("c", "a", "b"):
            first.put("votes", key, {"key": key, "umlaut": "Grüße\n"})
        first.put_many([("votes", "a", None), ("agenda", "1", {"title": "Start"})])
    with TinyJournalStore(tmp_path) as second:
        assert [doc["key"] for doc in second.all("votes")] == ["c", "b"]
        assert second.get("votes", "c") == {"key": "c", "umlaut": "Grüße\n"}
        assert second.get("agenda", "1") == {"title": "Start"}


def test_checkpoint_writes_snapshot_and_truncates_journal(tmp_path: Path) -> None:
    store = TinyJournalStore(tmp_path, checkpoint_every=10)
    for number in range(25):
        store.put("votes", f"k{number}", {"n": number})
    assert store.checkpoints == 2
    assert len(journal_lines(tmp_path)) == 5
    with TinyDB(tmp_path / tinystore.SNAPSHOT_NAME, access_mode="r") as snapshot:
        assert snapshot.table("_meta").all()[0]["seq"] == 20
        assert len(snapshot.table("votes")) == 20
    store.close()
    assert store.checkpoints == 3
    assert journal_lines(tmp_path) == []


def test_snapshot_is_plain_tinydb(tmp_path: Path) -> None:
    with TinyJournalStore(tmp_path) as store:
        store.put("votes", "a", {"dots": 3})
        store.put("votes", "b", {"dots": 1})
        store.put("workshops", "w1", {"title": "Retro"})
    with TinyDB(tmp_path / "facilitator.json", access_mode="r") as db:
        assert set(db.tables()) == {"votes", "workshops", "_meta"}
        assert db.table("votes").all() == [{"_key": "a", "dots": 3}, {"_key": "b", "dots": 1}]
        assert db.table("workshops").search(Query()._key == "w1")[0]["title"] == "Retro"
        assert db.table("_meta").all()[0]["seq"] == 3


def test_writes_are_fsynced_before_they_return(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TinyJournalStore(tmp_path)
    synced_sizes: list[int] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced_sizes.append(os.fstat(fd).st_size)
        real_fsync(fd)

    monkeypatch.setattr(tinystore.os, "fsync", recording_fsync)
    journal = tmp_path / "journal.jsonl"
    sizes_on_return = []
    store.put("t", "a", {"v": 1})
    sizes_on_return.append(journal.stat().st_size)
    store.put_many([("t", "b", {"v": 2}), ("t", "a", None)])
    sizes_on_return.append(journal.stat().st_size)
    store.delete("t", "b")
    sizes_on_return.append(journal.stat().st_size)
    # Each write's line was fsynced, whole, before the call returned.
    assert synced_sizes == sizes_on_return
    store.close()


def test_second_open_of_the_same_folder_is_refused(tmp_path: Path) -> None:
    first = TinyJournalStore(tmp_path)
    with pytest.raises(StoreLockedError, match=str(tmp_path)):
        TinyJournalStore(tmp_path)
    first.close()
    TinyJournalStore(tmp_path).close()  # free again once closed


def test_many_puts_do_not_rewrite_the_snapshot_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot_writes = []
    real_write = JSONStorage.write

    def counting_write(self: JSONStorage, data: dict) -> None:
        snapshot_writes.append(len(data))
        real_write(self, data)

    monkeypatch.setattr(JSONStorage, "write", counting_write)
    store = TinyJournalStore(tmp_path)  # default: checkpoint every 2,000 records
    for number in range(5000):
        store.put("votes", f"k{number}", {"n": number})
    assert store.checkpoints == 2
    assert len(snapshot_writes) == 2
    assert len(journal_lines(tmp_path)) == 1000
    store.close()
    assert len(snapshot_writes) == 3


def test_journal_lines_are_single_json_records(tmp_path: Path) -> None:
    with TinyJournalStore(tmp_path) as store:
        store.put_many([("t", "a", {"text": "line\nbreak"}), ("t", "b", None)])
        lines = journal_lines(tmp_path)
        assert len(lines) == 1
        assert json.loads(lines[0]) == {
            "seq": 1,
            "ops": [["t", "a", {"text": "line\nbreak"}], ["t", "b", None]],
        }


# -- compact: nothing deleted stays in the files ------------------------------------


def test_compact_keeps_every_document_and_refuses_a_closed_store(store: Store) -> None:
    store.put_many([("votes", "a", {"dots": 1}), ("votes", "b", {"dots": 2})])
    store.delete("votes", "a")
    store.compact()
    assert store.all("votes") == [{"dots": 2}]
    store.close()
    with pytest.raises(StoreClosedError):
        store.compact()


def test_compact_leaves_no_byte_of_deleted_documents_in_the_folder(tmp_path: Path) -> None:
    secret = "Zyxwvu Qwerty Grüße"
    escaped = json.dumps(secret)[1:-1].encode()
    with TinyJournalStore(tmp_path) as store:
        store.put("people", "p1", {"name": secret})
        store.checkpoint()  # in the snapshot
        store.put("people", "p1", {"name": secret + " again"})  # and in the journal
        store.put("people", "p2", {"name": "stays"})
        store.delete("people", "p1")
        before = store.checkpoints
        store.compact()
        assert store.checkpoints == before + 1
        files = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
        assert files[tinystore.JOURNAL_NAME] == b""
        assert not any(escaped in data or secret.encode() in data for data in files.values())
        assert b"stays" in files[tinystore.SNAPSHOT_NAME]
    with TinyJournalStore(tmp_path) as again:
        assert again.all("people") == [{"name": "stays"}]
