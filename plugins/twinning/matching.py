"""The optimal matching of a twinning pool: most pairs first, then the highest total score.

Pure Python (no Flask). The graph has one node per group that is not locked and one edge per
pair that breaks no hard rule (:mod:`.hardrules`); ``rustworkx.max_weight_matching`` (Edmonds'
blossom algorithm, exact) with ``max_cardinality=True`` finds, among the matchings with the most
pairs, one with the largest sum of edge weights. rustworkx needs integer weights: a pair's score
is rounded to :data:`SCALE` (0.001 point) and shifted so that every weight is at least 1 (with
the number of pairs fixed, the shift changes no choice). So the total found is within
0.0005 point per pair of the exact optimum.

Odd pools (``rules["odd"]``): with ``"sit_out"`` one group stays without a twin; the groups in
``rules["sat_out_before"]`` get a bonus on every edge that is larger than any difference in
score, so the optimisation keeps them matched whenever a matching of the same size allows it,
and the group sitting out is the one whose absence costs the least score. With ``"triplet"`` the
group left over joins the unlocked pair to which it adds the most score (with both members
allowed by the hard rules); the pairs themselves stay the optimal ones.

Locks (``rules["locks"]``, pairs of ids) are kept as they are and their groups leave the pool;
a lock that breaks a hard rule, names an unknown group or uses a group twice raises
:class:`LockError`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import rustworkx

from facilitator import ActionError, _, lazy_gettext

from .hardrules import (  # noqa: F401  (re-exported: the matching's public API)
    RULE_CODES,
    RuleChecker,
    describe_rule,
    hard_rule,
    hard_rules,
    normalise_name,
)
from .scoring import PairScore, Scorer

#: Scores are rounded to 1/SCALE point for rustworkx's integer weights.
SCALE = 1000

#: Why a group has no twin.
UNMATCHED_CODES = ("no_possible_partner", "sits_out", "partners_taken")

RULE_LABELS = {
    "excluded": lazy_gettext("an exclusion"),
    "forbidden": lazy_gettext("ruled out by the facilitator"),
    "same_organisation": lazy_gettext("the same organisation"),
    "earlier_pair": lazy_gettext("twinned in an earlier round"),
    "no_shared_language": lazy_gettext("no language in common"),
}


class LockError(ActionError):
    """A facilitator lock cannot be kept: ``code`` is a hard rule code (see :data:`RULE_CODES`),
    ``unknown_group``, ``same_group`` or ``group_twice``; ``message`` names the groups."""


@dataclass
class Result:
    """A matching of a pool.

    :param pairs: the twins, as tuples of group ids (locked pairs first; one 3-tuple in triplet
        mode); each tuple in the order of the groups in the pool.
    :param scores: the :class:`PairScore` of every two groups that work together (three entries
        for a triplet), keyed by ``frozenset`` of their ids.
    :param total: the sum of those scores.
    :param unmatched: ``{group id: reason}``, a code of :data:`UNMATCHED_CODES`.
    :param optimal: True when the pairs are the optimum of :func:`match` (False for a stable
        matching, which is chosen for stability, not score).
    :param locked: the locked pairs, kept as they were.
    """

    pairs: list[tuple[str, ...]]
    scores: dict[frozenset, PairScore]
    total: float
    unmatched: dict[str, str]
    optimal: bool = True
    locked: list[tuple[str, str]] = field(default_factory=list)

    def twin_of(self, group_id: str) -> tuple[str, ...]:
        """The ids twinned with ``group_id`` (empty when it has none)."""
        for pair in self.pairs:
            if group_id in pair:
                return tuple(g for g in pair if g != group_id)
        return ()


def _pool(groups: Iterable[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], list[str]]:
    groups = list(groups)
    ids = [str(g["id"]) for g in groups]
    if len(set(ids)) != len(ids):
        raise ValueError("group ids must be unique")
    return groups, ids


def check_locks(locks: Iterable[Iterable[str]] | None, checker: RuleChecker) -> list[tuple[str, str]]:
    """The locks as id pairs, or :class:`LockError` for the first that cannot be kept."""
    kept: list[tuple[str, str]] = []
    used: set[str] = set()
    for lock in locks or ():
        pair = tuple(str(x) for x in lock)
        unknown = [x for x in pair if x not in checker.groups]
        if len(pair) != 2 or unknown:
            raise LockError("unknown_group", _("A locked pair names a group that is not in the pool."))
        a, b = (checker.groups[x] for x in pair)
        if pair[0] == pair[1]:
            raise LockError("same_group", describe_rule("same_group", a, b))
        for gid, group in zip(pair, (a, b), strict=True):
            if gid in used:
                raise LockError("group_twice", describe_rule("group_twice", group, group))
        code = checker.check(*pair)
        if code:
            raise LockError(code, describe_rule(code, a, b))
        used.update(pair)
        kept.append((pair[0], pair[1]))
    return kept


def classify_unmatched(unmatched: Iterable[str], ids: list[str], free_count: int,
                       checker: RuleChecker) -> dict[str, str]:
    """The reason each of ``unmatched`` has no twin (see :data:`UNMATCHED_CODES`)."""
    reasons = {}
    for gid in unmatched:
        possible = any(h != gid and checker.check(gid, h) is None for h in ids)
        reasons[gid] = "partners_taken" if possible else "no_possible_partner"
    waiting = [gid for gid, code in reasons.items() if code == "partners_taken"]
    if len(waiting) == 1 and free_count % 2 == 1:
        reasons[waiting[0]] = "sits_out"
    return reasons


def assemble(pairs: list[tuple[str, ...]], locks: list[tuple[str, str]], ids: list[str],
             scorer: Scorer, unmatched: dict[str, str], optimal: bool) -> Result:
    """A :class:`Result` with the scores of every two groups working together."""
    order = {gid: i for i, gid in enumerate(ids)}
    ordered = [tuple(sorted(p, key=order.__getitem__)) for p in pairs]
    ordered.sort(key=lambda p: (frozenset(p) not in {frozenset(x) for x in locks}, order[p[0]]))
    scores: dict[frozenset, PairScore] = {}
    for pair in ordered:
        for i, a in enumerate(pair):
            for b in pair[i + 1:]:
                scores[frozenset((a, b))] = scorer.score(a, b)
    total = float(sum(s.total for s in scores.values()))
    return Result(pairs=ordered, scores=scores, total=total, unmatched=unmatched, optimal=optimal,
                  locked=[tuple(sorted(p, key=order.__getitem__)) for p in locks])


def match(groups: Iterable[Mapping[str, Any]], weights: Mapping[str, float] | None,
          rules: Mapping[str, Any] | None, distances: Mapping[tuple[str, str], float] | None = None,
          ) -> Result:
    """The optimal matching of the pool (see the module for the rules and the rounding).

    :raises LockError: a lock breaks a hard rule, names an unknown group or uses one twice.
    """
    rules = rules or {}
    groups, ids = _pool(groups)
    checker = RuleChecker(groups, rules)
    scorer = Scorer(groups, weights, distances)
    locks = check_locks(rules.get("locks"), checker)
    locked = {g for pair in locks for g in pair}
    free = [gid for gid in ids if gid not in locked]
    odd = rules.get("odd", "sit_out")
    favoured = {str(x) for x in rules.get("sat_out_before") or ()} if odd == "sit_out" else set()
    pairs = solve(free, weighted_edges(free, checker, scorer), favoured)
    matched = {g for p in pairs for g in p}
    unmatched = classify_unmatched([g for g in free if g not in matched], ids, len(free), checker)
    if odd == "triplet" and len(free) % 2 == 1:
        pairs, unmatched = _add_triplet(pairs, unmatched, scorer, checker)
    return assemble([*locks, *pairs], locks, ids, scorer, unmatched, optimal=True)


def weighted_edges(free: list[str], checker: RuleChecker, scorer: Scorer) -> list[tuple[int, int, int]]:
    """``(i, j, weight)`` for every pair of ``free[i]``, ``free[j]`` the hard rules allow; the
    weight is the pair's score in 1/:data:`SCALE` points, rounded."""
    edges = []
    for i, a in enumerate(free):
        for j in range(i + 1, len(free)):
            b = free[j]
            if checker.check(a, b) is None:
                edges.append((i, j, round(scorer.total(a, b) * SCALE)))
    return edges


