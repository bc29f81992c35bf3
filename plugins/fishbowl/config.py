"""The fishbowl's configuration form, its checks across fields, and the settings it yields."""

from __future__ import annotations

from typing import Any

from facilitator_plugins.fishbowl.people import parse_panel

from facilitator import ConfigError, Field, _, lazy_gettext

DEFAULTS: dict[str, Any] = {
    "topic": "",
    "chairs": 5,
    "open_chairs": 1,
    "mode": "open",
    "panel": [],
    "turn_guidance_minutes": 0,
    "questions_enabled": True,
    "fairness": "arrival",
}

#: The form: topic, chairs, open chairs, mode, panel, guidance time, questions, fairness.
FIELDS: tuple[Field, ...] = (
    Field(name="topic", label=lazy_gettext("Topic or question"), required=True, max_length=200),
    Field(name="chairs", label=lazy_gettext("Chairs in the inner circle"), kind="int",
          default=5, min=3, max=8),
    Field(name="open_chairs", label=lazy_gettext("Open chairs"), kind="int", default=1,
          min=1, max=7,
          help=lazy_gettext(
              "Chairs kept free for the audience, fewer than the chairs. Anyone may sit down on "
              "a free chair; once someone takes an open chair, the circle is full and the person "
              "seated longest is asked to make room.")),
    Field(name="mode", label=lazy_gettext("Format"), kind="choice", default="open", choices=(
        ("open", lazy_gettext("Open: the audience may join the circle")),
        ("closed", lazy_gettext("Closed: a fixed panel talks in rounds")),
    )),
    Field(name="panel", label=lazy_gettext("Panel guests (optional)"), kind="lines",
          default=(), max_length=200, max_items=8, help=lazy_gettext(
              "One guest a line: Name; Organisation; type of organisation. "
              "Guests need no phone and are seated at the start.")),
    Field(name="turn_guidance_minutes", label=lazy_gettext("Guidance time per turn (minutes)"),
          kind="int", default=0, min=0, max=30,
          help=lazy_gettext("0 means no guidance time.")),
    Field(name="questions_enabled", label=lazy_gettext("The outer circle may post questions"),
          kind="bool", default=True),
    Field(name="fairness", label=lazy_gettext("Queue order"), kind="choice",
          default="arrival", choices=(
              ("arrival", lazy_gettext("In order of arrival")),
              ("first_timers_first", lazy_gettext("People who have not spoken yet first")),
          )),
)


def validate(config: dict) -> dict:
    """Fill defaults; check open chairs < chairs and that the panel parses and fits.

    :raises ConfigError: naming the faulty fields.
    """
    config = {**DEFAULTS, **config}
    errors: dict[str, str] = {}
    if not str(config["topic"]).strip():
        errors["topic"] = _("Please fill in the topic.")
    if not 3 <= config["chairs"] <= 8:
        errors["chairs"] = _("Between 3 and 8 chairs, please.")
    elif not 1 <= config["open_chairs"] < config["chairs"]:
        errors["open_chairs"] = _("At least one open chair, and fewer than the chairs.")
    if config["mode"] not in ("open", "closed"):
        errors["mode"] = _("Please choose a valid format.")
    if config["fairness"] not in ("arrival", "first_timers_first"):
        errors["fairness"] = _("Please choose a valid queue order.")
    try:
        guests = parse_panel(config["panel"])
    except ValueError as exc:
        errors["panel"] = str(exc)
    else:
        if config["mode"] == "closed" and len(guests) > config["chairs"]:
            errors["panel"] = _("At most %(room)d guests fit.", room=config["chairs"])
        elif config["mode"] == "open" and len(guests) > config["chairs"] - config["open_chairs"]:
            errors["panel"] = _(
                "At most %(room)d guests fit: the open chairs stay free for the audience.",
                room=config["chairs"] - config["open_chairs"],
            )
    if errors:
        raise ConfigError(errors)
    return config


def settings(config: dict) -> dict:
    """The rule settings kept in the state, from a validated config."""
    return {
        "chairs": config["chairs"],
        "open_chairs": config["open_chairs"],
        "mode": config["mode"],
        "fairness": config["fairness"],
        "questions_enabled": bool(config["questions_enabled"]),
        "guidance_seconds": 60 * config["turn_guidance_minutes"],
    }


def demo() -> dict:
    """Form data for the demo session: a topic and a panel of two (fictional) guests."""
    return {
        "title": _("Fishbowl: arriving in our town"),
        "topic": _("What helps newcomers feel at home here, and who does what?"),
        "panel": "Dr. Anna Schmidt; Caritasverband; welfare\n"
        "Mehmet Yılmaz; Integrationsrat; mso",
        "turn_guidance_minutes": 3,
    }
