"""The pure dot-voting rules: budget, cap, tally, ranks with ties, runoff cut, merge, order."""

import copy

import pytest
from facilitator_plugins.dotvoting import rules

from facilitator.methods import ActionError


def codes(call, *args):
    with pytest.raises(ActionError) as info:
        call(*args)
    return info.value.code


# -- budget and cap ---------------------------------------------------------


def test_place_dots_sets_absolute_count():
    own = rules.place_dots({}, "o1", 2, budget=3, cap=3)
    assert own == {"o1": 2}
    # Sending the same message again changes nothing: setting is absolute.
    assert rules.place_dots(own, "o1", 2, budget=3, cap=3) == {"o1": 2}
    assert rules.place_dots(own, "o1", 1, budget=3, cap=3) == {"o1": 1}


def test_place_dots_zero_takes_dots_back_and_drops_the_entry():
    assert rules.place_dots({"o1": 2, "o2": 1}, "o1", 0, budget=3, cap=3) == {"o2": 1}


def test_place_dots_does_not_modify_its_input():
    own = {"o1": 1}
    rules.place_dots(own, "o2", 2, budget=3, cap=3)
    assert own == {"o1": 1}


def test_budget_counts_dots_on_other_options():
    own = {"o1": 2}
    assert rules.place_dots(own, "o2", 1, budget=3, cap=3) == {"o1": 2, "o2": 1}
    assert codes(rules.place_dots, own, "o2", 2, 3, 3) == "over_budget"
    # Raising the same option only counts the difference.
    assert rules.place_dots(own, "o1", 3, budget=3, cap=3) == {"o1": 3}


def test_cap_limits_stacking():
    assert codes(rules.place_dots, {}, "o1", 2, 3, 1) == "over_cap"
    assert rules.place_dots({}, "o1", 1, budget=3, cap=1) == {"o1": 1}


@pytest.mark.parametrize("count", [-1, 1.5, 2.0, True, False, "2", None, [1]])
def test_count_must_be_a_non_negative_int(count):
    assert codes(rules.place_dots, {}, "o1", count, 3, 3) == "invalid_count"


def test_dots_left_and_tally():
    assert rules.dots_left({"o1": 2}, 3) == 1
    assert rules.dots_left({}, 5) == 5
    dots = {"a": {"o1": 2, "o2": 1}, "b": {"o2": 3}, "c": {"gone": 1}}
    assert rules.tally(dots, ["o1", "o2", "o3"]) == {"o1": 2, "o2": 4, "o3": 0}


# -- ranking and runoff -----------------------------------------------------------


def ranks(totals, order):
    return [(row.option_id, row.rank, row.tied) for row in rules.rank(totals, order)]


def test_competition_ranking_shares_ranks_and_skips():
    totals = {"a": 5, "b": 3, "c": 3, "d": 1}
    assert ranks(totals, ["d", "c", "b", "a"]) == [
        ("a", 1, False), ("c", 2, True), ("b", 2, True), ("d", 4, False),
    ]


def test_ties_are_listed_in_display_order_not_broken():
    totals = {"x": 2, "y": 2, "z": 2}
    rows = rules.rank(totals, ["z", "x", "y"])
    assert [r.option_id for r in rows] == ["z", "x", "y"]
    assert {r.rank for r in rows} == {1}
    assert all(r.tied for r in rows)


def test_rank_of_nothing_and_missing_totals():
    assert rules.rank({}, []) == []
    assert ranks({"a": 1}, ["a", "b"]) == [("a", 1, False), ("b", 2, False)]


def test_runoff_cut_includes_ties_at_the_cut():
    ranking = rules.rank({"a": 5, "b": 3, "c": 3, "d": 1}, ["a", "b", "c", "d"])
    assert rules.runoff_cut(ranking, 1) == ["a"]
    assert rules.runoff_cut(ranking, 2) == ["a", "b", "c"]
    assert rules.runoff_cut(ranking, 3) == ["a", "b", "c"]
    assert rules.runoff_cut(ranking, 4) == ["a", "b", "c", "d"]


