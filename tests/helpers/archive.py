"""A small archive world for the archive, bundle and CLI tests: two workshops with sessions,
participants and agreements whose texts are easy to find in files (``MARKER``)."""

from __future__ import annotations

#: A text that occurs only in the first workshop's records (titles, names, agreements).
MARKER = "Zebrastreifen"


def populate(core) -> tuple[dict, dict]:
    """Two workshops: a held round with agreements (one overdue, one with history) and a plan."""
    first = core.workshops.create({"title": f"Runder Tisch {MARKER} Öffentlichkeit", "date": "2026-03-10",
                                   "place": "Rathaus Süd", "organiser": "Integrationsbüro",
                                   "language": "de", "privacy": "named"})
    wid = first["id"]
    session = core.workshops.add_session(wid, "fishbowl", {"title": f"Aktuelle Stunde {MARKER}", "topic": "Teilhabe"})
    core.workshops.add_session(wid, "dotvoting", {"title": "Prioritäten", "question": "Was zuerst?",
                                                  "options": "Bildung\nWohnen", "skip_collect": True})
    core.engine.activate_session(wid, session["id"])
    core.people.join(wid, {"name": f"Jürgen {MARKER}", "organisation": "Caritas", "org_type": "welfare"})
    core.people.join(wid, {"name": "Samir", "organisation": "MSO Brücke", "org_type": "mso"})
    core.engine.close_session(wid, session["id"])
    core.ledger.save(wid, {"what": f"Flyer {MARKER} übersetzen", "who_person": "Samir",
                           "who_org": "MSO Brücke", "due": "2026-03-01", "review": "2026-04-15",
                           "session_id": session["id"]})
    later = core.ledger.save(wid, {"what": "Räume für Sprachcafé anfragen", "who_person": "Jürgen",
                                   "who_org": "Caritas", "follow_up": "Frau Öztürk", "due": "2026-06-30"})
    core.ledger.set_status(later["id"], "in_progress", "Angefragt beim Bürgerhaus")
    second = core.workshops.create({"title": "Forum Arbeit", "date": "2025-11-04", "place": "Kreishaus",
                                    "organiser": "Jobcenter", "language": "en", "privacy": "named"})
    core.ledger.save(second["id"], {"what": "Invite employers", "who_org": "Jobcenter", "due": "2025-12-01"})
    done = core.ledger.save(second["id"], {"what": "Send the slides", "who_person": "Anna"})
    core.ledger.set_status(done["id"], "done", "sent")
    return core.workshops.get(wid), core.workshops.get(second["id"])
