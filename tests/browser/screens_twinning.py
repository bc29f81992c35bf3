"""The twinning's scenes for the screen tests (see screens_scenes.py for the others).

Built as a facilitator and the phones would: the session through the "new
session" form (German topics), then the Socket.IO actions of docs/protocol.md
("Twinning"). The representatives are screens_scenes.PEOPLE; their groups have
long German names, two more come from a pasted CSV (with one bad row).

* ``twinning-registration``: four groups registered on phones, Elif not yet
  (her phone shows the form), a CSV waiting with two good rows and one error;
* ``twinning-review``: eight groups, matched (the Frauenverein speaks Arabic only:
  a blocking pair); one pair locked and re-run;
* ``twinning-publish``: the pairs published (locked as :data:`PAIRS`): one
  confirmed by both, one by one side (Dmitri has not answered), one declined;
* ``twinning-planning``: planning open; the first pair has recorded its plan,
  the second (Bernd and Dmitri) is confirmed without one.

``Workshop.extra`` holds ``session`` and ``pair`` (the first pair's key) for the
handout's path.
"""

from __future__ import annotations

from screens_scenes import AMIRA, BERND, CHIARA, DMITRI, ELIF, FRIEDERIKE, PEOPLE
from screens_world import Workshop, World

TW_TITLE = "Tandems: Vereine, Ämter und Migrantenorganisationen"
TOPICS = ["Bildung", "Arbeit und Ausbildung", "Sprache", "Kultur", "Sport", "Gesundheit",
          "Jugend", "Frauen", "Wohnen", "Teilhabe"]
#: Person: (group, type, town, topics, offers, needs, languages).
GROUPS = {
    AMIRA: ("Förderverein der Volkshochschule Landkreis", "education", "Kreisstadt",
            ["Bildung", "Sprache"], "Sprachcafés am Abend, Räume für Treffen",
            "Kontakte zu Familien mit Fluchterfahrung", "Deutsch, Arabisch"),
    BERND: ("Caritas-Migrationsberatung und Flüchtlingssozialarbeit", "welfare", "Kreisstadt",
            ["Gesundheit", "Wohnen"], "Rechtsberatung zum Aufenthalt",
            "Sportangebote für Jugendliche", "Deutsch, Russisch"),
    CHIARA: ("Jobcenter Landkreis, Team Arbeitsmarktintegration", "employment", "Kreisstadt",
             ["Arbeit und Ausbildung"], "Bewerbungstrainings, Kontakte zu Betrieben",
             "Kinderbetreuung während der Kurse", "Deutsch, Italienisch"),
    DMITRI: ("Sportverein Grün-Weiß 1923 e. V., Abteilung Kinderturnen", "association",
             "Dorfhausen", ["Sport", "Jugend"], "Sportangebote für Jugendliche",
             "Rechtsberatung zum Aufenthalt", "Deutsch, Russisch"),
    ELIF: ("Migrantenselbstorganisation Bunt e. V.", "mso", "Kreisstadt",
           ["Kultur", "Frauen", "Sprache"], "Kontakte zu Familien mit Fluchterfahrung",
           "Sprachcafés am Abend", "Deutsch, Türkisch, Arabisch"),
    FRIEDERIKE: ("Stadtverwaltung, Sachgebiet Integration und Teilhabe", "municipality",
                 "Kreisstadt", ["Teilhabe", "Wohnen"], "Räume im Rathaus",
                 "Wohnungsangebote für Familien", "Deutsch, Englisch"),
}
REGISTERED_FIRST = (AMIRA, BERND, CHIARA, DMITRI)  # Elif registers later
CSV_HEADER = ("Name der Gruppe;Art der Organisation;Träger;Ort;Themen;Weitere Themen;"
              "Was die Gruppe bietet;Was die Gruppe braucht;Sprachen;Ansprechperson;"
              "Nicht zusammen mit")
CSV_FRAUEN = "Deutsch-Arabischer Frauenverein Brückenschlag e. V."
CSV_WOHNEN = "Kreiswohnungsbaugesellschaft mbH, Quartiersmanagement"
CSV = "\n".join([
    CSV_HEADER,
    (f"{CSV_FRAUEN};mso;;Kreisstadt;Frauen, Sprache;;Kinderbetreuung während der Kurse;"
    "Bewerbungstrainings;Deutsch, Arabisch;Frau Haddad-Schneider;"),
    (f"{CSV_WOHNEN};association;;Kreisstadt;Wohnen;;Wohnungsangebote für Familien;"
    "Räume im Rathaus;Deutsch, Englisch;Herr Oberländer;"),
    "Gruppe ohne Ort;mso;;;Kultur;;Feste;Räume;Deutsch;Niemand;",
]) + "\n"
#: The pairs the published scenes lock (by representative or CSV group name).
PAIRS = [(AMIRA, ELIF), (BERND, DMITRI), (CHIARA, CSV_FRAUEN), (FRIEDERIKE, CSV_WOHNEN)]
PLAN = {"title": "Sprachcafé für Familien im Quartier",
        "goal": "Familien mit Fluchterfahrung lernen in einem wöchentlichen Sprachcafé Deutsch "
                "und die Angebote beider Vereine kennen.",
        "start": "2026-04-01", "working": "2026-05-06, 2026-06-10, 2026-07-08",
        "presentation": "2026-09-23"}


def tw_data(workshop: Workshop, ready) -> dict:
    """The twinning's facilitator data once ``ready(data)`` holds."""
    return workshop.wait_view(lambda v: bool(v.get("data")) and ready(v["data"]))["data"]