def test_runoff_cut_with_tie_for_first():
    ranking = rules.rank({"a": 4, "b": 4, "c": 1}, ["a", "b", "c"])
    assert rules.runoff_cut(ranking, 1) == ["a", "b"]


def test_share_and_text_bar():
    assert rules.share(1, 4) == 0.25
    assert rules.share(0, 0) == 0.0
    assert rules.text_bar(0.5, width=8) == "████░░░░"
    assert rules.text_bar(0.0) == "░" * 10
    assert rules.text_bar(1.0) == "█" * 10


# -- merging ------------------------------------------------------------------------


def test_merge_adds_dots_per_voter_and_clamps_to_cap():
    dots = {
        "a": {"keep": 2, "drop": 2},  # 4 > cap 3: one dot back to a's budget
        "b": {"drop": 1, "other": 1},  # only on the dropped option
        "c": {"other": 2},  # untouched
    }
    before = copy.deepcopy(dots)
    merged = rules.merge_dots(dots, "keep", "drop", cap=3)
    assert merged == {"a": {"keep": 3}, "b": {"other": 1, "keep": 1}, "c": {"other": 2}}
    assert dots == before
    assert rules.dots_left(merged["a"], 5) == 2  # had 1 left, got 1 back
    # Nobody ever has more placed after a merge than before.
    for pid, own in dots.items():
        assert sum(merged[pid].values()) <= sum(own.values())


def test_merge_authors_keeps_order_without_duplicates():
    assert rules.merge_authors(["a", "b"], ["b", "c"]) == ["a", "b", "c"]


def test_remove_option_dots_gives_dots_back():
    dots = {"a": {"x": 1}, "b": {"x": 1, "y": 2}}
    assert rules.remove_option_dots(dots, "x") == {"b": {"y": 2}}


# -- order on the phone ----------------------------------------------------------------


def test_shuffle_is_deterministic_and_a_permutation():
    ids = [f"o{i}" for i in range(1, 13)]
    first = rules.shuffled(ids, "anna", "s1")
    assert first == rules.shuffled(list(ids), "anna", "s1")
    assert sorted(first) == sorted(ids)


def test_shuffle_differs_between_participants_and_sessions():
    ids = [f"o{i}" for i in range(1, 13)]
    orders = {tuple(rules.shuffled(ids, pid, "s1")) for pid in ("anna", "ben", "cem", "dana")}
    assert len(orders) > 1
    assert rules.shuffled(ids, "anna", "s1") != rules.shuffled(ids, "anna", "s2")


def test_adding_an_option_keeps_the_others_in_place():
    ids = [f"o{i}" for i in range(1, 10)]
    before = rules.shuffled(ids, "anna", "s1")
    after = rules.shuffled(ids + ["o10"], "anna", "s1")
    assert [oid for oid in after if oid != "o10"] == before


# -- input checks ----------------------------------------------------------------------


def test_clean_text():
    assert rules.clean_text("  Sprach\n kurse  ") == "Sprach kurse"
    assert codes(rules.clean_text, "   ") == "text_empty"
    assert codes(rules.clean_text, "x" * 121) == "text_too_long"
    assert rules.clean_text("x" * 120) == "x" * 120
    assert codes(rules.clean_text, 5) == "invalid_text"


def test_same_text_ignores_case_and_spaces():
    assert rules.same_text("Housing  Advice", "housing advice")
    assert not rules.same_text("Housing", "Housing advice")


def test_new_option_text_refuses_duplicates():
    assert rules.new_option_text(" Health ", ["Housing"]) == "Health"
    assert codes(rules.new_option_text, "HOUSING", ["Housing"]) == "duplicate_option"
    assert codes(rules.new_option_text, "", []) == "text_empty"


def test_check_category():
    assert rules.check_category("", ["Work"]) == ""
    assert rules.check_category(None, ["Work"]) == ""
    assert rules.check_category("Work", ["Work"]) == "Work"
    assert codes(rules.check_category, "Sport", ["Work"]) == "unknown_category"
    assert codes(rules.check_category, ["Work"], ["Work"]) == "unknown_category"
