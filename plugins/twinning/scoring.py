"""The pair score of two groups in a twinning pool, factor by factor.

Pure Python (no Flask). A group profile is the dict the method stores (``id``, ``name``,
``org_type``, ``organisation``, ``town``, ``topics``, ``topics_other``, ``offers``, ``needs``,
``languages``, ``contact``, ``excludes``). The score of a pair is the sum of its factors:

``offer_need`` (weight ``offer_need``, once per direction)
    what ``giver`` offers that ``taker`` needs: for each need, the best content-word overlap with
    an offer (see :mod:`.textmatch`; 0.5 to 1 per need), times the weight.
``topics`` (weight ``topics``)
    one point per topic both groups work on, times the weight.
``bridging`` (weight ``bridging``)
    how much the pair brings together different kinds of organisation (:func:`bridging_value`,
    0 to 1, see :data:`BRIDGING`), times the weight.
``language``
    the languages both speak; scores only with a ``language`` weight (points per shared language;
    not in :data:`DEFAULT_WEIGHTS` because a shared language is usually a hard rule instead).
``distance`` (weight ``distance``, negative)
    with a distance table, ``km / DISTANCE_UNIT_KM`` (km capped at :data:`MAX_DISTANCE_KM`);
    without one (or for a pair of towns not in it), :data:`FLAT_TOWN_PENALTY` for different
    towns; times the weight, so 0 switches it off. Same or unknown town: no penalty.

A missing weight takes its value from :data:`DEFAULT_WEIGHTS`. :class:`Scorer` prepares every
profile once (word masks, folded sets), so scoring the 500,000 pairs of 1,000 groups is a loop of
set and bit operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import textmatch

#: The facilitator's adjustable weights and their defaults.
DEFAULT_WEIGHTS: dict[str, float] = {"offer_need": 3.0, "topics": 1.0, "bridging": 2.0, "distance": 1.0}

#: Kilometres that cost one ``distance`` weight.
DISTANCE_UNIT_KM = 25.0
#: Distances beyond this cost no more (a far twin is far; it should not swamp everything else).
MAX_DISTANCE_KM = 100.0
#: Cost of different towns (in ``distance`` weights) when no distance is known.
FLAT_TOWN_PENALTY = 1.0

_ADMINISTRATION = ("district", "municipality", "employment")
_CIVIL_SOCIETY = ("welfare", "association", "volunteers")


def _table() -> dict[frozenset[str], float]:
    table: dict[frozenset[str], float] = {}
    for admin in _ADMINISTRATION:
        table[frozenset((admin, "mso"))] = 1.0
        for other in _CIVIL_SOCIETY:
            table[frozenset((admin, other))] = 0.6
        for other in ("education", "science"):
            table[frozenset((admin, other))] = 0.4
    for other in ("education", "welfare"):
        table[frozenset(("mso", other))] = 0.8
    for other in ("association", "volunteers", "science"):
        table[frozenset(("mso", other))] = 0.6
    table[frozenset(("district", "municipality"))] = 0.2
    table[frozenset(("district", "employment"))] = 0.2
    table[frozenset(("municipality", "employment"))] = 0.2
    return table


#: How much a pair of organisation types bridges (0 to 1), for the pairs that differ from
#: the default :data:`BRIDGING_DEFAULT`: an administration (district, municipality, job centre)
#: with a migrant organisation 1.0; a migrant organisation with education or welfare 0.8, with
#: an association, volunteers or science 0.6; an administration with civil society (welfare,
#: association, volunteers) 0.6, with education or science 0.4; two administrations 0.2.
#: The same type bridges nothing (0); ``other`` with anything bridges :data:`BRIDGING_OTHER`.
BRIDGING: dict[frozenset[str], float] = _table()
BRIDGING_DEFAULT = 0.4
BRIDGING_OTHER = 0.3


def bridging_value(type_a: str, type_b: str) -> float:
    """How much a pair of organisation types bridges, from 0 (same type) to 1 (see :data:`BRIDGING`)."""
    if type_a == type_b:
        return 0.0
    if "other" in (type_a, type_b):
        return BRIDGING_OTHER
    return BRIDGING.get(frozenset((type_a, type_b)), BRIDGING_DEFAULT)


@dataclass(frozen=True)
class Factor:
    """One reason in a pair score.

    :param kind: ``offer_need``, ``topics``, ``bridging``, ``language`` or ``distance``.
    :param points: what it adds to the score (negative for ``distance``).
    :param giver: for ``offer_need`` the group that offers; for the symmetric kinds the first
        group of the pair.
    :param taker: for ``offer_need`` the group that needs; else the second group.
    :param items: ``offer_need``: the giver's offers that match the taker's needs; ``topics``:
        the shared topics; ``language``: the shared languages; ``bridging``: the two
        organisation types; ``distance``: the two towns and, if known, the kilometres.
    """

    kind: str
    points: float
    giver: str
    taker: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairScore:
    """The score of a pair: ``total`` is the sum of the ``factors``' points."""

    total: float
    factors: tuple[Factor, ...] = ()


