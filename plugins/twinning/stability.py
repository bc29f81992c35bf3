"""Stability of a twinning: blocking pairs, and a stable matching when one exists.

Pure Python (no Flask). Group ``x`` *would rather* be with ``y`` than with its twin when
``benefit(x, y)`` (:func:`.scoring.benefit`: what ``y`` offers that ``x`` needs plus the shared
factors) exceeds its benefit from its twin by more than :data:`EPSILON`; a group in a triplet
compares with the better of its two partners; a group without a twin would rather be with any
partner the hard rules allow. A *blocking pair* is two groups, not twinned with each other and
allowed by the hard rules, that both would rather be with each other. Locked groups are left out:
their pairs are the facilitator's decision.

:func:`stable_matching` runs Irving's stable roommates algorithm (with incomplete lists: a
group's list holds only the partners the hard rules allow) on preferences ordered by benefit,
ties broken by the order of the groups in the pool. A matching it returns has no blocking pair.
When it returns None, no matching is stable for these tie-broken preferences; without ties in
the benefits that means no matching at all is free of blocking pairs (with ties a matching that
is stable only for another tie-break may exist; finding one is NP-hard in general).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from .hardrules import RuleChecker
from .matching import Result, _pool, assemble, check_locks, classify_unmatched
from .scoring import Scorer

#: Benefit differences up to this count as equal.
EPSILON = 1e-6


def blocking_pairs(result: Result, groups: Iterable[Mapping[str, Any]],
                   weights: Mapping[str, float] | None, rules: Mapping[str, Any] | None,
                   distances: Mapping[tuple[str, str], float] | None = None,
                   ) -> list[tuple[str, str]]:
    """The blocking pairs of ``result`` (see the module), each in pool order, sorted."""
    rules = rules or {}
    groups, ids = _pool(groups)
    checker = RuleChecker(groups, rules)
    scorer = Scorer(groups, weights, distances)
    locked = {g for pair in [*(rules.get("locks") or ()), *result.locked] for g in pair}
    free = [gid for gid in ids if gid not in locked]
    current: dict[str, float | None] = {}
    together: set[frozenset[str]] = set()
    for pair in result.pairs:
        together.update(frozenset((a, b)) for a in pair for b in pair if a != b)
        for gid in pair:
            current[gid] = max(scorer.benefit(gid, other) for other in pair if other != gid)
    found = []
    for i, a in enumerate(free):
        for b in free[i + 1:]:
            if frozenset((a, b)) in together or checker.check(a, b) is not None:
                continue
            if _prefers(current.get(a), scorer.benefit(a, b)) and \
                    _prefers(current.get(b), scorer.benefit(b, a)):
                found.append((a, b))
    return found


def _prefers(current: float | None, offered: float) -> bool:
    return current is None or offered > current + EPSILON


def preference_lists(free: list[str], checker: RuleChecker, scorer: Scorer) -> dict[str, list[str]]:
    """Each group's allowed partners among ``free``, best benefit first, ties in pool order."""
    order = {gid: i for i, gid in enumerate(free)}
    allowed: dict[str, list[str]] = {gid: [] for gid in free}
    for i, a in enumerate(free):
        for b in free[i + 1:]:
            if checker.check(a, b) is None:
                allowed[a].append(b)
                allowed[b].append(a)
    return {a: sorted(partners, key=lambda b: (-round(scorer.benefit(a, b), 9), order[b]))
            for a, partners in allowed.items()}


