"""The storage interface every backend implements, and the checks they share.

A store holds JSON documents in named tables, each under a string key. The
core talks only to :class:`Store`; a backend that outgrows one machine can take
over by implementing the same seven methods.

Documents are normalised by a JSON round trip when they are written: what
:meth:`Store.get` returns is exactly what a reload from disk would return
(tuples become lists, non-string dict keys become strings).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from types import TracebackType
from typing import Any, Self

#: Field that holds a document's key in the TinyDB snapshot; documents may not use it.
KEY_FIELD = "_key"
#: TinyDB table that holds snapshot bookkeeping; stores may not use it as a table name.
META_TABLE = "_meta"

#: One validated write: (table, key, encoded JSON text, or None to delete).
EncodedOp = tuple[str, str, str | None]


class InvalidDocumentError(ValueError):
    """Raised, before anything changes, for a bad table name, key or document."""


class StorageError(RuntimeError):
    """Base class for storage failures that are not caused by a bad argument."""


class StoreClosedError(StorageError):
    """Raised when a store is used after :meth:`Store.close`."""


class Store(ABC):
    """A thread-safe, durable key/document store with named tables.

    Every method may be called from any thread. Writes are durable when they
    return (for backends that persist at all).
    """

    @abstractmethod
    def get(self, table: str, key: str) -> dict | None:
        """Return a copy of the document under ``key`` in ``table``, or None.

        Mutating the returned dict never changes the store.
        """

    @abstractmethod
    def all(self, table: str) -> list[dict]:
        """Return copies of every document in ``table``, in first-insertion order.

        Replacing a document keeps its place; deleting and re-inserting moves it
        to the end. An unknown table gives an empty list.
        """

    @abstractmethod
    def put(self, table: str, key: str, doc: dict) -> None:
        """Insert or replace the document under ``key``; durable when it returns.

        :raises ValueError: if ``doc`` is not a JSON-serialisable dict; the store
            is then unchanged.
        """

    @abstractmethod
    def put_many(self, items: list[tuple[str, str, dict | None]]) -> None:
        """Apply a batch of writes atomically; a ``None`` document deletes the key.

        Either every item is applied or none is, also across a crash. Items are
        applied in order, so a later item for the same key wins.

        :raises ValueError: if any document is invalid; nothing is applied.
        """

    @abstractmethod
    def delete(self, table: str, key: str) -> None:
        """Remove the document under ``key``; no error if it does not exist."""

    @abstractmethod
    def compact(self) -> None:
        """Rewrite the persisted data so that it holds only the current documents.

        When it returns, no file (or other medium) of the store holds a byte of
        a document that was deleted or replaced before the call: the core calls
        it after deleting a workshop, which must leave no trace. A store that
        keeps nothing on disk does nothing.
        """

    @abstractmethod
    def close(self) -> None:
        """Checkpoint and release files. Calling it again does nothing."""

    def __enter__(self) -> Self:
        """Use the store as a context manager that closes it on exit."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()


def encode_doc(table: str, key: str, doc: Any) -> str:
    """Check one write target and document, and return the document as JSON text.

    :raises InvalidDocumentError: for a bad table name or key, a document that is not a
        dict, that uses the reserved ``_key`` field, or is not JSON-serialisable
        (including NaN/Infinity and circular references).
    """
    check_target(table, key)
    if not isinstance(doc, dict):
        raise InvalidDocumentError(
            f"document for {table!r}/{key!r} must be a dict, not {type(doc).__name__}"
        )
    if KEY_FIELD in doc:
        raise InvalidDocumentError(
            f"document for {table!r}/{key!r} uses the reserved field {KEY_FIELD!r}"
        )
    try:
        return json.dumps(doc, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise InvalidDocumentError(
            f"document for {table!r}/{key!r} is not JSON-serialisable: {error}"
        ) from error


def check_table(table: Any) -> None:
    """Check that ``table`` is a usable table name.

    :raises InvalidDocumentError: if it is not a non-empty string or is reserved.
    """
    if not isinstance(table, str) or not table:
        raise InvalidDocumentError(f"table name must be a non-empty string, not {table!r}")
    if table == META_TABLE:
        raise InvalidDocumentError(f"table name {META_TABLE!r} is reserved for the storage layer")


def check_target(table: Any, key: Any) -> None:
    """Check that ``table`` is a usable table name and ``key`` a string.

    :raises InvalidDocumentError: if not.
    """
    check_table(table)
    if not isinstance(key, str):
        raise InvalidDocumentError(f"key must be a string, not {type(key).__name__}")


def encode_ops(items: list[tuple[str, str, dict | None]]) -> list[EncodedOp]:
    """Validate and encode a whole batch before any of it is applied.

    :raises InvalidDocumentError: naming the first bad item.
    """
    ops: list[EncodedOp] = []
    for item in items:
        try:
            table, key, doc = item
        except (TypeError, ValueError) as error:
            raise InvalidDocumentError(
                f"batch item must be (table, key, doc), not {item!r}"
            ) from error
        if doc is None:
            check_target(table, key)
            ops.append((table, key, None))
        else:
            ops.append((table, key, encode_doc(table, key, doc)))
    return ops
