"""Every screen at every window size, as issue 9's "Done" asks.

One real server (``facilitator serve --demo``, tests/helpers/server.py) for the
module; screens_scenes.py builds one workshop per state through the
facilitator's forms and the Socket.IO protocol (docs/protocol.md): the lobby
(a 119-character title), dot voting collecting (9 ideas), voting, revealed
(with ties) and with owners assigned, a running fishbowl (full circle,
two queued, a question on the projector), and the round table
(screens_roundtable.py: a speaker with five hands of all four kinds waiting,
a speaker over time, an open consent check with an objection, the review of a
first round table's agreements), the twinning (screens_twinning.py: registration
with a CSV import report, the draft in review, published pairs with a decline,
planning; phones, dashboard, wall and handout) and the archive
(screens_archive.py: the list with an imported workshop, a delete confirmation,
the responsibilities with overdue ones, filtered; and the printable ``.html``
minutes as downloaded, opened from the disk: on screens, and in print media at
the text width of an A4 landscape page, where its responsibilities table is
printed; a file has no response headers, so no CSP header is asked of it).
Browsers and workshops are German.
``-k`` selects pages, and only their scenes are built (``-k roundtable``).

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
   the wall once assigned, the shown question on the phone;
8. no text painted outside its box (a long word sticking out of a button);
9. round table wall: the speaker and the timer larger than every other text.

Screenshots go to test-artifacts/browser/test_screens/<page>-<size>.png,
the problem list of every page to test-artifacts/browser/test_screens/problems.txt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import screens_archive as ar
import screens_roundtable as rt
import screens_scenes as scenes
import screens_twinning as tw
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
    sizes: tuple[str, ...] = ()  # instead of the audience's sizes


RT_WALL = (".rt-p-title", ".rt-p-box", ".rt-p-speaker", ".rt-p-timer", ".rt-p-queue li")
RT_LARGEST = (".rt-p-speaker", ".rt-p-timer")  # the back row reads who speaks and for how long
ROUNDTABLE = [
    Screen("participant-roundtable-waiting", "public", "roundtable-floor", "/j/{code}",
           Look("#live .rt-mine", must_show=("Sie sind Nummer 5.", rt.FRIEDERIKE)), rt.ELIF),
    Screen("participant-roundtable-speaking", "public", "roundtable-floor", "/j/{code}",
           Look("#live .rt-floor-name", must_show=("Ich bin fertig",)), rt.FRIEDERIKE),
    Screen("participant-roundtable-over", "public", "roundtable-over", "/j/{code}",
           Look("#live .rt-floor.rt-over", must_show=("Redezeit überschritten",)), rt.DMITRI),
    Screen("participant-roundtable-check", "public", "roundtable-consent", "/j/{code}",
           Look("#live .rt-check", must_show=(rt.CHECK_TEXT, "Zustimmung", "Kann damit leben",
                                              "Einwand")), rt.ELIF),
    Screen("participant-roundtable-answered", "public", "roundtable-consent", "/j/{code}",
           Look("#live .rt-check", must_show=(rt.OBJECTION,)), rt.CHIARA),
    Screen("participant-roundtable-review", "public", "roundtable-review", "/j/{code}",
           Look("#live .rt-review", must_show=tuple(e[0] for e in rt.EARLIER)), rt.AMIRA),
    Screen("projector-roundtable-floor", "projector", "roundtable-floor", "/p/{projector}",
           Look("#live .rt-p-speaker", main=RT_WALL, not_main=(".rt-kind", ".badge"),
                largest=RT_LARGEST, must_show=(rt.FRIEDERIKE, "und 1 weitere"))),
    Screen("projector-roundtable-over", "projector", "roundtable-over", "/p/{projector}",
           Look("#live .rt-p-floor.rt-over", main=RT_WALL, not_main=(".rt-kind", ".badge"),
                largest=RT_LARGEST, must_show=("Redezeit überschritten",))),
    Screen("projector-roundtable-consent", "projector", "roundtable-consent", "/p/{projector}",
           Look("#live .rt-tally", main=(".rt-p-title", ".rt-p-box", ".p-question", ".rt-tally-row"),
                not_main=(".badge",), must_show=(rt.OBJECTION,))),
    *(Screen(f"dashboard-{scene}", "facilitator", scene, "/facilitator/w/{id}",
             Look("#live .dash-session .rt-facilitator", must_show=shown))
      for scene, shown in (
          ("roundtable-floor", ("Redeliste", rt.FRIEDERIKE, "Redezeit")),
          ("roundtable-consent", (rt.OBJECTION, rt.CHECK_TEXT)),
          ("roundtable-review", (rt.EARLIER_TITLE, *(e[0] for e in rt.EARLIER))))),
]

TWINNING = [
    Screen("participant-twinning-register", "public", "twinning-registration", "/j/{code}",
           Look("#live form[data-action=register]", must_show=(tw.GROUPS[tw.AMIRA][0],)), tw.ELIF),
    Screen("participant-twinning-registered", "public", "twinning-registration", "/j/{code}",
           Look("#live .tw .note"), tw.AMIRA),
    Screen("participant-twinning-twin", "public", "twinning-publish", "/j/{code}",
           Look("#live .tw-twin [data-action=respond]", must_show=(tw.GROUPS[tw.BERND][0],)),
           tw.DMITRI),
    Screen("participant-twinning-plan", "public", "twinning-planning", "/j/{code}",
           Look("#live form.tw-plan", must_show=(tw.GROUPS[tw.BERND][0],)), tw.DMITRI),
    *(Screen(f"dashboard-{scene}", "facilitator", scene, "/facilitator/w/{id}",
             Look(f"#live .dash-session {ready}", must_show=shown))
      for scene, ready, shown in (
          ("twinning-registration", ".tw-import", (tw.CSV_WOHNEN, tw.GROUPS[tw.CHIARA][0])),
          ("twinning-review", ".tw-summary", (tw.GROUPS[tw.FRIEDERIKE][0],)),
          ("twinning-publish", ".tw-pairs", (tw.GROUPS[tw.DMITRI][0],)),
          ("twinning-planning", ".tw-pairs", (tw.PLAN["title"],)))),
    Screen("projector-twinning-registration", "projector", "twinning-registration",
           "/p/{projector}", Look("#live .tw-projector .p-rank-row",
                                  main=(".tw-projector .p-question", ".p-rank-row"))),
    Screen("projector-twinning-pairs", "projector", "twinning-publish", "/p/{projector}",
           Look("#live .tw-p-pair", main=(".tw-projector .p-question", ".tw-p-pair"),
                must_show=(tw.GROUPS[tw.ELIF][0],))),
    Screen("handout-twinning", "facilitator", "twinning-planning",
           "/plugins/twinning/handout/{id}/{session}/{pair}",
           Look("main .tw-why", must_show=(tw.PLAN["title"], tw.GROUPS[tw.ELIF][0]))),
]

ARCHIVE = [
    Screen("archive", "facilitator", "archive", "/archive/",
           Look("main .archive-list", must_show=(ar.AUTUMN, ar.IMPORTED))),
    Screen("archive-delete", "facilitator", "archive", "/archive/w/{delete}/delete",
           Look("main form [name=confirm]", must_show=(ar.AUTUMN,))),
    Screen("archive-responsibilities", "facilitator", "archive", "/archive/responsibilities",
           Look("main .resp-list .badge-overdue", must_show=(ar.HOUSING[0], ar.AGREEMENTS[3][0]))),
    Screen("archive-responsibilities-filtered", "facilitator", "archive",
           "/archive/responsibilities?org=kreis&status=open&overdue=1",
           Look("main .archive-filters [name=overdue]:checked",
                must_show=(ar.HOUSING[0], ar.AGREEMENTS[0][0]))),
    Screen("minutes-file-print", "public", "archive", "{minutes}",
           Look("main.minutes-doc .agreements-section", media="print", served=False,
                must_show=(ar.AGREEMENTS[1][0],)), sizes=("a4-landscape",)),
    Screen("minutes-file", "public", "archive", "{minutes}",
           Look("main.minutes-doc .agreements-section", served=False,
                must_show=(ar.AGREEMENTS[1][0],)), sizes=("320x640", "1280x800")),
]

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
    *ROUNDTABLE,
    *TWINNING,
    *ARCHIVE,
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
    Screen("session-form-roundtable", "facilitator", "lobby",
           "/facilitator/w/{id}/sessions/new/roundtable",
           Look("main form .rt-items-rows", must_show=("Zeitrahmen (Minuten)",))),
    Screen("workshop-form", "facilitator", "lobby", "/facilitator/w/{id}/edit", Look("main form")),
    Screen("handout", "facilitator", "lobby", "/facilitator/w/{id}/handout", Look("main img[src*='/qr/']")),
    Screen("minutes", "facilitator", "fishbowl", "/facilitator/w/{id}/minutes",
           Look("main .minutes")),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory, request):
    """One server for the module, with the scenes of the selected pages built (``-k``
    picks pages, e.g. ``-k roundtable``): (world, scenes by name)."""
    wanted = {item.callspec.params["screen"].scene for item in request.session.items
              if item.module is request.module and hasattr(item, "callspec")}
    server = Server(tmp_path_factory.mktemp("screens") / "data")
    try:
        server.start(timeout=20)
    except RuntimeError as error:
        pytest.fail(str(error))
    world = World(server.base, server.links["Facilitator"])
    try:
        yield world, scenes.build(world, wanted - {None})
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
                           projector=workshop.projector_path.removeprefix("/p/"), **workshop.extra)
        if screen.person:
            cookie = (f"fp_{workshop.id}", workshop.people[screen.person].token)
    sizes = screen.sizes or (PROJECTORS if screen.audience == "projector" else tuple(SIZES))
    problems = []
    for size in sizes:
        problems += screens.look(screen.name, size, screen.audience, path, screen.look, cookie)
    text = report(screen.name, problems)
    with problem_file.open("a", encoding="utf-8") as out:
        out.write(text + "\n\n")
    if problems:
        pytest.fail(text, pytrace=False)