class _Table:
    """Irving's preference table: lists with deletions, read by first, second and last."""

    def __init__(self, prefs: Mapping[str, list[str]]) -> None:
        self.lists = {x: list(p) for x, p in prefs.items()}
        self.rank = {x: {y: i for i, y in enumerate(p)} for x, p in prefs.items()}
        self.alive = {x: set(p) for x, p in prefs.items()}
        self.head = dict.fromkeys(prefs, 0)
        self.tail = {x: len(p) - 1 for x, p in prefs.items()}

    def delete(self, x: str, y: str) -> None:
        self.alive[x].discard(y)
        self.alive[y].discard(x)

    def first(self, x: str) -> str | None:
        items, alive = self.lists[x], self.alive[x]
        while self.head[x] < len(items) and items[self.head[x]] not in alive:
            self.head[x] += 1
        return items[self.head[x]] if self.head[x] < len(items) else None

    def second(self, x: str) -> str | None:
        items, alive = self.lists[x], self.alive[x]
        for index in range(self.head[x] + 1, len(items)):
            if items[index] in alive:
                return items[index]
        return None

    def last(self, x: str) -> str | None:
        items, alive = self.lists[x], self.alive[x]
        while self.tail[x] >= 0 and items[self.tail[x]] not in alive:
            self.tail[x] -= 1
        return items[self.tail[x]] if self.tail[x] >= 0 else None

    def cut_after(self, y: str, x: str) -> None:
        """``y`` deletes every partner it likes less than ``x`` (from both lists)."""
        items = self.lists[y]
        for index in range(self.rank[y][x] + 1, len(items)):
            if items[index] in self.alive[y]:
                self.delete(y, items[index])


def stable_roommates(prefs: Mapping[str, list[str]]) -> dict[str, str | None] | None:
    """Irving's algorithm with incomplete (symmetric) lists: ``{x: twin or None}`` or None.

    :param prefs: each person's acceptable partners, best first; ``y`` in ``prefs[x]`` iff
        ``x`` in ``prefs[y]``.
    """
    table = _Table(prefs)
    holder: dict[str, str] = {}  # y -> the proposer y holds
    free = deque(prefs)
    while free:  # phase 1: proposals; a held proposal is better than all deleted ones
        x = free.popleft()
        y = table.first(x)
        if y is None:
            continue
        previous = holder.get(y)
        holder[y] = x
        table.cut_after(y, x)
        if previous is not None and previous != x:
            free.append(previous)
    # After phase 1, a person with an empty list is unmatched in every stable matching; in
    # phase 2, any other list running empty means that no stable matching exists.
    listed = [x for x in prefs if table.first(x) is not None]
    while True:  # phase 2: eliminate rotations until every list has at most one entry
        start = next((x for x in prefs if table.second(x) is not None), None)
        if start is None:
            break
        seen: dict[str, int] = {}
        ps: list[str] = []
        qs: list[str] = []
        x = start
        while x not in seen:
            seen[x] = len(ps)
            ps.append(x)
            q = table.second(x)
            if q is None:
                return None
            qs.append(q)
            x = table.last(q)
            if x is None:
                return None
        begin = seen[x]
        for p, q in zip(ps[begin:], qs[begin:], strict=True):
            table.cut_after(q, p)
        if any(table.first(p) is None for p in listed):
            return None
    mates = {x: table.first(x) for x in prefs}
    if any(y is not None and mates.get(y) != x for x, y in mates.items()):
        return None
    return mates


def stable_matching(groups: Iterable[Mapping[str, Any]], weights: Mapping[str, float] | None,
                    rules: Mapping[str, Any] | None,
                    distances: Mapping[tuple[str, str], float] | None = None) -> Result | None:
    """A matching without blocking pairs (locks kept), or None (see the module).

    :raises matching.LockError: a lock cannot be kept.
    """
    rules = rules or {}
    groups, ids = _pool(groups)
    checker = RuleChecker(groups, rules)
    scorer = Scorer(groups, weights, distances)
    locks = check_locks(rules.get("locks"), checker)
    locked = {g for pair in locks for g in pair}
    free = [gid for gid in ids if gid not in locked]
    mates = stable_roommates(preference_lists(free, checker, scorer))
    if mates is None:
        return None
    pairs = [(x, y) for x, y in mates.items() if y is not None and ids.index(x) < ids.index(y)]
    unmatched = classify_unmatched([x for x, y in mates.items() if y is None], ids, len(free), checker)
    return assemble([*locks, *pairs], locks, ids, scorer, unmatched, optimal=False)
