"""The twinning matching against brute force: most pairs, best total, hard rules, locks, odd pools."""

from __future__ import annotations

import random

import pytest
from facilitator_plugins.twinning import matching
from facilitator_plugins.twinning.matching import LockError, describe_unmatched, hard_rule, match
from facilitator_plugins.twinning.scoring import DEFAULT_WEIGHTS, score_pair

TYPES = ["district", "municipality", "welfare", "mso", "association", "education", "employment"]
TOPICS = ["education", "health", "sport", "work", "culture"]
PHRASES = ["German conversation groups", "translation of documents", "meeting rooms",
           "legal advice for refugees", "sport for children", "job application training",
           "Übersetzung von Dokumenten", "Räume für Treffen", "cooking evenings"]
LANGUAGES = ["German", "Arabic", "Turkish", "Russian"]


def random_pool(rng: random.Random, size: int) -> list[dict]:
    """A small pool whose profiles overlap often, with a few exclusions."""
    groups = []
    for i in range(size):
        groups.append({
            "id": f"g{i}", "name": f"Group {i}", "org_type": rng.choice(TYPES),
            "organisation": rng.choice(["", "", "Caritas", "Stadt Kassel"]),
            "town": rng.choice(["Kassel", "Fulda", "Marburg"]),
            "topics": rng.sample(TOPICS, rng.randint(0, 2)), "topics_other": "",
            "offers": rng.sample(PHRASES, rng.randint(0, 2)),
            "needs": rng.sample(PHRASES, rng.randint(0, 2)),
            "languages": rng.sample(LANGUAGES, rng.randint(0, 2)), "contact": "", "excludes": [],
        })
    for group in groups:
        if rng.random() < 0.2:
            group["excludes"] = [rng.choice(groups)["id"]]
    return groups


def random_rules(rng: random.Random, groups: list[dict]) -> dict:
    ids = [g["id"] for g in groups]
    earlier = set()
    if len(groups) > 2 and rng.random() < 0.5:
        a, b = rng.sample(groups, 2)
        earlier.add(frozenset((matching.normalise_name(a["name"]), matching.normalise_name(b["name"]))))
    forbidden = {frozenset(rng.sample(ids, 2))} if len(ids) > 2 and rng.random() < 0.3 else set()
    return {"forbid_same_organisation": rng.random() < 0.5, "earlier_pairs": earlier,
            "language_required": rng.random() < 0.3, "forbidden": forbidden, "locks": [],
            "odd": "sit_out", "sat_out_before": set()}


def all_matchings(ids: list[str], allowed):
    """Every matching (also partial ones) of ``ids`` using pairs for which ``allowed`` is true."""
    if not ids:
        yield []
        return
    first, rest = ids[0], ids[1:]
    yield from all_matchings(rest, allowed)
    for partner in rest:
        if allowed(first, partner):
            remaining = [x for x in rest if x != partner]
            for tail in all_matchings(remaining, allowed):
                yield [(first, partner), *tail]


def brute_force(groups, weights, rules, favoured=frozenset()):
    """(pairs, favoured matched, total) of the best matching, lexicographically."""
    by_id = {g["id"]: g for g in groups}
    locked = {g for pair in rules.get("locks", ()) for g in pair}
    free = [g["id"] for g in groups if g["id"] not in locked]
    base = sum(score_pair(by_id[a], by_id[b], weights).total for a, b in rules.get("locks", ()))

    def allowed(a, b):
        return hard_rule(by_id[a], by_id[b], rules) is None

    best = None
    for pairs in all_matchings(free, allowed):
        total = base + sum(score_pair(by_id[a], by_id[b], weights).total for a, b in pairs)
        key = (len(pairs) + len(rules.get("locks", ())), sum(g in favoured for p in pairs for g in p), total)
        if best is None or key[:2] > best[:2] or (key[:2] == best[:2] and total > best[2]):
            best = key
    return best