def fold_texts(texts: Iterable[str], synonyms: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{folded key: first original text}`` of ``texts`` (keys through ``synonyms`` if given)."""
    folded: dict[str, str] = {}
    for text in texts or ():
        key = textmatch.fold(str(text)).strip()
        if synonyms:
            key = synonyms.get(key, key)
        if key:
            folded.setdefault(key, str(text).strip())
    return folded


#: Language names folded to one key (German and English names, ISO codes).
LANGUAGE_SYNONYMS: dict[str, str] = {
    "deutsch": "german", "de": "german", "englisch": "english", "en": "english",
    "arabisch": "arabic", "ar": "arabic", "tuerkisch": "turkish", "tr": "turkish",
    "russisch": "russian", "ru": "russian", "ukrainisch": "ukrainian", "uk": "ukrainian",
    "franzoesisch": "french", "fr": "french", "persisch": "persian", "farsi": "persian",
    "fa": "persian", "kurdisch": "kurdish", "polnisch": "polish", "pl": "polish",
    "spanisch": "spanish", "es": "spanish", "italienisch": "italian", "it": "italian",
    "rumaenisch": "romanian", "ro": "romanian", "paschtu": "pashto", "somalisch": "somali",
}


class _Profile:
    __slots__ = ("id", "languages", "need_union", "needs", "offer_union", "offers", "org_type",
                 "topics", "town", "town_text")

    def __init__(self, group: Mapping[str, Any], vocabulary: textmatch.Vocabulary) -> None:
        self.id = str(group["id"])
        self.org_type = str(group.get("org_type") or "other")
        self.town_text = str(group.get("town") or "").strip()
        self.town = textmatch.fold(self.town_text)
        self.topics = fold_texts(group.get("topics") or ())
        self.languages = fold_texts(group.get("languages") or (), LANGUAGE_SYNONYMS)
        self.offers = vocabulary.items(group.get("offers") or ())
        self.needs = vocabulary.items(group.get("needs") or ())
        self.offer_union = textmatch.union(self.offers)
        self.need_union = textmatch.union(self.needs)


class Scorer:
    """Scores pairs of a pool with every profile prepared once.

    :param groups: the profiles (each with a unique ``id``).
    :param weights: the facilitator's weights (missing ones from :data:`DEFAULT_WEIGHTS`).
    :param distances: optional ``{(town_a, town_b): km}``; either order is looked up.
    """

    def __init__(self, groups: Iterable[Mapping[str, Any]], weights: Mapping[str, float] | None = None,
                 distances: Mapping[tuple[str, str], float] | None = None) -> None:
        merged = {**DEFAULT_WEIGHTS, **(weights or {})}
        self.weights = {key: float(value) for key, value in merged.items()}
        vocabulary = textmatch.Vocabulary()
        self.profiles = {str(g["id"]): _Profile(g, vocabulary) for g in groups}
        self.distances: dict[tuple[str, str], float] = {}
        for (town_a, town_b), km in (distances or {}).items():
            a, b = textmatch.fold(str(town_a)).strip(), textmatch.fold(str(town_b)).strip()
            self.distances[(a, b)] = self.distances[(b, a)] = float(km)

    def _parts(self, a: _Profile, b: _Profile) -> list[tuple[str, float, str, str, tuple[str, ...]]]:
        w = self.weights
        parts = []
        for giver, taker in ((a, b), (b, a)):
            if giver.offer_union & taker.need_union and w["offer_need"]:
                covered, items = textmatch.covered_needs(giver.offers, taker.needs)
                if covered:
                    parts.append(("offer_need", w["offer_need"] * covered, giver.id, taker.id, items))
        shared = [text for key, text in a.topics.items() if key in b.topics]
        if shared and w["topics"]:
            parts.append(("topics", w["topics"] * len(shared), a.id, b.id, tuple(shared)))
        bridge = bridging_value(a.org_type, b.org_type)
        if bridge and w["bridging"]:
            parts.append(("bridging", w["bridging"] * bridge, a.id, b.id, (a.org_type, b.org_type)))
        languages = [text for key, text in a.languages.items() if key in b.languages]
        if languages:
            parts.append(("language", w.get("language", 0.0) * len(languages), a.id, b.id,
                          tuple(languages)))
        if w["distance"] and a.town and b.town and a.town != b.town:
            km = self.distances.get((a.town, b.town))
            if km is None:
                parts.append(("distance", -w["distance"] * FLAT_TOWN_PENALTY, a.id, b.id,
                              (a.town_text, b.town_text)))
            else:
                cost = min(km, MAX_DISTANCE_KM) / DISTANCE_UNIT_KM
                parts.append(("distance", -w["distance"] * cost, a.id, b.id,
                              (a.town_text, b.town_text, f"{km:g}")))
        return parts

    def score(self, a_id: str, b_id: str) -> PairScore:
        """The :class:`PairScore` of groups ``a_id`` and ``b_id``."""
        parts = self._parts(self.profiles[a_id], self.profiles[b_id])
        factors = tuple(Factor(*part) for part in parts)
        return PairScore(total=sum(f.points for f in factors), factors=factors)

    def total(self, a_id: str, b_id: str) -> float:
        """The total score of the pair (the same number as ``score(a_id, b_id).total``)."""
        return sum(part[1] for part in self._parts(self.profiles[a_id], self.profiles[b_id]))

    def benefit(self, a_id: str, b_id: str) -> float:
        """How much ``a_id`` gains from ``b_id``: the total without what ``a_id`` gives ``b_id``."""
        parts = self._parts(self.profiles[a_id], self.profiles[b_id])
        return sum(p[1] for p in parts if not (p[0] == "offer_need" and p[2] == a_id))


def score_pair(a: Mapping[str, Any], b: Mapping[str, Any], weights: Mapping[str, float] | None = None,
               distances: Mapping[tuple[str, str], float] | None = None) -> PairScore:
    """The score of the pair of profiles ``a`` and ``b``, with its factors (see the module)."""
    return Scorer([a, b], weights, distances).score(str(a["id"]), str(b["id"]))


def benefit(a: Mapping[str, Any], b: Mapping[str, Any], weights: Mapping[str, float] | None = None,
            distances: Mapping[tuple[str, str], float] | None = None) -> float:
    """How much ``a`` gains from being twinned with ``b`` (directional, for preferences).

    The pair's score without the ``offer_need`` factor in which ``a`` is the giver: what ``b``
    offers that ``a`` needs, plus the shared factors (topics, bridging, language, distance).
    """
    return Scorer([a, b], weights, distances).benefit(str(a["id"]), str(b["id"]))
