"""The round table's configuration form, its checks across fields, and the agenda it yields.

An agenda item is one line of the ``items`` field, ``Title; minutes; presenter;
format; fairness`` (the form shows it as rows, ``form_items.html``). The earlier
workshops to review are picked while the round table runs (the form is the
same for every workshop, so it cannot list this server's workshops; see
:mod:`.review`); an uploaded minutes file is read and checked here.
"""

from __future__ import annotations

from typing import Any

from facilitator_plugins.roundtable.review import parse_minutes_file

from facilitator import MAX_NAME, MAX_TITLE, ConfigError, Field, _, lazy_gettext

#: Formats of an agenda item: an open speakers list or a round (Blitzlicht).
FORMATS: dict[str, Any] = {
    "list": lazy_gettext("Open speakers list"),
    "round": lazy_gettext("Round: every person present"),
    "round_org": lazy_gettext("Round: every institution present"),
}
#: How the fairness column of an item is written.
FAIR_WORDS = ("fair", "yes", "ja", "1", "true", "x")
MAX_ITEMS = 20
MAX_BOX_MINUTES = 240

REVIEW_FROM: dict[str, Any] = {
    "none": lazy_gettext("No earlier workshop of this server"),
    "latest": lazy_gettext("The latest earlier workshop with open agreements"),
    "all": lazy_gettext("All earlier workshops with open agreements"),
    "choose": lazy_gettext("I choose on the dashboard"),
}

FIELDS: tuple[Field, ...] = (
    Field(name="items", label=lazy_gettext("Agenda items"), kind="lines", required=True,
          max_items=MAX_ITEMS, max_length=250, help=lazy_gettext(
              "One item a line: title; time box in minutes; presenter (optional); format "
              "(list, round or round_org); fair (people who have not spoken on the item go first).")),
    Field(name="speaking_limit", label=lazy_gettext("Speaking time per contribution (seconds, 0 = no limit)"),
          kind="int", default=180, min=0, max=1800),
    Field(name="consent_by", label=lazy_gettext("Consent is counted"), kind="choice",
          default="person", choices=(
              ("person", lazy_gettext("Per person")),
              ("institution", lazy_gettext("Per institution: one institution, one voice")),
          ), help=lazy_gettext(
              "Per institution needs the participants' organisations, which only a workshop with "
              "names uses; in an anonymous or Chatham House workshop consent is counted per person.")),
    Field(name="review_from", label=lazy_gettext("Review the open agreements of"), kind="choice",
          default="latest", choices=tuple(REVIEW_FROM.items())),
    Field(name="review_file", label=lazy_gettext("… and/or of an uploaded minutes file (optional)"),
          kind="file", accept=".md,.json", help=lazy_gettext(
              "Minutes exported by Facilitator, as Markdown (.md) or JSON (.json).")),
    Field(name="review_minutes", label=lazy_gettext("Time box of the review (minutes)"),
          kind="int", default=15, min=1, max=MAX_BOX_MINUTES),
)

DEFAULTS: dict[str, Any] = {"speaking_limit": 180, "consent_by": "person", "review_from": "latest",
                            "review_file": "", "review_minutes": 15, "items": []}


def parse_item(line: str, number: int) -> dict:
    """One agenda line as ``{title, minutes, presenter, format, fair}``.

    :raises ValueError: a sentence naming the line.
    """
    parts = [part.strip() for part in line.split(";")]
    title = parts[0]
    if not title:
        raise ValueError(_("Item %(num)d has no title.", num=number))
    if len(title) > MAX_TITLE:
        raise ValueError(_("Item %(num)d: the title is too long (at most %(max)d characters).",
                           num=number, max=MAX_TITLE))
    raw_minutes = parts[1] if len(parts) > 1 and parts[1] else "15"
    try:
        minutes = int(raw_minutes)
    except ValueError:
        minutes = -1
    if not 1 <= minutes <= MAX_BOX_MINUTES:
        raise ValueError(_("Item %(num)d: the time box must be between 1 and %(max)d minutes.",
                           num=number, max=MAX_BOX_MINUTES))
    presenter = parts[2] if len(parts) > 2 else ""
    if len(presenter) > MAX_NAME:
        raise ValueError(_("Item %(num)d: the presenter's name is too long (at most %(max)d characters).",
                           num=number, max=MAX_NAME))
    raw_format = (parts[3] if len(parts) > 3 else "").casefold() or "list"
    found = [key for key, label in FORMATS.items() if raw_format in (key, str(label).casefold())]
    if not found:
        raise ValueError(_("Item %(num)d: the format must be list, round or round_org.", num=number))
    fair = (parts[4] if len(parts) > 4 else "").casefold() in FAIR_WORDS
    return {"title": title, "minutes": minutes, "presenter": presenter, "format": found[0], "fair": fair}


def validate(config: dict) -> dict:
    """Fill defaults, check every agenda line and read the minutes file (if any).

    :raises ConfigError: naming the faulty fields (the file's error names its line).
    """
    config = {**DEFAULTS, **config}
    errors: dict[str, str] = {}
    for number, line in enumerate(config["items"], start=1):
        try:
            parse_item(line, number)
        except ValueError as exc:
            errors["items"] = str(exc)
            break
    if not config["items"] and "items" not in errors:
        errors["items"] = _("Please add at least one agenda item.")
    if config["review_file"]:
        try:
            parse_minutes_file(config["review_file"])
        except ValueError as exc:
            errors["review_file"] = str(exc)
    if errors:
        raise ConfigError(errors)
    return config


def agenda(config: dict) -> list[dict]:
    """The configured items, parsed (the config is valid)."""
    return [parse_item(line, number) for number, line in enumerate(config["items"], start=1)]


def demo() -> dict:
    """Form data for the demo session: a district round table with three items."""
    return {
        "title": _("Round table: integration in the district"),
        "items": "\n".join([
            _("Language courses: waiting lists") + "; 20; Volkshochschule; list; fair",
            _("Round of news from the institutions") + "; 15; ; round_org",
            _("Housing for families") + "; 25; Sozialamt; list",
        ]),
        "speaking_limit": 120,
        "consent_by": "institution",
        "review_from": "latest",
        "review_minutes": 10,
    }
