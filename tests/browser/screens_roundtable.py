"""The round table's scenes for the screen tests (see screens_scenes.py for the others).

Each is built as a facilitator and the phones would: the session through the
"new session" form (its agenda as the form's rows, ``items[title]`` …), then
the Socket.IO actions of docs/protocol.md ("Round table"). The people and their
organisations are screens_scenes.PEOPLE (the long German names).

* ``roundtable-floor``: Friederike von Hohenstein-Wallenberg has the floor,
  five hands of all four kinds wait (one more than the wall lists), two
  contributions already made (speaking-time statistics);
* ``roundtable-over``: the speaker has run over a one-second limit (the
  server's timer says so, nobody clicks);
* ``roundtable-consent``: a consent check per institution, open, with an
  objection and its reason and one change of mind; Elif has not answered;
* ``roundtable-review``: a first round table (autumn) recorded three
  agreements; the second (spring) reviews them: one done, one postponed.
"""

from __future__ import annotations

import time

from screens_scenes import AMIRA, BERND, CHIARA, DMITRI, ELIF, FRIEDERIKE, PEOPLE
from screens_world import Workshop, World

RT_TITLE = "Runder Tisch Integration und Teilhabe: Frühjahrssitzung"
RT_ITEMS = [  # title, minutes, presenter, format, fairness
    ("Sprachkurse: Wartelisten und Kinderbetreuung während der Integrationskurse", "20",
     "Volkshochschule Landkreis", "", "fair"),
    ("Blitzlicht aus den Einrichtungen", "15", "", "round_org", ""),
    ("Wohnraum für Familien mit Fluchterfahrung", "25", FRIEDERIKE, "", ""),
]
CHECK_TEXT = ("Volkshochschule und Jobcenter führen bis zum Sommer eine gemeinsame Warteliste "
              "für Integrationskurse mit Kinderbetreuung.")
OBJECTION = ("Das Jobcenter darf Daten der Wartenden erst weitergeben, wenn der "
             "Datenschutzbeauftragte zugestimmt hat.")
EARLIER = [  # what, who (person), who (organisation), due
    ("Mehrsprachige Übersicht aller Beratungsstellen im Landkreis veröffentlichen",
     AMIRA, PEOPLE[AMIRA][0], "2026-02-28"),
    ("Ehrenamtliche Sprachpatenschaften mit den Sportvereinen vermitteln",
     DMITRI, PEOPLE[DMITRI][0], "2026-03-15"),
    ("Gemeinsamen Antrag auf Fördermittel für Integrationslotsen stellen", "",
     PEOPLE[FRIEDERIKE][0], "2026-04-30"),
]
EARLIER_TITLE = "Runder Tisch Integration und Teilhabe: Herbstsitzung 2025"


def add_roundtable(world: World, workshop: Workshop, limit: int = 180,
                   consent_by: str = "institution", review_from: str = "none",
                   title: str = RT_TITLE) -> str:
    """Add the round table through its form (agenda as rows) and activate it; its id."""
    columns = ("title", "minutes", "presenter", "format", "fair")
    rows = {f"items[{name}]": [row[index] for row in RT_ITEMS] for index, name in enumerate(columns)}
    session = world.add_session(workshop, "roundtable", title=title, speaking_limit=str(limit),
                                consent_by=consent_by, review_from=review_from,
                                **rows)  # type: ignore[arg-type]
    workshop.fac("session.activate", {"session_id": session})
    return session


def join_all(world: World, workshop: Workshop, names=tuple(PEOPLE)) -> None:
    for name in names:
        world.join(workshop, name, *PEOPLE[name])


def rt_view(workshop: Workshop, ready) -> dict:
    """The round table's facilitator data once ``ready(data)`` holds."""
    return workshop.wait_view(lambda v: bool(v.get("data")) and ready(v["data"]))["data"]


def speak(workshop: Workshop, session: str, name: str, seconds: float) -> None:
    """``name`` raises a new contribution, gets the floor and speaks for ``seconds``."""
    workshop.act(session, "raise_hand", {"kind": "new"}, person=name)
    workshop.act(session, "next_speaker")
    time.sleep(seconds)
    workshop.act(session, "end_turn")


