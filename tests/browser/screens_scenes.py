"""The scenes the screen tests photograph: one workshop per state, built through
the facilitator's forms and the Socket.IO protocol (see screens_world.py).

The workshops are German (the language of the round table the issue ran, and the
longest words); every participant joins with German as their language.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from screens_world import Workshop, World

# -- the scenes -------------------------------------------------------------------

LONG_TITLE = ("Runder Tisch Integration und Teilhabe im Landkreis: Sprachförderung, "
              "Arbeitsmarktintegration und Willkommenskultur 2026")  # 119 of 120 characters
PEOPLE = {  # name: (organisation, type of organisation)
    "Amira Haddad": ("Volkshochschule Landkreis", "education"),
    "Bernd Krause": ("Caritasverband für die Diözese", "welfare"),
    "Chiara Rossi": ("Jobcenter Landkreis", "employment"),
    "Dmitri Volkov": ("Sportverein Grün-Weiß 1923 e. V.", "association"),
    "Elif Aydın": ("Migrantenselbstorganisation Bunt e. V.", "mso"),
    "Friederike von Hohenstein-Wallenberg": ("Stadtverwaltung, Sachgebiet Integration",
                                             "municipality"),
}
AMIRA, BERND, CHIARA, DMITRI, ELIF, FRIEDERIKE = PEOPLE
DV_TITLE = "Prioritäten für das Integrationskonzept"
DV_QUESTION = "Welches Handlungsfeld gehen wir im nächsten Jahr zuerst an?"
PREPARED = ["Sprache und Bildung", "Arbeit und Ausbildung", "Gesundheit", "Wohnen"]
IDEAS = {AMIRA: "Mobilität für alle im ländlichen Raum", BERND: "Kinderbetreuungsplätze",
         CHIARA: "Digitale Beratung in mehreren Sprachen",
         DMITRI: "Ausbildungsplatzvermittlung für Geflüchtete", ELIF: "Ehrenamtliche Patenschaften"}
#: Dots per person: Mobilität 4, Wohnen 3 and Kinderbetreuung 3 (tie), ... (Amira keeps one dot).
VOTES = {
    AMIRA: {IDEAS[AMIRA]: 2},
    BERND: {IDEAS[AMIRA]: 1, "Wohnen": 2},
    CHIARA: {IDEAS[BERND]: 2, "Sprache und Bildung": 1},
    DMITRI: {"Wohnen": 1, IDEAS[BERND]: 1, IDEAS[AMIRA]: 1},
    ELIF: {IDEAS[CHIARA]: 2, "Gesundheit": 1},
}
OWNERS = {IDEAS[AMIRA]: ("Dana Oberländer", "Stadtwerke Landkreis"),
          "Wohnen": ("", "Kreiswohnungsbaugesellschaft")}
FB_TITLE = "Fishbowl: Ankommen im Quartier"
FB_TOPIC = "Was hilft neu Zugezogenen, sich in unserem Stadtteil zu Hause zu fühlen?"
FB_QUESTION = "Wie finden Neuankommende einen Sportverein, der sie willkommen heißt?"
PANEL = {"Petra Neumann": ("Landratsamt", "district"),
         "Yusuf Demir": ("Migrantenverein Bunt", "mso")}
DV_PHASES = ("collect", "vote", "revealed", "assign")


def add_dotvoting(world: World, workshop: Workshop) -> str:
    return world.add_session(workshop, "dotvoting", title=DV_TITLE, question=DV_QUESTION,
                             options="\n".join(PREPARED))


def run_dotvoting(world: World, workshop: Workshop, phase: str) -> str:
    """Add the dot voting session, activate it and take it to ``phase``; returns its id."""
    session = add_dotvoting(world, workshop)
    workshop.fac("session.activate", {"session_id": session})
    for name, idea in IDEAS.items():
        workshop.act(session, "add_option", {"text": idea}, person=name)
    view = workshop.wait_view(lambda v: len((v.get("data") or {}).get("options", [])) == 9)
    ids = {option["text"]: option["id"] for option in view["data"]["options"]}
    if phase == "collect":
        return session
    workshop.act(session, "start_voting")
    for name, dots in VOTES.items():
        if phase == "vote" and name == ELIF:
            continue  # has not voted yet: "4 of 5"
        for text, count in dots.items():
            workshop.act(session, "set_dots", {"option": ids[text], "count": count}, person=name)
    if phase == "vote":
        return session
    workshop.act(session, "close_voting")
    workshop.act(session, "reveal")
    if phase == "assign":
        for text, (person, org) in OWNERS.items():
            workshop.act(session, "assign", {"option": ids[text], "who_person": person,
                                             "who_org": org, "due": "2026-06-30"})
    return session


def run_fishbowl(world: World, workshop: Workshop) -> str:
    """A running open fishbowl: the circle full (2 guests, 4 phones), 2 queued, a question shown."""
    session = world.add_session(workshop, "fishbowl", title=FB_TITLE, topic=FB_TOPIC,
                                chairs="6", open_chairs="1", mode="open")
    workshop.fac("session.activate", {"session_id": session})
    for name, (org, kind) in PANEL.items():
        workshop.act(session, "add_guest", {"name": name, "organisation": org,
                                            "org_type": kind, "seat": True})
    workshop.act(session, "start")
    for name in (AMIRA, BERND, FRIEDERIKE, DMITRI, CHIARA, ELIF):
        workshop.act(session, "request_chair", person=name)
    question = workshop.act(session, "post_question", {"text": FB_QUESTION}, person=ELIF)
    for name in (AMIRA, BERND, CHIARA):
        workshop.act(session, "upvote_question", {"question": question["question"]}, person=name)
    workshop.act(session, "show_question", {"question": question["question"]})
    workshop.act(session, "mark_statement", {
        "text": "Der erste Kontakt muss persönlich sein, dann bleiben die Leute."})
    workshop.wait_view(lambda v: (v.get("data") or {}).get("shown_question"))
    return session


def lobby(world: World) -> Workshop:
    """The long title; three people joined; both methods waiting in the agenda."""
    workshop = world.create_workshop(LONG_TITLE)
    for name in (AMIRA, BERND, CHIARA):
        world.join(workshop, name, *PEOPLE[name])
    add_dotvoting(world, workshop)
    world.add_session(workshop, "fishbowl", title=FB_TITLE, topic=FB_TOPIC)
    return workshop


def dotvoting(world: World, phase: str) -> Workshop:
    """Five people; the dot voting session active in ``phase``."""
    number = DV_PHASES.index(phase) + 1
    workshop = world.create_workshop(f"Runder Tisch Integration {number}: Punkte ({phase})")
    for name in (AMIRA, BERND, CHIARA, DMITRI, ELIF):
        world.join(workshop, name, *PEOPLE[name])
    run_dotvoting(world, workshop, phase)
    return workshop


def fishbowl(world: World) -> Workshop:
    """Six people; dot voting done (owners assigned) and closed; the fishbowl running."""
    workshop = world.create_workshop("Runder Tisch Integration: Fishbowl")
    for name, (organisation, org_type) in PEOPLE.items():
        world.join(workshop, name, organisation, org_type)
    done = run_dotvoting(world, workshop, "assign")
    workshop.fac("session.close", {"session_id": done})
    run_fishbowl(world, workshop)
    return workshop


def build(world: World, wanted: set[str] | None = None) -> dict[str, Workshop]:
    """The workshops the pages show (``wanted`` scenes, default all), by scene; built in
    parallel: they are independent."""
    import screens_archive  # they use this module's people
    import screens_roundtable
    import screens_twinning

    jobs = {"lobby": (lobby,), "fishbowl": (fishbowl,),
            **{f"dotvoting-{phase}": (dotvoting, phase) for phase in DV_PHASES},
            **{name: (job,) for module in (screens_roundtable, screens_twinning, screens_archive)
               for name, job in module.JOBS.items()}}
    if wanted is not None:
        jobs = {name: job for name, job in jobs.items() if name in wanted}
    if not jobs:
        return {}
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(job[0], world, *job[1:]) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}
