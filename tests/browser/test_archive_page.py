"""The organisers' archive in the browser: open the organiser link, import a bundle from
another laptop, find it, change a responsibility's status, delete a workshop after the
confirmation; a running workshop is not deleted."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from browser_steps import expect_connected
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("FACILITATOR_SHOTS", "")) if os.environ.get("FACILITATOR_SHOTS") else None
SIZES = {"phone": (390, 844), "laptop": (1366, 768), "projector": (1024, 768)}


def organiser_link(server) -> str:
    """The ``Organiser:`` line the server printed (bounded wait: it follows the others)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in list(server.output):
            if line.startswith("Organiser: "):
                return line.split(": ", 1)[1].strip()
        time.sleep(0.05)
    raise AssertionError(f"no Organiser: line in {server.output}")


def make_bundle(folder: Path) -> tuple[Path, str]:
    """A bundle of a held round table (made on 'another laptop': an app in this process)."""
    from facilitator.app import create_app
    from facilitator.bundle import export_bundle
    from facilitator.testing import FakeClock
    from tests.helpers.archive import populate

    app = create_app({"CLOCK": FakeClock(), "SECRET_KEY": "x"})
    core = app.extensions["facilitator"]
    try:
        first, _second = populate(core)
        path = folder / "runder-tisch.facilitator.json"
        path.write_bytes(export_bundle(core, first["id"]))
        return path, first["title"]
    finally:
        core.store.close()


def test_organiser_imports_follows_up_and_deletes(server, new_context, shot, tmp_path):
    bundle, title = make_bundle(tmp_path)
    page = new_context("laptop").new_page()
    page.goto(organiser_link(server))
    expect(page.get_by_role("heading", name="Archive of workshops")).to_be_visible()
    demo = page.locator(".archive-item").first
    expect(demo).to_contain_text("Demo")
    page.get_by_label("Bundle file").set_input_files(str(bundle))
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".note")).to_contain_text("was imported")
    expect(page.locator(".archive-item", has_text=title)).to_contain_text("2 participants")
    # the same file again: recognised, nothing doubled
    page.get_by_label("Bundle file").set_input_files(str(bundle))
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".alert")).to_contain_text("already in this archive")
    expect(page.locator(".archive-item", has_text=title)).to_have_count(1)
    # search
    page.get_by_label("Search").fill("Zebrastreifen")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".archive-item")).to_have_count(1)
    # responsibilities: overdue marked, status changed with a note
    page.locator(".archive-item", has_text=title).get_by_role("link", name="2 open").click()
    flyer = page.locator(".resp-item", has_text="Flyer Zebrastreifen")
    expect(flyer.locator(".badge-overdue")).to_be_visible()
    flyer.get_by_text("Change status").click()
    flyer.get_by_label("Status").select_option("done")
    flyer.get_by_label("Note").fill("Druckerei beauftragt")
    flyer.get_by_role("button", name="Save status").click()
    flyer = page.locator(".resp-item", has_text="Flyer Zebrastreifen")
    expect(flyer).to_contain_text("Druckerei beauftragt")
    expect(flyer.locator(".badge-overdue")).to_have_count(0)
    assert re.search(r"/archive/responsibilities\?workshop=", page.url)
    # delete the imported workshop after the confirmation
    page.get_by_role("link", name="Workshops").click()
    page.locator(".archive-item", has_text=title).get_by_role("link", name="Delete…").click()
    expect(page.get_by_role("heading")).to_contain_text(title)
    page.get_by_role("button", name="Delete for good").click()
    expect(page.locator(".note")).to_contain_text("was deleted")
    expect(page.locator(".archive-item", has_text=title)).to_have_count(0)
    expect(page.locator(".archive-item")).to_have_count(1)
    shot(page, "archive")


def test_a_running_workshop_is_not_deleted(server, new_context):
    page = new_context("laptop").new_page()
    page.goto(server.facilitator_url)  # the facilitator starts the first session of the demo
    page.locator(".list a").first.click()
    expect_connected(page)
    page.get_by_role("button", name="Start").first.click()
    expect(page.locator(".agenda-item.is-current")).to_have_count(1, timeout=15_000)
    page.goto(organiser_link(server))
    demo = page.locator(".archive-item").first
    expect(demo.locator(".badge.state-running")).to_be_visible()
    demo.get_by_role("link", name="Delete…").click()
    page.get_by_role("button", name="Delete for good").click()
    expect(page.locator(".alert")).to_contain_text("is running")
    page.goto(organiser_link(server))
    expect(page.locator(".archive-item")).to_have_count(1)


def test_pages_at_phone_laptop_and_projector_sizes(server, new_context, shot, tmp_path):
    """The archive and the responsibilities at 390x844, 1366x768 and 1024x768: nothing wider
    than the screen (screenshots under test-artifacts/ for a person to look at)."""
    bundle, _title = make_bundle(tmp_path)
    link = organiser_link(server)
    for kind, (width, height) in SIZES.items():
        page = new_context("laptop", viewport={"width": width, "height": height}).new_page()
        page.goto(link)
        if kind == "phone":
            page.get_by_label("Bundle file").set_input_files(str(bundle))
            page.get_by_role("button", name="Import").click()
            expect(page.locator(".archive-item")).to_have_count(2)
        for name in ("archive", "responsibilities"):
            if name == "responsibilities":
                page.goto(link.split("/o/")[0] + "/archive/responsibilities")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} at {width}x{height} is {overflow}px too wide"
            data = shot(page, f"{name}-{width}x{height}", full_page=True)
            if SHOTS is not None:
                SHOTS.mkdir(parents=True, exist_ok=True)
                (SHOTS / f"{name}-{width}x{height}.png").write_bytes(data)
