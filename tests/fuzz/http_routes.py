"""The routes of the archive, the minutes page, the set-up API and the plugin pages, for the
HTTP fuzz (:mod:`test_fuzz_http`): their fields, path parts, uploaded files and who sends them.

Each entry is ``name -> (method, path template, fields, body kind, the form's page)``; body
kinds are ``query``, ``form``, ``json`` and ``upload`` (a multipart form with a file, see
:class:`Upload`). Plugin pages are named ``plugin:<rule>`` (their endpoint names,
``plugin_page_N``, depend on the order plugins load in).

Also the identities that send them (:func:`browsers`: the facilitator, a phone, an
anonymous browser, the organiser, a script with the bearer token), the CSRF token as a
browser has it (:func:`csrf_token`) and :func:`tidy`, which keeps the store small.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from strategies import Ref, dates, ids, junk, text_values, weighted

from facilitator.bundle import export_bundle

TEXT = text_values
NEXT = st.sampled_from(["/archive/responsibilities", "/archive/", "//evil.example",
                        "/\\evil.example", "https://evil.example/", "javascript:x", "", "/\t/evil.example"])
FMT = st.sampled_from(["md", "html", "pdf", "docx", "json", "txt", "MD", "md.exe", "..", "json%00", "x" * 300])
VERSION = {"version": st.sampled_from(["0", "1", "2", "3", "-1", "1.0", "", " 1", "x", "٣", "²",
                                       "9" * 5000, "99999999999999999999", "0x1"])}
STATUS = st.sampled_from(["open", "in_progress", "done", "dropped", "", "Done", "closed", "x" * 200])
WORKSHOP_STATUS = st.sampled_from(["planned", "running", "held", "imported", "", "x"])
TIME = st.sampled_from(["09:30", "23:59", "24:00", "9:30", "09:60", "", "12:00:00", "٠٩:٣٠"])
PROTOCOL = {"start_time": TIME, "end_time": TIME, "moderator": TEXT, "minute_taker": TEXT,
            "apologies": TEXT, "distribution": TEXT, "next_date": dates(), "next_place": TEXT,
            "summary": TEXT, "speaking_time": st.sampled_from(["on", "", "1", "x"])}
SECTION = {"text": TEXT, "reset": st.sampled_from(["", "", "1"])}
ARCHIVE_QUERY = {"q": TEXT, "status": WORKSHOP_STATUS, "year": st.sampled_from(["2026", "2025", "", "20x6", "-1"]),
                 "open": st.sampled_from(["1", "", "0"])}
RESP_QUERY = {"q": TEXT, "org": TEXT, "person": TEXT, "status": STATUS, "due_from": dates(),
              "due_to": dates(), "overdue": st.sampled_from(["1", "", "yes"]),
              "workshop": weighted((3, st.builds(Ref, st.just("workshop"), st.integers(0, 63))), (1, TEXT))}
RESP_FMT = st.sampled_from(["md", "csv", "ics", "pdf", "", "CSV", "ics.html"])
SET_STATUS = {"status": STATUS, "note": TEXT, "next": NEXT}
CONFIRM = {"confirm": st.sampled_from(["yes", "yes", "no", "", "YES"])}
PRIVACY = st.sampled_from(["named", "anonymous", "", "public"])
API_WORKSHOP = {"title": TEXT, "date": dates(), "place": TEXT, "organiser": TEXT,
                "language": st.sampled_from(["de", "en", "", "xx"]), "privacy": PRIVACY}
API_SESSION = {"method": st.sampled_from(["dotvoting", "fishbowl", "roundtable", "nomethod", ""]),
               "title": TEXT, "question": TEXT, "topic": TEXT,
               "options": weighted((2, st.lists(TEXT, max_size=4)), (1, TEXT)),
               "skip_collect": st.sampled_from([True, False, "on"])}
API_NEW = {**API_WORKSHOP, "sessions": weighted((3, st.lists(st.fixed_dictionaries(API_SESSION), max_size=2)),
                                                (1, junk))}
MOVE = {"position": weighted((3, st.integers(-2, 5)), (1, junk))}


@dataclass(frozen=True)
class Upload:
    """A file for the bundle upload, made when the request is sent (``kind``: see
    :func:`upload_bytes`; ``index`` picks a real bundle)."""

    kind: str
    index: int
    filename: str


UPLOAD = {"bundle": st.builds(Upload, st.sampled_from(
    ["real", "real", "real", "real", "real", "truncated", "flipped", "own", "png", "empty", "json", "huge", "text"]),
    st.integers(0, 7), st.sampled_from(["x.facilitator.json", "", "../../etc/passwd", "Ä.json"]))}

ROUTES = {
    "facilitator.minutes_file": ("GET", "/facilitator/w/{workshop}/minutes/file.{fmt}", VERSION, "query", None),
    "facilitator.minutes_download/version": ("GET", "/facilitator/w/{workshop}/minutes.md", VERSION, "query", None),
    "facilitator.minutes_protocol": ("POST", "/facilitator/w/{workshop}/minutes/protocol", PROTOCOL, "form",
                                     "/facilitator/w/{workshop}/minutes"),
    "facilitator.minutes_section": ("POST", "/facilitator/w/{workshop}/minutes/sections/{session}", SECTION,
                                    "form", "/facilitator/w/{workshop}/minutes"),
    "facilitator.minutes_finalise": ("POST", "/facilitator/w/{workshop}/minutes/finalise", {}, "form",
                                     "/facilitator/w/{workshop}/minutes"),
    "enter_organiser": ("GET", "/o/{org}", {}, "query", None),
    "archive.index": ("GET", "/archive/", ARCHIVE_QUERY, "query", None),
    "archive.minutes": ("GET", "/archive/w/{workshop}/minutes.{fmt}", {}, "query", None),
    "archive.export_bundle": ("GET", "/archive/w/{workshop}/bundle", {}, "query", None),
    "archive.everything": ("GET", "/archive/all.zip", {}, "query", None),
    "archive.delete": ("GET", "/archive/w/{workshop}/delete", {}, "query", None),
    "archive.delete/post": ("POST", "/archive/w/{scratch}/delete", CONFIRM, "form", "/archive/w/{scratch}/delete"),
    "archive.import_bundle": ("POST", "/archive/import", UPLOAD, "upload", "/archive/"),
    "archive.responsibilities_page": ("GET", "/archive/responsibilities", RESP_QUERY, "query", None),
    "archive.responsibilities_export": ("GET", "/archive/responsibilities.{rfmt}", RESP_QUERY, "query", None),
    "archive.set_status": ("POST", "/archive/agreements/{agreement}/status", SET_STATUS, "form",
                           "/archive/responsibilities"),
    "calendar": ("GET", "/calendar/{calendar}.ics", RESP_QUERY, "query", None),
    "api.methods": ("GET", "/api/v1/methods", {}, "query", None),
    "api.workshops": ("GET", "/api/v1/workshops", {}, "query", None),
    "api.create_workshop": ("POST", "/api/v1/workshops", API_NEW, "json", None),
    "api.get_workshop": ("GET", "/api/v1/workshops/{workshop}", {}, "query", None),
    "api.update_workshop": ("PATCH", "/api/v1/workshops/{workshop}", API_WORKSHOP, "json", None),
    "api.delete_workshop": ("DELETE", "/api/v1/workshops/{scratch}", {}, "query", None),
    "api.add_session": ("POST", "/api/v1/workshops/{workshop}/sessions", API_SESSION, "json", None),
    "api.configure_session": ("PATCH", "/api/v1/workshops/{workshop}/sessions/{session}", API_SESSION, "json",
                              None),
    "api.move_session": ("POST", "/api/v1/workshops/{workshop}/sessions/{session}/move", MOVE, "json", None),
    "api.delete_session": ("DELETE", "/api/v1/workshops/{owner}/sessions/{scratch_session}", {}, "query",
                           None),
    "plugin:/plugins/twinning/template.csv": ("GET", "/plugins/twinning/template.csv", {}, "query", None),
    "plugin:/plugins/twinning/handout/<workshop_id>/<session_id>/<pair_key>": (
        "GET", "/plugins/twinning/handout/{workshop}/{session}/{pair}", {}, "query", None),
}


def part(kind: str) -> st.SearchStrategy:
    """A path segment: an id the room knows, or junk text."""
    return weighted((8, st.builds(Ref, st.just(kind), st.integers(0, 63))), (1, text_values.filter(bool)),
                    (1, ids(kind)))


ROUTE_PARTS = {"fmt": FMT, "rfmt": RESP_FMT, "agreement": part("agreement"), "calendar": part("cal_token"),
         "scratch_session": part("scratch_session"), "pair": part("pair")}
#: Who sends requests to a route (relative weights), by the start of its name.
SENDERS = {
    "api.": ((14, "script"), (1, "facilitator"), (1, "anonymous"), (1, "organiser"), (1, "phone")),
    "archive.": ((4, "organiser"), (2, "facilitator"), (1, "anonymous"), (1, "phone"), (1, "script")),
    "": ((6, "facilitator"), (4, "phone"), (2, "anonymous"), (1, "organiser"), (1, "script")),
}
#: The ``Authorization`` header the script sends: the right one (and spellings the
#: server takes), and wrong ones. Values name what :func:`authorization` makes of them.
AUTH = weighted((24, st.just("good")), (1, st.just("lower")), (1, st.just("padded")), (1, st.just("wrong")),
                (1, st.just("basic")), (1, st.just("none")), (1, st.just("cookie_only")))
GOOD_AUTH = {"good", "lower", "padded"}


def senders(name: str) -> st.SearchStrategy:
    """The identities that send requests to route ``name``."""
    key = next(prefix for prefix in SENDERS if name.startswith(prefix))
    return weighted(*((weight, st.just(who)) for weight, who in SENDERS[key]))


def authorization(kind: str, token: str) -> str | None:
    """The script's ``Authorization`` header for ``kind`` (see :data:`AUTH`)."""
    return {"good": f"Bearer {token}", "lower": f"bearer {token}", "padded": f"Bearer  {token} ",
            "wrong": f"Bearer {token[:-1]}x", "basic": f"Basic {token}", "none": None,
            "cookie_only": None}[kind]


