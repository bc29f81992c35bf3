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
    assert "organisation" not in text.split("**Participants:**")[1].split("\n")[0]  # none stored


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


# -- text stored before the input checks never breaks the minutes --------------------

BROKEN = "\ud800"  # a lone surrogate: JSON "\ud800" decodes to it, UTF-8 cannot hold it


def store_broken_texts(core, workshop):
    """Write texts with a lone surrogate and control characters straight into the
    store, past every input check, as data of an older version would be."""
    session = run_dot_vote(core, workshop)
    wid = workshop["id"]
    ana = next(p for p in core.people.of_workshop(wid) if p["name"] == "Ana")
    core.store.put("participants", ana["id"], {**ana, "name": f"Eve{BROKEN}", "organisation": "Org\x00\x1bX"})
    agreement = core.ledger.of_workshop(wid)[0]
    core.store.put("agreements", agreement["id"], {**agreement, "what": f"Plan{BROKEN}\x02", "due": "bald\x07"})
    stored = core.store.get("sessions", session["id"])
    stored["state"]["options"][0]["text"] = f"Bus{BROKEN}linie"
    stored["title"] = f"Prioritäten{BROKEN}"
    core.store.put("sessions", session["id"], stored)
    return session


def test_minutes_of_stored_lone_surrogates_and_controls_render_with_replacement_chars(app, fac, core, workshop):
    store_broken_texts(core, workshop)
    page = fac.get(f"/facilitator/w/{workshop['id']}/minutes")
    download = fac.get(f"/facilitator/w/{workshop['id']}/minutes.md")
    assert page.status_code == 200 and download.status_code == 200
    html, text = page.get_data(as_text=True), download.get_data(as_text=True)
    for body in (html, text):
        assert "Eve\ufffd" in body  # the participant's name
        assert "Plan\ufffd" in body  # the agreement
        assert "Bus\ufffdlinie" in body  # the dot-voting option
        assert "Org\ufffd\ufffdX" in body
        assert not any(c in body for c in "\x00\x02\x07\x1b")
    assert "Prioritäten\ufffd" in text
    with app.app_context():
        assert "\ufffd" in minutes_markdown(core, workshop) and "\ufffd" in minutes_html(core, workshop)


def test_a_failing_method_section_leaves_a_note_and_the_rest_of_the_minutes(app, fac, core, workshop,
                                                                           monkeypatch, caplog):
    session = run_dot_vote(core, workshop)
    method = core.methods.method("dotvoting")

    def broken(state, ctx):
        raise KeyError("options")

    monkeypatch.setattr(method, "minutes", broken)
    response = fac.get(f"/facilitator/w/{workshop['id']}/minutes.md")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Vereinbarungen und Zuständigkeiten" in text and "Ana" in text
    assert session["id"] in caplog.text


def test_text_that_is_not_unicode_is_refused_at_the_door(client, core, workshop):
    body = '{"name": "Eve\\ud800", "org_type": "mso"}'  # what a phone could send
    response = client.post(f"/j/{workshop['join_code']}", data=body, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_text"
    assert core.people.of_workshop(workshop["id"]) == []


def test_safe_text_and_file_name_of_broken_stored_text():
    from facilitator.mdtext import safe_text

    assert safe_text(f"a{BROKEN}b\ud83d\ude00\r\nc\x00\td") == "a\ufffdb\U0001F600\nc\ufffd\td"
    assert safe_text("Grüße\n") == "Grüße\n"
    assert md_escape(f"x{BROKEN}\x1b") == "x\ufffd\ufffd"
    assert minutes_filename({"title": f"T{BROKEN}", "date": '2026"\n'}) == "t.md"


def test_every_page_renders_stored_broken_text(app, fac, core, workshop, sio):
    """Not only the minutes: no stored text makes a page or a live view fail."""
    session = store_broken_texts(core, workshop)
    wid = workshop["id"]
    core.store.put("workshops", wid, {**core.workshops.get(wid), "title": f"Runder Tisch{BROKEN}"})
    core.engine.activate_session(wid, session["id"])
    for url in ("/facilitator/", f"/facilitator/w/{wid}", f"/facilitator/w/{wid}/handout",
                f"/facilitator/w/{wid}/minutes"):
        page = fac.get(url)
        assert page.status_code == 200, url
        assert "Runder Tisch\ufffd" in page.get_data(as_text=True), url
    projector = fac.get(f"/p/{wid}?key={workshop['projector_key']}")
    assert projector.status_code == 200
    for role in ("facilitator", "projector"):
        client = sio(role, workshop)
        views = [e["args"][0] for e in client.get_received() if e["name"] == "view"]
        assert views and "Bus\ufffdlinie" in views[-1]["html"], role
