"""Plugin discovery: every hook is used and tested; a third-party method works end to end."""

from __future__ import annotations

import importlib
import inspect
import sys
import textwrap

import pytest

from facilitator import hookspecs
from facilitator.app import create_app
from facilitator.plugins import (
    BUNDLED_PLUGINS,
    collect_methods,
    describe_plugins,
    make_plugin_manager,
)

TINY_PLUGIN = '''
"""A tiny third-party method: everyone may raise a hand once; plus pages and assets."""
from facilitator import hookimpl, Method, Field, ActionError, Page, Route, action


class HandsMethod(Method):
    slug = "hands"
    name = "Raise hands"
    description = "Count raised hands."
    fields = (Field(name="prompt", label="Prompt", required=True),)

    def initial_state(self, config):
        return {"hands": []}

    @action("participant", name="raise")
    def raise_hand(self, state, payload, actor, ctx):
        if actor.participant_id in state["hands"]:
            raise ActionError("already_raised", "Your hand is already up.")
        state["hands"].append(actor.participant_id)

    @action("facilitator")
    def note(self, state, payload, actor, ctx):
        ctx.record_agreement(what=payload.get("what", ""), who_org="Everyone")

    def view(self, state, role, actor, ctx):
        return {"count": len(state["hands"]), "prompt": ctx.config["prompt"]}

    def minutes(self, state, ctx):
        return "Hands raised: %d" % len(state["hands"])


def handout(request, workshop_id, session_id):
    session = request.session(workshop_id, session_id)
    return request.render("hands/handout.html", workshop=request.workshop(workshop_id),
                          prompt=session["config"]["prompt"], hands=len(session["state"]["hands"]))


def template_csv(request):
    return Page(body="Gruppe;Stadt\\nMädchentreff;Köln\\n", mimetype="text/csv",
                filename="Vorlage Gruppen-Übersicht.csv")


def whoami(request, workshop_id):
    return "<p id='me'>%s</p>" % request.participant["label"]


@hookimpl
def facilitator_register_methods():
    return [HandsMethod()]


@hookimpl
def facilitator_register_routes():
    return [
        Route(path="/plugins/hands/handout/<workshop_id>/<session_id>", view=handout),
        Route(path="/plugins/hands/template.csv", view=template_csv, roles=("public",)),
        Route(path="/plugins/hands/me/<workshop_id>", view=whoami, roles=("participant",)),
    ]


@hookimpl
def facilitator_extra_js_urls():
    return ["/plugins/hands/static/hands.js"]


@hookimpl
def facilitator_extra_css_urls():
    return ["/plugins/hands/static/hands.css"]


@hookimpl
def facilitator_startup(app):
    app.config["HANDS_STARTED"] = True


@hookimpl
def facilitator_minutes_appendix(workshop, language):
    return "_Appendix from the hands plugin (%s)._" % language
'''


@pytest.fixture
def third_party_plugin(tmp_path, monkeypatch):
    """Install a plugin outside ``plugins/`` the way pip would: a module + dist-info entry point."""
    package = tmp_path / "hands_method"
    (package / "templates" / "hands").mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(TINY_PLUGIN))
    for role in ("participant", "facilitator", "projector"):
        (package / "templates" / "hands" / f"{role}.html").write_text(
            '<p class="prompt">{{ view.prompt }}</p><p>Hands: <b id="hands">{{ view.count }}</b></p>'
            '<button data-action="raise">{{ _("Raise") }}</button>'
        )
    (package / "templates" / "hands" / "handout.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>{{ workshop.title }}</h1>'
        '<p class="prompt">{{ prompt }}</p><p id="hands">{{ hands }}</p>{% endblock %}'
    )
    (package / "static").mkdir()
    (package / "static" / "hands.js").write_text("window.handsLoaded = true;\n")
    (package / "static" / "hands.css").write_text(".prompt { font-weight: bold; }\n")
    dist = tmp_path / "hands_method-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hands-method\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[facilitator]\nhands = hands_method\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield "hands_method"
    sys.modules.pop("hands_method", None)


