"""Every screen at every window size, as issue 9's "Done" asks.

One real server (``facilitator serve --demo``, tests/helpers/server.py) for the
module; screens_scenes.py builds one workshop per state through the
facilitator's forms and the Socket.IO protocol (docs/protocol.md): the lobby
(a 119-character title), dot voting collecting (9 ideas), voting, revealed
(with ties) and with owners assigned, and a running fishbowl (full circle,
two queued, a question on the projector). Browsers and workshops are German.

Each test is one page, looked at in 320x640 and 360x740 (phones, touch),
1280x800 (laptop) and 1024x768 and 1920x1080 (projectors); projector pages
in 1280x800, 1024x768 and 1920x1080. Checked on each (screens.py,
screens_probe.js), all problems collected before the test fails:

1. no horizontal scrolling (the outermost elements sticking out are named);
2. no word broken inside (a word's Range spans two lines although it would fit
   the width its layout could give it; URLs and codes longer than that may
   break), no box narrower than one character, no text cut off (ellipsis,
   clamp);
3. projector: every text of the question and results (``Screen.look.main``)
   at least 4 % of the window height, no other text larger than the largest
   of them, every text at least 2 %, nothing outside the window;
4. touch targets (buttons, button-like links, inputs, selects, summaries,
   checkbox labels) 44 px tall on phones; 24x24 px everywhere;
5. the response's ``Content-Security-Policy`` has ``default-src 'self'``, and no
   ``securitypolicyviolation`` event or CSP console message;
6. axe-core (vendor/axe-core) reports no WCAG 2.1 A/AA violation;
7. extras from the issue: the join button without scrolling on phones (long
   title), the dots-left counter still in view after scrolling, owners on
   the wall once assigned, the shown question on the phone.

Screenshots go to test-artifacts/browser/test_screens/<page>-<size>.png,
the problem list of every page to test-artifacts/browser/test_screens/problems.txt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import screens_scenes as scenes
from helpers.server import Server
from screens import ARTIFACTS, PROJECTORS, SIZES, Look, Screens, report
from screens_world import World

pytestmark = pytest.mark.browser

QUESTION = ".dv-projector > h1, .dv-projector > h2"  # the dot voting question on the wall
RANKING = ".dv-ranking li"


@dataclass(frozen=True)
class Screen:
    name: str
    audience: str  # "public" (phones, join), "projector" or "facilitator"
    scene: str | None  # the workshop (screens_scenes.build) the page belongs to
    path: str  # with {id} and {code} of that workshop
    look: Look
    person: str | None = None  # the participant whose phone this is


SCREENS = [
    Screen("landing", "public", None, "/", Look("main form")),
    Screen("join", "public", "lobby", "/j/{code}",
           Look("#join-form", in_view=("#join-form [type=submit]",))),
    Screen("participant-lobby", "public", "lobby", "/j/{code}", Look("#live .lobby"),
           scenes.AMIRA),
    Screen("participant-dotvoting-collect", "public", "dotvoting-collect", "/j/{code}",
           Look("#live .dv form[data-action=add_option]"), scenes.AMIRA),
    Screen("participant-dotvoting-vote", "public", "dotvoting-vote", "/j/{code}",
           Look("#live .dv-option", sticky=(".dv p.big",)), scenes.AMIRA),
    Screen("participant-dotvoting-revealed", "public", "dotvoting-revealed", "/j/{code}",
           Look("#live .dv-ranking"), scenes.AMIRA),
    Screen("participant-fishbowl-seated", "public", "fishbowl", "/j/{code}",
           Look("#live .fb-me"), scenes.AMIRA),
    Screen("participant-fishbowl-queued", "public", "fishbowl", "/j/{code}",
           Look("#live .fb-me", must_show=(scenes.FB_QUESTION,)), scenes.ELIF),
    Screen("projector-lobby", "projector", "lobby", "/p/{projector}",
           Look("#live .projector-title", main=(".projector-join .code",))),
    Screen("projector-dotvoting-collect", "projector", "dotvoting-collect", "/p/{projector}",
           Look("#live .dv-projector li.card", main=(QUESTION, ".dv-projector li.card"),
                not_main=(".badge",))),
    Screen("projector-dotvoting-vote", "projector", "dotvoting-vote", "/p/{projector}",
           Look("#live .dv-projector .huge", main=(QUESTION, ".dv-projector .huge"))),
    Screen("projector-dotvoting-revealed", "projector", "dotvoting-revealed", "/p/{projector}",
           Look(f"#live {RANKING}", main=(QUESTION, RANKING), not_main=(".badge",))),
    Screen("projector-dotvoting-assigned", "projector", "dotvoting-assign", "/p/{projector}",
           Look(f"#live {RANKING}", main=(QUESTION, RANKING), not_main=(".badge",),
                must_show=tuple(p for owner in scenes.OWNERS.values() for p in owner if p))),
    Screen("projector-fishbowl", "projector", "fishbowl", "/p/{projector}",
           Look("#live .fb-centre-question", main=(".fb-topic", ".fb-centre-question", ".fb-chair-name"))),
    Screen("facilitator-home", "facilitator", None, "/facilitator/", Look("main form")),
    Screen("dashboard-lobby", "facilitator", "lobby", "/facilitator/w/{id}", Look("#live .dash")),
    *(Screen(f"dashboard-dotvoting-{phase}", "facilitator", f"dotvoting-{phase}",
             "/facilitator/w/{id}", Look("#live .dash-session .dv"))
      for phase in scenes.DV_PHASES),
    Screen("dashboard-fishbowl", "facilitator", "fishbowl", "/facilitator/w/{id}",
           Look("#live .dash-session .fb")),
    Screen("session-form-dotvoting", "facilitator", "lobby",
           "/facilitator/w/{id}/sessions/new/dotvoting", Look("main form")),
    Screen("session-form-fishbowl", "facilitator", "lobby",
           "/facilitator/w/{id}/sessions/new/fishbowl", Look("main form")),
    Screen("workshop-form", "facilitator", "lobby", "/facilitator/w/{id}/edit", Look("main form")),
    Screen("handout", "facilitator", "lobby", "/facilitator/w/{id}/handout", Look("main img[src*='/qr/']")),
    Screen("minutes", "facilitator", "fishbowl", "/facilitator/w/{id}/minutes",
           Look("main .minutes")),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One server for the module, with every scene built: (world, scenes by name)."""
    server = Server(tmp_path_factory.mktemp("screens") / "data")
    try:
        server.start(timeout=20)
    except RuntimeError as error:
        pytest.fail(str(error))
    world = World(server.base, server.links["Facilitator"])
    try:
        yield world, scenes.build(world)
    finally:
        server.stop()  # first: then the clients' connections end at once
        world.close()


