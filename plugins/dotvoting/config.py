"""The configuration form of dot voting and its checks across fields."""

from __future__ import annotations

from facilitator import ConfigError, Field, _, lazy_gettext

from . import rules

#: The form: question, dots and cap, result visibility, order, categories, prepared options.
FIELDS: tuple[Field, ...] = (
    Field(name="question", label=lazy_gettext("Question"), required=True, max_length=200),
    Field(name="dots_per_participant", label=lazy_gettext("Dots per participant"), kind="int",
          default=3, min=1, max=20),
    Field(name="max_per_option", label=lazy_gettext("Most dots one person may put on one option"),
          kind="int", default=3, min=1, max=20, help=lazy_gettext("1 means no stacking.")),
    Field(name="results", label=lazy_gettext("Results"), kind="choice", default="hidden",
          choices=(("hidden", lazy_gettext("Hidden until revealed")),
                   ("live", lazy_gettext("Live while voting")))),
    Field(name="order", label=lazy_gettext("Order of options on phones"), kind="choice",
          default="shuffled",
          choices=(("shuffled", lazy_gettext("Shuffled for each participant")),
                   ("fixed", lazy_gettext("The same for everyone")))),
    Field(name="categories", label=lazy_gettext("Categories (one per line, optional)"),
          kind="lines", default=(), max_length=60, max_items=20),
    Field(name="options", label=lazy_gettext("Prepared options (one per line, optional)"),
          kind="lines", default=(), max_length=rules.MAX_OPTION_LENGTH, max_items=50),
    Field(name="skip_collect", label=lazy_gettext("Skip collecting: vote on the prepared options"),
          kind="bool", default=False),
)


def validate(config: dict) -> dict:
    """Check across fields and normalise the prepared options.

    The cap may not exceed the dots per participant; prepared options may not
    repeat (case and spaces ignored); skipping collection needs two of them.

    :raises ConfigError: naming the offending field.
    """
    errors: dict[str, str] = {}
    if config.get("max_per_option", 3) > config.get("dots_per_participant", 3):
        errors["max_per_option"] = _("Cannot be more than the dots per participant.")
    options = [" ".join(o.split()) for o in config.get("options") or [] if o.strip()]
    seen: list[str] = []
    for text in options:
        if any(rules.same_text(text, other) for other in seen):
            errors["options"] = _("“%(option)s” appears twice.", option=text)
        seen.append(text)
    if config.get("skip_collect") and len(options) < 2:
        errors["options"] = _("Prepare at least two options to skip collecting.")
    if errors:
        raise ConfigError(errors)
    return {**config, "options": options}


def demo() -> dict:
    """Form values for ``serve --demo``: the action fields of a local integration concept."""
    return {
        "title": _("Priorities for the integration concept"),
        "question": _("Which action field should we tackle first?"),
        "categories": "\n".join([_("Participation"), _("Services")]),
        "options": "\n".join([_("Language and education"), _("Work and training"),
                              _("Health"), _("Housing")]),
    }