def register(workshop: Workshop, session: str, name: str) -> None:
    group, kind, town, topics, offers, needs, languages = GROUPS[name]
    workshop.act(session, "register", {
        "name": group, "org_type": kind, "organisation": "", "town": town, "topics": topics,
        "topics_other": "", "offers": offers, "needs": needs, "languages": languages,
        "contact": f"{name}, 0171 {len(group):04d}{len(name):03d}"}, person=name)


def start(world: World, title: str, names) -> tuple[Workshop, str]:
    """A workshop with the people ``names`` joined and the twinning active."""
    workshop = world.create_workshop(title)
    for name in PEOPLE:
        world.join(workshop, name, *PEOPLE[name])
    session = world.add_session(workshop, "twinning", title=TW_TITLE, topics="\n".join(TOPICS))
    workshop.fac("session.activate", {"session_id": session})
    for name in names:
        register(workshop, session, name)
    workshop.extra["session"] = session
    return workshop, session


def registration(world: World) -> Workshop:
    """Four groups on phones, a CSV with an error waiting to be confirmed."""
    workshop, session = start(world, "Tandems im Landkreis: Anmeldung", REGISTERED_FIRST)
    workshop.act(session, "import_csv", {"text": CSV})
    tw_data(workshop, lambda d: d.get("pending_import") and d["count"] == 4)
    return workshop


def matched(world: World, title: str, csv: str = CSV) -> tuple[Workshop, str, dict]:
    """All eight groups in the pool, matched: (workshop, session, group ids by name)."""
    workshop, session = start(world, title, GROUPS)
    workshop.act(session, "import_csv", {"text": csv})
    workshop.act(session, "confirm_import")
    data = tw_data(workshop, lambda d: d["count"] == 8)
    ids = {g["name"]: g["id"] for g in data["groups"]}
    workshop.act(session, "run_matching")
    tw_data(workshop, lambda d: d["phase"] == "review" and d.get("draft"))
    return workshop, session, ids


def group_id(ids: dict, who: str) -> str:
    return ids[GROUPS[who][0]] if who in GROUPS else ids[who]


#: The review's CSV: the Frauenverein speaks Arabic only, so it takes Amira's or Elif's group,
#: who would both rather be twinned with each other (a blocking pair).
REVIEW_CSV = CSV.replace("Bewerbungstrainings;Deutsch, Arabisch;", "Bewerbungstrainings;Arabisch;")


def review(world: World) -> Workshop:
    """The draft with reasons, alternatives and a blocking pair; one pair locked, re-run."""
    workshop, session, ids = matched(world, "Tandems im Landkreis: Entwurf", REVIEW_CSV)
    workshop.act(session, "lock", {"a": group_id(ids, FRIEDERIKE), "b": ids[CSV_WOHNEN]})
    workshop.act(session, "run_matching")
    tw_data(workshop, lambda d: d["phase"] == "review" and d.get("draft") and d["locks"]
            and any(p["locked"] for p in d["draft"]["pairs"]))
    return workshop


def published(world: World, title: str) -> tuple[Workshop, str, dict]:
    """:data:`PAIRS` locked, re-run and published; the answers as the module says."""
    workshop, session, ids = matched(world, title)
    for first, second in PAIRS:
        workshop.act(session, "lock", {"a": group_id(ids, first), "b": group_id(ids, second)})
    workshop.act(session, "run_matching")
    tw_data(workshop, lambda d: d["phase"] == "review" and len(d["locks"]) == 4
            and sum(1 for p in d["draft"]["pairs"] if p["locked"]) == 4)
    workshop.act(session, "publish")
    data = tw_data(workshop, lambda d: d["phase"] == "publish" and len(d["pairs"]) == 4)
    key = next(p["key"] for p in data["pairs"]
               if group_id(ids, AMIRA) in [m["id"] for m in p["members"]])
    workshop.extra["pair"] = key
    for name in (AMIRA, ELIF, BERND):
        workshop.act(session, "respond", {"response": "confirm"}, person=name)
    workshop.act(session, "respond", {"response": "confirm"}, person=CHIARA)
    workshop.act(session, "respond", {"response": "confirm", "group": ids[CSV_FRAUEN]})
    return workshop, session, ids


def publish(world: World) -> Workshop:
    """Published: one pair confirmed, Dmitri's answer missing, Friederike declined."""
    workshop, session, _ids = published(world, "Tandems im Landkreis: Veröffentlicht")
    workshop.act(session, "respond", {"response": "decline"}, person=FRIEDERIKE)
    tw_data(workshop, lambda d: d["declined"] and d["free"])
    return workshop


def planning(world: World) -> Workshop:
    """Planning: the first pair's plan recorded on Amira's phone; Bernd and Dmitri without one."""
    workshop, session, ids = published(world, "Tandems im Landkreis: Planung")
    workshop.act(session, "respond", {"response": "confirm"}, person=DMITRI)
    workshop.act(session, "start_planning")
    tw_data(workshop, lambda d: d["phase"] == "planning")
    amira, elif_ = group_id(ids, AMIRA), group_id(ids, ELIF)
    workshop.act(session, "plan", {
        **PLAN, f"meeting:{amira}": "2026-04-15", f"meeting:{elif_}": "2026-04-29",
        f"responsible:{amira}": "Amira Haddad", f"responsible:{elif_}": "Elif Aydın"},
        person=AMIRA)
    tw_data(workshop, lambda d: any(p["plan"] for p in d["pairs"]))
    return workshop


JOBS = {"twinning-registration": registration, "twinning-review": review,
        "twinning-publish": publish, "twinning-planning": planning}