@pytest.fixture(scope="module")
def screens(browser, world):
    """The browser contexts (one per size and audience) all pages share."""
    look = Screens(browser, world[0].base, world[0].base + "/f/" + world[0].facilitator_token)
    yield look
    look.close()


@pytest.fixture(scope="module")
def problem_file():
    """test-artifacts/browser/test_screens/problems.txt, rewritten by each run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path: Path = ARTIFACTS / "problems.txt"
    path.write_text("", encoding="utf-8")
    return path


@pytest.mark.parametrize("screen", SCREENS, ids=[screen.name for screen in SCREENS])
def test_screen(screen: Screen, world, screens: Screens, problem_file: Path):
    """The page looks right at every size: see the module docstring for the checks."""
    _world, built = world
    path, cookie = screen.path, None
    if screen.scene:
        workshop = built[screen.scene]
        path = path.format(id=workshop.id, code=workshop.join_code,
                           projector=workshop.projector_path.removeprefix("/p/"))
        if screen.person:
            cookie = (f"fp_{workshop.id}", workshop.people[screen.person].token)
    sizes = PROJECTORS if screen.audience == "projector" else tuple(SIZES)
    problems = []
    for size in sizes:
        problems += screens.look(screen.name, size, screen.audience, path, screen.look, cookie)
    text = report(screen.name, problems)
    with problem_file.open("a", encoding="utf-8") as out:
        out.write(text + "\n\n")
    if problems:
        pytest.fail(text, pytrace=False)