def assert_valid(result, groups, rules):
    by_id = {g["id"]: g for g in groups}
    seen = [g for pair in result.pairs for g in pair]
    assert len(seen) == len(set(seen)), "a group is twinned twice"
    assert set(seen) | set(result.unmatched) == set(by_id)
    assert not set(seen) & set(result.unmatched)
    for pair in result.pairs:
        for i, a in enumerate(pair):
            for b in pair[i + 1:]:
                assert hard_rule(by_id[a], by_id[b], rules) is None, (a, b)
    assert result.total == pytest.approx(sum(s.total for s in result.scores.values()))


@pytest.mark.parametrize("seed", range(120))
def test_match_equals_brute_force_optimum_and_keeps_the_hard_rules(seed):
    rng = random.Random(seed)
    groups = random_pool(rng, rng.randint(2, 9))
    rules = random_rules(rng, groups)
    weights = {**DEFAULT_WEIGHTS, "distance": rng.choice([0.0, 1.0, 2.5])}
    result = match(groups, weights, rules)
    assert_valid(result, groups, rules)
    count, _favoured, total = brute_force(groups, weights, rules)
    assert len(result.pairs) == count
    # every pair score is rounded to 1/SCALE point for rustworkx
    assert result.total == pytest.approx(total, abs=len(groups) / matching.SCALE)
    assert result.optimal


@pytest.mark.parametrize("seed", range(40))
def test_locks_are_kept_and_the_rest_is_optimal(seed):
    rng = random.Random(1000 + seed)
    groups = random_pool(rng, rng.randint(4, 9))
    rules = random_rules(rng, groups)
    by_id = {g["id"]: g for g in groups}
    ids = list(by_id)
    rng.shuffle(ids)
    rules["locks"] = [(a, b) for a, b in zip(ids[::2][:1], ids[1::2][:1], strict=False)
                      if hard_rule(by_id[a], by_id[b], rules) is None]
    result = match(groups, DEFAULT_WEIGHTS, rules)
    assert_valid(result, groups, rules)
    for lock in rules["locks"]:
        assert tuple(lock) in result.pairs or tuple(reversed(lock)) in result.pairs
    assert result.pairs[: len(rules["locks"])] == [tuple(sorted(p, key=lambda g: int(g[1:])))
                                                  for p in rules["locks"]]
    count, _favoured, total = brute_force(groups, DEFAULT_WEIGHTS, rules)
    assert len(result.pairs) == count
    assert result.total == pytest.approx(total, abs=len(groups) / matching.SCALE)


def plain_pool(size):
    return [{"id": f"g{i}", "name": f"G{i}", "org_type": TYPES[i % len(TYPES)], "town": "Kassel",
             "topics": ["education"] * (i % 2), "offers": [PHRASES[i % 4]], "needs": [PHRASES[(i + 1) % 4]],
             "languages": ["German"], "excludes": []} for i in range(size)]


def test_a_lock_that_breaks_a_hard_rule_is_refused_and_named():
    groups = plain_pool(4)
    groups[0]["excludes"] = ["g1"]
    with pytest.raises(LockError) as info:
        match(groups, DEFAULT_WEIGHTS, {"locks": [("g1", "g0")]})
    assert info.value.code == "excluded"
    assert "G0 does not want to be twinned with G1." in info.value.message
    with pytest.raises(LockError) as info:
        match(groups, DEFAULT_WEIGHTS, {"locks": [("g2", "g3"), ("g3", "g1")]})
    assert info.value.code == "group_twice"
    assert "G3" in info.value.message
    with pytest.raises(LockError) as info:
        match(groups, DEFAULT_WEIGHTS, {"locks": [("g2", "nobody")]})
    assert info.value.code == "unknown_group"
    with pytest.raises(LockError) as info:
        match(groups, DEFAULT_WEIGHTS, {"locks": [("g2", "g2")]})
    assert info.value.code == "same_group"


