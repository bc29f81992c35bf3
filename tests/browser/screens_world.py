"""The workshops the screen tests look at, set up against a real server.

Only public interfaces are used, as an outside client would: the facilitator's
HTML forms over HTTP (with the CSRF token read from the form, as a browser
sends it) to create workshops and sessions, ``POST /j/<code>`` (JSON) to join,
and the Socket.IO protocol of docs/protocol.md for everything live
(``session.activate``, method actions). Every participant keeps a connected
``socketio.Client`` for the whole module, so dashboards and projectors show
people as present, as in a real room.
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests
import socketio

TIMEOUT = 10.0  # seconds for every HTTP request, ack and view wait


class _Forms(HTMLParser):
    """The forms of a page: ``[{"attrs": {...}, "fields": [(name, value, kind, on)]}]``."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append({"attrs": a, "fields": []})
        elif not self.forms or "name" not in a and tag != "option":
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("type", "text") not in ("submit", "button", "file"):
            kind = a.get("type", "text")
            on = "checked" in a if kind in ("checkbox", "radio") else True
            fields.append([a["name"], a.get("value", "on" if kind == "checkbox" else ""), kind, on])
        elif tag == "select":
            self._select = [a["name"], None, "select", True]
            fields.append(self._select)
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in a:
                self._select[1] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = [a["name"], "", "textarea", True]
            fields.append(self._textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data


@dataclass
class Person:
    """A participant: their token, their live connection and their latest view."""

    name: str
    token: str
    participant_id: str
    client: socketio.Client
    views: list = field(default_factory=list)


@dataclass
class Workshop:
    """A workshop on the server, with its facilitator connection and its people."""

    id: str
    title: str
    join_code: str
    projector_path: str
    facilitator: socketio.Client
    latest: dict = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)  # more path fields ({session}, {pair})
    changed: threading.Condition = field(default_factory=threading.Condition)

    def session_id(self, method: str, index: int = -1) -> str:
        """The id of the agenda's (last) session of ``method``, from the facilitator's view."""
        return [s["id"] for s in self.wait_view(lambda v: v.get("agenda"))["agenda"]
                if s["method"] == method][index]

    def wait_view(self, ready) -> dict:
        """The facilitator's newest view once ``ready(view)`` is true (bounded wait)."""
        with self.changed:
            if not self.changed.wait_for(lambda: self.latest and ready(self.latest), TIMEOUT):
                raise AssertionError(f"the facilitator's view never got ready: {self.latest}")
            return self.latest

    def fac(self, event: str, data: dict) -> dict:
        """Send a core event as the facilitator; fail unless it is acknowledged ok."""
        ack = self.facilitator.call(event, data, timeout=TIMEOUT)
        assert ack and ack.get("ok"), f"{event} {data}: {ack}"
        return ack

    def act(self, session: str, action: str, payload: dict | None = None,
            person: str | None = None) -> dict:
        """A method action by the facilitator (``person=None``) or by a participant."""
        client = self.people[person].client if person else self.facilitator
        data = {"session_id": session, "action": action, "payload": payload or {},
                "action_id": uuid.uuid4().hex}
        ack = client.call("action", data, timeout=TIMEOUT)
        assert ack and ack.get("ok"), f"{person or 'facilitator'} {action} {payload}: {ack}"
        return ack.get("reply", {})


