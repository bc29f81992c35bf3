"""The pure rules of dot voting: budgets, caps, tallies, ranks, runoffs, merges, order.

Nothing here knows about Flask, sockets or the session state's layout beyond
plain dicts and lists, so every rule is unit-tested directly.

Shapes used throughout:

* ``dots``: ``{participant_id: {option_id: count}}``; a participant without
  dots and an option with zero dots have no entry at all.
* ``totals``: ``{option_id: count}`` for the options on the ballot.
* a ranking: a list of :class:`Ranked` rows, best first.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

from facilitator import ActionError, _, ngettext
from facilitator import clean_text as clean_core_text

#: Longest option text, in characters.
MAX_OPTION_LENGTH = 120
#: Most options one session may hold (guards against a flood from phones).
MAX_OPTIONS = 100
#: The refusal codes of :func:`facilitator.clean_text` renamed to those dot voting has always
#: sent (``docs/protocol.md``); the core's ``invalid_text`` (characters that are not text,
#: which no file can store) keeps its name.
TEXT_CODES = {"invalid": "invalid_text", "required": "text_empty", "too_long": "text_too_long"}


# ---------------------------------------------------------------------------
# Placing dots
# ---------------------------------------------------------------------------


def check_count(count: object) -> int:
    """Return ``count`` if it is a non-negative integer (``bool`` is not one).

    :raises ActionError: ``invalid_count`` otherwise.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ActionError("invalid_count", _("The number of dots must be a whole number, 0 or more."))
    return count


def place_dots(
    own: dict[str, int], option_id: str, count: int, budget: int, cap: int
) -> dict[str, int]:
    """Return one participant's new dots after setting ``option_id`` to ``count``.

    Setting is absolute, so a retried or duplicated message cannot count twice.
    ``own`` is not modified; options set to 0 are dropped from the result.

    :param own: the participant's current ``{option_id: count}``.
    :param budget: dots per participant; :param cap: most dots on one option.
    :raises ActionError: ``invalid_count``, ``over_cap`` or ``over_budget``.
    """
    check_count(count)
    if count > cap:
        raise ActionError(
            "over_cap", _("At most %(cap)d dots per option.", cap=cap)
        )
    used_elsewhere = sum(n for oid, n in own.items() if oid != option_id)
    if used_elsewhere + count > budget:
        left = max(budget - used_elsewhere - own.get(option_id, 0), 0)
        raise ActionError(
            "over_budget",
            ngettext("You have only %(num)d dot left.", "You have only %(num)d dots left.", left),
        )
    new = {oid: n for oid, n in own.items() if oid != option_id}
    if count:
        new[option_id] = count
    return new


def dots_left(own: dict[str, int], budget: int) -> int:
    """How many of ``budget`` dots a participant has not placed yet."""
    return max(budget - sum(own.values()), 0)


def tally(dots: dict[str, dict[str, int]], option_ids: list[str]) -> dict[str, int]:
    """Sum everybody's dots per option; every option of ``option_ids`` gets an entry."""
    totals = dict.fromkeys(option_ids, 0)
    for own in dots.values():
        for oid, n in own.items():
            if oid in totals:
                totals[oid] += n
    return totals


# ---------------------------------------------------------------------------
# Ranking and runoff
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    """One row of a ranking: ``rank`` is shared by ties (competition ranking)."""

    option_id: str
    total: int
    rank: int
    tied: bool

    def as_dict(self) -> dict:
        """The row as a JSON-serialisable dict."""
        return asdict(self)


def rank(totals: dict[str, int], order: list[str]) -> list[Ranked]:
    """Rank options by dots with competition ranking ("1, 2, 2, 4").

    Ties keep the same rank and are flagged ``tied``; among tied options the
    listing follows ``order`` (the order the options were added), which is a
    display order only and never a tie-break.

    :param totals: dots per option; :param order: the options to rank, in display order.
    """
    position = {oid: i for i, oid in enumerate(order)}
    ordered = sorted(order, key=lambda oid: (-totals.get(oid, 0), position[oid]))
    counts: dict[int, int] = {}
    for oid in ordered:
        counts[totals.get(oid, 0)] = counts.get(totals.get(oid, 0), 0) + 1
    rows: list[Ranked] = []
    for index, oid in enumerate(ordered):
        total = totals.get(oid, 0)
        shared = rows[-1].rank if rows and rows[-1].total == total else index + 1
        rows.append(Ranked(oid, total, shared, counts[total] > 1))
    return rows


