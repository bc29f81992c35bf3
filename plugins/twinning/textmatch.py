"""Free-text matching for twinning profiles: what one group offers against what another needs.

Pure Python (no Flask). Texts are normalised (casefolded, umlauts and accents folded, German
``ß`` to ``ss``), split into words, stripped of stop words (German and English function words
and the generic words of offers and needs such as "help", "support", "Angebot") and reduced by a
crude suffix stemmer ("Gruppen"/"Gruppe" -> "grupp", "translations"/"translating" -> "translat").
Two items match when their content words overlap: the shared words make up at least
:data:`MATCH_THRESHOLD` of the shorter item.

Words are numbered in a :class:`Vocabulary` and items kept as bit masks, so that comparing two
items is an ``&`` and a ``bit_count`` (fast enough for 500,000 pairs).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: Shared content words, as a share of the shorter item, from which two items match.
MATCH_THRESHOLD = 0.5

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD = re.compile(r"[a-z0-9]+")
_PLAIN_VOWELS = re.compile(r"[aou]e")
#: Suffixes stripped (the first that fits, longest first), leaving a stem of 3+ letters.
_SUFFIXES = ("ungen", "ions", "ings", "ung", "ion", "ing", "ern", "en", "er", "es", "ed", "e", "s")

_STOP_TEXT = """
a an and or the of to in on at by for from with without into about our we us you your their
they them it its is are be as this that these those any some all more other also can will
who what which per via each new
der die das den dem des ein eine einen einem einer eines und oder fuer mit ohne von vom zu
zum zur im in ins am an auf bei beim aus nach ueber unter um wie als auch sich wir ihr sie
unser unsere unserer unseren unserem euch ist sind sein hat haben wird werden kann koennen
fuer gegen durch dass damit bzw etc z b zb u a sowie alle andere anderen neue neuen
help helps helping support supporting offer offers offering need needs needed looking seek
seeking provide providing give giving get want wanted find finding people person group
hilfe helfen unterstuetzung unterstuetzen angebot angebote anbieten bieten bietet suchen
sucht suche brauchen braucht bedarf benoetigen moechten wollen finden geben gibt menschen
leute personen groups gruppe gruppen
"""
#: Words that say nothing about what is offered or needed (folded, before and after stemming).
STOP_WORDS = frozenset(_STOP_TEXT.split()) | frozenset(
    _PLAIN_VOWELS.sub(lambda m: m.group()[0], w) for w in _STOP_TEXT.split())


def fold(text: str) -> str:
    """Casefold ``text`` and fold umlauts (``ä`` -> ``ae``), ``ß`` and accents to ASCII."""
    text = str(text).casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """Strip one common German or English suffix, keeping at least three letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> frozenset[str]:
    """The stemmed content words of ``text`` (stop words, digits-only and 1-letter words gone;
    the stop words are checked before and after stemming)."""
    # "ae", "oe", "ue" become the plain vowel, so that umlaut plurals meet their singulars
    # ("Räume"/"Raeume" -> "raum" like "Raum"; "Ärzte" -> "arzt")
    words = (_PLAIN_VOWELS.sub(lambda m: m.group()[0], w) for w in _WORD.findall(fold(text))
             if len(w) > 1 and not w.isdigit())
    stems = (stem(w) for w in words if w not in STOP_WORDS)
    return frozenset(s for s in stems if s not in STOP_WORDS)


class Vocabulary:
    """Numbers content words so that an item becomes an ``int`` bit mask."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._cache: dict[str, int] = {}

    def mask(self, text: str) -> int:
        """The bit mask of the content words of ``text`` (0 when it has none)."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        mask = 0
        for word in content_words(text):
            number = self._numbers.setdefault(word, len(self._numbers))
            mask |= 1 << number
        self._cache[text] = mask
        return mask

    def items(self, texts: Iterable[str]) -> tuple[tuple[int, int, str], ...]:
        """``(mask, word count, original text)`` of each item with content words."""
        found = []
        for text in texts:
            mask = self.mask(text)
            if mask:
                found.append((mask, mask.bit_count(), str(text)))
        return tuple(found)


def union(items: tuple[tuple[int, int, str], ...]) -> int:
    """The mask of every word in ``items``."""
    mask = 0
    for item_mask, _count, _text in items:
        mask |= item_mask
    return mask


def covered_needs(
    offers: tuple[tuple[int, int, str], ...], needs: tuple[tuple[int, int, str], ...]
) -> tuple[float, tuple[str, ...]]:
    """How well ``offers`` cover ``needs``.

    :returns: the sum over the needs of the best similarity with an offer (0 below
        :data:`MATCH_THRESHOLD`, else the shared share of the shorter item, at most 1 per need),
        and the texts of the offers that matched, in the order offered.
    """
    total = 0.0
    used: set[int] = set()
    for need_mask, need_count, _need_text in needs:
        best = 0.0
        best_index = -1
        for index, (offer_mask, offer_count, _offer_text) in enumerate(offers):
            shared = (offer_mask & need_mask).bit_count()
            if shared:
                similarity = shared / min(offer_count, need_count)
                if similarity > best:
                    best, best_index = similarity, index
        if best >= MATCH_THRESHOLD:
            total += best
            used.add(best_index)
    return total, tuple(offers[i][2] for i in sorted(used))
