"""Shared fixtures.

* ``app``: a Facilitator app with data in memory, live updates sent
  synchronously (deterministic) and a fake clock (``clock``).
* ``client``: a Flask test client (anonymous browser).
* ``fac``: a Flask test client that opened the facilitator link.
* ``csrf_token``: ``csrf_token(client, url="/")`` reads the CSRF token from the
  forms of a page, as a browser gets it; form posts send it as ``csrf_token``.
* ``runner``: a Click runner for the ``facilitator`` command.
* ``core``: the app's :class:`facilitator.core.Core`.
* ``workshop``: a named-mode workshop created through the core.
* ``sio``: a factory for Socket.IO test clients: ``sio("facilitator", workshop)``,
  ``sio("projector", workshop)``, ``sio("participant", token=...)``.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from facilitator.app import create_app
from facilitator.testing import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    """The fake clock the ``app`` fixture uses."""
    return FakeClock()


@pytest.fixture
def app(clock):
    """An app with in-memory storage and synchronous live updates."""
    app = create_app({"TESTING": True, "LIVE_SYNC": True, "CLOCK": clock, "SECRET_KEY": "test"})
    yield app
    app.extensions["facilitator"].store.close()


@pytest.fixture
def core(app):
    """The app's core service."""
    return app.extensions["facilitator"]


@pytest.fixture
def client(app):
    """An anonymous browser."""
    return app.test_client()


@pytest.fixture
def fac(app):
    """A browser that opened the facilitator's secret link."""
    client = app.test_client()
    response = client.get(f"/f/{app.config['FACILITATOR_TOKEN']}")
    assert response.status_code == 302
    return client


@pytest.fixture
def csrf_token():
    """``csrf_token(client, url="/")``: the token in the forms of the page at ``url``
    (redirects followed), for ``client``'s session. Every form post needs it."""

    def read(client, url: str = "/") -> str:
        page = client.get(url, follow_redirects=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
        assert match, f"no CSRF token in the forms of {url} (HTTP {page.status_code})"
        return match.group(1)

    return read


@pytest.fixture
def runner():
    """Runs the ``facilitator`` command line."""
    return CliRunner()


@pytest.fixture
def workshop(core):
    """A named-mode workshop in German."""
    return core.workshops.create(
        {"title": "Runder Tisch Integration", "date": "2026-03-30", "place": "Rathaus",
         "organiser": "Integrationsbüro", "language": "de", "privacy": "named"}
    )


@pytest.fixture
def sio(app):
    """Factory for Socket.IO test clients, disconnected at the end of the test."""
    socketio = app.extensions["socketio"]
    made = []

    def make(role: str, workshop: dict | None = None, **auth):
        auth = {"role": role, **auth}
        if workshop is not None:
            auth.setdefault("workshop", workshop["id"])
            if role == "projector":
                auth.setdefault("key", workshop["projector_key"])
            if role == "facilitator":
                auth.setdefault("token", app.config["FACILITATOR_TOKEN"])
        client = socketio.test_client(app, auth=auth)
        made.append(client)
        return client

    yield make
    for client in made:
        if client.is_connected():
            client.disconnect()
