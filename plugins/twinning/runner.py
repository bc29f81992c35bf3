"""The matching run handed to ``ctx.compute``: JSON in, JSON out. Pure Python (no Flask).

The engine (:mod:`.matching`, :mod:`.stability`, :mod:`.explain`) works with
sets and result objects; this module turns the session's plain JSON into its
arguments and its :class:`Result` back into JSON the state can keep. Texts
(why a pair fits, why a group stayed alone) are written later, when a page is
rendered in the workshop's language, from the numbers kept here.
"""

from __future__ import annotations

from typing import Any

# Imported here, at plugin load in the main thread: a first import inside the worker
# thread (gevent's pool under ``serve``) could wait on the import lock.
from . import explain, matching, stability

#: Alternatives are listed per group up to this pool size (they cost a pass each).
ALTERNATIVES_UP_TO = 200


def engine_rules(rules: dict) -> dict:
    """The engine's ``rules`` argument from the JSON kept in the state."""
    return {
        "forbid_same_organisation": bool(rules.get("forbid_same_organisation")),
        "language_required": bool(rules.get("language_required")),
        "earlier_pairs": {frozenset(p) for p in rules.get("earlier_pairs", []) if len(set(p)) == 2},
        "forbidden": [tuple(p) for p in rules.get("forbidden", [])],
        "locks": [tuple(p) for p in rules.get("locks", [])],
        "odd": rules.get("odd", "sit_out"),
        "sat_out_before": set(rules.get("sat_out_before", [])),
    }


def engine_weights(weights: dict) -> dict:
    """The facilitator's 0 … 10 weights as the engine's floats."""
    return {key: float(value) for key, value in weights.items()}


def _result_json(result: Any) -> dict:
    return {
        "pairs": [sorted(pair) for pair in result.pairs],
        "total": round(float(result.total), 4),
        "unmatched": {gid: str(reason) for gid, reason in dict(result.unmatched).items()},
        "optimal": bool(result.optimal),
    }


def run(groups: list[dict], weights: dict, rules: dict) -> dict:
    """Match the pool; returns the draft: pairs, total, unmatched, blocking pairs,
    the stable alternative and each group's next-best alternatives.

    A lock that breaks a hard rule comes back as ``{"lock_error": message}``.
    """

    weights_ = engine_weights(weights)
    rules_ = engine_rules(rules)
    try:
        result = matching.match(groups, weights_, rules_)
    except matching.LockError as refused:
        return {"lock_error": str(getattr(refused, "message", refused))}
    draft = _result_json(result)
    draft["blocking"] = [sorted(p) for p in stability.blocking_pairs(result, groups, weights_, rules_)]
    stable = stability.stable_matching(groups, weights_, rules_) if draft["blocking"] else None
    draft["stable"] = _result_json(stable) if stable is not None else None
    draft["alternatives"] = {}
    if len(groups) <= ALTERNATIVES_UP_TO:
        for group in groups:
            if group["id"] in draft["unmatched"]:
                continue
            found = explain.alternatives(result, group["id"], groups, weights_, rules_, k=3)
            draft["alternatives"][group["id"]] = [
                {"partner": a["partner"], "score": round(float(a["score"]), 4),
                 "swap_with": a.get("swap_with"), "delta_total": round(float(a["delta_total"]), 4)}
                for a in found]
    return draft
