"""The ``facilitator`` command: ``serve``, ``plugins``, and for organisers ``export``,
``minutes`` and ``import`` (which work on a data folder without starting the server).

Keep the imports at module level light (no Flask, no app, nothing that starts
threads or creates locks): :func:`main` monkey-patches for gevent after this
module is imported, and that must happen before anything creates locks or threads.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import platformdirs

from facilitator import __version__


def default_data_dir() -> Path:
    """The platform's user data folder for Facilitator."""
    return Path(platformdirs.user_data_dir("facilitator", appauthor=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="facilitator")
def cli() -> None:
    """Facilitator: run workshops where everyone joins by phone, with no internet needed."""


def _public_name(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Check ``--public-name``: a host name or an IP address, without scheme, port or path."""
    if value is None:
        return None
    import ipaddress
    import re

    name = value.strip().lower().removesuffix(".")
    try:
        return str(ipaddress.ip_address(name.removeprefix("[").removesuffix("]")))
    except ValueError:
        pass
    label = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    if re.fullmatch(rf"{label}(?:\.{label})*", name):
        return name
    raise click.BadParameter("give a host name or an IP address, without http:// or a port")


@cli.command()
@click.option("--host", default="0.0.0.0", show_default=True,
              help="Address to listen on (0.0.0.0: every network of this laptop).")
@click.option("--port", default=5151, show_default=True, type=click.IntRange(1, 65535))
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where workshops are stored (default: your user data folder).")
@click.option("--demo", is_flag=True, help="Start with a demo workshop holding one session of every method.")
@click.option("--open", "open_browser", is_flag=True, help="Open the facilitator page in the browser.")
@click.option("--public-name", metavar="NAME", callback=_public_name, default=None,
              help="Another name phones reach this laptop under (a DNS name of the network); "
                   "the printed links use it. Requests for unknown names are refused.")
def serve(host: str, port: int, data_dir: Path | None, demo: bool, open_browser: bool,
          public_name: str | None) -> None:
    """Start the server and print the join, facilitator and projector links."""
    from facilitator import server
    from facilitator.app import create_app
    from facilitator.demo import current_workshop
    from facilitator.net import public_host
    from facilitator.qr import qr_terminal

    data_dir = data_dir or default_data_dir()
    link_host = public_name or public_host(host)
    base = f"http://[{link_host}]:{port}" if ":" in link_host else f"http://{link_host}:{port}"
    allowed = (public_name,) if public_name else ()
    try:
        app = create_app({"DATA_DIR": data_dir, "PUBLIC_URL": base, "ASYNC_MODE": "gevent",
                          "ALLOWED_HOSTS": allowed})
    except RuntimeError as exc:  # e.g. the data folder is in use by another server
        raise click.ClickException(str(exc)) from None
    core = app.extensions["facilitator"]
    try:
        with app.app_context():
            workshop = current_workshop(core, demo=demo)
        join_url = f"{base}/j/{workshop['join_code']}"
        facilitator_url = f"{base}/f/{app.config['FACILITATOR_TOKEN']}"
        organiser_url = f"{base}/o/{app.config['ORGANISER_TOKEN']}"
        projector_url = f"{base}/p/{workshop['id']}?key={workshop['projector_key']}"

        def announce() -> None:
            """Print the links: called once the port accepts connections."""
            click.echo(f"Facilitator {__version__}: {workshop['title']}  (data: {data_dir})")
            click.echo(qr_terminal(join_url))
            click.echo(f"Join: {join_url}")
            click.echo(f"Code: {workshop['join_code']}")
            click.echo(f"Facilitator: {facilitator_url}")
            click.echo(f"Projector: {projector_url}")
            click.echo(f"Organiser: {organiser_url}")
            click.echo("Press Ctrl+C to stop.", err=True)
            sys.stdout.flush()
            if open_browser:
                import webbrowser

                webbrowser.open(facilitator_url)

        try:
            server.run(app, host, port, on_listening=announce)
        except server.ListenError as exc:
            raise click.ClickException(str(exc)) from None
    finally:
        core.store.close()


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plugins(as_json: bool) -> None:
    """List installed plugins and the methods each provides."""
    from facilitator.plugins import collect_methods, describe_plugins, make_plugin_manager

    pm = make_plugin_manager()
    described = describe_plugins(pm)
    if as_json:
        click.echo(json.dumps(described, indent=2))
        return
    methods = collect_methods(pm)
    for plugin in described:
        version = f" {plugin['version']}" if plugin["version"] else ""
        click.echo(f"{plugin['name']}{version} ({plugin['module']})")
        for slug in plugin["methods"]:
            click.echo(f"    {slug}: {methods[slug].name}")


DATA_DIR_OPTION = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="The data folder of the workshops (default: your user data folder).")


@contextmanager
def _offline_app(data_dir: Path | None, must_exist: bool = True) -> Iterator[Any]:
    """The app on ``data_dir`` without a server, inside an app context; closed on exit.

    :raises click.ClickException: when the folder holds no data, or a running server holds it.
    """
    from facilitator.app import create_app
    from facilitator.i18n import force_locale
    from facilitator.storage import StorageError
    from facilitator.storage.tinystore import JOURNAL_NAME, SNAPSHOT_NAME

    data_dir = data_dir or default_data_dir()
    if must_exist and not any((data_dir / name).exists() for name in (SNAPSHOT_NAME, JOURNAL_NAME)):
        raise click.ClickException(f"there are no Facilitator workshops in {data_dir}")
    try:
        app = create_app({"DATA_DIR": data_dir})
    except StorageError as exc:
        raise click.ClickException(f"{exc}. A running server keeps its data folder to itself: stop it "
                                   "(Ctrl+C) first, or download from its archive page (the "
                                   "“Organiser:” link).") from None
    try:
        with app.app_context(), force_locale("en"):
            yield app.extensions["facilitator"]
    finally:
        app.extensions["facilitator"].store.close()


def _formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    """Check ``--format``: a comma-separated list of minutes formats."""
    from facilitator.archive import formats

    wanted = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in value.split(",") if f.strip()))
    unknown = [f for f in wanted if f not in formats()]
    if unknown or not wanted:
        raise click.BadParameter(f"choose from {', '.join(formats())} (comma-separated)")
    return wanted


@cli.command()
@DATA_DIR_OPTION
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write into (created if missing); one sub-folder per workshop.")
@click.option("--format", "fmts", default="md", show_default=True, callback=_formats,
              help="Minutes formats, comma-separated: md,html,pdf,docx,json.")
def export(data_dir: Path | None, out: Path, fmts: tuple[str, ...]) -> None:
    """Write the minutes of every workshop into OUT, without starting the server."""
    from facilitator.archive import write_all

    with _offline_app(data_dir) as core:
        files = write_all(core, core.workshops.all(), fmts)
        for name, data in files.items():
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        click.echo(f"{len(files)} files of {len(core.workshops.all())} workshops written to {out}")


def find_workshop(core: Any, wanted: str) -> dict:
    """The workshop whose id is ``wanted``, else whose title is it, else contains it (once).

    :raises click.ClickException: for no match or several.
    """
    workshops = core.workshops.all()
    text = wanted.strip().casefold()
    for match in ([w for w in workshops if w["id"] == wanted.strip()],
                  [w for w in workshops if w["title"].casefold() == text],
                  [w for w in workshops if text and text in w["title"].casefold()]):
        if len(match) == 1:
            return match[0]
        if len(match) > 1:
            listed = "; ".join(f"{w['id']} ({w['title']}, {w.get('date') or 'no date'})" for w in match)
            raise click.ClickException(f"“{wanted}” matches several workshops: {listed}. Give the id.")
    raise click.ClickException(f"no workshop has the id or title “{wanted}”")


@cli.command()
@click.argument("workshop")
@DATA_DIR_OPTION
@click.option("--format", "fmt", default="md", show_default=True,
              help="md, html or json (pdf and docx are files: use `export`).")
def minutes(workshop: str, data_dir: Path | None, fmt: str) -> None:
    """Print the minutes of WORKSHOP (its id, title or part of the title) to standard output."""
    from facilitator.archive import export as export_minutes

    fmt = _formats(None, None, fmt)[0]  # type: ignore[arg-type]
    with _offline_app(data_dir) as core:
        data, _mimetype, _name = export_minutes(core, find_workshop(core, workshop), fmt)
        if fmt in ("pdf", "docx"):
            sys.stdout.buffer.write(data)
        else:
            click.echo(data.decode("utf-8"), nl=False)


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DATA_DIR_OPTION
def import_(file: Path, data_dir: Path | None) -> None:
    """Import a workshop bundle (exported on a facilitator's dashboard) into the data folder."""
    from facilitator.bundle import import_bundle
    from facilitator.errors import ActionError

    with _offline_app(data_dir, must_exist=False) as core:
        try:
            workshop = import_bundle(core, file.read_bytes())
        except ActionError as exc:
            raise click.ClickException(f"{file.name}: {exc.message}") from None
        click.echo(f"Imported “{workshop['title']}” ({workshop['id']}).")


def _command(args: list[str]) -> str | None:
    """The subcommand in ``args`` (the group's own options take no values)."""
    return next((arg for arg in args if not arg.startswith("-")), None)


def main() -> None:
    """Entry point of the console script and of ``python -m facilitator``."""
    if _command(sys.argv[1:]) == "serve":
        # `serve` runs on gevent: the core's threading locks, the broadcaster's
        # background tasks and every socket must become cooperative. Patching
        # has to come before Flask, Werkzeug, Socket.IO or the core are
        # imported and create locks, so it happens here, before click even
        # parses the command line: this module (and the `facilitator` package
        # it lives in) imports nothing that starts threads or creates locks or
        # sockets at import time, see tests/test_serve.py. Not in `serve`
        # itself: tests invoke `cli` in-process with a stubbed server, and
        # patching pytest's process would break it. Other commands stay unpatched.
        from gevent import monkey

        monkey.patch_all()
    cli(prog_name="facilitator")


if __name__ == "__main__":
    main()
