"""TinyJournalStore: the embedded default, a TinyDB snapshot plus an fsynced journal.

Why not plain TinyDB: its JSONStorage rewrites the whole file on every insert
(quadratic, 5,000 inserts took 105 s) and its CachingMiddleware loses whatever
is still cached on ``kill -9``. So the live data sits in memory, every write is
one JSON line appended to ``journal.jsonl`` and fsynced before it returns, and
the TinyDB file ``facilitator.json`` is only a periodic snapshot.

Files in the data folder:

``facilitator.json``
    TinyDB's own format: one TinyDB table per store table, each document with
    its key in the ``_key`` field, plus a ``_meta`` table whose one row holds the
    sequence number of the last write the snapshot contains.
``journal.jsonl``
    One fsynced line per write (see :mod:`facilitator.storage.journal`).
``facilitator.lock``
    Held with :class:`filelock.FileLock` while a store is open, so two servers
    cannot share a folder (``flock`` on Linux and macOS, ``msvcrt.locking`` on
    Windows). Never read: Windows refuses reads of a locked file.
``facilitator.pid``
    The process id of the server holding the lock, written after taking it and
    removed before releasing it; only read to name the holder in the error.

Runs on Linux, macOS and Windows: the directory is fsynced only on POSIX, and
files are opened in binary mode (``os.O_BINARY``) where that flag exists.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.storages import JSONStorage

from .base import (
    KEY_FIELD,
    META_TABLE,
    EncodedOp,
    StorageError,
    check_target,
    encode_doc,
    encode_ops,
)
from .journal import StorageCorruptError, dumps, encode_record, scan_journal
from .memory import MemoryStore

logger = logging.getLogger(__name__)

SNAPSHOT_NAME = "facilitator.json"
JOURNAL_NAME = "journal.jsonl"
LOCK_NAME = "facilitator.lock"
PID_NAME = "facilitator.pid"
SNAPSHOT_FORMAT = 1


class StoreLockedError(StorageError):
    """Raised when another process already has the data folder open."""


class TinyJournalStore(MemoryStore):
    """A durable store in ``data_dir``: acknowledged writes survive kill -9 and power loss.

    :param data_dir: folder for the snapshot, journal and lock file; created if missing.
    :param checkpoint_every: write a snapshot and empty the journal after this
        many journal records.
    :raises StoreLockedError: if another store holds the folder.
    :raises StorageCorruptError: if the snapshot or the journal is damaged
        (other than a torn last line, which is dropped).
    """

    def __init__(self, data_dir: Path | str, checkpoint_every: int = 2000) -> None:
        """Open (or create) the store in ``data_dir`` and restore its contents."""
        if checkpoint_every < 1:
            raise ValueError("checkpoint_every must be at least 1")
        super().__init__()
        self.data_dir = Path(data_dir)
        self.snapshot_path = self.data_dir / SNAPSHOT_NAME
        self.journal_path = self.data_dir / JOURNAL_NAME
        self.checkpoint_every = checkpoint_every
        #: Snapshots written by this instance (for tests and monitoring).
        self.checkpoints = 0
        self._seq = 0  # sequence number of the last applied write
        self._pending = 0  # journal records not yet in the snapshot
        self._broken = False
        self._write_lock = threading.RLock()

        self._journal_fd = -1
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._folder_lock = _lock_folder(self.data_dir)
        try:
            self.snapshot_path.with_name(SNAPSHOT_NAME + ".tmp").unlink(missing_ok=True)
            self._seq = self._load_snapshot()
            self._journal_size = self._replay_journal()
            self._journal_fd = os.open(
                self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _binary(), 0o644
            )
            # Drop a torn tail so the next line does not glue onto it.
            os.ftruncate(self._journal_fd, self._journal_size)
            os.fsync(self._journal_fd)
            _fsync_dir(self.data_dir)  # make a newly created journal's name durable
            if self._pending >= checkpoint_every:
                self._checkpoint()
        except BaseException:
            if self._journal_fd >= 0:
                os.close(self._journal_fd)
            _unlock_folder(self._folder_lock)
            raise

    # -- public ---------------------------------------------------------

    def checkpoint(self) -> None:
        """Write a snapshot of everything now and empty the journal."""
        with self._write_lock, self._lock:
            self._check_open()
            self._checkpoint()

    def compact(self) -> None:
        """Leave nothing deleted in the folder: a fresh snapshot, an empty journal.

        The snapshot is written from the live tables (deleted documents are not
        in them) to a temp file that replaces the old snapshot, then the journal,
        which held every write since the last checkpoint, is truncated to zero.
        (The file system may keep freed blocks until it reuses them; only disk
        encryption protects those.)
        """
        self.checkpoint()

    def close(self) -> None:
        """Checkpoint, then release the journal and the folder lock. Idempotent.

        The files are released even if the checkpoint fails; the journal still
        holds every write then, so nothing is lost.
        """
        with self._write_lock, self._lock:  # writers first, as in _write: no lock-order deadlock
            if self._closed:
                return
            try:
                if not self._broken and (self._journal_size or not self.snapshot_path.exists()):
                    self._checkpoint()
            finally:
                self._closed = True
                os.close(self._journal_fd)
                _unlock_folder(self._folder_lock)

    # -- write path -----------------------------------------------------

    def put(self, table: str, key: str, doc: dict) -> None:
        """Insert or replace the document under ``key``; durable when it returns."""
        self._write([(table, key, encode_doc(table, key, doc))])

    def delete(self, table: str, key: str) -> None:
        """Remove the document under ``key``; no error if it does not exist."""
        check_target(table, key)
        self._write([(table, key, None)])

    def put_many(self, items: list[tuple[str, str, dict | None]]) -> None:
        """Apply a batch of writes atomically; a ``None`` document deletes the key."""
        ops = encode_ops(list(items))
        if ops:
            self._write(ops)

    def _write(self, ops: list[EncodedOp]) -> None:
        """Journal and fsync under the writers' lock only, then apply under the readers' lock.

        Readers (every view a flush renders) never wait for the disk; a write becomes
        visible once it is durable.
        """
        with self._write_lock:
            self._check_open()
            seq = self._seq + 1
            self._append(encode_record(seq, ops))
            with self._lock:
                self._commit_applied(seq, ops)

    def _commit_applied(self, seq: int, ops: list[EncodedOp]) -> None:
        """Make a journaled batch visible; checkpoint when enough have gathered."""
        self._seq = seq
        self._apply(ops)
        self._pending += 1
        if self._pending >= self.checkpoint_every:
            try:
                self._checkpoint()
            except OSError:
                # The write itself is durable in the journal; try again later.
                logger.exception("checkpoint of %s failed; will retry", self.data_dir)
                self._pending = 0

    def _append(self, line: bytes) -> None:
        if self._broken:
            raise StorageError(
                f"the journal in {self.data_dir} is in an unknown state after an "
                "earlier write error; restart the server"
            )
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._journal_fd, view):]
            os.fsync(self._journal_fd)
        except OSError:
            # Cut off the partial line so later lines stay parseable.
            try:
                os.ftruncate(self._journal_fd, self._journal_size)
            except OSError:
                self._broken = True
            raise
        self._journal_size += len(line)

    def _checkpoint(self) -> None:
        """Snapshot to a temp file, atomically replace, then truncate the journal."""
        tmp = self.snapshot_path.with_name(SNAPSHOT_NAME + ".tmp")
        tmp.unlink(missing_ok=True)
        # CachingMiddleware: TinyDB serialises the whole file once, on close.
        db = TinyDB(tmp, storage=CachingMiddleware(JSONStorage), encoding="utf-8")
        try:
            for name, rows in self._tables.items():
                if rows:
                    db.table(name).insert_multiple(
                        {KEY_FIELD: key, **json.loads(text)} for key, text in rows.items()
                    )
            db.table(META_TABLE).insert({"seq": self._seq, "format": SNAPSHOT_FORMAT})
        finally:
            db.close()
        _fsync_path(tmp)
        os.replace(tmp, self.snapshot_path)
        _fsync_dir(self.data_dir)
        # A crash before this line leaves records the snapshot already holds;
        # replay skips them by sequence number.
        os.ftruncate(self._journal_fd, 0)
        os.fsync(self._journal_fd)
        self._journal_size = 0
        self._pending = 0
        self.checkpoints += 1

    # -- open path ------------------------------------------------------

    def _load_snapshot(self) -> int:
        """Fill the tables from the TinyDB snapshot; return its sequence number."""
        if not self.snapshot_path.exists():
            return 0
        db = TinyDB(
            self.snapshot_path,
            storage=CachingMiddleware(JSONStorage),
            access_mode="r",
            encoding="utf-8",
        )
        try:
            for name in db.tables():
                if name == META_TABLE:
                    continue
                rows: dict[str, str] = {}
                for row in db.table(name).all():
                    doc = dict(row)
                    key = doc.pop(KEY_FIELD)
                    rows[key] = dumps(doc)
                self._tables[name] = rows
            meta = db.table(META_TABLE).all()
            return int(meta[0]["seq"]) if meta else 0
        except (ValueError, KeyError, TypeError, IndexError) as error:
            raise StorageCorruptError(
                f"the snapshot {self.snapshot_path} cannot be read: {error!r}"
            ) from error
        finally:
            db.close()

    def _replay_journal(self) -> int:
        """Apply journal records newer than the snapshot; return the valid length."""
        data = self.journal_path.read_bytes() if self.journal_path.exists() else b""
        scan = scan_journal(data, self.journal_path, self._seq)
        for seq, ops in scan.records:
            self._apply(ops)
            self._seq = seq
            self._pending += 1
        if scan.torn_line is not None:
            logger.warning(
                "ignoring a torn write at the end of %s (line %d)",
                self.journal_path,
                scan.torn_line,
            )
        return scan.valid_end


def _lock_folder(data_dir: Path) -> FileLock:
    """Take the folder's exclusive lock, or raise StoreLockedError naming the folder.

    A new FileLock per store (not a per-path singleton) and not thread-local: a
    second store on the same folder is refused even inside this process, and
    :meth:`TinyJournalStore.close` may run on another thread than the open.
    """
    lock = FileLock(data_dir / LOCK_NAME, thread_local=False, is_singleton=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = _read_holder(data_dir / PID_NAME)
        raise StoreLockedError(
            f"the data folder {data_dir} is already in use by another Facilitator "
            f"server{f' (pid {holder})' if holder else ''}; stop it or choose another "
            "data folder"
        ) from None
    try:
        (data_dir / PID_NAME).write_text(f"{os.getpid()}\n", encoding="ascii")
    except BaseException:
        lock.release()
        raise
    return lock


def _read_holder(pid_path: Path) -> str:
    """The pid the holder wrote, or "" if it cannot be told (not written yet, gone)."""
    try:
        holder = pid_path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return ""
    return holder if holder.isdigit() else ""


def _unlock_folder(lock: FileLock) -> None:
    """Remove the pid file, then release the folder lock (also if the removal fails)."""
    pid_path = Path(lock.lock_file).with_name(PID_NAME)
    try:
        pid_path.unlink(missing_ok=True)  # before the release: never the next holder's pid
    except OSError:
        logger.warning("could not remove %s", pid_path)
    finally:
        lock.release()


def _binary() -> int:
    """``os.O_BINARY`` on Windows (else os.write turns \\n into \\r\\n), 0 elsewhere."""
    return getattr(os, "O_BINARY", 0)


def _fsync_path(path: Path) -> None:
    # Write access: Windows' FlushFileBuffers refuses a read-only handle.
    fd = os.open(path, os.O_RDWR | _binary())
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make renames and new names in ``path`` durable (POSIX only)."""
    if os.name != "posix":
        return  # Windows: NTFS journals the metadata of os.replace, nothing to fsync
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
