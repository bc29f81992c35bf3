"""Fixtures of the fuzz tests (``app``, ``room``, ``browser``) and the report of how many
inputs ran."""

from __future__ import annotations

import dataclasses
import time

import pytest
from kit import Room
from strategies import INPUTS

from facilitator.app import create_app

STARTED = time.monotonic()


def relaxed_limits() -> dict:
    """``RATE_LIMITS`` that a fuzz test (thousands of events a second) never reaches.

    The fuzz tests check what the server does with each input, not how many it
    takes; the limits have tests of their own.
    """
    try:
        from facilitator.ratelimit import Settings
    except ImportError:  # a server without rate limits
        return {}
    return {f.name: 10**9 for f in dataclasses.fields(Settings)
            if f.name.endswith(("_rate", "_burst", "_per_address", "free_failures"))}


@pytest.fixture
def app(clock):
    """As the root ``app`` fixture (in memory, synchronous views, fake clock), without
    rate limits in the way."""
    config = {"TESTING": True, "LIVE_SYNC": True, "CLOCK": clock, "SECRET_KEY": "test"}
    limits = relaxed_limits()
    app = create_app({**config, **({"RATE_LIMITS": limits} if limits else {})})
    yield app
    app.extensions["facilitator"].store.close()


@pytest.fixture
def room(app, core, sio):
    """A workshop with two sessions, phones, the facilitator and the projector connected."""
    opened = Room.open(app, core, sio)
    yield opened
    opened.close()


@pytest.fixture
def browser(app):
    """A Flask test client that opened the facilitator link."""
    client = app.test_client()
    assert client.get(f"/f/{app.config['FACILITATOR_TOKEN']}").status_code == 302
    return client


def pytest_terminal_summary(terminalreporter):
    """Print how many generated inputs the fuzz tests sent, and how long they took."""
    if INPUTS:
        parts = ", ".join(f"{name} {n}" for name, n in sorted(INPUTS.items()))
        terminalreporter.write_line(
            f"fuzz: {sum(INPUTS.values())} generated inputs in {time.monotonic() - STARTED:.0f} s "
            f"({parts})")
