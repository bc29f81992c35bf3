"""MemoryStore: the store semantics without any files, for tests and throwaway runs."""

from __future__ import annotations

import json
import threading

from .base import (
    EncodedOp,
    Store,
    StoreClosedError,
    check_table,
    check_target,
    encode_doc,
    encode_ops,
)


class MemoryStore(Store):
    """Keep every table in memory; nothing survives the process.

    Documents are held as JSON text, so every read decodes a fresh copy and no
    caller can reach into the store's state. Subclasses make writes durable by
    overriding its write methods.
    """

    def __init__(self) -> None:
        """Create an empty store."""
        # One re-entrant lock guards the tables and, in subclasses, the files.
        self._lock = threading.RLock()
        self._tables: dict[str, dict[str, str]] = {}
        self._closed = False

    def get(self, table: str, key: str) -> dict | None:
        """Return a copy of the document under ``key`` in ``table``, or None."""
        check_target(table, key)
        with self._lock:
            self._check_open()
            text = self._tables.get(table, {}).get(key)
        return None if text is None else json.loads(text)

    def all(self, table: str) -> list[dict]:
        """Return copies of every document in ``table``, in first-insertion order."""
        check_table(table)
        with self._lock:
            self._check_open()
            texts = list(self._tables.get(table, {}).values())
        return [json.loads(text) for text in texts]

    def put(self, table: str, key: str, doc: dict) -> None:
        """Insert or replace the document under ``key``."""
        op = (table, key, encode_doc(table, key, doc))
        with self._lock:
            self._check_open()
            self._commit([op])

    def put_many(self, items: list[tuple[str, str, dict | None]]) -> None:
        """Apply a batch of writes atomically; a ``None`` document deletes the key."""
        ops = encode_ops(list(items))
        if not ops:
            return
        with self._lock:
            self._check_open()
            self._commit(ops)

    def delete(self, table: str, key: str) -> None:
        """Remove the document under ``key``; no error if it does not exist."""
        check_target(table, key)
        with self._lock:
            self._check_open()
            self._commit([(table, key, None)])

    def compact(self) -> None:
        """Nothing to rewrite: deleted documents are gone from memory at once."""
        with self._lock:
            self._check_open()

    def close(self) -> None:
        """Mark the store closed; later calls raise :class:`StoreClosedError`."""
        with self._lock:
            self._closed = True

    # -- for subclasses -------------------------------------------------

    def _commit(self, ops: list[EncodedOp]) -> None:
        """Make a validated batch take effect. Called with the lock held."""
        self._apply(ops)

    def _apply(self, ops: list[EncodedOp]) -> None:
        """Change the in-memory tables; cannot fail half-way for valid ops."""
        for table, key, text in ops:
            if text is None:
                self._tables.get(table, {}).pop(key, None)
            else:
                self._tables.setdefault(table, {})[key] = text

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosedError(f"{type(self).__name__} is closed")