@pytest.mark.parametrize("seed", range(60))
def test_the_group_sitting_out_did_not_sit_out_before_when_avoidable(seed):
    rng = random.Random(2000 + seed)
    groups = random_pool(rng, rng.choice([3, 5, 7, 9]))
    rules = random_rules(rng, groups)
    favoured = set(rng.sample([g["id"] for g in groups], rng.randint(1, len(groups) - 1)))
    rules["sat_out_before"] = favoured
    result = match(groups, DEFAULT_WEIGHTS, rules)
    assert_valid(result, groups, rules)
    count, favoured_matched, total = brute_force(groups, DEFAULT_WEIGHTS, rules, favoured)
    assert len(result.pairs) == count
    assert sum(g in favoured for p in result.pairs for g in p) == favoured_matched
    assert result.total == pytest.approx(total, abs=len(groups) / matching.SCALE)


def test_the_sitter_out_is_chosen_by_score_not_by_position():
    groups = plain_pool(5)
    for group in groups:
        group["offers"], group["needs"], group["topics"], group["org_type"] = [], [], [], "mso"
    # g0..g3 fit each other well; g4 fits nobody: it sits out, though it is not first or last
    groups[0]["offers"], groups[1]["needs"] = ["German conversation groups"], ["German conversation"]
    groups[2]["offers"], groups[3]["needs"] = ["meeting rooms"], ["rooms for meetings"]
    groups[4], groups[2] = groups[2], groups[4]
    result = match(groups, DEFAULT_WEIGHTS, {"odd": "sit_out"})
    assert result.unmatched == {"g4": "sits_out"}
    result = match(groups, DEFAULT_WEIGHTS, {"odd": "sit_out", "sat_out_before": {"g4"}})
    assert len(result.unmatched) == 1 and "g4" not in result.unmatched
    assert "odd number" in describe_unmatched(result, next(iter(result.unmatched)), groups, {})


@pytest.mark.parametrize("seed", range(60))
def test_triplet_mode_adds_the_left_over_group_to_an_optimal_pairing(seed):
    rng = random.Random(3000 + seed)
    groups = random_pool(rng, rng.choice([3, 5, 7]))
    rules = {**random_rules(rng, groups), "odd": "triplet"}
    result = match(groups, DEFAULT_WEIGHTS, rules)
    assert_valid(result, groups, rules)
    triplets = [p for p in result.pairs if len(p) == 3]
    assert len(triplets) <= 1
    count, _favoured, total = brute_force(groups, DEFAULT_WEIGHTS, rules)
    if triplets:
        assert len(result.scores) == len(result.pairs) + 2
        # dropping one member of the triplet leaves an optimal pairing
        by_id = {g["id"]: g for g in groups}
        triplet = triplets[0]
        options = [result.total - score_pair(by_id[g], by_id[x], DEFAULT_WEIGHTS).total
                   - score_pair(by_id[g], by_id[y], DEFAULT_WEIGHTS).total
                   for g in triplet for x, y in [[m for m in triplet if m != g]]]
        assert any(abs(o - total) <= len(groups) / matching.SCALE for o in options)
        assert len(result.pairs) == count

        def s(x, y):
            return score_pair(by_id[x], by_id[y], DEFAULT_WEIGHTS).total

        # the group that joined adds at least as much here as to any other pair it may join
        def best_place(member):
            rest = [m for m in triplet if m != member]
            gain = s(member, rest[0]) + s(member, rest[1])
            return all(gain >= s(member, x) + s(member, y) - 1e-9 for x, y in
                       [p for p in result.pairs if len(p) == 2]
                       if not hard_rule(by_id[member], by_id[x], rules)
                       and not hard_rule(by_id[member], by_id[y], rules))

        assert any(best_place(m) for m in triplet)
    else:
        assert len(result.pairs) == count
        assert result.total == pytest.approx(total, abs=len(groups) / matching.SCALE)
        # no triplet only when no group left over may join any pair
        by_id = {g["id"]: g for g in groups}
        for gid in result.unmatched:
            for x, y in result.pairs:
                assert hard_rule(by_id[gid], by_id[x], rules) or hard_rule(by_id[gid], by_id[y], rules)


