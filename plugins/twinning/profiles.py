"""Group profiles of a twinning pool: check what a representative or a CSV row gives.

Pure Python (no Flask). A profile is the dict the matching engine reads::

    {id, name, org_type, organisation, town, topics, topics_other, offers,
     needs, languages, contact, excludes}

plus the plugin's bookkeeping: ``participant`` (the registering phone's
participant id, or ``None``) and ``source`` (``"phone"``, ``"csv"`` or
``"facilitator"``). Every check raises :class:`facilitator.ActionError` with a
translated sentence naming the field, before anything changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from facilitator import MAX_NAME, MAX_ORGANISATION, ORG_TYPES, ActionError, _, clean_text

#: At most this many items in a list (offers, needs, topics, languages).
MAX_ITEMS = 12
#: Each item of a list at most this long.
MAX_ITEM = 120
#: The town's name at most this long.
MAX_TOWN = 60
#: Splits a typed list: new lines, commas and semicolons.
SEPARATORS = re.compile(r"[\n;,]+")


def normalise_name(name: str) -> str:
    """A group's name for comparisons: case and spacing ignored."""
    return " ".join(str(name).split()).casefold()


def split_list(value: Any, field: str) -> list[str]:
    """A list of short texts from a list or a typed text (one per line, or separated by , ;)."""
    if value is None:
        return []
    if isinstance(value, str):
        items = SEPARATORS.split(value)
    elif isinstance(value, list | tuple):
        items = value
    else:
        raise ActionError("invalid", _("“%(field)s” must be text.", field=field))
    cleaned: list[str] = []
    for item in items:
        text = clean_text(item, field, MAX_ITEM)
        if text and normalise_name(text) not in {normalise_name(c) for c in cleaned}:
            cleaned.append(text)
    if len(cleaned) > MAX_ITEMS:
        raise ActionError("too_many", _("“%(field)s”: at most %(max)d entries.", field=field,
                                        max=MAX_ITEMS))
    return cleaned


def _required_list(items: list[str], field: str) -> list[str]:
    if not items:
        raise ActionError("required", _("Please fill in “%(field)s”.", field=field))
    return items


def pick_topics(payload: Mapping, topic_list: list[str]) -> list[str]:
    """The ticked topics: ``topics`` as a list or text, or ``topic:<name>`` checkboxes.

    Only topics from the facilitator's list are kept (matched ignoring case).
    """
    by_key = {normalise_name(t): t for t in topic_list}
    given = split_list(payload.get("topics"), _("Topics"))
    given += [key.split(":", 1)[1] for key, value in payload.items()
              if isinstance(key, str) and key.startswith("topic:") and value is True]
    chosen: list[str] = []
    for text in given:
        topic = by_key.get(normalise_name(text))
        if topic is None:
            raise ActionError("unknown_topic", _("“%(topic)s” is not one of the topics.", topic=text))
        if topic not in chosen:
            chosen.append(topic)
    return chosen


def pick_excludes(payload: Mapping) -> list[str]:
    """Group ids from ``excludes`` (a list) or ``exclude:<id>`` checkboxes."""
    given = payload.get("excludes")
    if given is None:
        given = []
    if not isinstance(given, list) or not all(isinstance(g, str) for g in given):
        raise ActionError("invalid", _("“%(field)s” must be a list of groups.",
                                       field=_("Not to be paired with")))
    given = list(given) + [key.split(":", 1)[1] for key, value in payload.items()
                           if isinstance(key, str) and key.startswith("exclude:") and value is True]
    return list(dict.fromkeys(given))


def clean_profile(payload: Mapping, topic_list: list[str], group_id: str,
                  groups: Mapping[str, dict]) -> dict:
    """A checked profile for group ``group_id`` from a form's payload.

    :param groups: the pool's other groups by id (for exclusions and unique names).
    :raises ActionError: the first missing or invalid field, named in the message.
    """
    if not isinstance(payload, Mapping):
        raise ActionError("invalid", _("This profile is not valid."))
    name = clean_text(payload.get("name"), _("Name of the group"), MAX_ORGANISATION, required=True)
    for other_id, other in groups.items():
        if other_id != group_id and normalise_name(other["name"]) == normalise_name(name):
            raise ActionError("duplicate_name",
                              _("A group called “%(name)s” is already registered.", name=name))
    org_type = payload.get("org_type")
    if org_type in (None, ""):
        raise ActionError("required", _("Please fill in “%(field)s”.", field=_("Type of organisation")))
    if not isinstance(org_type, str) or org_type not in ORG_TYPES:  # a dict or list is unhashable
        raise ActionError("invalid_choice", _("Please choose a valid value for “%(field)s”.",
                                              field=_("Type of organisation")))
    topics = pick_topics(payload, topic_list)
    topics_other = clean_text(payload.get("topics_other"), _("Other topics"), MAX_ORGANISATION)
    if not topics and not topics_other:
        raise ActionError("required", _("Please choose at least one topic or name your own."))
    excludes = pick_excludes(payload)
    if group_id in excludes:
        raise ActionError("excludes_itself", _("A group cannot exclude itself."))
    unknown = [g for g in excludes if g not in groups]
    if unknown:
        raise ActionError("unknown_group", _("This group does not exist (any more)."))
    return {
        "id": group_id,
        "name": name,
        "org_type": org_type,
        "organisation": clean_text(payload.get("organisation"), _("Parent organisation"),
                                   MAX_ORGANISATION),
        "town": clean_text(payload.get("town"), _("Town"), MAX_TOWN, required=True),
        "topics": topics,
        "topics_other": topics_other,
        "offers": _required_list(split_list(payload.get("offers"), _("What the group offers")),
                                 _("What the group offers")),
        "needs": _required_list(split_list(payload.get("needs"), _("What the group needs")),
                                _("What the group needs")),
        "languages": _required_list(split_list(payload.get("languages"), _("Languages")),
                                    _("Languages")),
        "contact": clean_text(payload.get("contact"), _("Contact person"), MAX_NAME, required=True),
        "excludes": excludes,
    }


def drop_excluded(groups: Mapping[str, dict], gone: Iterable[str]) -> None:
    """Take removed group ids out of everybody's exclusions (in place)."""
    gone = set(gone)
    for group in groups.values():
        group["excludes"] = [g for g in group["excludes"] if g not in gone]


def as_text(items: list[str]) -> str:
    """A list as the phone's text field shows it (one per line)."""
    return "\n".join(items)
