"""Why two groups are twins, in words, and what the next-best partners of a group would cost.

Pure Python (no Flask); the sentences are translated (``_``/``ngettext``) into the current
locale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from facilitator import _, ngettext, org_type_label

from .hardrules import RuleChecker
from .matching import Result, _pool
from .scoring import Factor, PairScore, Scorer


def join_words(items: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` (translated "and")."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return _("%(rest)s and %(last)s", rest=", ".join(items[:-1]), last=items[-1])


def _name(groups_by_id: Mapping[str, Mapping[str, Any]], gid: str) -> str:
    group = groups_by_id.get(gid) or {}
    return str(group.get("name") or gid)


def describe_factor(factor: Factor, groups_by_id: Mapping[str, Mapping[str, Any]]) -> str:
    """One factor as a clause, e.g. "Verein A offers German conversation groups that the
    Jobcenter asks for" or "both speak Arabic" (no full stop, lower case where it can be)."""
    if factor.kind == "offer_need":
        return _("%(giver)s offers %(items)s that %(taker)s asks for",
                 giver=_name(groups_by_id, factor.giver), items=join_words(factor.items),
                 taker=_name(groups_by_id, factor.taker))
    if factor.kind == "topics":
        return ngettext("both work on %(topics)s", "both work on %(topics)s", len(factor.items),
                        topics=join_words(factor.items))
    if factor.kind == "bridging":
        type_a, type_b = factor.items
        return _("they bring together two kinds of organisation: %(type_a)s and %(type_b)s",
                 type_a=org_type_label(type_a), type_b=org_type_label(type_b))
    if factor.kind == "language":
        return _("both speak %(languages)s", languages=join_words(factor.items))
    if factor.kind == "distance":
        if len(factor.items) > 2:
            return _("%(town_a)s and %(town_b)s are %(km)s km apart", town_a=factor.items[0],
                     town_b=factor.items[1], km=factor.items[2])
        return _("they are in different towns (%(town_a)s, %(town_b)s)",
                 town_a=factor.items[0], town_b=factor.items[1])
    return factor.kind


def why(pair_score: PairScore, groups_by_id: Mapping[str, Mapping[str, Any]], limit: int = 3,
        ) -> list[str]:
    """The top ``limit`` reasons for a pair in words, strongest first.

    The factors that add points come first, by points; shared languages follow (they usually
    score nothing but matter to the twins). Penalties are not reasons. A pair with none gets
    one sentence saying so.
    """
    positive = sorted((f for f in pair_score.factors if f.points > 0), key=lambda f: -f.points)
    languages = [f for f in pair_score.factors if f.kind == "language" and f.points <= 0]
    chosen = [*positive, *languages][: max(limit, 0)]
    if not chosen:
        return [_("nothing in their profiles links them; they complete the matching")]
    return [describe_factor(f, groups_by_id) for f in chosen]


def alternatives(result: Result, group_id: str, groups: Iterable[Mapping[str, Any]],
                 weights: Mapping[str, float] | None, rules: Mapping[str, Any] | None, k: int = 3,
                 distances: Mapping[tuple[str, str], float] | None = None) -> list[dict[str, Any]]:
    """The next-best partners of ``group_id`` and what swapping to them costs.

    For each partner ``h`` the hard rules allow (not its twin, not locked, not in a triplet),
    best pair score first: ``{"partner": h, "score": score of (group, h), "swap_with": h's
    twin, who would be twinned with the group's twin (None if either has none or the two may
    not be twinned), "delta_total": change of the matching's total, "left_alone": ids that
    would be left without a twin}``. Empty for a locked group or a member of a triplet.
    """
    return _Alternatives(result, groups, weights, rules, distances).of(group_id, k)


def all_alternatives(result: Result, groups: Iterable[Mapping[str, Any]],
                     weights: Mapping[str, float] | None, rules: Mapping[str, Any] | None,
                     k: int = 3, distances: Mapping[tuple[str, str], float] | None = None,
                     ) -> dict[str, list[dict[str, Any]]]:
    """:func:`alternatives` of every group of the pool at once (the profiles prepared once)."""
    finder = _Alternatives(result, groups, weights, rules, distances)
    return {gid: finder.of(gid, k) for gid in finder.ids}


class _Alternatives:
    def __init__(self, result: Result, groups: Iterable[Mapping[str, Any]],
                 weights: Mapping[str, float] | None, rules: Mapping[str, Any] | None,
                 distances: Mapping[tuple[str, str], float] | None) -> None:
        rules = rules or {}
        groups, self.ids = _pool(groups)
        self.result = result
        self.checker = RuleChecker(groups, rules)
        self.scorer = Scorer(groups, weights, distances)
        self.locked = {g for pair in [*(rules.get("locks") or ()), *result.locked] for g in pair}
        self.in_triplet = {g for pair in result.pairs if len(pair) > 2 for g in pair}
        self.twin = {g: pair[1 - i] for pair in result.pairs if len(pair) == 2
                     for i, g in enumerate(pair)}

    def of(self, group_id: str, k: int) -> list[dict[str, Any]]:
        if group_id in self.locked or group_id in self.in_triplet:
            return []
        total, check = self.scorer.total, self.checker.check
        twin = self.twin.get(group_id)
        options = []
        for h in self.ids:
            if h in (group_id, twin) or h in self.locked or h in self.in_triplet:
                continue
            if check(group_id, h) is not None:
                continue
            score = total(group_id, h)
            other = self.twin.get(h)
            delta = score - (total(group_id, twin) if twin else 0.0) \
                - (total(h, other) if other else 0.0)
            swap_with, left = None, [g for g in (twin, other) if g]
            if twin and other and check(twin, other) is None:
                delta += total(twin, other)
                swap_with, left = other, []
            options.append({"partner": h, "score": score, "swap_with": swap_with,
                            "delta_total": delta, "left_alone": left})
        options.sort(key=lambda o: (-o["score"], -o["delta_total"]))
        return options[: max(k, 0)]
