"""The archive's scene for the screen tests (see screens_scenes.py for the others).

``archive``: besides the demo workshops (and any other scene's), an autumn
round table (2025) whose agreements are overdue by now, one due next year,
and a network meeting that went out as a bundle, was deleted and came back
through the archive page's import form (marked *imported*). Everything goes
through the pages a facilitator uses: the forms (CSRF token read from the
page), the bundle download and the upload.

``Workshop.extra["delete"]`` is the autumn round table's id (its delete
confirmation is looked at, never submitted); ``extra["minutes"]`` the file URL of
its printable ``.html`` minutes as downloaded from the archive.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from screens import ARTIFACTS
from screens_roundtable import add_roundtable
from screens_scenes import AMIRA, DMITRI, ELIF, FRIEDERIKE, PEOPLE
from screens_world import TIMEOUT, Workshop, World

AUTUMN = "Runder Tisch Integration und Teilhabe: Herbstsitzung 2025 im Kreishaus"
IMPORTED = "Netzwerktreffen Migrantenselbstorganisationen und Kreiswohnungsbaugesellschaft"
AGREEMENTS = [  # what, who (person), who (organisation), due
    ("Mehrsprachige Übersicht aller Beratungsstellen im Landkreis veröffentlichen",
     AMIRA, PEOPLE[AMIRA][0], "2026-02-28"),
    ("Ehrenamtliche Sprachpatenschaften mit den Sportvereinen vermitteln",
     DMITRI, PEOPLE[DMITRI][0], "2026-03-15"),
    ("Gemeinsamen Antrag auf Fördermittel für Integrationslotsen stellen", "",
     PEOPLE[FRIEDERIKE][0], "2026-04-30"),
    ("Dolmetscherpool für Elterngespräche in Kitas und Schulen aufbauen",
     ELIF, PEOPLE[ELIF][0], "2027-03-31"),
]
HOUSING = (("Belegungsbindungen für Familien mit Fluchterfahrung mit der "
           "Kreiswohnungsbaugesellschaft abstimmen"), "", "Kreiswohnungsbaugesellschaft",
           "2026-05-31")


def csrf(world: World, path: str) -> str:
    """The CSRF token of the form on ``path``."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', world.get(path).text)
    assert found, f"{path} has no CSRF token"
    return found[1]


def held(world: World, title: str, date: str, agreements, names) -> Workshop:
    """A workshop whose round table recorded ``agreements`` and is closed."""
    workshop = world.create_workshop(title, date=date)
    for name in names:
        world.join(workshop, name, *PEOPLE[name])
    session = add_roundtable(world, workshop, title="Runder Tisch: Vereinbarungen")
    workshop.act(session, "go_to_item", {"item": "i1"})
    for what, person, org, due in agreements:
        workshop.act(session, "record_agreement", {"what": what, "who_person": person,
                                                   "who_org": org, "due": due})
    workshop.fac("session.close", {"session_id": session})
    return workshop


def archive(world: World) -> Workshop:
    """The autumn round table (overdue agreements) and an imported network meeting."""
    autumn = held(world, AUTUMN, "2025-11-12", AGREEMENTS, (AMIRA, DMITRI, ELIF, FRIEDERIKE))
    moved = held(world, IMPORTED, "2026-01-20", [HOUSING], (ELIF,))
    bundle = world.http.get(urljoin(world.base, f"/archive/w/{moved.id}/bundle"), timeout=TIMEOUT)
    assert bundle.ok, f"bundle: {bundle.status_code}"
    path = f"/archive/w/{moved.id}/delete"
    gone = world.http.post(urljoin(world.base, path), timeout=TIMEOUT,
                           data={"csrf_token": csrf(world, path), "confirm": "yes"})
    assert gone.ok, f"delete: {gone.status_code}\n{gone.text[:1500]}"
    back = world.http.post(urljoin(world.base, "/archive/import"), timeout=TIMEOUT,
                           data={"csrf_token": csrf(world, "/archive/")},
                           files={"bundle": ("netzwerktreffen.json", bundle.content,
                                             "application/json")})
    assert back.ok and IMPORTED in back.text, f"import: {back.status_code}\n{back.text[:1500]}"
    autumn.extra["delete"] = autumn.id
    minutes = world.http.get(urljoin(world.base, f"/archive/w/{autumn.id}/minutes.html"),
                             timeout=TIMEOUT)
    assert minutes.ok, f"minutes.html: {minutes.status_code}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    file = ARTIFACTS / "minutes-file.html"  # as downloaded, opened from the disk
    file.write_bytes(minutes.content)
    autumn.extra["minutes"] = file.as_uri()
    return autumn


JOBS = {"archive": archive}