def test_triplet_mode_puts_the_fifth_group_where_it_adds_most():
    groups = plain_pool(5)
    result = match(groups, DEFAULT_WEIGHTS, {"odd": "triplet"})
    assert result.unmatched == {}
    triplet = next(p for p in result.pairs if len(p) == 3)
    pair = next(p for p in result.pairs if len(p) == 2)
    by_id = {g["id"]: g for g in groups}

    def s(x, y):
        return score_pair(by_id[x], by_id[y], DEFAULT_WEIGHTS).total

    assert result.total == pytest.approx(s(*triplet[:2]) + s(triplet[0], triplet[2])
                                         + s(triplet[1], triplet[2]) + s(*pair))
    assert len(result.scores) == 4


def test_unmatched_groups_get_their_reason():
    groups = plain_pool(4)
    groups[3]["languages"] = ["Tigrinya"]
    rules = {"language_required": True, "forbidden": {frozenset(("g3", "g0"))}}
    result = match(groups, DEFAULT_WEIGHTS, rules)
    assert result.unmatched["g3"] == "no_possible_partner"
    text = describe_unmatched(result, "g3", groups, rules)
    assert "G3 cannot be twinned with any group" in text
    assert "no language in common (3)" in text and "ruled out by the facilitator (1)" in text
    # g0-g1-g2 triangle, and g2 may only go with g0: one of g1/g2 waits
    groups = plain_pool(4)
    groups[3]["excludes"] = ["g0", "g1"]
    groups[2]["excludes"] = ["g1"]
    result = match(groups, DEFAULT_WEIGHTS, {})
    assert len(result.pairs) == 2


def test_partners_taken_when_the_only_partner_is_twinned_elsewhere():
    groups = plain_pool(4)
    groups[2]["excludes"] = ["g1", "g3"]
    groups[3]["excludes"] = ["g1"]
    result = match(groups, DEFAULT_WEIGHTS, {})
    assert len(result.pairs) == 1
    assert set(result.unmatched.values()) == {"partners_taken"}
    assert "twinned with others" in describe_unmatched(result, next(iter(result.unmatched)), groups, {})


def test_hard_rules_each_reason():
    a, b = plain_pool(2)
    assert hard_rule(a, b, {}) is None
    assert hard_rule({**a, "excludes": ["g1"]}, b, {}) == "excluded"
    assert hard_rule(a, {**b, "excludes": ["g0"]}, {}) == "excluded"
    same = {"forbid_same_organisation": True}
    assert hard_rule({**a, "organisation": "Caritas"}, {**b, "organisation": " caritas"}, same) == \
        "same_organisation"
    assert hard_rule({**a, "organisation": ""}, {**b, "organisation": ""}, same) is None
    assert hard_rule({**a, "organisation": "Caritas"}, {**b, "organisation": "Caritas"}, {}) is None
    earlier = {"earlier_pairs": {frozenset(("g0", "verein g1"))}}
    assert hard_rule({**a, "name": "G0"}, {**b, "name": "Verein  G1."}, earlier) == "earlier_pair"
    lang = {"language_required": True}
    assert hard_rule({**a, "languages": ["Deutsch"]}, {**b, "languages": ["german"]}, lang) is None
    assert hard_rule({**a, "languages": ["Arabic"]}, b, lang) == "no_shared_language"
    assert hard_rule(a, b, {"forbidden": [("g1", "g0")]}) == "forbidden"
    assert matching.describe_rule("earlier_pair", a, b) == "G0 and G1 were already twinned in an earlier round."


def test_more_pairs_beat_one_strong_pair():
    # a path g0 - g1 - g2 - g3 where the middle pair fits best: two weaker pairs still win
    groups = plain_pool(4)
    for group in groups:
        group.update(offers=[], needs=[], topics=[], org_type="mso")
    groups[1]["offers"], groups[2]["needs"] = ["German conversation groups"], ["German conversation"]
    groups[0]["excludes"], groups[3]["excludes"] = ["g2", "g3"], ["g1"]
    by_id = {g["id"]: g for g in groups}
    assert score_pair(by_id["g1"], by_id["g2"], DEFAULT_WEIGHTS).total > 0
    assert score_pair(by_id["g0"], by_id["g1"], DEFAULT_WEIGHTS).total == 0
    result = match(groups, DEFAULT_WEIGHTS, {})
    assert result.pairs == [("g0", "g1"), ("g2", "g3")]
    assert result.unmatched == {}
