"""Fuzz every page and form of pages_public.py and pages_facilitator.py over HTTP.

Form fields, JSON bodies, path parts and query strings are generated (see
:mod:`strategies`), sent by an anonymous browser, a participant's phone and the
facilitator's browser. Form posts carry the CSRF token the way a browser has
it: read from the hidden ``csrf_token`` input of the form page (when the page
has one), now and then left out or forged. Properties per request:

* an answer below 500 within bounded time; a refused request (4xx) changes
  nothing in the store; a post without the page's token, or from another site,
  and any request for another host name are refused;
* redirects stay on this site (read as a browser reads ``Location``);
* JSON errors carry a documented code and a message; no HTML answer contains
  an injected ``<script>`` unescaped; nothing is logged as an error;
* afterwards the minutes still render.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kit import MARKER, bounded, snapshot
from strategies import (
    CODES,
    Ref,
    count,
    dates,
    fuzz_settings,
    ids,
    payloads,
    resolve,
    text_values,
    weighted,
)

HTTP_CODES = CODES["core"] | CODES["http"]
TEXT = text_values
JOIN = {"name": TEXT, "organisation": TEXT, "language": st.sampled_from(["de", "en", "", "fr"]),
        "org_type": st.sampled_from(["welfare", "mso", "other", "", "Other", "x"])}
WORKSHOP = {"title": TEXT, "date": dates(), "place": TEXT, "organiser": TEXT,
            "language": st.sampled_from(["de", "en", "", "xx"]),
            "privacy": st.sampled_from(["named", "anonymous", "", "public"])}
CONFIG = {"title": TEXT, "question": TEXT, "topic": TEXT, "options": TEXT, "categories": TEXT,
          "panel": st.sampled_from(["", "A; B; welfare", "A;B;C;D", "X; ; nope", "Ä" * 70]),
          "dots_per_participant": st.sampled_from(["3", "0", "-1", "21", "1e3", "٣", "", "x" * 5000]),
          "max_per_option": st.sampled_from(["2", "99", "", "2.0"]), "chairs": st.sampled_from(
              ["5", "2", "9", ""]), "open_chairs": st.sampled_from(["1", "5", "0"]),
          "skip_collect": st.sampled_from(["on", "", "1"]), "mode": st.sampled_from(
              ["open", "closed", "x"]), "results": st.sampled_from(["hidden", "live", "x"]),
          "turn_guidance_minutes": st.sampled_from(["0", "31", "-5"])}
LANG = {"language": st.sampled_from(["de", "en", "xx", ""]),
        "next": st.sampled_from(["/", "/j/ABC", "//evil.example", "/\\evil.example",
                                 "https://evil.example/", "/\t/evil.example", "javascript:x",
                                 "/%2F%2Fevil.example", " /x", "/facilitator/"])}


def ref(kind: str) -> st.SearchStrategy:
    return st.builds(Ref, st.just(kind), st.integers(0, 63))


def part(kind: str) -> st.SearchStrategy:
    """A path segment: an id the room knows, or junk text."""
    return weighted((8, ref(kind)), (1, text_values.filter(bool)), (1, ids(kind)))


WID, CODE, SCRATCH, SID = part("workshop"), part("code"), part("scratch"), part("session")
SLUG = st.sampled_from(["dotvoting", "fishbowl", "nomethod", "..", "DotVoting"])
FILE = st.sampled_from(["style.css", "../method.py", "..%2F..%2Fmethod.py", "%00", "x/../style.css",
                        "", "static/../../__init__.py"])
#: name -> (method, path template, form/json/query fields, body kind, the form's page)
ENDPOINTS = {
    "public.index": ("GET", "/", {"code": CODE}, "query", None),
    "public.join": ("GET", "/j/{code}", {}, "query", None),
    "public.join/form": ("POST", "/j/{code}", JOIN, "form", "/j/{code}"),
    "public.join/json": ("POST", "/j/{code}", JOIN, "json", None),
    "public.resume": ("POST", "/j/{code}/resume", {"token": ref("ptoken")}, "json", None),
    "public.leave": ("POST", "/j/{code}/leave", {}, "form", "/j/{code}"),
    "public.set_language": ("POST", "/lang", LANG, "form", "/"),
    "public.projector": ("GET", "/p/{workshop}", {"key": ref("pkey")}, "query", None),
    "public.qr": ("GET", "/qr/{code}.svg", {}, "query", None),
    "public.plugin_static": ("GET", "/plugins/{slug}/static/{file}", {}, "query", None),
    "static": ("GET", "/static/{file}", {}, "query", None),
    "enter": ("GET", "/f/{token}", {}, "query", None),
    "facilitator.home": ("GET", "/facilitator/", {}, "query", None),
    "facilitator.create_workshop": ("POST", "/facilitator/workshops", WORKSHOP, "form",
                                    "/facilitator/"),
    "facilitator.dashboard": ("GET", "/facilitator/w/{workshop}", {}, "query", None),
    "facilitator.edit_workshop": ("GET", "/facilitator/w/{workshop}/edit", {}, "query", None),
    "facilitator.edit_workshop/post": ("POST", "/facilitator/w/{workshop}/edit", WORKSHOP, "form",
                                       "/facilitator/w/{workshop}/edit"),
    "facilitator.delete_workshop": ("POST", "/facilitator/w/{scratch}/delete", {}, "form",
                                    "/facilitator/w/{scratch}/edit"),
    "facilitator.new_session": ("GET", "/facilitator/w/{workshop}/sessions/new/{slug}", {},
                                "query", None),
    "facilitator.new_session/post": ("POST", "/facilitator/w/{workshop}/sessions/new/{slug}",
                                     CONFIG, "form", "/facilitator/w/{workshop}/sessions/new/{slug}"),
    "facilitator.edit_session": ("GET", "/facilitator/w/{workshop}/sessions/{session}/edit", {},
                                 "query", None),
    "facilitator.edit_session/post": ("POST", "/facilitator/w/{workshop}/sessions/{session}/edit",
                                      CONFIG, "form",
                                      "/facilitator/w/{workshop}/sessions/{session}/edit"),
    "facilitator.minutes": ("GET", "/facilitator/w/{workshop}/minutes", {}, "query", None),
    "facilitator.minutes_download": ("GET", "/facilitator/w/{workshop}/minutes.md", {}, "query",
                                     None),
    "facilitator.handout": ("GET", "/facilitator/w/{workshop}/handout", {}, "query", None),
}
PARTS = st.fixed_dictionaries({"code": CODE, "workshop": WID, "scratch": SCRATCH, "session": SID,
                               "slug": SLUG, "file": FILE, "token": part("fac_token")})
REQUEST = st.sampled_from(sorted(ENDPOINTS)).flatmap(lambda endpoint: st.fixed_dictionaries({
    "endpoint": st.just(endpoint),
    "fields": payloads(ENDPOINTS[endpoint][2]),
    "who": weighted((3, st.just("facilitator")), (2, st.just("phone")), (1, st.just("anonymous"))),
    "parts": PARTS,
    "csrf": weighted((10, st.just("page")), (1, st.just("none")), (1, st.just("forged"))),
    "origin": weighted((12, st.just(None)), (1, st.just("http://evil.example")), (1, st.just("null"))),
    "host": weighted((14, st.just("localhost")), (1, st.sampled_from(["evil.example", "127.0.0.1:5151",
                                                                       "localhost.evil.example"]))),
    "raw": weighted((15, st.none()), (1, st.sampled_from([b"\xff\xfe\x00", b"{", b"[1,2]", b"null",
                                                          b"x" * 1_100_000, b"NaN"]))),
}))


def known(room, kind: str) -> list[str]:
    """The values a :class:`Ref` of the HTTP fuzz picks from."""
    workshops = room.core.workshops.all()
    mine = [room.workshop["id"], room.other["id"]]
    scratch = [w["id"] for w in workshops if w["id"] not in mine]
    values = {
        "workshop": mine + scratch, "scratch": scratch,
        "code": [w["join_code"] for w in workshops] + [room.workshop["join_code"].lower()],
        "fac_token": [room.app.config["FACILITATOR_TOKEN"]],
        "ptoken": [p["token"] for p in room.core.store.all("participants")],
        "pkey": [w["projector_key"] for w in workshops],
    }
    return values[kind] if kind in values else room.known(kind)


def segment(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def encode_form(fields) -> bytes:
    """A urlencoded body; texts with lone surrogates go as the (invalid) bytes they stand for."""
    items = fields.items() if isinstance(fields, dict) else [("data", fields)]
    pairs = [(str(k), (v if isinstance(v, str) else json.dumps(v)).encode("utf-8", "surrogatepass"))
             for k, v in items]
    return urlencode([(k.encode("utf-8", "surrogatepass"), v) for k, v in pairs]).encode()


def csrf_token(room, client, page: str) -> str | None:
    """The token in the hidden ``csrf_token`` input of ``page`` (or of ``/``), as a browser has it."""
    cache = room.__dict__.setdefault("csrf_cache", {})
    if id(client) not in cache:
        for url in (page, "/"):
            html = client.get(url, follow_redirects=True).get_data(as_text=True)
            match = re.search(r'name="csrf_token" value="([^"]+)"', html)
            if match:
                cache[id(client)] = match.group(1)
                break
        else:
            cache[id(client)] = None
    return cache[id(client)]


def browsers(room, facilitator) -> dict:
    """The facilitator's browser, an anonymous one and a phone that joined the workshop."""
    clients = room.__dict__.setdefault("browsers", {"facilitator": facilitator})
    if "anonymous" not in clients:
        clients["anonymous"] = room.app.test_client()
    if "phone" not in clients:
        clients["phone"] = phone = room.app.test_client()
        code = room.workshop["join_code"]
        token = csrf_token(room, phone, f"/j/{code}")
        phone.post(f"/j/{code}", data={"name": "Phone", "org_type": "mso", "csrf_token": token or ""})
    return clients


