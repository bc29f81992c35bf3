"""Which language a page speaks (facilitator/i18n.py ``select_locale``).

The order: an explicit choice for the page (``g.language``) > the ``lang``
cookie > the browser's most preferred language that the UI offers > the
workshop's language, where the page belongs to one > English (German for a
client that sends no ``Accept-Language`` at all).
"""

from __future__ import annotations

import pytest
from flask import g

from facilitator.i18n import best_offered, select_locale


@pytest.mark.parametrize("header, expected", [
    ("de-DE,de;q=0.9,en;q=0.8", "de"),
    ("en-GB, de;q=0.8", "en"),  # the primary subtag counts: en-GB is English, preferred over de
    ("fr, de;q=0.5, en;q=0.7", "en"),
    ("tr, de;q=0.5", "de"),
    ("ar, fr;q=0.9", None),
    ("de;q=0", None),
    ("de;q=0, *", "en"),
    ("*", "de"),
    ("", None),
    ("garbage;;;", None),
])
def test_best_offered_language(header, expected):
    assert best_offered(header) == expected


def locale_of(app, headers=None, cookie=None, **on_g) -> str:
    environ = {}
    if cookie:
        environ["HTTP_COOKIE"] = f"lang={cookie}"
    with app.test_request_context("/", headers=headers or {}, environ_base=environ):
        for name, value in on_g.items():
            setattr(g, name, value)
        return select_locale()


def test_select_locale_order(app):
    ar = {"Accept-Language": "ar, fr;q=0.9"}
    assert locale_of(app, ar) == "en", "no workshop, nothing offered: English"
    assert locale_of(app, ar, workshop_language="de") == "de", "the workshop's language"
    assert locale_of(app, ar, workshop_language="en") == "en"
    assert locale_of(app, {"Accept-Language": "en"}, workshop_language="de") == "en", \
        "an offered browser language beats the workshop's"
    assert locale_of(app, {"Accept-Language": "en"}, cookie="de", workshop_language="en") == "de", \
        "the cookie beats the browser"
    assert locale_of(app, {"Accept-Language": "de"}, cookie="de", language="en") == "en", \
        "an explicit choice beats everything"
    assert locale_of(app, {}, cookie="xx", workshop_language="de") == "de", "a bad cookie is ignored"
    assert locale_of(app, {}) == "de", "no header at all (not a browser): the default, German"
    assert locale_of(app, {}, workshop_language="en") == "en"


@pytest.mark.parametrize("workshop_language, expected, unexpected", [
    ("de", "Teilnehmen", ">Join<"),
    ("en", ">Join<", "Teilnehmen"),
])
def test_join_page_for_a_browser_language_not_offered(app, core, workshop_language, expected, unexpected):
    workshop = core.workshops.create({"title": "Runder Tisch", "language": workshop_language,
                                      "privacy": "named"})
    page = app.test_client().get(f"/j/{workshop['join_code']}", headers={"Accept-Language": "ar, fr;q=0.9"})
    text = page.get_data(as_text=True)
    assert expected in text and unexpected not in text
    assert f'name="language" value="{workshop_language}"' in text, "the participant gets the page's language"


def test_landing_page_for_a_browser_language_not_offered_is_english(app):
    text = app.test_client().get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="en">' in text