def test_every_hookspec_is_documented_and_tested():
    """Meta-test (as Datasette has): each hook has a docstring and appears in this file."""
    source = inspect.getsource(sys.modules[__name__])
    hooks = [name for name, f in inspect.getmembers(hookspecs, inspect.isfunction)
             if name.startswith("facilitator_")]
    assert hooks
    for name in hooks:
        assert getattr(hookspecs, name).__doc__, name
        assert f"def {name}(" in source, f"hook {name} has no test"


def test_bundled_methods_load_through_entry_points():
    pm = make_plugin_manager()
    names = {name for name, _plugin in pm.list_name_plugin()}
    assert {"dotvoting", "fishbowl"} <= names  # entry-point names, not the fallback module names
    distributions = {plugin.__name__ for plugin, _dist in pm.list_plugin_distinfo()}
    assert set(BUNDLED_PLUGINS) <= distributions
    assert set(collect_methods(pm)) >= {"dotvoting", "fishbowl"}


def test_third_party_method_end_to_end(third_party_plugin, csrf_token):
    app = create_app({"TESTING": True, "LIVE_SYNC": True, "SECRET_KEY": "t"})
    core = app.extensions["facilitator"]
    assert "hands" in core.methods and app.config["HANDS_STARTED"]
    assert any(p["module"] == "hands_method" and p["methods"] == ["hands"]
               for p in describe_plugins(app.extensions["facilitator.pm"]))
    fac = app.test_client()
    fac.get(f"/f/{app.config['FACILITATOR_TOKEN']}")
    workshop = core.workshops.create({"title": "Plugin test", "language": "en"})
    new_session = f"/facilitator/w/{workshop['id']}/sessions/new/hands"
    token = csrf_token(fac, new_session)
    assert fac.post(new_session, data={"prompt": "", "csrf_token": token}).status_code == 400
    assert fac.post(new_session, data={"title": "Hands up", "prompt": "Who is new here?",
                                       "csrf_token": token}).status_code == 302
    [session] = core.workshops.sessions(workshop["id"])
    socketio = app.extensions["socketio"]
    facilitator = socketio.test_client(app, auth={"role": "facilitator", "workshop": workshop["id"],
                                                  "token": app.config["FACILITATOR_TOKEN"]})
    assert facilitator.emit("session.activate", {"session_id": session["id"]}, callback=True)["ok"]
    participant = core.people.join(workshop["id"], {"name": "Lea"})
    phone = socketio.test_client(app, auth={"role": "participant", "token": participant["token"]})
    last_view = [e for e in phone.get_received() if e["name"] == "view"][-1]["args"][0]
    assert "Who is new here?" in last_view["html"] and last_view["data"]["count"] == 0
    message = {"session_id": session["id"], "action": "raise", "payload": {}, "action_id": "r1"}
    assert phone.emit("action", message, callback=True)["ok"]
    refused = phone.emit("action", {**message, "action_id": "r2"}, callback=True)
    assert refused["error"] == {"code": "already_raised", "message": "Your hand is already up."}
    assert facilitator.emit("action", {"session_id": session["id"], "action": "note",
                                       "payload": {"what": "Welcome round"}, "action_id": "n1"},
                            callback=True)["ok"]
    [agreement] = core.ledger.of_workshop(workshop["id"])
    assert agreement["session_id"] == session["id"] and agreement["source"] == "method"
    minutes = fac.get(f"/facilitator/w/{workshop['id']}/minutes.md").get_data(as_text=True)
    assert "Hands raised: 1" in minutes and "Welcome round" in minutes
    assert "_Appendix from the hands plugin (en)._" in minutes
    app.extensions["facilitator"].store.close()


def test_duplicate_slugs_are_refused(third_party_plugin):
    module = importlib.import_module(third_party_plugin)

    class Twin:
        @staticmethod
        @__import__("facilitator").hookimpl
        def facilitator_register_methods():
            return [module.HandsMethod()]

    with pytest.raises(ValueError, match="hands"):
        collect_methods(make_plugin_manager((Twin,)))