def known_more(room, kind: str) -> list[str] | None:
    """The values of the new kinds of :class:`Ref` (``None``: not one of them)."""
    core = room.core
    mine = (room.workshop["id"], room.other["id"])
    if kind == "org_token":
        return [room.app.config["ORGANISER_TOKEN"]]
    if kind == "cal_token":
        doc = core.store.get("settings", "calendar_token")
        return [doc["value"]] if doc else []
    if kind == "scratch_session":
        return [s["id"] for w in core.workshops.all() if w["id"] not in mine
                for s in core.workshops.sessions(w["id"])]
    if kind == "pair":
        return [p["key"] for s in core.store.all("sessions") if s.get("method") == "twinning"
                and isinstance(s.get("state"), dict) for p in s["state"].get("pairs", [])]
    return None


def owner(room, session: Any, fallback: str) -> str:
    """The scratch workshop holding the session ``session`` (a :class:`Ref` of
    ``scratch_session``) names, else ``fallback``: a scratch workshop or junk."""
    if isinstance(session, Ref) and session.mangle == "":
        sessions = known_more(room, "scratch_session")
        if sessions:
            found = room.core.store.get("sessions", session.resolve(sessions))
            if found and found.get("workshop_id"):
                return found["workshop_id"]
    return fallback


class Bundles:
    """Bundle files: real ones from another Facilitator (each imports once), and damaged ones."""

    def __init__(self) -> None:
        self.real: list[bytes] = []

    def make_real(self) -> None:
        from facilitator.app import create_app
        from facilitator.testing import FakeClock

        other = create_app({"TESTING": True, "LIVE_SYNC": True, "CLOCK": FakeClock(1_770_000_000.0),
                            "SECRET_KEY": "bundles"})
        core = other.extensions["facilitator"]
        for number in range(4):
            workshop = core.workshops.create({"title": f"Imported <script>alert(1)</script> {number}",
                                              "date": "2026-02-0" + str(number + 1), "language": "de",
                                              "privacy": "named"})
            core.workshops.add_session(workshop["id"], "fishbowl", {"topic": "Wohnen"})
            core.people.join(workshop["id"], {"name": "Ayşe", "org_type": "mso"})
            core.ledger.save(workshop["id"], {"what": "Flyer", "who_org": "Caritas", "due": "2026-05-01"})
            self.real.append(export_bundle(core, workshop["id"]))
        core.store.close()

    def data(self, room, upload: Upload) -> bytes:
        """The bytes of ``upload``."""
        if not self.real:
            self.make_real()
        real = self.real[upload.index % len(self.real)]
        if upload.kind == "truncated":
            return real[: len(real) * (upload.index + 1) // 9]
        if upload.kind == "flipped":
            at = len(real) * (upload.index + 1) // 9
            return real[:at] + bytes([real[at] ^ 1]) + real[at + 1:]
        if upload.kind == "own":
            return export_bundle(room.core, room.workshop["id"])
        return {"real": real, "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "empty": b"",
                "json": json.dumps({"format": "facilitator-bundle", "version": 1}).encode(),
                "huge": b"{" + b" " * 1_100_000, "text": "Grüße\n".encode("utf-16")}[upload.kind]


BUNDLES = Bundles()


def multipart(room, fields: Any) -> dict:
    """A multipart form for the test client: :class:`Upload` s as files, the rest as text."""
    items = fields.items() if isinstance(fields, dict) else [("data", fields)]
    form: dict = {}
    for key, value in items:
        if isinstance(value, Upload):
            form[str(key)] = (io.BytesIO(BUNDLES.data(room, value)), value.filename)
        else:
            text = value if isinstance(value, str) else json.dumps(value)
            form[str(key)] = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return form


#: Scratch workshops kept between requests (see :func:`tidy`).
SCRATCH_KEPT = 5


def csrf_token(room, client, page: str) -> str | None:
    """The token in the hidden ``csrf_token`` input of ``page`` (or of ``/``), as a browser has it."""
    cache = room.__dict__.setdefault("csrf_cache", {})
    if client not in cache:
        for url in (page, "/"):
            html = client.get(url, follow_redirects=True).get_data(as_text=True)
            match = re.search(r'name="csrf_token" value="([^"]+)"', html)
            if match:
                cache[client] = match.group(1)
                break
        else:
            cache[client] = None
    return cache[client]


def browsers(room, facilitator) -> dict:
    """The facilitator's browser, an anonymous one, a phone that joined the workshop, the
    organiser's browser (it opened the organiser link) and a script (no cookies)."""
    clients = room.__dict__.setdefault("browsers", {"facilitator": facilitator})
    for who in ("anonymous", "script"):
        if who not in clients:
            clients[who] = room.app.test_client()
    if "phone" not in clients:
        clients["phone"] = phone = room.app.test_client()
        code = room.workshop["join_code"]
        token = csrf_token(room, phone, f"/j/{code}")
        phone.post(f"/j/{code}", data={"name": "Phone", "org_type": "mso", "csrf_token": token or ""})
    if "organiser" not in clients:
        clients["organiser"] = organiser = room.app.test_client()
        assert organiser.get(f"/o/{room.app.config['ORGANISER_TOKEN']}").status_code == 302
    return clients


def forget(room, clients: dict, who: str) -> None:
    """``who`` opened a secret link meant for someone else: a new browser takes its place."""
    room.__dict__.setdefault("csrf_cache", {}).pop(clients.pop(who), None)


def tidy(room) -> None:
    """Keep at most :data:`SCRATCH_KEPT` scratch workshops (the newest): the archive's pages
    and its ZIP (every workshop in every format, PDFs included) grow with each one."""
    from facilitator.archive import delete_workshop

    mine = (room.workshop["id"], room.other["id"])
    scratch = [w for w in room.core.workshops.all() if w["id"] not in mine]
    for workshop in sorted(scratch, key=lambda w: w.get("created_at") or 0)[:-SCRATCH_KEPT]:
        delete_workshop(room.core, workshop["id"])
