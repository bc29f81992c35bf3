"""Fixtures for browser tests: a real server in a subprocess and headless Chromium.

* ``chromium_executable``: the path of Debian's Chromium (``/usr/bin/chromium``,
  or ``$FACILITATOR_CHROMIUM``). Without it the browser tests are skipped,
  unless ``$FACILITATOR_REQUIRE_BROWSER=1`` (as ``.ci/run`` sets), which turns
  the skip into a failure so that CI never goes green without a browser.
* ``browser``: one headless Chromium for the whole test run, driven by
  Playwright with ``executable_path`` (never ``playwright install``).
* ``server``: a :class:`LiveServer`, i.e. ``python -m facilitator serve --demo``
  on 127.0.0.1 and a free port, with its data in ``tmp_path``. The fixture
  reads the ``Join:``, ``Facilitator:`` and ``Projector:`` lines the server
  prints, waits until the port accepts connections, and always stops the
  process (by its pid: SIGTERM, then SIGKILL) at the end.
* ``network_log``: every URL any page of this test requested (HTTP requests
  and WebSockets), for asserting that nothing left 127.0.0.1.
* ``new_context``: a factory for browser contexts, ``new_context("phone")``
  (360x740, touch, mobile), ``new_context("laptop")`` (1280x800) or
  ``new_context("projector")`` (1280x720), with extra Playwright options as
  keyword arguments. Every context uses the ``en-US`` locale (the app picks
  English from Accept-Language), short default timeouts, and feeds
  ``network_log``. All contexts are closed at the end of the test.
* ``shot``: ``shot(page, "name")`` saves a screenshot as
  ``test-artifacts/browser/<test>/<name>.png`` and returns its PNG bytes.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers.server import Server

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 20.0  # seconds until the server has printed its links
DEFAULT_TIMEOUT_MS = 5_000  # for every Playwright wait, unless a test says otherwise
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"

VIEWPORTS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "laptop": {"viewport": {"width": 1280, "height": 800}},
    "projector": {"viewport": {"width": 1280, "height": 720}},
}


# -- the server ---------------------------------------------------------------


@dataclass
class LiveServer:
    """A running ``facilitator serve`` process and the links it printed."""

    process: subprocess.Popen
    data_dir: Path
    join_url: str
    facilitator_url: str
    projector_url: str
    join_code: str
    output: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        parts = urlsplit(self.join_url)
        return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """``facilitator serve --demo`` on 127.0.0.1, stopped (by pid) at the end of the test."""
    running = Server(tmp_path / "data")
    try:
        running.start(timeout=SERVER_START_TIMEOUT)
    except RuntimeError as error:
        pytest.fail(str(error))
    try:
        yield LiveServer(
            process=running.process,
            data_dir=running.data_dir,
            join_url=running.links["Join"],
            facilitator_url=running.links["Facilitator"],
            projector_url=running.links["Projector"],
            join_code=running.links.get("Code", ""),
            output=running.output,
        )
    finally:
        running.stop()


# -- the browser ----------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium, or skip (fail when ``FACILITATOR_REQUIRE_BROWSER=1``)."""
    path = os.environ.get("FACILITATOR_CHROMIUM", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        message = f"{path} not found: install Debian's chromium (bash .ci/run does)"
        if os.environ.get("FACILITATOR_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable: str):
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def network_log() -> list[str]:
    """URLs requested by every page of this test (filled by ``new_context``)."""
    return []


@pytest.fixture
def new_context(browser, network_log: list[str]) -> Iterator[Callable]:
    """Factory for browser contexts (``"phone"``, ``"laptop"``, ``"projector"``)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    made = []

    def record_page(page) -> None:
        page.on("websocket", lambda ws: network_log.append(ws.url))

    def make(kind: str = "phone", **options):
        settings = {"locale": "en-US", "timezone_id": "Europe/Berlin", **VIEWPORTS[kind], **options}
        context = browser.new_context(**settings)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.set_default_navigation_timeout(10_000)
        context.on("request", lambda request: network_log.append(request.url))
        context.on("page", record_page)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable:
    """``shot(page, name)``: save a screenshot under test-artifacts/ and return its bytes."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)

    def take(page, name: str, full_page: bool = False) -> bytes:
        folder.mkdir(parents=True, exist_ok=True)
        return page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)

    return take

