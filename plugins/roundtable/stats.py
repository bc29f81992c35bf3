"""Speaking statistics of a round table: contributions and speaking time.

Pure Python (no Flask). A turn is a dict with ``person``, ``item``, ``kind``,
``seconds`` and ``first`` (the person's first contribution at this round
table). People are described by a dict ``person -> {org_type, organisation}``.
Totals per person, per institution (organisation, or the person alone when
none is known) and per type of organisation, biggest share first.
"""

from __future__ import annotations

from collections.abc import Iterable

from facilitator_plugins.roundtable.speakers import institution_key


def format_duration(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss`` from an hour on)."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _add(table: dict[str, dict], key: str, turn: dict) -> None:
    row = table.setdefault(key, {"key": key, "turns": 0, "seconds": 0.0, "first_turns": 0, "people": set()})
    row["turns"] += 1
    row["seconds"] += turn["seconds"]
    row["first_turns"] += 1 if turn.get("first") else 0
    row["people"].add(turn["person"])


def _rows(table: dict[str, dict], total: float) -> list[dict]:
    rows = []
    for row in table.values():
        share = round(100 * row["seconds"] / total) if total else 0
        rows.append({**row, "people": len(row["people"]), "share": share,
                     "seconds": round(row["seconds"], 1)})
    return sorted(rows, key=lambda r: (-r["seconds"], r["key"]))


def totals(turns: Iterable[dict], people: dict[str, dict], by: str) -> list[dict]:
    """Rows ``{key, turns, seconds, first_turns, people, share}`` per ``by``.

    ``by`` is ``"person"`` (key: the person id), ``"institution"`` (key from
    :func:`.speakers.institution_key`) or ``"org_type"`` (the type's key).
    """
    turns = list(turns)
    table: dict[str, dict] = {}
    for turn in turns:
        info = people.get(turn["person"], {})
        if by == "person":
            key = turn["person"]
        elif by == "institution":
            key = institution_key(turn["person"], info.get("organisation", ""))
        else:
            key = info.get("org_type", "other") or "other"
        _add(table, key, turn)
    return _rows(table, sum(t["seconds"] for t in turns))


def spoken_on(turns: Iterable[dict], item: str) -> set[str]:
    """The people who have had a turn on ``item``."""
    return {t["person"] for t in turns if t["item"] == item}


def is_first(turns: Iterable[dict], person: str) -> bool:
    """Whether a new turn of ``person`` would be their first at this round table."""
    return all(t["person"] != person for t in turns)


def item_seconds(item: dict, now: float) -> float:
    """Time used on an item: its closed spans plus the running one."""
    running = now - item["started_at"] if item.get("started_at") is not None else 0.0
    return item["used"] + max(0.0, running)
