"""The organisers' commands: ``export``, ``minutes`` and ``import`` on a data folder, without a
server; the organiser link printed by ``serve``; a folder held by a running server."""

from __future__ import annotations

import json
import re

import pytest

from facilitator.app import create_app
from facilitator.bundle import export_bundle
from facilitator.cli import cli
from facilitator.testing import FakeClock
from tests.helpers.archive import MARKER, populate


@pytest.fixture
def data_dir(tmp_path):
    """A data folder with the two workshops of :func:`populate`; ``(path, first, second)``."""
    folder = tmp_path / "data"
    app = create_app({"DATA_DIR": folder, "CLOCK": FakeClock()})
    try:
        first, second = populate(app.extensions["facilitator"])
    finally:
        app.extensions["facilitator"].store.close()
    return folder, first, second


def test_export_writes_every_workshop(runner, data_dir, tmp_path):
    folder, _first, _second = data_dir
    out = tmp_path / "out"
    result = runner.invoke(cli, ["export", "--data-dir", str(folder), "--out", str(out), "--format", "md"])
    assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert len(files) == 2 and all(f.endswith(".md") for f in files)
    texts = [p.read_text(encoding="utf-8") for p in out.rglob("*.md")]
    assert any(MARKER in t for t in texts) and any("Forum Arbeit" in t for t in texts)
    assert "2 workshops" in result.output


def test_export_in_every_format(runner, data_dir, tmp_path):
    from facilitator.archive import formats

    folder, _first, _second = data_dir
    out = tmp_path / "all"
    result = runner.invoke(cli, ["export", "--data-dir", str(folder), "--out", str(out), "--format", ",".join(formats())])
    assert result.exit_code == 0, result.output
    assert sorted({p.suffix for p in out.rglob("*") if p.is_file()}) == sorted(f".{f}" for f in formats())


def test_export_refuses_unknown_formats_and_empty_folders(runner, data_dir, tmp_path):
    folder, _first, _second = data_dir
    bad = runner.invoke(cli, ["export", "--data-dir", str(folder), "--out", str(tmp_path / "o"), "--format", "md,exe"])
    assert bad.exit_code == 2 and "choose from" in bad.output and not (tmp_path / "o").exists()
    empty = runner.invoke(cli, ["export", "--data-dir", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")])
    assert empty.exit_code == 1 and "no Facilitator workshops" in empty.output
    assert not (tmp_path / "nothing").exists()


@pytest.mark.parametrize("wanted", ["id", "Forum Arbeit", "forum arbeit", "Arbeit"])
def test_minutes_prints_one_workshop(runner, data_dir, wanted):
    folder, _first, second = data_dir
    wanted = second["id"] if wanted == "id" else wanted
    result = runner.invoke(cli, ["minutes", wanted, "--data-dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Forum Arbeit") and "Invite employers" in result.output
    assert MARKER not in result.output


def test_minutes_of_an_unknown_or_ambiguous_workshop(runner, data_dir):
    folder, _first, _second = data_dir
    unknown = runner.invoke(cli, ["minutes", "Elternabend", "--data-dir", str(folder)])
    assert unknown.exit_code == 1 and "no workshop has the id or title “Elternabend”" in unknown.output
    several = runner.invoke(cli, ["minutes", "r", "--data-dir", str(folder)])
    assert several.exit_code == 1 and "matches several workshops" in several.output


def test_minutes_as_json(runner, data_dir):
    from facilitator.archive import formats

    if "json" not in formats():
        pytest.skip("the JSON minutes come with facilitator.minutes_export")
    folder, first, _second = data_dir
    result = runner.invoke(cli, ["minutes", first["id"], "--data-dir", str(folder), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output)


def test_import_a_bundle_and_recognise_it_again(runner, data_dir, tmp_path):
    folder, first, _second = data_dir
    app = create_app({"DATA_DIR": folder})
    try:
        bundle = tmp_path / "runder-tisch.facilitator.json"
        bundle.write_bytes(export_bundle(app.extensions["facilitator"], first["id"]))
    finally:
        app.extensions["facilitator"].store.close()
    organiser = tmp_path / "organiser"
    result = runner.invoke(cli, ["import", str(bundle), "--data-dir", str(organiser)])
    assert result.exit_code == 0, result.output
    assert f"({first['id']})" in result.output
    again = runner.invoke(cli, ["import", str(bundle), "--data-dir", str(organiser)])
    assert again.exit_code == 1 and "already in this archive" in again.output
    minutes = runner.invoke(cli, ["minutes", first["id"], "--data-dir", str(organiser)])
    assert minutes.exit_code == 0 and MARKER in minutes.output


def test_import_of_a_foreign_file_changes_nothing(runner, data_dir, tmp_path):
    folder, _first, _second = data_dir
    foreign = tmp_path / "notes.json"
    foreign.write_text('{"hello": "world"}', encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.name.endswith((".json", ".jsonl"))}
    result = runner.invoke(cli, ["import", str(foreign), "--data-dir", str(folder)])
    assert result.exit_code == 1 and "notes.json: " in result.output and "not a Facilitator" in result.output
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.name.endswith((".json", ".jsonl"))}
    assert after == before


def test_commands_do_not_fight_a_running_server_over_the_folder(runner, data_dir, tmp_path):
    from facilitator.storage import open_store

    folder, first, _second = data_dir
    store = open_store(folder)  # what a running server holds
    try:
        for args in (["export", "--out", str(tmp_path / "o")], ["minutes", first["id"]]):
            result = runner.invoke(cli, [*args, "--data-dir", str(folder)])
            assert result.exit_code == 1, args
            assert "already in use by another Facilitator server" in result.output
            assert "stop it (Ctrl+C) first" in result.output
        assert not (tmp_path / "o").exists()
    finally:
        store.close()


def test_serve_prints_the_organiser_link(runner, tmp_path, monkeypatch):
    monkeypatch.setattr("facilitator.server.run", lambda app, host, port, on_listening: on_listening())
    monkeypatch.setattr("facilitator.net.lan_address", lambda: "192.168.178.23")
    result = runner.invoke(cli, ["serve", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    organiser = re.search(r"^Organiser: (http://192\.168\.178\.23:5151/o/([\w-]{30,}))$", result.output, re.MULTILINE)
    facilitator = re.search(r"^Facilitator: \S+/f/([\w-]+)$", result.output, re.MULTILINE)
    assert organiser and facilitator and organiser.group(2) != facilitator.group(1)
    again = runner.invoke(cli, ["serve", "--data-dir", str(tmp_path)])
    assert organiser.group(1) in again.output  # the same link after a restart
