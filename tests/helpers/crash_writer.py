"""Write to a TinyJournalStore and print each acknowledged key; used by tests/test_storage.py.

Every line printed means the write returned, so it must survive a crash. The
process never closes the store: it is either killed by the test (``kill -9``)
or, with ``--count``, leaves with ``os._exit`` as a crash would.

Every seventh write is a batch that puts the key into ``votes`` and ``batches``
at once, so the test can check that batches are all-or-nothing.
"""

from __future__ import annotations

import argparse
import os
import sys

from facilitator.storage import TinyJournalStore


def main() -> None:
    """Parse arguments and write until killed (or until ``--count`` writes)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir")
    parser.add_argument("--prefix", default="k")
    parser.add_argument("--checkpoint-every", type=int, default=2000)
    parser.add_argument("--count", type=int, default=None, help="stop after N writes")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    store = TinyJournalStore(args.data_dir, checkpoint_every=args.checkpoint_every)
    limit = args.count if args.count is not None else 500_000  # bounded even if never killed
    for number in range(limit):
        key = f"{args.prefix}{number:06d}"
        doc = {"key": key, "number": number, "padding": "x" * 64}
        if number % 7 == 0:
            store.put_many([("votes", key, doc), ("batches", key, {"key": key})])
        else:
            store.put("votes", key, doc)
        print(key)
    os._exit(0)  # no close(): leave the files as a crash would


if __name__ == "__main__":
    main()
