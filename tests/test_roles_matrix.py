"""Who may do what (docs/protocol.md §2-§7): every privileged event, method action and
facilitator or projector page, for a participant, the projector, a removed participant
(connection still open, the moment before the server hangs up), a forged credential and
none. Each is refused with the documented code (``forbidden``, ``removed``,
``unknown_participant``, ``auth_required``) or HTTP 403/404, the store unchanged. Secrets
are compared in constant time (checked in the source); no log record holds a secret.
"""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import pytest
from socketio import packet

from facilitator.app import create_app
from facilitator.ids import new_secret

SOURCES = Path(__file__).resolve().parents[1] / "facilitator"
FORGED = {"token": "F0rgedT0kenF0rgedT0kenF0rgedT0ke", "key": "F0rgedKeyF0rgedKeyF0rgedKeyF0rge"}
PRIVILEGED = ["session.activate", "session.close", "session.move", "session.delete",
              "participant.remove", "agreement.save", "agreement.status", "agreement.delete"]
#: A payload per action that a permitted sender could send: a refusal is about the role.
PAYLOADS = {"add_option": {"text": "Neu"}, "set_dots": {"option": "o1", "count": 1},
            "edit_option": {"option": "o1", "text": "Anders"}, "set_category": {"option": "o1"},
            "merge_options": {"option": "o1", "into": "o2"}, "remove_option": {"option": "o1"},
            "start_runoff": {"top_n": 2}, "assign": {"option": "o1", "who_org": "VHS"},
            "post_question": {"text": "Warum?"}, "upvote_question": {"question": "q1"},
            "add_guest": {"name": "Gast"}, "seat": {"person": "g1"}, "ask_to_leave": {"person": "g1"},
            "mark_statement": {"text": "Gut"}, "record_agreement": {"what": "X", "who_org": "Y"},
            "hide_question": {"question": "q1"}, "answer_question": {"question": "q1"},
            "show_question": {"question": "q1"}}


@pytest.fixture
def app(clock):
    """The usual test app (the real rate limits), with a long random secret key to look for
    in the logs."""
    app = create_app({"TESTING": True, "LIVE_SYNC": True, "CLOCK": clock, "SECRET_KEY": new_secret()})
    yield app
    app.extensions["facilitator"].store.close()


def snapshot(core) -> dict:
    return {t: core.store.all(t) for t in ("workshops", "sessions", "participants", "agreements",
                                          "receipts", "timers", "jobs", "settings")}