class World:
    """A server's facilitator over HTTP (forms) and Socket.IO (live events)."""

    def __init__(self, base: str, facilitator_url: str) -> None:
        self.base = base
        self.facilitator_token = urlsplit(facilitator_url).path.rsplit("/", 1)[-1]
        self.local = threading.local()  # one HTTP session per thread (scenes build in parallel)
        self.local.http = self.new_http()
        self.get(f"/f/{self.facilitator_token}")
        self.cookies = self.local.http.cookies  # the facilitator's session cookie
        self.workshops: list[Workshop] = []
        self.clients: list[socketio.Client] = []

    @staticmethod
    def new_http() -> requests.Session:
        http = requests.Session()
        http.headers["Accept-Language"] = "de-DE,de;q=0.9"
        return http

    @property
    def http(self) -> requests.Session:
        """This thread's HTTP session, logged in as the facilitator."""
        if not hasattr(self.local, "http"):
            self.local.http = self.new_http()
            self.local.http.cookies.update(self.cookies)
        return self.local.http

    def get(self, path: str) -> requests.Response:
        response = self.http.get(urljoin(self.base, path), timeout=TIMEOUT)
        response.raise_for_status()
        return response

    def submit(self, path: str, values: dict) -> requests.Response:
        """Fill the page's form that has a ``title`` field (defaults as rendered) and post it."""
        page = self.get(path)
        parser = _Forms()
        parser.feed(page.text)
        forms = [f for f in parser.forms if f["attrs"].get("method", "").lower() == "post"
                 and any(name == "title" for name, *_ in f["fields"])]
        assert forms, f"{path} has no form with a title field"
        form = forms[0]
        data: dict[str, str] = {}
        for name, value, kind, on in form["fields"]:
            if kind in ("checkbox", "radio") and name in values:
                continue
            if on and value is not None:
                data.setdefault(name, value)
        data.update({k: v for k, v in values.items() if v is not None})
        action = urljoin(page.url, form["attrs"].get("action") or page.url)
        response = self.http.post(action, data=data, timeout=TIMEOUT)
        assert response.ok, f"POST {action}: {response.status_code}\n{response.text[:2000]}"
        return response

    def connect(self, auth: dict) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        client.connect(self.base, auth=auth, transports=["websocket"], wait_timeout=TIMEOUT)
        self.clients.append(client)
        return client

    def create_workshop(self, title: str, **fields: str) -> Workshop:
        """Create a workshop through the home page's form; connect as its facilitator."""
        values = {"title": title, "date": "2026-03-31", "place": "Rathaus, Sitzungssaal 2",
                  "organiser": "Integrationsbüro des Landkreises", "language": "de",
                  "privacy": "named", **fields}
        dashboard = self.submit("/facilitator/", values)
        workshop_id = urlsplit(dashboard.url).path.rstrip("/").rsplit("/", 1)[-1]
        projector = re.search(rf'"(/p/{workshop_id}\?key=[^"]+)"', dashboard.text)
        assert projector, "the dashboard links no projector page"
        holder: list[Workshop] = []

        def on_view(view: dict) -> None:
            with holder[0].changed:
                holder[0].latest = view
                holder[0].changed.notify_all()

        client = socketio.Client(reconnection=False)
        client.on("view", on_view)
        workshop = Workshop(workshop_id, title, "", projector[1].replace("&amp;", "&"), client)
        holder.append(workshop)
        client.connect(self.base, transports=["websocket"], wait_timeout=TIMEOUT, auth={
            "role": "facilitator", "workshop": workshop_id, "token": self.facilitator_token,
            "language": "de"})
        self.clients.append(client)
        workshop.join_code = workshop.wait_view(lambda v: v.get("workshop"))["workshop"]["join_code"]
        self.workshops.append(workshop)
        return workshop

    def add_session(self, workshop: Workshop, slug: str, **values: str) -> str:
        """Add a session through the dashboard's "new session" form; returns its id."""
        before = len(workshop.latest.get("agenda", []))
        self.submit(f"/facilitator/w/{workshop.id}/sessions/new/{slug}", values)
        workshop.wait_view(lambda v: len(v.get("agenda", [])) > before)
        return workshop.session_id(slug)

    def join(self, workshop: Workshop, name: str, organisation: str, org_type: str) -> Person:
        """Join by ``POST /j/<code>`` (JSON) and connect the phone's live connection."""
        response = requests.post(
            f"{self.base}/j/{workshop.join_code}", timeout=TIMEOUT,
            json={"name": name, "organisation": organisation, "org_type": org_type,
                  "language": "de"})
        answer = response.json()
        assert answer.get("ok"), answer
        person = Person(name, answer["token"], answer["participant_id"], None)  # type: ignore[arg-type]
        client = socketio.Client(reconnection=False)
        client.on("view", person.views.append)
        client.connect(self.base, auth={"role": "participant", "token": answer["token"]},
                       transports=["websocket"], wait_timeout=TIMEOUT)
        self.clients.append(client)
        person.client = client
        workshop.people[name] = person
        return person

    def close(self) -> None:
        """Drop every connection without waiting for its threads (the server stops next)."""
        for client in self.clients:
            client.eio.disconnect(abort=True)