def solve(free: list[str], edges: list[tuple[int, int, int]], favoured: set[str] = frozenset(),
          ) -> list[tuple[str, ...]]:
    """The pairs of a maximum-cardinality matching of largest weight (rustworkx), preferring
    matchings that leave no group of ``favoured`` alone (see the module)."""
    graph = rustworkx.PyGraph()
    graph.add_nodes_from(free)
    if edges:
        low = min(w for _i, _j, w in edges)
        high = max(w for _i, _j, w in edges)
        shift = 1 - low
        # larger than the weight difference of any two matchings of the same size
        bonus = (high - low + 1) * (len(free) // 2 + 1) if favoured else 0
        graph.add_edges_from([
            (i, j, w + shift + bonus * ((free[i] in favoured) + (free[j] in favoured)))
            for i, j, w in edges
        ])
    mates = rustworkx.max_weight_matching(graph, max_cardinality=True, weight_fn=lambda w: w)
    return [(free[i], free[j]) for i, j in sorted(mates)]


def _add_triplet(pairs: list[tuple[str, ...]], unmatched: dict[str, str], scorer: Scorer,
                 checker: RuleChecker) -> tuple[list[tuple[str, ...]], dict[str, str]]:
    best: tuple[float, int, str] | None = None
    for gid, code in unmatched.items():
        if code == "no_possible_partner":
            continue
        for index, (x, y) in enumerate(pairs):
            if checker.check(gid, x) is None and checker.check(gid, y) is None:
                gain = scorer.total(gid, x) + scorer.total(gid, y)
                if best is None or gain > best[0]:
                    best = (gain, index, gid)
    if best is None:
        return pairs, unmatched
    _gain, index, gid = best
    pairs = [*pairs[:index], (*pairs[index], gid), *pairs[index + 1:]]
    return pairs, {g: c for g, c in unmatched.items() if g != gid}


def describe_unmatched(result: Result, group_id: str, groups: Iterable[Mapping[str, Any]],
                       rules: Mapping[str, Any] | None) -> str:
    """A translated sentence saying why ``group_id`` has no twin in ``result``; for
    ``no_possible_partner`` it counts, for each hard rule, the groups it rules out."""
    groups, ids = _pool(groups)
    by_id = dict(zip(ids, groups, strict=True))
    name = str(by_id[group_id].get("name") or group_id)
    code = result.unmatched.get(group_id)
    if code == "sits_out":
        return _("%(name)s sits out this round: the pool has an odd number of groups.", name=name)
    if code == "partners_taken":
        return _("%(name)s has no twin: the groups it could be twinned with are twinned with others.",
                 name=name)
    if code != "no_possible_partner":
        return _("%(name)s is twinned.", name=name)
    others = [h for h in ids if h != group_id]
    if not others:
        return _("There is no other group to twin %(name)s with.", name=name)
    checker = RuleChecker(groups, rules)
    counts = Counter(c for h in others for c in checker.broken(group_id, h))
    reasons = ", ".join(f"{RULE_LABELS[c]} ({counts[c]})" for c in RULE_CODES if counts[c])
    return _("%(name)s cannot be twinned with any group: %(reasons)s.", name=name, reasons=reasons)
