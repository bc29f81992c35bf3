"""The speakers list of one agenda item: raised hands, their order, and rounds.

Pure Python (no Flask). Kinds of hand, in order of precedence (as TC39's queue
tool has them): a point of order, a clarifying question, a direct reply to the
current speaker, a new contribution. Within a kind, hands are taken in the
order they were raised; with the item's fairness option, people who have not
spoken on this item yet come first within their kind. A person has at most one
hand of each kind.

A round ("Blitzlicht") gives every person present, or every institution
present, one turn, in the order they joined; points of order still go first.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Kinds of hand, highest precedence first.
KINDS = ("order", "clarify", "reply", "new")


class SpeakersError(ValueError):
    """A refusal of the speakers list; ``code`` names it (see :mod:`.messages`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_kind(kind: object) -> str:
    """``kind`` if it is one of :data:`KINDS`."""
    if kind not in KINDS:
        raise SpeakersError("invalid_kind")
    return str(kind)


def raise_hand(hands: list[dict], person: str, kind: str, seq: int, at: float,
               reply_to: str | None = None) -> dict:
    """Add a hand of ``kind`` for ``person`` (refused if they have one of that kind)."""
    kind = check_kind(kind)
    if any(h["person"] == person and h["kind"] == kind for h in hands):
        raise SpeakersError("already_raised")
    hand = {"id": f"h{seq}", "person": person, "kind": kind, "seq": seq, "at": at,
            "reply_to": reply_to}
    hands.append(hand)
    return hand


def withdraw(hands: list[dict], person: str, kind: str | None = None) -> list[dict]:
    """Take back ``person``'s hand of ``kind`` (or all their hands); returns the others."""
    if kind is not None:
        check_kind(kind)
    left = [h for h in hands if not (h["person"] == person and kind in (None, h["kind"]))]
    if len(left) == len(hands):
        raise SpeakersError("no_hand")
    return left


def ordered(hands: Iterable[dict], spoken: Iterable[str] = (), fair: bool = False) -> list[dict]:
    """The hands in speaking order: by kind, then (``fair``) not yet spoken first, then arrival."""
    done = set(spoken)

    def key(hand: dict) -> tuple[int, int, int]:
        again = 1 if fair and hand["person"] in done else 0
        return KINDS.index(hand["kind"]), again, hand["seq"]

    return sorted(hands, key=key)


def place_of(queue: list[dict], person: str) -> int | None:
    """1-based place of ``person``'s first hand in ``queue`` (an :func:`ordered` list)."""
    for number, hand in enumerate(queue, start=1):
        if hand["person"] == person:
            return number
    return None


def institution_key(person_id: str, organisation: str) -> str:
    """Who shares one voice: the organisation (case and spaces folded) or the person alone."""
    folded = " ".join(organisation.split()).casefold()
    return f"org:{folded}" if folded else f"person:{person_id}"


def round_order(people: Iterable[dict], by: str) -> list[str]:
    """The people who get a turn in a round, in the order given (join order).

    ``people`` are dicts with ``id`` and ``organisation``; ``by`` is ``"person"``
    (everyone) or ``"institution"`` (the first person of each institution;
    someone without an organisation speaks for themself).
    """
    turns, seen = [], set()
    for person in people:
        key = institution_key(person["id"], person.get("organisation", "")) if by == "institution" \
            else f"person:{person['id']}"
        if key not in seen:
            seen.add(key)
            turns.append(person["id"])
    return turns


def next_in_round(order: list[str], done: Iterable[str], present: Iterable[str]) -> str | None:
    """The first person of the round who has not had their turn and is still here."""
    had, here = set(done), set(present)
    return next((p for p in order if p not in had and p in here), None)