def same_site(location: str) -> bool:
    """Does a ``Location`` stay on this site, read as a browser reads it?"""
    browser = re.sub(r"[\t\n\r]", "", location).replace("\\", "/").strip()
    target = urlsplit(urljoin("http://localhost/here/", browser))
    return target.scheme in ("http", "https") and target.netloc == "localhost"


@fuzz_settings(2400)
@given(request=REQUEST)
def test_every_page_and_form_answers_below_500_and_refusals_change_nothing(room, browser, request):
    clients = browsers(room, browser)
    client = clients[request["who"]]
    method, template, _fields, body, page = ENDPOINTS[request["endpoint"]]
    parts = {k: segment(resolve(v, lambda kind: known(room, kind)))
             for k, v in request["parts"].items()}
    path = template.format(**parts)
    fields = resolve(request["fields"], lambda kind: known(room, kind))
    kwargs: dict = {"headers": {"Accept-Language": "en"}}
    if request["origin"]:
        kwargs["headers"]["Origin"] = request["origin"]
    token = None
    if body == "form":
        token = csrf_token(room, client, page.format(**parts))
        form = dict(fields) if isinstance(fields, dict) else {"data": fields}
        if request["csrf"] == "page" and token:
            form["csrf_token"] = token
        elif request["csrf"] == "forged":
            form["csrf_token"] = "forged-token"
        kwargs.update(data=request["raw"] or encode_form(form),
                      content_type="application/x-www-form-urlencoded")
    elif body == "json":
        kwargs.update(data=request["raw"] or json.dumps(fields), content_type="application/json")
    elif isinstance(fields, dict):
        kwargs["query_string"] = encode_form(fields).decode()
    before = snapshot(room.core)
    with bounded():
        response = client.open(path, method=method, base_url=f"http://{request['host']}", **kwargs)
    count("http")
    status = response.status_code
    assert status < 500, f"{method} {path}: HTTP {status}"
    if status >= 400:
        assert snapshot(room.core) == before, f"{method} {path} answered {status} but changed data"
    if body == "form" and token and request["csrf"] != "page" and status != 404:
        assert status in (400, 403, 413), f"{method} {path} without the page's CSRF token: {status}"
    if request["origin"] == "http://evil.example" and method == "POST" and status != 404:
        assert status in (400, 403, 413), f"cross-site {method} {path}: {status}"
    if request["host"] not in ("localhost", "127.0.0.1:5151"):  # DNS rebinding (§3)
        assert status == 400, f"{method} {path} for the host {request['host']}: {status}"
    if 300 <= status < 400:
        assert same_site(response.headers.get("Location", "")), response.headers.get("Location")
    if response.is_json and status >= 400:
        error = response.get_json()["error"]
        assert error["code"] in HTTP_CODES and error["message"], error
    if response.mimetype == "text/html":
        assert MARKER.encode() not in response.data, f"{method} {path} echoes a script unescaped"
    if request["who"] != "facilitator" and request["endpoint"].startswith("facilitator."):
        assert status in (400, 403, 404, 405, 413), f"{request['who']} got {status} from {path}"
    if request["endpoint"] == "enter" and status == 302 and request["who"] != "facilitator":
        del clients[request["who"]]  # it opened the secret link: a new browser takes its place
    room.errors.check()
    room.drain()


def test_every_route_is_fuzzed(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == {name.split("/")[0] for name in ENDPOINTS}


def test_minutes_render_after_http_fuzz(room, browser):
    room.activate("fishbowl")
    room.minutes_render(browser)


@pytest.mark.parametrize("body", ["[1, 2]", '"token"', "5"])
def test_resume_with_a_json_body_that_is_not_an_object_is_refused(room, body):
    response = room.app.test_client().post(f"/j/{room.workshop['join_code']}/resume", data=body,
                                           content_type="application/json")
    assert response.status_code == 400
