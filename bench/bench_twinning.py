"""Twinning matchmaking: optimal matching of 300 and 1,000 groups, scoring included.

Run from the repository root::

    python bench/bench_twinning.py [--sizes 300 1000] [--seed 1] [--stability 300]

What it does (issue 11, "Speed and correctness"): builds a random but realistic pool of group
profiles (types of organisation, towns, topics, offers and needs from a bank of German and
English phrases, languages, parent organisations, a few exclusions) and, for each size,

1. **scoring**: prepares every profile and scores every pair the hard rules allow
   (``Scorer``, ``RuleChecker``, ``weighted_edges``: n·(n-1)/2 pairs);
2. **matching**: rustworkx's exact ``max_weight_matching`` (max cardinality) on those edges;
3. **match()**: the whole public call end to end (as the method runs it), and checks that its
   total equals scoring + matching's.

``--stability N`` also times ``blocking_pairs`` and ``stable_matching`` for the pools of up to
N groups. No server is started. Goal: 300 groups under 1 s for match() (the exit status is 1
when it is missed); 1,000 groups are reported.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from facilitator_plugins.twinning import matching, stability
from facilitator_plugins.twinning.hardrules import RuleChecker
from facilitator_plugins.twinning.scoring import DEFAULT_WEIGHTS, Scorer

GOAL_300 = 1.0
TYPES = ["district", "municipality", "welfare", "mso", "association", "education", "employment",
         "volunteers", "science", "other"]
TOWNS = ["Kassel", "Fulda", "Marburg", "Gießen", "Hanau", "Wetzlar", "Bad Hersfeld", "Eschwege"]
TOPICS = ["education", "health", "work", "housing", "culture", "sport", "women", "youth",
          "language", "participation"]
PHRASES = [
    "German conversation groups", "translation of documents", "meeting rooms", "legal advice",
    "sport for children", "job application training", "homework help for pupils",
    "cooking evenings", "contacts to employers", "volunteers for events", "intercultural training",
    "Übersetzung von Dokumenten", "Räume für Treffen", "Beratung zum Aufenthaltsrecht",
    "Sprachcafé Deutsch", "Kontakte zu Arbeitgebern", "Hausaufgabenhilfe", "Elternabende",
    "Fördermittel beantragen", "Öffentlichkeitsarbeit", "Ehrenamtliche gewinnen",
    "Workshops zu Rassismus", "Frauencafé", "digital skills courses", "funding applications",
    "public relations", "parents evenings", "mentoring for young people", "Wohnungssuche",
    "housing search", "health information in Arabic", "Gesundheitsinformationen auf Arabisch",
]
LANGUAGES = ["German", "Arabic", "Turkish", "Russian", "Ukrainian", "Persian", "English", "Kurdish"]


def make_pool(size: int, rng: random.Random) -> list[dict]:
    """``size`` random profiles (about one in ten excludes another group)."""
    organisations = ["", "", "", "Caritas", "Diakonie", "AWO", "Stadt Kassel", "Landkreis Fulda"]
    groups = []
    for i in range(size):
        groups.append({
            "id": f"g{i}", "name": f"Group {i}", "org_type": rng.choice(TYPES),
            "organisation": rng.choice(organisations), "town": rng.choice(TOWNS),
            "topics": rng.sample(TOPICS, rng.randint(1, 3)), "topics_other": "",
            "offers": rng.sample(PHRASES, rng.randint(1, 4)),
            "needs": rng.sample(PHRASES, rng.randint(1, 4)),
            "languages": ["German", *rng.sample(LANGUAGES, rng.randint(0, 2))],
            "contact": f"contact{i}@example.org", "excludes": [],
        })
    for group in groups:
        if rng.random() < 0.1:
            group["excludes"] = [rng.choice(groups)["id"]]
    return groups


def machine() -> str:
    """``nproc`` and the CPU model."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"nproc={os.cpu_count()}  cpu={model}  python={platform.python_version()}"


def bench(size: int, seed: int, with_stability: bool) -> float:
    """Time one pool; returns the seconds of ``match()``."""
    rng = random.Random(seed)
    groups = make_pool(size, rng)
    rules = {"forbid_same_organisation": True, "language_required": True, "odd": "sit_out",
             "sat_out_before": {f"g{i}" for i in range(0, size, 7)}, "locks": [], "earlier_pairs": set()}
    start = time.perf_counter()
    checker = RuleChecker(groups, rules)
    scorer = Scorer(groups, DEFAULT_WEIGHTS)
    free = [g["id"] for g in groups]
    edges = matching.weighted_edges(free, checker, scorer)
    scoring_s = time.perf_counter() - start
    start = time.perf_counter()
    pairs = matching.solve(free, edges, rules["sat_out_before"])
    matching_s = time.perf_counter() - start
    start = time.perf_counter()
    result = matching.match(groups, DEFAULT_WEIGHTS, rules)
    match_s = time.perf_counter() - start
    weight = {(i, j): w for i, j, w in edges}
    index = {gid: i for i, gid in enumerate(free)}
    direct = sum(weight[tuple(sorted((index[a], index[b])))] for a, b in pairs) / matching.SCALE
    assert len(result.pairs) == len(pairs)
    assert abs(result.total - direct) <= size / matching.SCALE, (result.total, direct)
    print(f"{size:5d} groups  {size * (size - 1) // 2:7d} pairs  {len(edges):7d} allowed   "
          f"scoring {scoring_s:6.3f} s   matching {matching_s:6.3f} s   match() {match_s:6.3f} s   "
          f"-> {len(result.pairs)} twins, {len(result.unmatched)} alone, total {result.total:.1f}")
    if with_stability:
        start = time.perf_counter()
        blocking = stability.blocking_pairs(result, groups, DEFAULT_WEIGHTS, rules)
        blocking_s = time.perf_counter() - start
        start = time.perf_counter()
        stable = stability.stable_matching(groups, DEFAULT_WEIGHTS, rules)
        stable_s = time.perf_counter() - start
        found = "none exists" if stable is None else \
            f"{len(stable.pairs)} twins, total {stable.total:.1f}"
        print(f"{'':5s}         blocking_pairs {blocking_s:6.3f} s ({len(blocking)} blocking pairs)   "
              f"stable_matching {stable_s:6.3f} s ({found})")
    return match_s


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the pools and print the numbers; 1 when the 300-group goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stability", type=int, default=300,
                        help="also time blocking_pairs and stable_matching up to this pool size")
    args = parser.parse_args(argv)
    print(machine())
    missed = False
    for size in args.sizes:
        seconds = bench(size, args.seed, size <= args.stability)
        if size == 300 and seconds >= GOAL_300:
            print(f"  goal missed: 300 groups in {seconds:.3f} s (goal under {GOAL_300} s)")
            missed = True
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
