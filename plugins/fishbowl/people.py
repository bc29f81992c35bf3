"""Who is who in a fishbowl: panel guests, participants, and how each is named.

People are participants (by participant id) or panel guests without a phone
(``g1``, ``g2``, ...). For participants the fishbowl keeps only their type of
organisation (for the statistics, also after a removal); names always come
from the core through ``ctx.label``, which already follows the privacy mode.
"""

from __future__ import annotations

from collections import Counter

from facilitator import MAX_NAME, MAX_ORGANISATION, ORG_TYPES, MethodContext, _

#: Most panel guests one fishbowl may hold.
MAX_GUESTS = 20


def org_type_key(text: str) -> str | None:
    """The key of a type of organisation given as its key or as its label in the current
    language (``welfare``, ``Welfare association``, ``Wohlfahrtsverband``), any case;
    ``other`` for an empty text, ``None`` for an unknown one."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return "other"
    for key, label in ORG_TYPES.items():
        if wanted in (key, str(label).casefold()):
            return key
    return None


def parse_panel(lines: list[str]) -> list[dict]:
    """Parse the panel field: one ``Name; Organisation; type of organisation`` a line.

    Organisation and type are optional (the type defaults to ``other``); the
    type is a key (``welfare``, as the form's rows send it and older configs
    hold it) or its translated label (:func:`org_type_key`).

    :raises ValueError: with a readable message naming the faulty line.
    """
    guests = []
    for number, line in enumerate(lines, start=1):
        parts = [part.strip() for part in line.split(";")]
        if len(parts) > 3:
            raise ValueError(_("Line %(n)d: use at most two semicolons.", n=number))
        name, organisation, org_type = (parts + ["", ""])[:3]
        if not name or len(name) > MAX_NAME:
            raise ValueError(
                _("Line %(n)d: a name of 1 to %(max)d characters is needed.", n=number, max=MAX_NAME)
            )
        if len(organisation) > MAX_ORGANISATION:
            raise ValueError(_("Line %(n)d: the organisation is too long.", n=number))
        key = org_type_key(org_type)
        if key is None:
            raise ValueError(
                _(
                    "Line %(n)d: unknown type of organisation %(key)s; use one of %(keys)s.",
                    n=number,
                    key=org_type,
                    keys=", ".join(str(label) for label in ORG_TYPES.values()),
                )
            )
        guests.append({"name": name, "organisation": organisation, "org_type": key})
    return guests


def org_type_choices() -> list[tuple[str, str]]:
    """The core's types of organisation as ``(key, translated label)`` pairs."""
    return [(key, str(label)) for key, label in ORG_TYPES.items()]


def remember_participant(state: dict, person: str, ctx: MethodContext, org_type: str = "") -> None:
    """Note a participant's type of organisation the first time they take part."""
    if person in state["people"]:
        return
    if not org_type:
        org_type = (ctx.participant(person) or {}).get("org_type", "other")
    state["people"][person] = {"kind": "participant", "org_type": org_type or "other"}


def label(state: dict, person: str, ctx: MethodContext, facilitator: bool = False) -> str:
    """How ``person`` is shown: by name in named mode, by type of organisation otherwise.

    The facilitator typed the guests' names, so guests keep their name on the
    facilitator's screen in either mode; everywhere else the mode rules.
    """
    info = state["people"].get(person, {})
    if info.get("kind") == "guest":
        if facilitator or ctx.privacy != "anonymous":
            return info["name"]
        return ctx.org_type_label(info["org_type"])
    return ctx.label(person)


def org_type_label(state: dict, person: str, ctx: MethodContext) -> str:
    """The translated type of organisation of a known person."""
    return ctx.org_type_label(state["people"].get(person, {}).get("org_type", "other"))


def facilitator_labels(state: dict, people: list[str], ctx: MethodContext) -> dict[str, str]:
    """Labels for the facilitator, made unique where two people share one.

    In anonymous mode several people show the same type of organisation; a
    short, stable tag from the id tells them apart on the facilitator's screen.
    """
    labels = {person: label(state, person, ctx, facilitator=True) for person in people}
    counts = Counter(labels.values())
    return {
        person: f"{text} · {person[-3:]}" if counts[text] > 1 else text
        for person, text in labels.items()
    }
