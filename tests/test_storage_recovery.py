"""Crash recovery of TinyJournalStore: nothing acknowledged is lost, nothing is applied twice.

Crashes are simulated three ways: a helper process that leaves with
``os._exit`` (no close), a helper process killed with SIGKILL mid-write, and
hand-written journal files for torn and corrupt lines. The Store contract
itself is tested in test_storage.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from tinydb import TinyDB

from facilitator.storage import StorageCorruptError, TinyJournalStore, tinystore
from facilitator.storage.journal import encode_record

CRASH_WRITER = Path(__file__).parent / "helpers" / "crash_writer.py"


def journal_lines(data_dir: Path) -> list[bytes]:
    """The complete lines of the journal in ``data_dir``."""
    return (data_dir / tinystore.JOURNAL_NAME).read_bytes().splitlines()


def run_writer(data_dir: Path, *args: str) -> list[str]:
    """Run the crash writer to completion (it exits without closing); return its acks."""
    result = subprocess.run(
        [sys.executable, str(CRASH_WRITER), str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.split()


def test_reopen_after_unclean_exit_replays_the_journal(tmp_path: Path) -> None:
    acked = run_writer(tmp_path, "--count", "30")
    assert len(journal_lines(tmp_path)) == 30  # nothing was checkpointed
    with TinyJournalStore(tmp_path) as store:
        assert [key for key in acked if store.get("votes", key) is None] == []
        assert len(store.all("batches")) == 5  # numbers 0, 7, 14, 21, 28
        store.put("votes", "after", {})
    with TinyJournalStore(tmp_path) as store:
        assert len(store.all("votes")) == 31


def test_torn_last_line_is_ignored_and_cut_off(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    good = encode_record(1, [("t", "a", '{"v":1}')]) + encode_record(2, [("t", "b", '{"v":2}')])
    journal.write_bytes(good + b'{"seq":3,"ops":[["t","c",{"v"')
    with TinyJournalStore(tmp_path) as store:
        assert [doc["v"] for doc in store.all("t")] == [1, 2]
        assert journal.read_bytes() == good  # the torn tail is gone ...
        store.put("t", "c", {"v": 3})  # ... so this line does not glue onto it
        assert len(journal_lines(tmp_path)) == 3
    with TinyJournalStore(tmp_path) as store:
        assert [doc["v"] for doc in store.all("t")] == [1, 2, 3]


def test_complete_last_line_without_newline_counts_as_torn(tmp_path: Path) -> None:
    record = encode_record(1, [("t", "a", '{"v":1}')])
    (tmp_path / "journal.jsonl").write_bytes(record[:-1])  # never acknowledged
    with TinyJournalStore(tmp_path) as store:
        assert store.all("t") == []


def test_corruption_in_the_middle_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "journal.jsonl").write_bytes(
        encode_record(1, [("t", "a", "{}")])
        + b"garbage\n"
        + encode_record(3, [("t", "c", "{}")])
    )
    for _attempt in range(2):  # the failed open released the folder lock
        with pytest.raises(StorageCorruptError, match="line 2"):
            TinyJournalStore(tmp_path)


def test_gap_in_sequence_numbers_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "journal.jsonl").write_bytes(encode_record(5, [("t", "a", "{}")]))
    with pytest.raises(StorageCorruptError, match="records are missing"):
        TinyJournalStore(tmp_path)


def test_crash_between_snapshot_and_truncate_does_not_double_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TinyJournalStore(tmp_path)
    store.put("t", "a", {"v": 1})
    store.put("t", "b", {"v": 2})
    store.delete("t", "a")

    real_ftruncate = os.ftruncate

    def crash_on_truncate(fd: int, length: int) -> None:
        if length == 0:
            raise OSError("simulated crash after os.replace")
        real_ftruncate(fd, length)

    with monkeypatch.context() as patch:
        patch.setattr(tinystore.os, "ftruncate", crash_on_truncate)
        with pytest.raises(OSError, match="simulated crash"):
            store.close()  # snapshot replaced, journal not truncated
    assert len(journal_lines(tmp_path)) == 3
    with TinyDB(tmp_path / "facilitator.json", access_mode="r") as db:
        assert db.table("_meta").all()[0]["seq"] == 3

    # Make the stale records detectable: had they been applied, "ghost" would appear.
    (tmp_path / "journal.jsonl").write_bytes(
        b"".join(encode_record(seq, [("t", "ghost", f'{{"seq":{seq}}}')]) for seq in (1, 2, 3))
    )
    with TinyJournalStore(tmp_path) as reopened:
        assert reopened.all("t") == [{"v": 2}]
        reopened.put("t", "c", {"v": 3})  # continues with sequence number 4
    with TinyJournalStore(tmp_path) as reopened:
        assert reopened.all("t") == [{"v": 2}, {"v": 3}]


def test_failed_journal_write_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TinyJournalStore(tmp_path)
    store.put("t", "a", {"v": 1})
    size = (tmp_path / "journal.jsonl").stat().st_size
    with monkeypatch.context() as patch:
        patch.setattr(tinystore.os, "fsync", _raise_disk_full)
        with pytest.raises(OSError, match="disk full"):
            store.put("t", "b", {"v": 2})
    assert store.get("t", "b") is None
    assert (tmp_path / "journal.jsonl").stat().st_size == size
    store.put("t", "c", {"v": 3})
    store.close()
    with TinyJournalStore(tmp_path) as reopened:
        assert reopened.all("t") == [{"v": 1}, {"v": 3}]


def _raise_disk_full(fd: int) -> None:
    raise OSError("disk full")


def test_kill_9_loses_no_acknowledged_write(tmp_path: Path) -> None:
    """Kill a writer three times at arbitrary moments; every printed key must survive."""
    acked: list[str] = []
    for round_number in range(3):
        acked += _write_until_killed(tmp_path, prefix=f"r{round_number}-", min_acks=300)
        with TinyJournalStore(tmp_path, checkpoint_every=100) as store:
            missing = [key for key in acked if store.get("votes", key) is None]
            assert missing == []
            # Batches are all-or-nothing, also the one the kill interrupted.
            batched_votes = {doc["key"] for doc in store.all("votes") if doc["number"] % 7 == 0}
            assert batched_votes == {doc["key"] for doc in store.all("batches")}
    assert len(acked) >= 900


def _write_until_killed(data_dir: Path, prefix: str, min_acks: int) -> list[str]:
    """Start the writer, SIGKILL it after ``min_acks`` acks, return every ack it printed."""
    process = subprocess.Popen(
        [sys.executable, str(CRASH_WRITER), str(data_dir), "--prefix", prefix,
         "--checkpoint-every", "100"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    acked: list[str] = []

    def read_acks() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            acked.append(line.strip())

    reader = threading.Thread(target=read_acks, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while len(acked) < min_acks and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert process.poll() is None, "the writer exited before it was killed"
        assert len(acked) >= min_acks, "the writer was too slow"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        reader.join(timeout=30)  # drains acks still in the pipe
    assert process.returncode == -signal.SIGKILL
    return acked

