"""The ``facilitator`` command line."""

from __future__ import annotations

import re

import pytest

from facilitator import __version__
from facilitator.cli import _command, cli


@pytest.fixture
def no_server(monkeypatch):
    """Record ``facilitator.server.run`` calls instead of serving (the links are still printed)."""
    calls = []

    def run(app, host, port, on_listening):
        calls.append({"host": host, "port": port, "async_mode": app.extensions["socketio"].async_mode})
        on_listening()

    monkeypatch.setattr("facilitator.server.run", run)
    return calls


def test_version_and_help(runner):
    assert runner.invoke(cli, ["--version"]).output.strip().endswith(__version__)
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0 and "serve" in result.output and "plugins" in result.output
    result = runner.invoke(cli, ["serve", "--help"])
    for option in ("--host", "--port", "--data-dir", "--demo", "--open"):
        assert option in result.output


def test_plugins_lists_methods(runner):
    result = runner.invoke(cli, ["plugins"])
    assert result.exit_code == 0
    assert re.search(r"^dotvoting .*\n\s+dotvoting: ", result.output, re.MULTILINE)
    assert re.search(r"^fishbowl .*\n\s+fishbowl: ", result.output, re.MULTILINE)
    assert '"methods": [' in runner.invoke(cli, ["plugins", "--json"]).output


def test_serve_prints_links_with_lan_address(runner, tmp_path, monkeypatch, no_server):
    monkeypatch.setattr("facilitator.net.lan_address", lambda: "192.168.178.23")
    result = runner.invoke(cli, ["serve", "--port", "5123", "--data-dir", str(tmp_path), "--demo"])
    assert result.exit_code == 0, result.output
    lines = {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in result.output.splitlines()
             if line.startswith(("Join:", "Facilitator:", "Projector:", "Code:"))}
    assert re.fullmatch(r"http://192\.168\.178\.23:5123/j/[A-Z0-9]{6}", lines["Join"])
    assert lines["Join"].endswith(lines["Code"])
    assert re.fullmatch(r"http://192\.168\.178\.23:5123/f/[\w-]{30,}", lines["Facilitator"])
    assert re.fullmatch(r"http://192\.168\.178\.23:5123/p/\w+\?key=[\w-]{30,}", lines["Projector"])
    assert "█" in result.output or "▀" in result.output  # the QR code drawn in the terminal
    assert no_server == [{"host": "0.0.0.0", "port": 5123, "async_mode": "gevent"}]
    # the demo holds one session of every installed method, and is reused on the next start
    again = runner.invoke(cli, ["serve", "--port", "5123", "--data-dir", str(tmp_path), "--demo"])
    assert lines["Join"] in again.output
    from facilitator.app import create_app

    app = create_app({"DATA_DIR": tmp_path})
    core = app.extensions["facilitator"]
    [demo] = core.workshops.all()
    assert sorted(s["method"] for s in core.workshops.sessions(demo["id"])) == sorted(core.methods)
    core.store.close()


def test_serve_without_network_falls_back_to_loopback(runner, tmp_path, monkeypatch, no_server):
    monkeypatch.setattr("facilitator.net.lan_address", lambda: None)
    result = runner.invoke(cli, ["serve", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0
    assert re.search(r"^Join: http://127\.0\.0\.1:5151/j/[A-Z0-9]{6}$", result.output, re.MULTILINE)


def test_serve_refuses_a_data_folder_in_use(runner, tmp_path, no_server):
    from facilitator.storage import open_store

    store = open_store(tmp_path)
    try:
        result = runner.invoke(cli, ["serve", "--data-dir", str(tmp_path)])
        assert result.exit_code != 0 and str(tmp_path) in result.output
    finally:
        store.close()


def test_main_knows_when_it_serves():
    """``main`` monkey-patches for gevent only for ``serve``."""
    assert _command(["serve", "--demo"]) == "serve"
    assert _command(["--version"]) is None
    assert _command(["plugins", "--json"]) == "plugins"
