"""The phone's pages as HTML: the join form, the participant page and the method fragments.

What a browser test would be slow to pin: anonymous workshops neither ask for
nor store an organisation (form and JSON), the join form carries the page's
language, dates are written the German way in the German UI, and the phone's
templates hold no inline script, handler or style (the pages are to send
``Content-Security-Policy: default-src 'self'``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PHONE_TEMPLATES = [
    ROOT / "templates" / "join.html",
    ROOT / "templates" / "participant.html",
    ROOT / "templates" / "live" / "participant.html",
    ROOT / "plugins" / "dotvoting" / "templates" / "dotvoting" / "participant.html",
    ROOT / "plugins" / "fishbowl" / "templates" / "fishbowl" / "participant.html",
]


@pytest.fixture
def anonymous(core):
    return core.workshops.create({"title": "Anonyme Runde", "language": "de", "privacy": "anonymous"})


def test_anonymous_join_page_asks_for_no_organisation(client, anonymous):
    text = client.get(f"/j/{anonymous['join_code']}").get_data(as_text=True)
    assert 'name="organisation"' not in text and 'name="name"' not in text
    assert 'name="org_type"' in text


def test_anonymous_join_stores_no_organisation(client, core, anonymous, csrf_token):
    url = f"/j/{anonymous['join_code']}"
    form = client.post(url, data={"organisation": "Caritas Musterstadt", "org_type": "welfare",
                                  "csrf_token": csrf_token(client, url)})
    assert form.status_code == 302
    joined = client.post(url, json={"name": "Amira", "organisation": "Caritas", "org_type": "welfare"})
    assert joined.status_code == 200
    people = core.people.of_workshop(anonymous["id"], include_absent=True)
    assert len(people) == 2
    assert all(p["organisation"] == "" and p["name"] == "" for p in people)


def test_named_join_keeps_the_organisation(client, core, workshop):
    joined = client.post(f"/j/{workshop['join_code']}",
                         json={"name": "Amira", "organisation": "Caritas", "org_type": "welfare"})
    participant = core.people.get(workshop["id"], joined.get_json()["participant_id"])
    assert participant["organisation"] == "Caritas"


def test_join_form_takes_the_pages_language_and_writes_dates_in_german(client, workshop):
    text = client.get(f"/j/{workshop['join_code']}", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert 'name="language" value="de"' in text
    assert "30.03.2026" in text and "2026-03-30" not in text
    english = client.get(f"/j/{workshop['join_code']}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'name="language" value="en"' in english and "2026-03-30" in english


def test_participant_page_asks_before_leaving(client, workshop):
    joined = client.post(f"/j/{workshop['join_code']}",
                         json={"name": "Amira", "org_type": "welfare", "language": "en"})
    assert joined.status_code == 200
    text = client.get(f"/j/{workshop['join_code']}").get_data(as_text=True)
    leave = re.search(r"<form[^>]*/leave[^>]*>", text, re.DOTALL).group(0)
    assert 'data-confirm="Leave the workshop on this phone?' in leave
    assert f'data-forget-token="facilitator:{workshop["id"]}"' in leave


@pytest.mark.parametrize("template", PHONE_TEMPLATES, ids=lambda p: p.name if p.parent.name == "templates"
                         else f"{p.parent.name}/{p.name}")
def test_phone_templates_hold_no_inline_script_handler_or_style(template):
    source = template.read_text(encoding="utf-8")
    assert not re.search(r"\son[a-z]+\s*=", source), "inline event handler"
    assert not re.search(r"\sstyle\s*=", source), "inline style attribute"
    for script in re.findall(r"<script\b[^>]*>", source):
        assert "src=" in script or 'type="application/json"' in script, f"inline script: {script}"
