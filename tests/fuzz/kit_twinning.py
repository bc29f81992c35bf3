"""The twinning in the fuzz room: its forms, setups, codes, invariants and a room that holds runs.

Imported by ``test_fuzz_twinning.py``. Registers the twinning with the shared tables
(:data:`forms.FORMS`, :data:`forms.SETUPS`, :data:`strategies.CODES`,
:data:`invariants.CHECKS`) so that :class:`kit.Room` and :func:`invariants.check_workshop`
handle its sessions like the bundled ones.

:class:`TwinRoom` keeps the engine's computations (``ctx.compute``, the matching) waiting
until :meth:`TwinRoom.settle` starts them in the real worker thread
(:func:`facilitator.workers.run_off_lock`) and waits, bounded, until the result is
delivered: the inputs in between meet the session in ``matching``, and no result
lands in the middle of an input (the harness compares the store before and after).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

from facilitator_plugins.twinning import matching, planning, runner
from facilitator_plugins.twinning.method import TwinningMethod
from forms import FORMS, SETUPS
from invariants import CHECKS
from kit import CALL_SECONDS, Room, check_ack, codes_for
from strategies import CODES, PROTOCOL, _refusal_codes, _titled_section

from facilitator.workers import run_off_lock

SLUG = "twinning"
ACTIONS = sorted(TwinningMethod.actions)
HEADER = ("Group name;Type of organisation;Parent organisation;Town;Topics;Other topics;"
          "What the group offers;What the group needs;Languages;Contact person;Not to be paired with")
CSV_ROWS = (
    HEADER,
    "Jobcenter Nord;employment;;Neustadt;Work;;Bewerbungstraining;Kontakte zu Familien;Deutsch;Frau Roth;",
    "Verein Brücke;mso;Caritas;Neustadt;Education, Language;;Sprachcafé;Räume;Deutsch, Arabisch;Herr H;",
    "SV Blau-Weiß;association;;Altdorf;Sports;;Sport für Jugendliche;Kontakte zu Familien;Deutsch;Frau Y;",
    ("VHS;education;Caritas;Neustadt;Education;;Räume;Sport für Jugendliche;Deutsch, Englisch;Herr K;"
     "SV Blau-Weiß"),
    "Kaputt;nope;;;;;;;;;",
)
CSV_GOOD = "\n".join(CSV_ROWS) + "\n"

#: Variant 1 is a pool whose optimum has a blocking pair and a stable alternative (A and C
#: share three topics but the optimum twins them with B and D).
BLOCKING = {"A": [1, 2, 5, 6, 7], "B": [1, 2], "C": [3, 4, 5, 6, 7], "D": [3, 4]}
FORMS[SLUG] = [
    {"topics": "Work\nEducation\nLanguage\nSports", "groups_csv": CSV_GOOD},
    {"topics": "\n".join(f"T{i}" for i in range(1, 8)), "weight_offer_need": "0",
     "weight_bridging": "0", "weight_distance": "0", "weight_topics": "1"},
    {"topics": "Work\nEducation\nSports", "odd": "triplet", "forbid_same_organisation": "",
     "earlier_pairs": "Jobcenter Nord; Verein Brücke", "sat_out_before": "SV Blau-Weiß",
     "groups_csv": CSV_GOOD},
]


def _profile(name: str, org_type: str, topics: list[str], languages: str = "Deutsch",
             **extra: Any) -> dict:
    return {"name": name, "org_type": org_type, "town": "Neustadt", "topics": topics,
            "offers": f"Angebot von {name}", "needs": "Räume, Kontakte", "languages": languages,
            "contact": f"Kontakt {name}", **extra}


#: Busy sessions: imported, registered on phones, matched (the run waits for ``settle``);
#: variant 2 is then published, confirmed by all and in planning (see :meth:`TwinRoom.activate`).
SETUPS[SLUG] = {
    0: [("facilitator", "confirm_import", {}),
        (0, "register", _profile("Phone Eins", "welfare", ["Work"])),
        (1, "register", _profile("Phone Zwei", "mso", ["Education"], "Deutsch, Türkisch")),
        ("facilitator", "run_matching", {})],
    1: [*((i, "register", _profile(name, "mso", [f"T{n}" for n in numbers]))
          for i, (name, numbers) in enumerate(BLOCKING.items())),
        ("facilitator", "run_matching", {})],
    2: [("facilitator", "confirm_import", {}),
        (2, "register", _profile("Telefon", "district", ["Sports"])),
        ("facilitator", "run_matching", {})],
}
CODES[SLUG] = _refusal_codes(_titled_section(PROTOCOL.read_text(encoding="utf-8"), SLUG))


# -- payload values resolved against the state ---------------------------------------
@dataclass(frozen=True)
class Rel:
    """A date ``days`` after the payload's ``start`` (or after 2026-04-01 when that is no date)."""

    days: int