def runoff_cut(ranking: list[Ranked], top_n: int) -> list[str]:
    """The options that go into a runoff of the top ``top_n``, ties at the cut included.

    With ranks 1, 2, 2, 4 the top 2 are three options (both second places).
    """
    return [row.option_id for row in ranking if row.rank <= top_n]


def share(total: int, all_dots: int) -> float:
    """The fraction (0..1) of all dots that ``total`` is."""
    return total / all_dots if all_dots else 0.0


def text_bar(fraction: float, width: int = 10) -> str:
    """A bar like ``████░░░░░░`` for the minutes; ``fraction`` is 0..1."""
    filled = max(0, min(width, round(fraction * width)))
    return "█" * filled + "░" * (width - filled)


# ---------------------------------------------------------------------------
# Merging options
# ---------------------------------------------------------------------------


def merge_dots(
    dots: dict[str, dict[str, int]], keep: str, drop: str, cap: int
) -> dict[str, dict[str, int]]:
    """Move every voter's dots from ``drop`` onto ``keep``.

    The rule: a voter's dots on both options add up on ``keep``, clamped to
    ``cap``; what lies above the cap is not lost but goes back to the voter's
    budget, so they can place it again while voting is open. The total a voter
    has placed therefore never grows, and the budget stays respected.
    Returns a new mapping; ``dots`` is not modified.
    """
    merged: dict[str, dict[str, int]] = {}
    for pid, own in dots.items():
        new = {oid: n for oid, n in own.items() if oid != drop}
        moved = own.get(keep, 0) + own.get(drop, 0)
        if moved:
            new[keep] = min(moved, cap)
        if new:
            merged[pid] = new
    return merged


def merge_authors(keep: list[str], drop: list[str]) -> list[str]:
    """The authors of a merged option: those of ``keep`` then new ones of ``drop``."""
    return keep + [a for a in drop if a not in keep]


def remove_option_dots(dots: dict[str, dict[str, int]], option_id: str) -> dict[str, dict[str, int]]:
    """Give everybody's dots on ``option_id`` back (a new mapping)."""
    result = {}
    for pid, own in dots.items():
        new = {oid: n for oid, n in own.items() if oid != option_id}
        if new:
            result[pid] = new
    return result


# ---------------------------------------------------------------------------
# Order on the phone
# ---------------------------------------------------------------------------


def shuffled(option_ids: list[str], participant_id: str, session_id: str) -> list[str]:
    """The options in this participant's own, stable order (against position bias).

    Each option's place comes from a hash of session, participant and option,
    so the order is the same on every render and reconnect, differs between
    participants, and adding an option does not reshuffle the others.
    """

    def key(oid: str) -> bytes:
        return hashlib.sha256(f"{session_id}\x00{participant_id}\x00{oid}".encode()).digest()

    return sorted(option_ids, key=key)


# ---------------------------------------------------------------------------
# Checking input
# ---------------------------------------------------------------------------


def clean_text(value: object, max_length: int = MAX_OPTION_LENGTH) -> str:
    """Return ``value`` as one line of non-empty text of at most ``max_length`` characters.

    An option is one line: all white space (line breaks too) folds into single
    spaces; then :func:`facilitator.clean_text` checks it, under its codes renamed
    by :data:`TEXT_CODES`.

    :raises ActionError: ``invalid_text``, ``text_empty`` or ``text_too_long``.
    """
    if not isinstance(value, str):  # also a missing text, which the core would take for ""
        raise ActionError("invalid_text", _("Please enter text."))
    try:
        return clean_core_text(" ".join(value.split()), _("Option"), max_length, required=True)
    except ActionError as exc:
        raise ActionError(TEXT_CODES.get(exc.code, exc.code), exc.message) from None


def new_option_text(value: object, existing: list[str]) -> str:
    """Return the cleaned text for a new or edited option unless ``existing`` has it already.

    :raises ActionError: as :func:`clean_text`, or ``duplicate_option``.
    """
    text = clean_text(value)
    if any(same_text(text, other) for other in existing):
        raise ActionError("duplicate_option", _("This option is already there."))
    return text


def check_category(category: object, categories: list[str]) -> str:
    """Return ``category`` if it is empty or one of ``categories``.

    :raises ActionError: ``unknown_category`` otherwise.
    """
    if category in (None, ""):
        return ""
    if not isinstance(category, str) or category not in categories:
        raise ActionError("unknown_category", _("Choose one of the categories."))
    return category


def same_text(a: str, b: str) -> bool:
    """Whether two option texts are the same idea written alike (case and spaces ignored)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()

