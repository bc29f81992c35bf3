"""Minutes: header in the privacy mode, agenda, sections, consolidated agreements, safe HTML."""

from __future__ import annotations

from facilitator.methods import Actor
from facilitator.minutes import md_escape, minutes_filename, minutes_html, minutes_markdown


def run_dot_vote(core, workshop):
    """A short dot vote with one agreement from it."""
    wid = workshop["id"]
    s = core.workshops.add_session(wid, "dotvoting", {"title": "Prioritäten", "question": "Welches Handlungsfeld zuerst?",
                                             "options": "Bildung\nArbeit\nWohnen", "skip_collect": True})
    core.engine.activate_session(wid, s["id"])
    people = [core.people.join(wid, {"name": n, "organisation": o, "org_type": t})
              for n, o, t in [("Ana", "Caritas", "welfare"), ("Bo", "MSO Brücke", "mso"), ("Cy", "", "mso")]]
    options = {o["text"]: o["id"] for o in core.engine.method_view(workshop, core.workshops.session(wid, s["id"]), "facilitator",
                                                              Actor("facilitator"))["options"]}
    for i, p in enumerate(people):
        actor = core.people.actor(workshop, p)
        core.engine.apply_action(wid, actor, s["id"], "set_dots", {"option": options["Bildung"], "count": 2}, f"b{i}")
        if i:
            core.engine.apply_action(wid, actor, s["id"], "set_dots", {"option": options["Wohnen"], "count": 1}, f"w{i}")
    fac = Actor("facilitator")
    for n, name in enumerate(["close_voting", "reveal"]):
        core.engine.apply_action(wid, fac, s["id"], name, {}, f"f{n}")
    core.engine.apply_action(wid, fac, s["id"], "assign", {"option": options["Bildung"], "who_person": "Ana",
                                                    "who_org": "Caritas", "due": "2026-06-30"}, "f9")
    return s


def test_named_minutes_have_header_agenda_sections_and_agreements(app, core, workshop):
    run_dot_vote(core, workshop)
    core.workshops.add_session(workshop["id"], "fishbowl", {"title": "Aktuelle Stunde", "topic": "Teilhabe"})
    core.ledger.save(workshop["id"], {"what": "Nächstes Treffen | Raum klären", "who_person": "Herr K.",
                                         "who_org": "Landkreis", "review": "2026-07-27"})
    with app.app_context():
        text = minutes_markdown(core, workshop)
    assert text.startswith("# Runder Tisch Integration\n")
    assert "Rathaus" in text and "Integrationsbüro" in text
    assert "3" in text.split("## ")[0]  # participants counted in the header
    for name in ("Ana", "Bo", "Cy", "Caritas", "MSO Brücke"):
        assert name in text.split("## ")[0]
    agenda = text.split("## ")[1]
    assert "1. Prioritäten" in agenda and "2. Aktuelle Stunde" in agenda
    dot_section = text.split("## 1. Prioritäten")[1].split("## 2.")[0]
    assert "Welches Handlungsfeld zuerst?" in dot_section
    assert dot_section.index("Bildung") < dot_section.index("Wohnen")
    assert "## 2. Aktuelle Stunde" in text  # a session that never ran is listed as not held
    ledger = text.split("## ")[-1]
    rows = [line for line in ledger.splitlines() if line.startswith(("| 1 ", "| 2 "))]
    assert len(rows) == 2
    assert "Bildung" in rows[0] and "Ana" in rows[0] and "Caritas" in rows[0] and "Prioritäten" in rows[0]
    assert "Nächstes Treffen \\| Raum klären" in rows[1] and "Herr K." in rows[1]


def test_anonymous_minutes_name_nobody(app, core):
    workshop = core.workshops.create({"title": "Anonyme Runde", "privacy": "anonymous", "language": "en"})
    core.people.join(workshop["id"], {"name": "Secret Name", "organisation": "Verein X", "org_type": "association"})
    core.people.join(workshop["id"], {"org_type": "association"})
    with app.app_context():
        text = minutes_markdown(core, workshop)
    assert "Secret Name" not in text and "Verein X" not in text
    assert "Association or club: 2" in text


def test_minutes_follow_the_workshop_language(app, core, workshop):
    run_dot_vote(core, workshop)
    with app.app_context():
        german = minutes_markdown(core, workshop)
        english = minutes_markdown(core, {**workshop, "language": "en"})
    assert "Agreements and responsibilities" in english and "Agenda" in english
    assert "Vereinbarungen und Zuständigkeiten" in german
    assert "30.06.2026" in german and "2026-06-30" in english


def test_html_minutes_cannot_carry_markup(app, core):
    workshop = core.workshops.create({"title": "<script>alert(1)</script> Treffen", "language": "en"})
    core.ledger.save(workshop["id"], {"what": "<img src=x onerror=alert(1)> **bold**", "who_org": "A"})
    with app.app_context():
        html = minutes_html(core, workshop)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "<table>" in html


def test_markdown_escaping_and_file_name():
    assert md_escape("a|b\nc *d* [e](f)") == "a\\|b c \\*d\\* \\[e\\](f)"
    assert minutes_filename({"title": "Runder Tisch: Integration!", "date": "2026-03-30"}) == \
        "2026-03-30-runder-tisch-integration.md"
