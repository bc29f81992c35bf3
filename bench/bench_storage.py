"""Time small puts into TinyJournalStore against inserts into plain TinyDB.

Run from the repository root::

    python bench/bench_storage.py [--count 5000] [--tinydb-count 1000] [--data-dir DIR]

Plain TinyDB rewrites its whole file on every insert, so its cost grows with
the file; it is capped (``--tinydb-count``) to keep the run short.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tinydb import TinyDB

from facilitator.storage import TinyJournalStore


def sample_doc(number: int) -> dict:
    """A small document like a dot vote."""
    return {"participant": f"p{number % 40}", "option": f"o{number % 12}", "dots": 1 + number % 3}


def time_each(count: int, write: Callable[[int], None]) -> list[float]:
    """Call ``write(n)`` for n in range(count); return each call's duration in seconds."""
    durations = []
    for number in range(count):
        start = time.perf_counter()
        write(number)
        durations.append(time.perf_counter() - start)
    return durations


def report(label: str, durations: list[float]) -> None:
    """Print ops/s and p50/p99/max latency for one run."""
    total = sum(durations)
    cuts = statistics.quantiles(durations, n=100, method="inclusive")
    print(
        f"{label:<34} {len(durations):>6} puts  {total:8.2f} s  "
        f"{len(durations) / total:>9,.0f} ops/s  "
        f"p50 {cuts[49] * 1000:7.3f} ms  p99 {cuts[98] * 1000:7.3f} ms  "
        f"max {max(durations) * 1000:7.1f} ms"
    )


def bench_journal_store(folder: Path, count: int) -> list[float]:
    """Time ``count`` puts into a fresh TinyJournalStore in ``folder``."""
    store = TinyJournalStore(folder)
    try:
        return time_each(count, lambda n: store.put("votes", f"v{n}", sample_doc(n)))
    finally:
        store.close()


def bench_plain_tinydb(path: Path, count: int) -> list[float]:
    """Time ``count`` inserts into plain TinyDB with its default JSONStorage."""
    with TinyDB(path) as db:
        table = db.table("votes")
        return time_each(count, lambda n: table.insert({"_key": f"v{n}", **sample_doc(n)}))


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run both benchmarks and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="puts into TinyJournalStore")
    parser.add_argument(
        "--tinydb-count", type=int, default=1000, help="inserts into plain TinyDB (quadratic)"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="parent for a fresh run folder; default: temp"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="facilitator-bench-") as temp:
        # A fresh folder per run, so earlier runs' files never skew the numbers.
        base = Path(temp) if args.data_dir is None else args.data_dir / f"run-{time.time_ns()}"
        base.mkdir(parents=True, exist_ok=args.data_dir is None)
        print(f"data folder: {base}")
        journal_durations = bench_journal_store(base / "journal", args.count)
        report("TinyJournalStore (fsync per put)", journal_durations)
        plain_count = min(args.count, args.tinydb_count)
        if plain_count >= 2:
            report("plain TinyDB JSONStorage", bench_plain_tinydb(base / "plain.json", plain_count))


if __name__ == "__main__":
    main()
