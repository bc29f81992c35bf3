"""Who sat in the circle and for how long: per person, per type of organisation.

Pure functions over the fishbowl state (see :mod:`.rules`); times are
discussion-clock seconds, so pauses never count.
"""

from __future__ import annotations

import math
from datetime import datetime

from facilitator_plugins.fishbowl.rules import is_panel, turn_seconds


def person_totals(state: dict, now: float) -> list[dict]:
    """One row per person who has had a turn, longest seated time first.

    Rows: ``person``, ``org_type``, ``panel``, ``turns``, ``seconds``,
    ``share`` (of everybody's seated time, 0-1).
    """
    rows: dict[str, dict] = {}
    for turn in state["turns"]:
        person = turn["person"]
        row = rows.setdefault(
            person,
            {
                "person": person,
                "org_type": state["people"].get(person, {}).get("org_type", "other"),
                "panel": is_panel(state, person),
                "turns": 0,
                "seconds": 0.0,
            },
        )
        row["turns"] += 1
        row["seconds"] += turn_seconds(state, turn, now)
    total = sum(row["seconds"] for row in rows.values())
    for row in rows.values():
        row["share"] = row["seconds"] / total if total else 0.0
    # dicts keep first-turn order, so equal times stay in order of appearance
    return sorted(rows.values(), key=lambda row: -row["seconds"])


def org_type_totals(person_rows: list[dict]) -> list[dict]:
    """Sum :func:`person_totals` rows by type of organisation, most time first.

    Rows: ``org_type``, ``people``, ``turns``, ``seconds``, ``share``.
    """
    groups: dict[str, dict] = {}
    for row in person_rows:
        group = groups.setdefault(
            row["org_type"],
            {"org_type": row["org_type"], "people": 0, "turns": 0, "seconds": 0.0, "share": 0.0},
        )
        group["people"] += 1
        group["turns"] += row["turns"]
        group["seconds"] += row["seconds"]
        group["share"] += row["share"]
    return sorted(groups.values(), key=lambda group: -group["seconds"])


def dominance(
    person_rows: list[dict],
    top_fraction: float = 0.2,
    threshold: float = 0.5,
    min_speakers: int = 3,
) -> dict:
    """Whether a few voices of the outer circle dominate.

    Looks at non-panel people only (a panel sits by design). The top
    ``top_fraction`` of them (at least one) dominate when they hold more than
    ``threshold`` of the outer circle's time; with fewer than ``min_speakers``
    people there is nothing to compare.

    :return: ``speakers``, ``top`` (how many are in the top group), ``share``
        (their share, 0-1) and ``dominant`` (bool).
    """
    audience = sorted((r for r in person_rows if not r["panel"]), key=lambda r: -r["seconds"])
    total = sum(r["seconds"] for r in audience)
    # the epsilon keeps float noise (15 * 0.2 = 3.0000000000000004) from adding one
    top = max(1, math.ceil(len(audience) * top_fraction - 1e-9)) if audience else 0
    share = sum(r["seconds"] for r in audience[:top]) / total if total else 0.0
    return {
        "speakers": len(audience),
        "top": top,
        "share": share,
        "dominant": len(audience) >= min_speakers and share > threshold,
    }


def format_duration(seconds: float) -> str:
    """``m:ss`` (minutes may exceed 59), e.g. ``12:05``."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def clock_time(timestamp: float) -> str:
    """``HH:MM`` of an epoch time in the server's local time zone (the room's clock)."""
    return datetime.fromtimestamp(timestamp).strftime("%H:%M")
