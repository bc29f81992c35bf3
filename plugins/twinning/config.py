"""The configuration form of a twinning and its checks across fields."""

from __future__ import annotations

from facilitator import ConfigError, Field, _, lazy_gettext

from . import csvimport, scoring
from .profiles import normalise_name

#: Default topics offered to the groups (the facilitator edits the list).
DEFAULT_TOPICS = ("Education", "Work and training", "Language", "Culture", "Sports", "Health",
                  "Youth", "Women", "Housing", "Participation")
#: The weights of the pair score the facilitator sets (0 … 10): key -> label.
WEIGHTS = {
    "offer_need": lazy_gettext("What one offers and the other needs"),
    "topics": lazy_gettext("Shared topics"),
    "bridging": lazy_gettext("Bridging different kinds of organisation"),
    "distance": lazy_gettext("Distance penalty (different towns)"),
}
DEFAULT_WEIGHTS = {key: round(value) for key, value in scoring.DEFAULT_WEIGHTS.items()}
#: What happens with an odd pool.
ODD_CHOICES = (("sit_out", lazy_gettext("One group sits out (not the one that sat out last time)")),
               ("triplet", lazy_gettext("One group of three")))
#: Separators of the two names in a line of earlier pairs.
PAIR_SEPARATORS = (";", "⇄", "+", "|")

FIELDS: tuple[Field, ...] = (
    Field(name="topics", label=lazy_gettext("Topics the groups choose from (one per line)"),
          kind="lines", default=DEFAULT_TOPICS, max_length=60, max_items=30, required=True),
    *(Field(name=f"weight_{key}", label=label, kind="int", default=DEFAULT_WEIGHTS[key], min=0,
            max=10) for key, label in WEIGHTS.items()),
    Field(name="language_required", label=lazy_gettext("Twins must share a language"),
          kind="bool", default=True),
    Field(name="forbid_same_organisation",
          label=lazy_gettext("No pairs from the same parent organisation"), kind="bool",
          default=True),
    Field(name="odd", label=lazy_gettext("With an odd number of groups"), kind="choice",
          default="sit_out", choices=ODD_CHOICES),
    Field(name="earlier_pairs",
          label=lazy_gettext("Pairs of earlier rounds (one per line: group; group)"),
          kind="lines", default=(), max_length=210, max_items=500,
          help=lazy_gettext("Pairs twinned in earlier sessions on this server are found by themselves.")),
    Field(name="sat_out_before", label=lazy_gettext("Groups that sat out last time (one per line)"),
          kind="lines", default=(), max_length=100, max_items=50),
    Field(name="groups_csv", label=lazy_gettext("Groups from a CSV file (optional)"), kind="file",
          accept=".csv,text/csv",
          help=lazy_gettext("Download the template from the session page; bad rows are shown "
                            "before anything is imported.")),
)


def split_pair(line: str) -> tuple[str, str] | None:
    """The two group names of a line ``A; B`` (or ``A ⇄ B``), or ``None``."""
    for separator in PAIR_SEPARATORS:
        if separator in line:
            first, _sep, second = line.partition(separator)
            first, second = " ".join(first.split()), " ".join(second.split())
            if first and second and normalise_name(first) != normalise_name(second):
                return first, second
    return None


def validate(config: dict) -> dict:
    """Check the topics (no repeats) and the earlier pairs (two names per line).

    :raises ConfigError: naming the offending field.
    """
    errors: dict[str, str] = {}
    topics: list[str] = []
    for topic in config.get("topics") or []:
        topic = " ".join(topic.split())
        if normalise_name(topic) in {normalise_name(t) for t in topics}:
            errors["topics"] = _("“%(topic)s” appears twice.", topic=topic)
        elif topic:
            topics.append(topic)
    if not topics:
        errors["topics"] = _("Give at least one topic.")
    pairs = []
    for number, line in enumerate(config.get("earlier_pairs") or [], start=1):
        pair = split_pair(line)
        if pair is None:
            errors["earlier_pairs"] = _("Line %(number)d: give two different groups, separated "
                                        "by a semicolon.", number=number)
            break
        pairs.append(list(pair))
    csv_text = config.get("groups_csv") or ""
    if csv_text:
        try:
            csvimport.parse(csv_text, topics, {})
        except Exception as refused:  # noqa: BLE001 (an ActionError: its message is the reason)
            errors["groups_csv"] = getattr(refused, "message", str(refused))
    if errors:
        raise ConfigError(errors)
    return {**config, "topics": topics, "earlier_pairs": pairs,
            "sat_out_before": [" ".join(n.split()) for n in config.get("sat_out_before") or []]}


#: The default topics, translated for the demo (the same texts as :data:`DEFAULT_TOPICS`).
DEMO_TOPICS = (lazy_gettext("Education"), lazy_gettext("Work and training"), lazy_gettext("Language"),
               lazy_gettext("Culture"), lazy_gettext("Sports"), lazy_gettext("Health"),
               lazy_gettext("Youth"), lazy_gettext("Women"), lazy_gettext("Housing"),
               lazy_gettext("Participation"))


def demo() -> dict:
    """Form values for ``serve --demo``: a district's twinning, four groups waiting in a CSV."""
    topics = [str(t) for t in DEMO_TOPICS]
    education, work, language, sports, youth = topics[0], topics[1], topics[2], topics[4], topics[6]
    rows = [
        [_("Job centre North"), "employment", "", _("Newtown"), work, "",
         _("Job application training"), _("Contacts to families"), _("German"), "Frau Roth"],
        [_("German-Arabic Association"), "mso", "", _("Newtown"), f"{education}, {language}", "",
         _("German conversation groups"), _("Rooms for meetings"), f"{_('German')}, {_('Arabic')}",
         "Herr Haddad"],
        [_("Sports club Blue-White"), "association", "", _("Oldvillage"), f"{sports}, {youth}", "",
         _("Sports for young people"), _("Contacts to families"), f"{_('German')}, {_('Turkish')}",
         "Frau Yilmaz"],
        [_("Adult education centre"), "education", _("District"), _("Newtown"),
         f"{education}, {language}", "", _("Rooms for meetings"), _("Contacts to families"),
         f"{_('German')}, {_('English')}", "Herr Klein"],
    ]
    header = ";".join(str(label) for _key, label, _de in csvimport.COLUMNS)
    lines = [header] + [";".join([*row, ""]) for row in rows]
    return {"title": _("Twinning in the district"), "topics": "\n".join(topics),
            "groups_csv": "\n".join(lines) + "\n"}
