"""The ``facilitator`` command: ``serve`` and ``plugins``.

Keep the imports at module level light (no Flask, no app, nothing that starts
threads or creates locks): :func:`main` monkey-patches for gevent after this
module is imported, and that must happen before anything creates locks or threads.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

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
        projector_url = f"{base}/p/{workshop['id']}?key={workshop['projector_key']}"

        def announce() -> None:
            """Print the links: called once the port accepts connections."""
            click.echo(f"Facilitator {__version__}: {workshop['title']}  (data: {data_dir})")
            click.echo(qr_terminal(join_url))
            click.echo(f"Join: {join_url}")
            click.echo(f"Code: {workshop['join_code']}")
            click.echo(f"Facilitator: {facilitator_url}")
            click.echo(f"Projector: {projector_url}")
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
