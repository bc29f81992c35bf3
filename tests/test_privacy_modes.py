"""Privacy modes (named, anonymous, Chatham House) in every section of the minutes,
speaking time only when chosen, and a removed participant treated alike everywhere."""

from __future__ import annotations

import pytest

from facilitator.methods import Actor
from facilitator.minutes import minutes_markdown
from facilitator.minutes_protocol import Protocol
from facilitator.people import People
from facilitator.vocabulary import PRIVACY_MODES

FAC = Actor("facilitator")


def act(core, wid, sid, name, payload, actor=FAC, key=[0]):  # noqa: B006 (a counter)
    key[0] += 1
    core.engine.apply_action(wid, actor, sid, name, payload, f"p{key[0]}")


def fishbowl_workshop(core, clock, privacy, speaking_time=False, remove=False):
    """Two people of type "other" sit in a fishbowl, one is credited with a statement."""
    w = core.workshops.create({"title": "Runde", "language": "de", "privacy": privacy})
    wid = w["id"]
    people = [core.people.join(wid, {"name": name, "organisation": org, "org_type": "other"})
              for name, org in (("Samira Name", "Verein Eins"), ("Tarek Name", "Verein Zwei"))]
    talk = core.workshops.add_session(wid, "fishbowl", {"title": "Fishbowl", "topic": "Wohnen"})
    core.engine.activate_session(wid, talk["id"])
    act(core, wid, talk["id"], "add_guest", {"name": "Gast Name", "organisation": "Presse", "org_type": "science"})
    act(core, wid, talk["id"], "start", {})
    for person in people:
        act(core, wid, talk["id"], "seat", {"person": person["id"]})
    clock.advance(40)
    act(core, wid, talk["id"], "mark_statement", {"text": "Wir brauchen mehr Wohnungen.",
                                                  "person": people[0]["id"]})
    core.ledger.save(wid, {"what": "Wohnraum prüfen", "who_person": "Samira Name", "who_org": "Verein Eins",
                           "session_id": talk["id"]})
    if speaking_time:
        Protocol(core.workshops).save(wid, {"speaking_time": "1"})
    if remove:
        core.engine.remove_participant(wid, people[1]["id"])
    return core.workshops.get(wid), people


def test_chatham_is_a_privacy_mode_offered_on_the_form(fac):
    assert "chatham" in PRIVACY_MODES
    page = fac.get("/facilitator/").get_data(as_text=True)
    assert 'value="chatham"' in page


def test_chatham_join_page_asks_the_name_but_not_the_organisation(client, core):
    w = core.workshops.create({"title": "Runde", "privacy": "chatham", "language": "en"})
    page = client.get(f"/j/{w['join_code']}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'name="name"' in page and 'name="organisation"' not in page
    assert "Chatham House Rule" in page
    person = core.people.join(w["id"], {"name": "Ana", "org_type": "mso"})
    assert People.label(w, person) == "Ana"  # in the room, people know each other


@pytest.mark.parametrize("privacy", ["named", "anonymous", "chatham"])
def test_every_section_follows_the_mode(app, core, clock, privacy):
    w, _people = fishbowl_workshop(core, clock, privacy)
    with app.app_context():
        text = minutes_markdown(core, w)
    header, rest = text.split("## Programm", 1)
    # (an agreement names who is responsible, in every mode but anonymous: it is a
    # commitment, not a statement; docs/privacy.md)
    fishbowl = rest.split("## 1. Fishbowl")[1].split("### Vereinbarungen")[0]
    table = text.split("## Vereinbarungen und Zuständigkeiten")[1]
    if privacy == "named":
        assert "Samira Name (Verein Eins)" in header and "Gast Name (Presse) (Gast)" in header
        assert "(Samira Name): Wir brauchen" in fishbowl
        assert "| Samira Name |" in fishbowl and "Gast Name" in fishbowl
        assert "Samira Name" in table
    else:
        for name in ("Samira Name", "Tarek Name", "Gast Name", "Verein Zwei"):
            assert name not in header and name not in fishbowl, (privacy, name)
        assert "Wir brauchen mehr Wohnungen." in fishbowl  # the statement is recorded
        assert "Wissenschaft" in fishbowl  # the panel by type of organisation
    if privacy == "anonymous":
        # two people of type "other" are told apart by a stable pseudonym
        assert "Teilnehmer/in 1" in fishbowl and "Teilnehmer/in 2" in fishbowl
        assert "(Teilnehmer/in 1): Wir brauchen" in fishbowl
        assert "Samira Name" not in text  # not even as the agreement's person
        assert "Verein Eins" in table  # organisations stay responsible
    if privacy == "chatham":
        assert "Teilnehmer/in" not in fishbowl  # never attributed, not even to a pseudonym
        assert "): Wir brauchen" not in fishbowl
        assert "Chatham-House-Regel" in header
        assert "| # | Von | Bis | Dauer |" in fishbowl  # the log has no "who" column


@pytest.mark.parametrize("privacy", ["named", "anonymous"])
def test_per_person_speaking_time_only_when_chosen(app, core, clock, privacy):
    without, _p = fishbowl_workshop(core, clock, privacy)
    chosen, _p = fishbowl_workshop(core, clock, privacy, speaking_time=True)
    with app.app_context():
        plain, timed = minutes_markdown(core, without), minutes_markdown(core, chosen)
    per_person = "| Wer | Beiträge | Zeit | Zeitanteil |"
    assert per_person not in plain and per_person in timed
    assert "| Art der Organisation |" in plain  # totals by type stay


def test_chatham_never_shows_speaking_time_per_person(app, core, clock):
    w, _p = fishbowl_workshop(core, clock, "chatham", speaking_time=True)
    with app.app_context():
        assert "| Wer | Beiträge |" not in minutes_markdown(core, w)


@pytest.mark.parametrize("privacy", ["named", "anonymous", "chatham"])
def test_a_removed_participant_is_treated_alike_in_every_section(app, core, clock, privacy):
    w, _people = fishbowl_workshop(core, clock, privacy, remove=True)
    with app.app_context():
        text = minutes_markdown(core, w)
    assert "Tarek Name" not in text and "Verein Zwei" not in text
    assert "**Teilnehmende:** 1" in text  # not counted as present
    if privacy != "chatham":
        assert "entfernte/r Teilnehmer/in" in text  # the rotation log, not by name
    if privacy == "anonymous":
        assert "Teilnehmer/in 2" not in text


def test_dot_voting_agreements_hide_the_person_in_anonymous_mode(app, core):
    for privacy, shown in (("anonymous", False), ("chatham", True), ("named", True)):
        w = core.workshops.create({"title": "Punkte", "language": "de", "privacy": privacy})
        s = core.workshops.add_session(w["id"], "dotvoting", {"title": "P", "question": "Q?",
                                                              "options": "A\nB", "skip_collect": True})
        core.engine.activate_session(w["id"], s["id"])
        core.people.join(w["id"], {"name": "Ana", "org_type": "mso"})
        act(core, w["id"], s["id"], "close_voting", {})
        act(core, w["id"], s["id"], "reveal", {})
        view = core.engine.method_view(w, core.workshops.session(w["id"], s["id"]), "facilitator", FAC)
        act(core, w["id"], s["id"], "assign", {"option": view["options"][0]["id"], "who_person": "Frau Geheim",
                                               "who_org": "Amt"})
        with app.app_context():
            text = minutes_markdown(core, w)
        assert ("Frau Geheim" in text) is shown, privacy
        assert "Amt" in text
