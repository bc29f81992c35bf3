"""Stability of a twinning against brute force: blocking pairs, and stable matchings."""

from __future__ import annotations

import random

import pytest
from facilitator_plugins.twinning.matching import Result, hard_rule, match
from facilitator_plugins.twinning.scoring import DEFAULT_WEIGHTS, benefit
from facilitator_plugins.twinning.stability import blocking_pairs, stable_matching, stable_roommates

from tests.plugins.test_twinning_matching import all_matchings, random_pool, random_rules

_BENEFITS: dict = {}


def benefits(groups, distances):
    """``{(x, y): benefit(x, y)}`` of a pool, computed once per pool."""
    key = repr((groups, sorted((distances or {}).items())))
    if key not in _BENEFITS:
        _BENEFITS.clear()
        _BENEFITS[key] = {(x["id"], y["id"]): benefit(x, y, DEFAULT_WEIGHTS, distances)
                          for x in groups for y in groups if x is not y}
    return _BENEFITS[key]


def brute_blocking(pairs, groups, rules, distances=None):
    """Blocking pairs by the definition, for any matching given as a list of 2-tuples."""
    by_id = {g["id"]: g for g in groups}
    gain = benefits(groups, distances)
    twin = {}
    for a, b in pairs:
        twin[a], twin[b] = b, a

    def rather(x, y):
        return x not in twin or gain[x, y] > gain[x, twin[x]] + 1e-6

    ids = [g["id"] for g in groups]
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
            if twin.get(a) != b and rather(a, b) and rather(b, a)
            and hard_rule(by_id[a], by_id[b], rules) is None]


def as_result(pairs, ids):
    return Result(pairs=list(pairs), scores={}, total=0.0,
                  unmatched={g: "sits_out" for g in ids if not any(g in p for p in pairs)})


def tie_free(rng, size):
    """A pool in which no group gains exactly the same from two partners: every group is in its
    own town and the distances are random."""
    groups = random_pool(rng, size)
    for i, group in enumerate(groups):
        group["town"] = f"Town {i}"
    distances = {(f"Town {i}", f"Town {j}"): rng.uniform(1, 99)
                 for i in range(size) for j in range(i + 1, size)}
    return groups, distances


@pytest.mark.parametrize("seed", range(80))
def test_blocking_pairs_equal_a_brute_force_check(seed):
    rng = random.Random(4000 + seed)
    groups = random_pool(rng, rng.randint(2, 9))
    rules = random_rules(rng, groups)
    by_id = {g["id"]: g for g in groups}
    ids = list(by_id)
    every = list(all_matchings(ids, lambda a, b: hard_rule(by_id[a], by_id[b], rules) is None))
    for pairs in [*rng.sample(every, min(4, len(every))), match(groups, DEFAULT_WEIGHTS, rules).pairs]:
        result = as_result(pairs, ids)
        assert blocking_pairs(result, groups, DEFAULT_WEIGHTS, rules) == brute_blocking(pairs, groups, rules)


@pytest.mark.parametrize("seed", range(120))
def test_stable_matching_exists_exactly_when_brute_force_finds_one(seed):
    rng = random.Random(5000 + seed)
    groups, distances = tie_free(rng, rng.randint(3, 8))
    rules = random_rules(rng, groups)
    by_id = {g["id"]: g for g in groups}
    ids = list(by_id)
    exists = any(not brute_blocking(pairs, groups, rules, distances) for pairs in
                 all_matchings(ids, lambda a, b: hard_rule(by_id[a], by_id[b], rules) is None))
    result = stable_matching(groups, DEFAULT_WEIGHTS, rules, distances)
    assert (result is not None) == exists
    if result is not None:
        assert brute_blocking(result.pairs, groups, rules, distances) == []
        assert blocking_pairs(result, groups, DEFAULT_WEIGHTS, rules, distances) == []
        assert not result.optimal
        for a, b in result.pairs:
            assert hard_rule(by_id[a], by_id[b], rules) is None


def brute_blocking_tie_broken(pairs, groups, rules):
    """Blocking pairs for the strict order stable_matching uses: benefit, ties by pool order."""
    by_id = {g["id"]: g for g in groups}
    ids = [g["id"] for g in groups]
    twin = {}
    for a, b in pairs:
        twin[a], twin[b] = b, a

    gain = benefits(groups, None)

    def rank(x, y):
        return (-round(gain[x, y], 9), ids.index(y))

    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
            if twin.get(a) != b
            and (a not in twin or rank(a, b) < rank(a, twin[a]))
            and (b not in twin or rank(b, a) < rank(b, twin[b]))
            and hard_rule(by_id[a], by_id[b], rules) is None]


@pytest.mark.parametrize("seed", range(60))
def test_with_ties_stable_matching_is_exact_for_its_tie_broken_order(seed):
    rng = random.Random(6000 + seed)
    groups = random_pool(rng, rng.randint(2, 8))
    rules = random_rules(rng, groups)
    by_id = {g["id"]: g for g in groups}
    ids = list(by_id)
    every = list(all_matchings(ids, lambda a, b: hard_rule(by_id[a], by_id[b], rules) is None))
    result = stable_matching(groups, DEFAULT_WEIGHTS, rules)
    exists = any(not brute_blocking_tie_broken(pairs, groups, rules) for pairs in every)
    assert (result is not None) == exists
    if result is None:
        return
    # stable for the tie-broken order, hence without a blocking pair by benefit
    assert brute_blocking_tie_broken(result.pairs, groups, rules) == []
    assert brute_blocking(result.pairs, groups, rules) == []
    assert {g for p in result.pairs for g in p} | set(result.unmatched) == set(ids)


def test_irving_on_textbook_instances():
    # no stable matching: a, b, c each rank the next first and d last (Gale and Shapley)
    prefs = {"a": ["b", "c", "d"], "b": ["c", "a", "d"], "c": ["a", "b", "d"], "d": ["a", "b", "c"]}
    assert stable_roommates(prefs) is None
    prefs = {"a": ["b", "c", "d"], "b": ["a", "c", "d"], "c": ["d", "a", "b"], "d": ["c", "a", "b"]}
    assert stable_roommates(prefs) == {"a": "b", "b": "a", "c": "d", "d": "c"}
    # incomplete lists: c accepts nobody, so is alone
    assert stable_roommates({"a": ["b"], "b": ["a"], "c": []}) == {"a": "b", "b": "a", "c": None}


def test_locked_pairs_are_kept_and_left_out_of_stability():
    rng = random.Random(7)
    groups, distances = tie_free(rng, 6)
    rules = {"locks": [("g0", "g1")]}
    result = stable_matching(groups, DEFAULT_WEIGHTS, rules, distances)
    if result is not None:
        assert result.pairs[0] == ("g0", "g1")
        assert all("g0" not in p and "g1" not in p
                   for p in blocking_pairs(result, groups, DEFAULT_WEIGHTS, rules, distances))
    optimal = match(groups, DEFAULT_WEIGHTS, rules, distances)
    assert all("g0" not in p for p in blocking_pairs(optimal, groups, DEFAULT_WEIGHTS, rules, distances))
