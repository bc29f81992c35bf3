"""The journal's line format, and reading a journal back after a crash.

Each write is one line ``{"seq": n, "ops": [[table, key, doc-or-null], ...]}``
ending in a newline, so a batch is applied whole or not at all. Sequence
numbers increase by one per line and continue across checkpoints.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .base import EncodedOp, StorageError


class StorageCorruptError(StorageError):
    """Raised when the snapshot or the middle of the journal cannot be read."""


@dataclass
class JournalScan:
    """What a journal holds: the records to apply and where the valid part ends."""

    #: (seq, ops) of every record newer than the snapshot, in order.
    records: list[tuple[int, list[EncodedOp]]] = field(default_factory=list)
    #: Byte length of the valid prefix; anything after it is a torn write.
    valid_end: int = 0
    #: Line number of the torn write that was ignored, if any.
    torn_line: int | None = None


def dumps(doc: dict) -> str:
    """Encode a document the way the store keeps it in memory."""
    return json.dumps(doc, separators=(",", ":"))


def encode_record(seq: int, ops: list[EncodedOp]) -> bytes:
    """Encode one write as a single line; documents are already JSON text."""
    parts = ",".join(
        f"[{json.dumps(table)},{json.dumps(key)},{'null' if text is None else text}]"
        for table, key, text in ops
    )
    return f'{{"seq":{seq},"ops":[{parts}]}}\n'.encode()


def decode_record(line: bytes) -> tuple[int, list[EncodedOp]]:
    """Decode one journal line (without its newline).

    :raises ValueError, KeyError or TypeError: if the line is malformed.
    """
    record = json.loads(line)
    seq, raw_ops = record["seq"], record["ops"]
    if type(seq) is not int or not isinstance(raw_ops, list):
        raise TypeError("record needs an integer seq and a list of ops")
    ops: list[EncodedOp] = []
    for table, key, doc in raw_ops:
        if not (isinstance(table, str) and isinstance(key, str)):
            raise TypeError("op needs a string table and key")
        if doc is not None and not isinstance(doc, dict):
            raise TypeError("op document must be an object or null")
        ops.append((table, key, None if doc is None else dumps(doc)))
    return seq, ops


def scan_journal(data: bytes, path: Path, snapshot_seq: int) -> JournalScan:
    """Check a journal's bytes and pick the records newer than ``snapshot_seq``.

    Valid records must form a prefix of the file. Anything after the last valid
    record that does not parse (including a last line without its newline) is
    a write torn by a crash, never acknowledged, and is ignored. Records the
    snapshot already holds (a crash between snapshot and truncation) are skipped.

    :raises StorageCorruptError: for an unreadable line followed by a valid one,
        or a gap in the sequence numbers.
    """
    scan = JournalScan()
    previous: int | None = None
    first_bad: tuple[int, str] | None = None
    for line_no, start, end in _lines(data):
        try:
            if end == len(data):
                raise ValueError("line has no newline")
            seq, ops = decode_record(data[start:end])
        except (ValueError, KeyError, TypeError) as error:
            first_bad = first_bad or (line_no, repr(error))
            continue
        if first_bad is not None:
            raise StorageCorruptError(
                f"the journal {path} is damaged at line {first_bad[0]} ({first_bad[1]}) "
                "but has valid records after it"
            )
        expected = snapshot_seq + 1 if previous is None else previous + 1
        # The first line may be older than the snapshot; after that, no gaps.
        if seq > expected or (previous is not None and seq != expected):
            raise StorageCorruptError(
                f"the journal {path} has record {seq} at line {line_no} where "
                f"{expected} was expected: records are missing"
            )
        previous = seq
        scan.valid_end = end + 1
        if seq > snapshot_seq:
            scan.records.append((seq, ops))
    scan.torn_line = first_bad[0] if first_bad else None
    return scan


def _lines(data: bytes) -> Iterator[tuple[int, int, int]]:
    """Yield (line number, start, end) for each line; end excludes the newline."""
    start, line_no = 0, 0
    while start < len(data):
        line_no += 1
        end = data.find(b"\n", start)
        end = len(data) if end == -1 else end
        yield line_no, start, end
        start = end + 1
