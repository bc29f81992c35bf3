"""Reasons in words, written when a page or the minutes are rendered (in the workshop's language).

Pure Python (no Flask). The matching run keeps numbers only (it runs off the
lock, where no language is chosen); the sentences come from the engine's
:mod:`.explain` over the pair's :func:`.scoring.score_pair`, recomputed here
with the session's weights.
"""

from __future__ import annotations

from facilitator import _, org_type_label

from . import pool, runner, scoring


def _explain():
    try:
        from . import explain
    except ImportError:  # pragma: no cover - the engine ships it
        return None
    return explain


def pair_score(state: dict, first: str, second: str) -> scoring.PairScore:
    """The score of two groups with the session's current weights."""
    return scoring.score_pair(state["groups"][first], state["groups"][second],
                              runner.engine_weights(state["weights"]))


def _fallback(score: scoring.PairScore, groups: dict, limit: int) -> list[str]:
    texts = []
    for factor in sorted(score.factors, key=lambda f: -f.points):
        if factor.points <= 0 or not factor.items:
            continue
        items = ", ".join(factor.items)
        if factor.kind == "offer_need":
            texts.append(_("%(giver)s offers %(items)s, which %(taker)s needs.",
                           giver=groups[factor.giver]["name"], items=items,
                           taker=groups[factor.taker]["name"]))
        elif factor.kind == "topics":
            texts.append(_("Both work on %(items)s.", items=items))
        elif factor.kind == "language":
            texts.append(_("Both speak %(items)s.", items=items))
    return texts[:limit]


def why(state: dict, members: list[str], limit: int = 3) -> list[str]:
    """The top reasons a pair (or triplet) fits, as sentences."""
    members = [g for g in members if g in state["groups"]]
    texts: list[str] = []
    explain = _explain()
    per_pair = limit if len(members) == 2 else 2
    for i, first in enumerate(members):
        for second in members[i + 1:]:
            score = pair_score(state, first, second)
            if explain is not None:
                found = explain.why(score, state["groups"], limit=per_pair)
            else:
                found = _fallback(score, state["groups"], per_pair)
            texts += [t for t in found if t not in texts]
    return texts


def _names(state: dict, ids: list[str]) -> list[str]:
    return [state["groups"][g]["name"] for g in ids if g in state["groups"]]


def unmatched_reason(state: dict, group_id: str, draft: dict) -> str:
    """Why ``group_id`` has no twin in ``draft``."""
    from . import matching

    result = matching.Result(pairs=[tuple(p) for p in draft["pairs"]], scores={},
                             total=draft["total"], unmatched=draft["unmatched"])
    return matching.describe_unmatched(result, group_id, pool.profiles(state),
                                       runner.engine_rules(state.get("run_rules") or {}))


def draft_view(state: dict) -> dict:
    """The draft for the facilitator: pairs with reasons, unmatched, stability, alternatives."""
    draft = state["draft"]
    groups = state["groups"]
    pairs = []
    for members in draft["pairs"]:
        members = [g for g in members if g in groups]
        score = sum(pair_score(state, a, b).total for i, a in enumerate(members) for b in members[i + 1:])
        pairs.append({
            "key": pool.pair_key(members), "a": members[0], "b": members[1] if len(members) > 1 else "",
            "members": [{"id": g, "name": groups[g]["name"],
                         "org_type_label": org_type_label(groups[g]["org_type"])} for g in members],
            "score": round(score, 1), "why": why(state, members),
            "locked": len(members) == 2 and pool.has_pair(state["locks"], *members),
            "blocking": any(set(b) & set(members) for b in draft.get("blocking", [])),
        })
    stable = draft.get("stable")
    alternatives = []
    for gid, found in (draft.get("alternatives") or {}).items():
        if gid in groups and found:
            alternatives.append({"name": groups[gid]["name"], "options": [
                {"partner": groups.get(a["partner"], {}).get("name", "?"), "score": round(a["score"], 1),
                 "swap_with": groups.get(a.get("swap_with") or "", {}).get("name", ""),
                 "delta": round(a["delta_total"], 1), "a": gid, "b": a.get("swap_with") or ""}
                for a in found]})
    return {
        "pairs": pairs, "total": round(draft["total"], 1), "optimal": draft.get("optimal", True),
        "chosen": draft.get("chosen", "optimal"),
        "unmatched": [{"id": g, "name": groups[g]["name"], "reason": unmatched_reason(state, g, draft)}
                      for g in draft["unmatched"] if g in groups],
        "blocking": [{"names": _names(state, b)} for b in draft.get("blocking", [])],
        "stable": stable and {"total": round(stable["total"], 1),
                              "delta": round(stable["total"] - draft["total"], 1),
                              "pairs": [_names(state, p) for p in stable["pairs"]]},
        "alternatives": alternatives,
    }