def floor(world: World) -> Workshop:
    """Friederike speaks; order, clarify, reply and two new contributions wait."""
    workshop = world.create_workshop("Runder Tisch Integration: Redeliste")
    join_all(world, workshop)
    session = add_roundtable(world, workshop)
    workshop.act(session, "go_to_item", {"item": "i1"})
    speak(workshop, session, BERND, 2.2)
    speak(workshop, session, CHIARA, 1.1)
    workshop.act(session, "raise_hand", {"kind": "new"}, person=FRIEDERIKE)
    workshop.act(session, "next_speaker")
    for name, kind in ((AMIRA, "new"), (BERND, "order"), (CHIARA, "clarify"),
                       (DMITRI, "reply"), (ELIF, "new")):
        workshop.act(session, "raise_hand", {"kind": kind}, person=name)
    rt_view(workshop, lambda d: len(d.get("queue", [])) == 5)
    return workshop


def over(world: World) -> Workshop:
    """Dmitri has spoken longer than the one-second limit; Amira waits to reply."""
    workshop = world.create_workshop("Runder Tisch Integration: Redezeit")
    join_all(world, workshop, (AMIRA, BERND, DMITRI, ELIF))
    session = add_roundtable(world, workshop, limit=1)
    workshop.act(session, "go_to_item", {"item": "i1"})
    workshop.act(session, "raise_hand", {"kind": "new"}, person=DMITRI)
    workshop.act(session, "next_speaker")
    workshop.act(session, "raise_hand", {"kind": "reply"}, person=AMIRA)
    rt_view(workshop, lambda d: (d.get("floor") or {}).get("over"))
    return workshop


def consent(world: World) -> Workshop:
    """An open consent check per institution: agree, can live with it, an objection."""
    workshop = world.create_workshop("Runder Tisch Integration: Konsens")
    join_all(world, workshop)
    session = add_roundtable(world, workshop)
    workshop.act(session, "go_to_item", {"item": "i1"})
    proposal = workshop.act(session, "propose", {"text": CHECK_TEXT}, person=AMIRA)
    check = workshop.act(session, "start_check", {"proposal": proposal["proposal"]})["check"]
    for name, answer in ((AMIRA, "agree"), (BERND, "live_with"), (DMITRI, "agree"),
                         (FRIEDERIKE, "agree"), (DMITRI, "live_with")):
        workshop.act(session, "answer", {"check": check, "answer": answer}, person=name)
    workshop.act(session, "answer", {"check": check, "answer": "object", "reason": OBJECTION},
                 person=CHIARA)
    rt_view(workshop, lambda d: (d.get("check") or {}).get("objections"))
    return workshop


def review(world: World) -> Workshop:
    """The spring round table reviews the autumn one's three agreements (two answered)."""
    first = world.create_workshop(EARLIER_TITLE, date="2025-11-12")
    join_all(world, first, (AMIRA, DMITRI, FRIEDERIKE))
    session = add_roundtable(world, first, title="Runder Tisch Integration: Herbst")
    first.act(session, "go_to_item", {"item": "i1"})
    for what, person, org, due in EARLIER:
        first.act(session, "record_agreement", {"what": what, "who_person": person,
                                                "who_org": org, "due": due})
    first.fac("session.close", {"session_id": session})
    workshop = world.create_workshop("Runder Tisch Integration: Rückblick")
    join_all(world, workshop)
    session = add_roundtable(world, workshop, review_from="choose")
    workshop.act(session, "review_pick", {"workshop": first.id})
    workshop.act(session, "go_to_item", {"item": "review"})
    entries = rt_view(workshop, lambda d: len(d.get("review", [])) == 3)["review"]
    workshop.act(session, "review_set", {"entry": entries[0]["id"], "outcome": "done",
                                         "note": "Liegt in sechs Sprachen im Rathaus aus."})
    workshop.act(session, "review_set", {"entry": entries[2]["id"], "outcome": "postponed",
                                         "due": "2026-09-30",
                                         "note": "Die Förderrichtlinie erscheint erst im Sommer."})
    rt_view(workshop, lambda d: sum(1 for e in d["review"] if e["outcome"]) == 2)
    return workshop


JOBS = {"roundtable-floor": floor, "roundtable-over": over, "roundtable-consent": consent,
        "roundtable-review": review}