@dataclass(frozen=True)
class RelList:
    """Dates after the start, joined by ``sep`` (``None``: as a list)."""

    days: tuple[int, ...]
    sep: str | None


def _start(payload: dict) -> dt.date:
    try:
        return dt.date.fromisoformat(payload.get("start"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return dt.date(2026, 4, 1)


def _after(start: dt.date, days: Any) -> Any:
    """``start`` plus ``days`` as ISO; ``days`` itself when that is no day in range."""
    try:
        return (start + dt.timedelta(days=days)).isoformat()
    except (OverflowError, TypeError):
        return days


def expand(payload: Any, state: dict) -> Any:
    """Dates relative to the start, and the per-group keys of a plan (``@meet``: days after
    the start, ``@who``: a name) and of a profile (``@tick``: topics to tick, ``@exclude``:
    group indexes), for every group of the pool."""
    if not isinstance(payload, dict):
        return payload
    start = _start(payload)
    out: dict = {}
    for key, value in payload.items():
        if isinstance(value, Rel):
            value = _after(start, value.days)
        elif isinstance(value, RelList):
            days = [str(_after(start, d)) for d in value.days]
            value = days if value.sep is None else value.sep.join(days)
        out[key] = value
    groups = list(state.get("groups", {}))
    if "@meet" in out:
        days = out.pop("@meet")
        for gid in groups:
            out[f"meeting:{gid}"] = _after(start, days) if type(days) is int else days
    if "@who" in out:
        who = out.pop("@who")
        for gid in groups:
            out[f"responsible:{gid}"] = who
    if "@tick" in out:
        ticks = out.pop("@tick")
        topics = state.get("topics", [])
        for index in ticks if isinstance(ticks, list | tuple) else ():
            if topics and isinstance(index, int):
                out[f"topic:{topics[index % len(topics)]}"] = True
    if "@exclude" in out:
        picks = out.pop("@exclude")
        for index in picks if isinstance(picks, list | tuple) else ():
            if groups and isinstance(index, int):
                out[f"exclude:{groups[index % len(groups)]}"] = True
    return out


class TwinRoom(Room):
    """:class:`kit.Room` knowing the twinning's ids, holding computations until :meth:`settle`."""

    held: list

    @classmethod
    def open(cls, app, core, sio) -> TwinRoom:
        room = super().open(app, core, sio)
        room.held = []
        core.engine.run_off = room.hold
        return room

    def hold(self, function, args: tuple, done) -> None:
        """The engine's ``run_off``: keep the computation until :meth:`settle`."""
        self.held.append((function, args, done))

    def settle(self) -> int:
        """Run every held computation in a worker thread and wait until each result is
        delivered (bounded by :data:`kit.CALL_SECONDS` each); returns how many ran."""
        count = 0
        while self.held:
            function, args, done = self.held.pop(0)
            delivered = threading.Event()

            def finish(result, error, done=done, delivered=delivered):
                try:
                    done(result, error)
                finally:
                    delivered.set()

            run_off_lock(function, args, finish)
            assert delivered.wait(CALL_SECONDS), f"a computation took longer than {CALL_SECONDS} s"
            count += 1
        assert not self.core.store.all("jobs"), "a delivered computation left its job behind"
        self.errors.check()
        self.drain()
        return count

    def activate(self, slug: str, fresh: bool = False, variant: int = 0, busy: bool = False) -> dict:
        """As :meth:`kit.Room.activate`; a busy variant 2 goes on to planning, every pair
        confirmed (by the facilitator, for each group)."""
        session = super().activate(slug, fresh, variant, busy)
        if slug != SLUG or not busy or variant % len(FORMS[SLUG]) != 2:
            return session
        self.settle()
        groups = self.core.workshops.session(self.workshop["id"], session["id"])["state"]["order"]
        steps = [("publish", {}), *(("respond", {"response": "confirm", "group": g}) for g in groups),
                 ("start_planning", {})]
        for number, (action, payload) in enumerate(steps):
            envelope = {"session_id": session["id"], "action": action, "payload": payload,
                        "action_id": f"setup-{session['id']}-{number}"}
            check_ack(self.send(self.fac, "action", envelope), codes_for(SLUG))
        self.drain()
        return self.core.workshops.session(self.workshop["id"], session["id"])

    def twin_state(self) -> dict:
        """The active session's state if it is a twinning, else ``{}``."""
        state = self.active_state()
        return state if "groups" in state and "pairs" in state else {}

    def known(self, kind: str) -> list[str]:
        state = self.twin_state()
        if kind == "group":
            return list(state.get("groups", {}))
        if kind == "topic":
            return list(state.get("topics", []))
        if kind == "pair":
            return [p["key"] for p in state.get("pairs", [])]
        if kind in ("draft_a", "draft_b"):
            pairs = ((state.get("draft") or {}).get("pairs") or []) or \
                [p["members"] for p in state.get("pairs", [])]
            return [p[0 if kind == "draft_a" else -1] for p in pairs]
        return super().known(kind)

    def resolve(self, value: Any) -> Any:
        return expand(super().resolve(value), self.twin_state())


# -- invariants -----------------------------------------------------------------------
def check_twinning(state: dict, present: set[str]) -> None:
    """No group in two pairs; published pairs keep the hard rules of their run; locks are kept
    in the draft; every plan belongs to a confirmed pair and presents within six months."""
    groups = state["groups"]
    assert state["order"] == [g for g in state["order"] if g in groups] and set(state["order"]) == set(groups)
    assert len(state["order"]) == len(set(state["order"])), state["order"]
    assert state["phase"] in ("registration", "matching", "review", "publish", "planning", "done")
    assert state["running"] == (state["phase"] == "matching"), (state["phase"], state["running"])
    for gid, group in groups.items():
        assert gid not in group["excludes"] and set(group["excludes"]) <= set(groups), group
    for lock in state["locks"]:
        assert len(lock) == 2 and lock[0] != lock[1] and set(lock) <= set(groups), lock
        assert lock not in state["forbidden"] and lock[::-1] not in state["forbidden"], \
            f"a pair both locked and forbidden: {lock}"
    locked = [g for lock in state["locks"] for g in lock]
    assert len(locked) == len(set(locked)), f"a group in two locks: {state['locks']}"
    draft = state["draft"]
    if draft is not None:
        members = [g for pair in draft["pairs"] for g in pair]
        assert len(members) == len(set(members)), f"a group in two draft pairs: {draft['pairs']}"
        assert set(members) <= set(groups), "a draft pair of a group no longer in the pool"
    if draft is not None and state["phase"] == "review" and not state["notice"]:
        rules = runner.engine_rules(state["run_rules"])  # the draft is this run's result
        for lock in state["run_rules"]["locks"]:
            assert any(set(lock) <= set(p) for p in draft["pairs"]), f"the lock {lock} was not kept"
        for pair in draft["pairs"]:
            assert 2 <= len(pair) <= 3, pair
            for i, a in enumerate(pair):
                for b in pair[i + 1:]:
                    broken = matching.hard_rule(groups[a], groups[b], rules)
                    assert broken is None, f"the draft pairs {a}+{b}, breaking {broken}"
    published = [g for pair in state["pairs"] for g in pair["members"]]
    assert len(published) == len(set(published)), f"a group in two published pairs: {state['pairs']}"
    assert set(published) <= set(groups)
    if state["pairs"]:  # published: never back to registration
        assert state["phase"] in ("publish", "planning", "done", "matching", "review"), state["phase"]
    for pair in state["pairs"]:
        assert pair["key"] == "+".join(sorted(pair["members"])), pair
        assert set(pair["answers"]) == set(pair["members"]), pair
        assert set(pair["answers"].values()) <= {"pending", "confirmed"}, pair
        confirmed = all(a == "confirmed" for a in pair["answers"].values())
        assert (pair["agreement"] is not None) == confirmed, f"ledger entry vs answers: {pair}"
        members = pair["members"]
        forbidden = [p for p in state["forbidden"] if set(p) <= set(members)]
        assert not (pair["agreement"] is None and forbidden and state["phase"] in ("publish", "planning")), \
            f"a published pair is forbidden: {pair}"
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                assert b not in groups[a]["excludes"] and a not in groups[b]["excludes"], \
                    f"a published pair one of them excluded: {pair}"
    keys = {p["key"]: p for p in state["pairs"]}
    for key, plan in state["plans"].items():
        assert key in keys and keys[key]["agreement"] is not None, f"a plan of no confirmed pair: {key}"
        latest = planning.latest_presentation(plan["start"])
        assert plan["start"] <= plan["presentation"] <= latest, f"presentation out of range: {plan}"
        for day in [*plan["meetings"].values(), *plan["working"]]:
            assert plan["start"] <= day <= plan["presentation"], plan
        assert set(plan["meetings"]) == set(keys[key]["members"]) == set(plan["responsible"]), plan


CHECKS[SLUG] = check_twinning
