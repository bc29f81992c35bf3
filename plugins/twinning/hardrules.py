"""The hard rules of twinning: which pairs of groups may never be twinned, and why.

Pure Python (no Flask). ``rules`` is the dict the method passes to :func:`.matching.match`;
the keys read here are:

``forbid_same_organisation`` (bool)
    two groups with the same (non-empty) parent ``organisation`` may not be twinned.
``earlier_pairs`` (set of frozensets of two names, normalised with :func:`normalise_name`)
    pairs twinned in an earlier round.
``language_required`` (bool)
    twins must share a language (a group that names none shares none).
``forbidden`` (iterable of two-id pairs or frozensets)
    pairs the facilitator has removed.

A group's own ``excludes`` (ids it does not want as twin) always apply, from either side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from facilitator import _

from . import textmatch
from .scoring import LANGUAGE_SYNONYMS, fold_texts

#: The reason codes, in the order they are checked.
RULE_CODES = ("excluded", "forbidden", "same_organisation", "earlier_pair", "no_shared_language")

_WORD = re.compile(r"[a-z0-9]+")


def normalise_name(name: str) -> str:
    """A group name as earlier rounds are compared: folded, words only ("Verein  A." -> "verein a")."""
    return " ".join(_WORD.findall(textmatch.fold(str(name))))


def _pairs(pairs: Iterable[Iterable[str]] | None) -> set[frozenset[str]]:
    return {frozenset(str(x) for x in pair) for pair in (pairs or ())}


class RuleChecker:
    """The hard rules for one pool, with every profile prepared once.

    :param groups: the profiles.
    :param rules: the rules dict (see the module).
    """

    def __init__(self, groups: Iterable[Mapping[str, Any]], rules: Mapping[str, Any] | None) -> None:
        rules = rules or {}
        self.groups = {str(g["id"]): g for g in groups}
        self.excludes = {gid: {str(x) for x in g.get("excludes") or ()} for gid, g in self.groups.items()}
        self.same_org = bool(rules.get("forbid_same_organisation"))
        self.organisation = {gid: textmatch.fold(str(g.get("organisation") or "")).strip()
                             for gid, g in self.groups.items()}
        self.earlier = _pairs(rules.get("earlier_pairs"))
        self.names = {gid: normalise_name(g.get("name") or "") for gid, g in self.groups.items()}
        self.language_required = bool(rules.get("language_required"))
        self.languages = {gid: set(fold_texts(g.get("languages") or (), LANGUAGE_SYNONYMS))
                          for gid, g in self.groups.items()}
        self.forbidden = _pairs(rules.get("forbidden"))

    def broken(self, a: str, b: str, first_only: bool = False) -> list[str]:
        """The codes of the rules the pair ``a``-``b`` breaks (only the first if ``first_only``)."""
        found = []
        if b in self.excludes[a] or a in self.excludes[b]:
            found.append("excluded")
        if (not found or not first_only) and self.forbidden and frozenset((a, b)) in self.forbidden:
            found.append("forbidden")
        if (not found or not first_only) and self.same_org:
            org = self.organisation[a]
            if org and org == self.organisation[b]:
                found.append("same_organisation")
        if (not found or not first_only) and self.earlier and \
                frozenset((self.names[a], self.names[b])) in self.earlier:
            found.append("earlier_pair")
        if (not found or not first_only) and self.language_required and \
                self.languages[a].isdisjoint(self.languages[b]):
            found.append("no_shared_language")
        return found[:1] if first_only else found

    def check(self, a: str, b: str) -> str | None:
        """The first rule the pair breaks, or None when it may be twinned."""
        found = self.broken(a, b, first_only=True)
        return found[0] if found else None


def hard_rule(a: Mapping[str, Any], b: Mapping[str, Any], rules: Mapping[str, Any] | None) -> str | None:
    """Why the profiles ``a`` and ``b`` may not be twinned: a code of :data:`RULE_CODES`, or None."""
    return RuleChecker([a, b], rules).check(str(a["id"]), str(b["id"]))


def hard_rules(a: Mapping[str, Any], b: Mapping[str, Any], rules: Mapping[str, Any] | None) -> list[str]:
    """Every rule the pair breaks (codes of :data:`RULE_CODES`, in order)."""
    return RuleChecker([a, b], rules).broken(str(a["id"]), str(b["id"]))


def describe_rule(code: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    """A translated sentence saying why ``a`` and ``b`` may not be twinned (``code`` from
    :func:`hard_rule`, or a lock error code of :mod:`.matching`)."""
    names = {"a": str(a.get("name") or a.get("id")), "b": str(b.get("name") or b.get("id"))}
    if code == "excluded":
        if str(a["id"]) in {str(x) for x in b.get("excludes") or ()}:
            names = {"a": names["b"], "b": names["a"]}
        return _("%(a)s does not want to be twinned with %(b)s.", **names)
    if code == "forbidden":
        return _("The facilitator has ruled out twinning %(a)s with %(b)s.", **names)
    if code == "same_organisation":
        return _("%(a)s and %(b)s belong to the same organisation (%(organisation)s).",
                 organisation=str(a.get("organisation") or ""), **names)
    if code == "earlier_pair":
        return _("%(a)s and %(b)s were already twinned in an earlier round.", **names)
    if code == "no_shared_language":
        return _("%(a)s and %(b)s have no language in common.", **names)
    if code == "same_group":
        return _("%(a)s cannot be twinned with itself.", **names)
    if code == "group_twice":
        return _("%(a)s is in more than one locked pair.", **names)
    return _("%(a)s and %(b)s cannot be twinned.", **names)
