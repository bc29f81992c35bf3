"""Storage backends behind one small interface.

The core asks :func:`open_store` for a :class:`Store` and uses nothing else;
another backend can take over by implementing the same interface.
"""

from __future__ import annotations

from pathlib import Path

from .base import InvalidDocumentError, StorageError, Store, StoreClosedError
from .journal import StorageCorruptError
from .memory import MemoryStore
from .tinystore import StoreLockedError, TinyJournalStore

__all__ = [
    "InvalidDocumentError",
    "MemoryStore",
    "StorageCorruptError",
    "StorageError",
    "Store",
    "StoreClosedError",
    "StoreLockedError",
    "TinyJournalStore",
    "open_store",
]


def open_store(data_dir: Path | None) -> Store:
    """Open the store for ``data_dir``: in memory if it is None, else a TinyJournalStore.

    :raises StoreLockedError: if another server already uses ``data_dir``.
    :raises StorageCorruptError: if the files in ``data_dir`` are damaged.
    """
    if data_dir is None:
        return MemoryStore()
    return TinyJournalStore(data_dir)
