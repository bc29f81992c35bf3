"""Steps the browser tests share: joining on a phone, waiting for the live connection,
and finding requests that left the laptop."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def non_local(urls: list[str]) -> list[str]:
    """The URLs whose host is not 127.0.0.1/localhost (``data:`` and ``blob:`` are local)."""
    return [
        url for url in urls
        if urlsplit(url).scheme not in ("data", "blob", "about")
        and urlsplit(url).hostname not in LOCAL_HOSTS
    ]


def expect_connected(page: Page) -> None:
    """The page's live connection is up (``#conn[data-state=connected]``)."""
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")


def join(page: Page, join_url: str, name: str, organisation: str, org_type: str) -> None:
    """Fill in the join form on a phone and wait for the live lobby."""
    page.goto(join_url)
    form = page.locator("#join-form")
    expect(form).to_be_visible()
    form.get_by_label("Your name").fill(name)
    form.get_by_label("Organisation (optional)").fill(organisation)
    form.get_by_label("Type of organisation").select_option(org_type)
    form.get_by_role("button", name="Join").click()
    expect_connected(page)
    expect(page.locator("#live h1")).to_have_text(f"Welcome, {name}!")