def csrf(client) -> str:
    """The CSRF token of this browser, read from a form of the start page (if there is one)."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True))
    return match.group(1) if match else ""


def log_everything(caplog) -> None:
    """Capture every logger at DEBUG."""
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    caplog.set_level(logging.DEBUG)


@pytest.fixture
def world(app, core, sio, workshop, caplog):
    """The workshop with both sessions, people, an agreement, and every identity connected."""
    log_everything(caplog)
    wid = workshop["id"]
    dv = core.workshops.add_session(wid, "dotvoting", {"question": "Q?", "options": "A\nB\nC"})
    fb = core.workshops.add_session(wid, "fishbowl", {"topic": "T", "panel": "Gast; Rat; welfare",
                                                      "questions_enabled": "on"})
    fac = sio("facilitator", workshop)
    ana, ben = (core.people.join(wid, {"name": n}) for n in ("Ana", "Ben"))
    world = {"app": app, "core": core, "workshop": workshop, "dv": dv, "fb": fb, "fac": fac,
             "ana": ana, "ben": ben, "caplog": caplog,
             "clients": {"participant": sio("participant", token=ana["token"]),
                         "projector": sio("projector", workshop),
                         "removed": sio("participant", token=ben["token"])}}
    fac.emit("session.activate", {"session_id": fb["id"]}, callback=True)
    fac.emit("action", {"session_id": fb["id"], "action": "post_question", "payload": {"text": "Wer?"},
                        "action_id": "q"}, callback=True)
    world["agreement"] = core.ledger.save(wid, {"what": "Flyer", "who_org": "VHS"})
    core.engine.remove_participant(wid, ben["id"])  # the server has not hung up yet
    yield world
    assert_no_secret_logged(app, caplog)


def assert_no_secret_logged(app, caplog, guesses=()) -> list[logging.LogRecord]:
    """No record of the test (setup and call) holds a token, a key, the secret key or one of
    the forged ``guesses``."""
    core = app.extensions["facilitator"]
    secrets = [*guesses, *(p["token"] for p in core.store.all("participants"))]
    secrets += [w["projector_key"] for w in core.store.all("workshops")]
    secrets += [app.config["FACILITATOR_TOKEN"], app.config["SECRET_KEY"], *FORGED.values()]
    records = [*caplog.get_records("setup"), *caplog.get_records("call")]
    for record in records:
        text = f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"log record of {record.name} contains a secret: {text[:300]}"
    return records


def event_data(world, event: str) -> dict:
    dv, agreement = world["dv"], world["agreement"]
    return {"session.activate": {"session_id": dv["id"]}, "session.close": {"session_id": dv["id"]},
            "session.move": {"session_id": dv["id"], "position": 1},
            "session.delete": {"session_id": dv["id"]},
            "participant.remove": {"participant_id": world["ana"]["id"]},
            "agreement.save": {"what": "Neu", "who_org": "Rat"},
            "agreement.status": {"id": agreement["id"], "status": "done"},
            "agreement.delete": {"id": agreement["id"]}}[event]


@pytest.mark.parametrize("identity", ["participant", "projector", "removed"])
def test_privileged_events_are_forbidden(world, identity):
    events = PRIVILEGED + (["language", "action"] if identity == "projector" else [])
    for event in events:
        data = {"language": "en"} if event == "language" else (
            {"session_id": world["fb"]["id"], "action": "start", "payload": {}, "action_id": "p"}
            if event == "action" else event_data(world, event))
        before = snapshot(world["core"])
        ack = world["clients"][identity].emit(event, data, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden", (event, ack)
        assert ack["error"]["message"]
        assert snapshot(world["core"]) == before, event


def method_actions(slug: str) -> list[tuple[str, tuple]]:
    from facilitator_plugins.dotvoting.method import DotVotingMethod
    from facilitator_plugins.fishbowl.method import FishbowlMethod

    cls = {"dotvoting": DotVotingMethod, "fishbowl": FishbowlMethod}[slug]
    return [(name, spec.roles) for name, spec in sorted(cls.actions.items())]


@pytest.mark.parametrize("identity", ["participant", "projector", "removed"])
@pytest.mark.parametrize("slug", ["dotvoting", "fishbowl"])
def test_method_actions_are_refused_to_whom_they_do_not_belong(world, identity, slug):
    session = world["dv"] if slug == "dotvoting" else world["fb"]
    assert world["fac"].emit("session.activate", {"session_id": session["id"]},
                             callback=True) == {"ok": True}
    expected = {"participant": "forbidden", "projector": "forbidden", "removed": "removed"}[identity]
    actions = [(a, r) for a, r in method_actions(slug)
               if identity != "participant" or "participant" not in r]  # not their own actions
    assert actions
    for action, _roles in actions:
        before = snapshot(world["core"])
        ack = world["clients"][identity].emit("action", {
            "session_id": session["id"], "action": action, "payload": PAYLOADS.get(action, {}),
            "action_id": f"{identity}-{action}"}, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == expected, (action, ack)
        assert snapshot(world["core"]) == before, action


def connect_refusal(app, auth) -> str | None:
    """The code of a refused connect (``None`` if it was accepted), as the client sees it."""
    socketio = app.extensions["socketio"]
    client = socketio.test_client(app, auth=None)  # refused: auth_required
    server, inner, seen = socketio.server, socketio.server._send_packet, []

    def record(eio_sid, pkt):
        if pkt.packet_type == packet.CONNECT_ERROR:
            seen.append(pkt.data)
        return inner(eio_sid, pkt)

    server._send_packet = record
    try:
        client.connect(auth=auth)
    finally:
        server._send_packet = inner
    if client.is_connected():
        client.disconnect()
        return None
    return seen[-1]["data"]["code"]


def test_forged_removed_and_missing_credentials_cannot_connect(world):
    app, workshop, wid = world["app"], world["workshop"], world["workshop"]["id"]
    before = snapshot(world["core"])
    cases = [(None, "auth_required"), ("no auth", "auth_required"),
             ({"role": "participant", "token": FORGED["token"]}, "unknown_participant"),
             ({"role": "participant", "token": world["ben"]["token"]}, "removed"),
             ({"role": "projector", "workshop": wid, "key": FORGED["key"]}, "forbidden"),
             ({"role": "projector", "workshop": wid, "key": world["ana"]["token"]}, "forbidden"),
             ({"role": "facilitator", "workshop": wid, "token": FORGED["token"]}, "forbidden"),
             ({"role": "facilitator", "workshop": wid, "token": workshop["projector_key"]},
              "forbidden"),
             ({"role": "facilitator", "workshop": wid}, "forbidden")]
    for auth, code in cases:
        assert connect_refusal(app, None if auth == "no auth" else auth) == code, auth
    assert snapshot(world["core"]) == before


def browsers(world) -> dict:
    """A browser per identity: joined phone, projector (its key in the URL), removed
    participant, one that opened a forged facilitator link, and a fresh one."""
    app, code = world["app"], world["workshop"]["join_code"]
    made = {name: app.test_client() for name in ("participant", "projector", "removed", "forged",
                                                   "none")}
    for name in ("participant", "removed"):
        made[name].post(f"/j/{code}", data={"name": name, "csrf_token": csrf(made[name])})
    removed = world["core"].people.of_workshop(world["workshop"]["id"])[-1]
    world["core"].engine.remove_participant(world["workshop"]["id"], removed["id"])
    key = world["workshop"]["projector_key"]
    assert made["projector"].get(f"/p/{world['workshop']['id']}?key={key}").status_code == 200
    assert made["forged"].get(f"/f/{FORGED['token']}").status_code == 403
    return made


def facilitator_pages(world) -> list[tuple[str, str]]:
    """(method, path) of every facilitator page of the app (plugin pages too), for real ids."""
    values = {"workshop_id": world["workshop"]["id"], "session_id": world["dv"]["id"],
              "slug": "dotvoting", "token": FORGED["token"]}
    pm = world["app"].extensions["facilitator.pm"]
    public = {r.path for routes in pm.hook.facilitator_register_routes() for r in routes or ()
              if "public" in r.roles}  # e.g. a CSV template anyone may download
    pages = []
    for rule in world["app"].url_map.iter_rules():
        if rule.rule in public:
            continue
        if (rule.endpoint.startswith(("facilitator.", "plugin_page_", "archive.", "api."))
                and rule.arguments <= set(values)):
            path = rule.build({k: values[k] for k in rule.arguments})[1]
            pages += [(method, path) for method in sorted(rule.methods & {"GET", "POST"})]
    assert len(pages) >= 13
    return pages


def test_facilitator_and_projector_pages_are_refused(world):
    key = world["workshop"]["projector_key"]
    made = browsers(world)
    before = snapshot(world["core"])
    for identity, browser in made.items():
        token = csrf(browser)
        query = {"key": key} if identity == "projector" else {}
        for method, path in facilitator_pages(world):
            form = {"title": "Neu", "question": "Q?", "language": "de", "privacy": "named",
                    "csrf_token": token}
            response = browser.open(path, method=method, query_string=query,
                                    data=form if method == "POST" else None)
            location = response.headers.get("Location", "")
            assert response.status_code in (401, 403) or (
                response.status_code == 302 and "/facilitator" not in location), \
                f"{identity}: {method} {path} -> {response.status_code}"
        for wrong in ({}, {"key": FORGED["key"]}, {"key": world["ana"]["token"]}):
            page = browser.get(f"/p/{world['workshop']['id']}", query_string=wrong)
            assert page.status_code == 404, f"{identity}: projector page with {wrong}"
    assert snapshot(world["core"]) == before


def test_guessing_from_the_room_is_logged_without_the_guesses(clock, caplog):
    """A phone on the Wi-Fi (not the laptop: its address is limited) guesses tokens, keys
    and join codes until it is locked out; the log says so, naming no secret."""
    log_everything(caplog)
    app = create_app({"TESTING": True, "LIVE_SYNC": True, "CLOCK": clock,
                      "SECRET_KEY": new_secret()})  # the real limits
    core, socketio = app.extensions["facilitator"], app.extensions["socketio"]
    workshop = core.workshops.create({"title": "T", "language": "de", "privacy": "named"})
    core.people.join(workshop["id"], {"name": "Ana"})
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = "192.168.1.50"
    guesses = [f"{FORGED['token'][:-2]}{attempt:02d}" for attempt in range(15)]
    before = snapshot(core)
    for forged in guesses:
        client = socketio.test_client(app, flask_test_client=browser,
                                      auth={"role": "participant", "token": forged})
        assert not client.is_connected()
        for path in (f"/f/{forged}", f"/p/{workshop['id']}?key={forged}", f"/qr/{forged[:6]}.svg"):
            assert browser.get(path).status_code in (403, 404, 429), path
        resume = browser.post(f"/j/{workshop['join_code']}/resume", json={"token": forged})
        assert resume.status_code in (400, 429)
    assert snapshot(core) == before
    records = assert_no_secret_logged(app, caplog, guesses)
    if (SOURCES / "ratelimit.py").exists():  # the lock-out is logged: the check saw real lines
        assert any(r.name.startswith("facilitator") for r in records), "nothing was logged"
    core.store.close()


def test_a_removed_participant_gets_no_participant_page_and_cannot_resume(world):
    code = world["workshop"]["join_code"]
    browser = browsers(world)["removed"]
    removed = [p for p in world["core"].store.all("participants") if p["removed"]][-1]
    before = snapshot(world["core"])
    assert removed["token"] not in browser.get(f"/j/{code}").get_data(as_text=True)
    resume = browser.post(f"/j/{code}/resume", json={"token": removed["token"]})
    assert resume.status_code == 400 and resume.get_json()["error"]["code"] == "removed"
    assert snapshot(world["core"]) == before


# -- secrets are compared in constant time --------------------------------------------------

CHECKED = {"realtime.py": ("projector_key", "FACILITATOR_TOKEN"), "pages_public.py": ("projector_key",),
           "pages_facilitator.py": ("FACILITATOR_TOKEN",), "pages_plugins.py": ("projector_key",)}
SECRET_NAME = re.compile(r"token|secret|projector_key", re.IGNORECASE)


def _names(node: ast.AST) -> set[str]:
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            found.add(sub.value)
    return found


@pytest.mark.parametrize("module", sorted(CHECKED))
def test_secrets_are_compared_in_constant_time(module):
    tree = ast.parse((SOURCES / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # no ==, !=, in, is on anything that names a secret
        if isinstance(node, ast.Compare):
            secret = {n for side in (node.left, *node.comparators) for n in _names(side)
                      if SECRET_NAME.search(n)}
            assert not secret, f"{module}:{node.lineno} compares {secret}: {ast.unparse(node)}"
    # hmac.compare_digest, directly or through a helper of the module that calls it
    helpers = {"compare_digest"} | {
        f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
        and any(isinstance(c, ast.Call) and ast.unparse(c.func).endswith("compare_digest")
                for c in ast.walk(f))}
    for secret in CHECKED[module]:
        sources = {secret}  # the secret's expression, and names assigned from it
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and secret in _names(node.value):
                sources |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        calls = [c for c in ast.walk(tree) if isinstance(c, ast.Call)
                 and ast.unparse(c.func).split(".")[-1] in helpers
                 and any(_names(arg) & sources for arg in c.args)]
        assert calls, f"{module}: {secret} never reaches hmac.compare_digest"