def test_plugin_pages_are_mounted_behind_their_roles(third_party_plugin):
    app = create_app({"TESTING": True, "LIVE_SYNC": True, "SECRET_KEY": "t"})
    core = app.extensions["facilitator"]
    workshop = core.workshops.create({"title": "Plugin pages", "language": "en"})
    session = core.workshops.add_session(workshop["id"], "hands", {"prompt": "Wer ist neu <hier>?"})
    handout = f"/plugins/hands/handout/{workshop['id']}/{session['id']}"
    anonymous = app.test_client()
    assert anonymous.get(handout).status_code == 403
    fac = app.test_client()
    fac.get(f"/f/{app.config['FACILITATOR_TOKEN']}")
    page = fac.get(handout)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Plugin pages</h1>" in html and "Wer ist neu &lt;hier&gt;?" in html
    assert fac.get(f"/plugins/hands/handout/{workshop['id']}/nope").status_code == 404
    csv = anonymous.get("/plugins/hands/template.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "Mädchentreff;Köln" in csv.get_data(as_text=True)
    assert "filename*=UTF-8''Vorlage%20Gruppen-%C3%9Cbersicht.csv" in csv.headers["Content-Disposition"]
    # A participant page: only with this workshop's participant cookie.
    me = f"/plugins/hands/me/{workshop['id']}"
    assert fac.get(me).status_code == 403
    phone = app.test_client()
    joined = phone.post(f"/j/{workshop['join_code']}", json={"name": "Lea"})
    assert joined.status_code == 200
    assert "<p id='me'>Lea</p>" in phone.get(me).get_data(as_text=True)
    core.store.close()


def test_plugin_assets_are_on_every_page_and_served(third_party_plugin):
    app = create_app({"TESTING": True, "LIVE_SYNC": True, "SECRET_KEY": "t"})
    core = app.extensions["facilitator"]
    workshop = core.workshops.create({"title": "Assets", "language": "en"})
    client = app.test_client()
    client.post(f"/j/{workshop['join_code']}", json={"name": "Lea"})
    html = client.get(f"/j/{workshop['join_code']}").get_data(as_text=True)
    assert '<script src="/plugins/hands/static/hands.js"></script>' in html
    assert '<link rel="stylesheet" href="/plugins/hands/static/hands.css">' in html
    assert html.index("js/live.js") < html.index("hands.js")  # after the core's page script
    assert client.get("/plugins/hands/static/hands.js").get_data(as_text=True) == "window.handsLoaded = true;\n"
    core.store.close()


def test_plugin_mistakes_stop_the_start_naming_the_plugin():
    from facilitator import Field, Method, Route, hookimpl

    class Typo:
        class Broken(Method):
            slug = "broken"
            name = "Broken"

            def config_fields(self):
                return [Field(name="a", label="A"), Field(name="a", label="A again")]

        @staticmethod
        @hookimpl
        def facilitator_register_methods():
            return [Typo.Broken()]

    with pytest.raises(ValueError, match="Typo.*'a'|'a'.*Typo|appears twice"):
        collect_methods(make_plugin_manager((Typo,)))
    with pytest.raises(ValueError, match="unknown kind 'integer'"):
        Field(name="chairs", label="Chairs", kind="integer")
    with pytest.raises(ValueError, match="/plugins/"):
        Route(path="/facilitator/steal", view=lambda request: "")

    class Remote:
        @staticmethod
        @hookimpl
        def facilitator_extra_js_urls():
            return ["https://cdn.example/x.js"]

    with pytest.raises(ValueError, match="path on this server"):
        create_app({"TESTING": True, "SECRET_KEY": "t", "PLUGINS": (Remote,)})


def test_a_field_kind_typo_in_an_installed_plugin_stops_the_start_naming_it(tmp_path, monkeypatch):
    package = tmp_path / "typo_method"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent('''
        from facilitator import Field, Method, hookimpl

        class Typo(Method):
            slug = "typo"
            name = "Typo"
            fields = (Field(name="chairs", label="Chairs", kind="integer"),)

        @hookimpl
        def facilitator_register_methods():
            return [Typo()]
    '''))
    dist = tmp_path / "typo_method-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: typo-method\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[facilitator]\ntypo = typo_method\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    try:
        with pytest.raises(RuntimeError) as failed:
            create_app({"TESTING": True, "SECRET_KEY": "t"})
    finally:
        sys.modules.pop("typo_method", None)
    message = str(failed.value)
    assert "'typo'" in message and "typo-method" in message and "unknown kind 'integer'" in message
