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
"""A tiny third-party method: everyone may raise a hand once."""
from facilitator import hookimpl, Method, Field, ActionError


class HandsMethod(Method):
    slug = "hands"
    name = "Raise hands"
    description = "Count raised hands."
    actions = {"raise": ("participant",), "note": ("facilitator",)}

    def config_fields(self):
        return [Field("prompt", "Prompt", required=True)]

    def initial_state(self, config):
        return {"hands": []}

    def apply(self, state, action, payload, actor, ctx):
        if action == "raise":
            if actor.participant_id in state["hands"]:
                raise ActionError("already_raised", "Your hand is already up.")
            state["hands"].append(actor.participant_id)
        else:
            ctx.record_agreement(what=payload.get("what", ""), who_org="Everyone")
        return state

    def view(self, state, role, actor, ctx):
        return {"count": len(state["hands"]), "prompt": ctx.config["prompt"]}

    def minutes(self, state, ctx):
        return "Hands raised: %d" % len(state["hands"])


@hookimpl
def facilitator_register_methods():
    return [HandsMethod()]


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


def test_third_party_method_end_to_end(third_party_plugin):
    app = create_app({"TESTING": True, "LIVE_SYNC": True, "SECRET_KEY": "t"})
    core = app.extensions["facilitator"]
    assert "hands" in core.methods and app.config["HANDS_STARTED"]
    assert any(p["module"] == "hands_method" and p["methods"] == ["hands"]
               for p in describe_plugins(app.extensions["facilitator.pm"]))
    fac = app.test_client()
    fac.get(f"/f/{app.config['FACILITATOR_TOKEN']}")
    workshop = core.create_workshop({"title": "Plugin test", "language": "en"})
    assert fac.post(f"/facilitator/w/{workshop['id']}/sessions/new/hands", data={"prompt": ""}).status_code == 400
    assert fac.post(f"/facilitator/w/{workshop['id']}/sessions/new/hands",
                    data={"title": "Hands up", "prompt": "Who is new here?"}).status_code == 302
    [session] = core.sessions(workshop["id"])
    socketio = app.extensions["socketio"]
    facilitator = socketio.test_client(app, auth={"role": "facilitator", "workshop": workshop["id"],
                                                  "token": app.config["FACILITATOR_TOKEN"]})
    assert facilitator.emit("session.activate", {"session_id": session["id"]}, callback=True)["ok"]
    participant = core.join(workshop["id"], {"name": "Lea"})
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
    [agreement] = core.agreements(workshop["id"])
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
