"""The HTTP layer's defences: host names (DNS rebinding), safe redirects, CSRF tokens, headers.

Every test goes through the production path: the CSRF check stays on, and
tokens are read from the pages as a browser gets them (``csrf_token`` fixture).
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from facilitator import Route, hookimpl, net
from facilitator.app import create_app
from facilitator.cli import cli
from facilitator.security import SECURITY_HEADERS, safe_redirect_target

ROOT = Path(__file__).resolve().parents[1]
HANDSHAKE = "/socket.io/?EIO=4&transport=polling"
EVIL = {"Host": "evil.example", "Origin": "http://evil.example"}


def make_app(**config):
    return create_app({"TESTING": True, "LIVE_SYNC": True, "SECRET_KEY": "test", **config})


@pytest.fixture
def joined(client, core, workshop):
    """``client`` joined ``workshop`` over JSON; returns the participant record."""
    assert client.post(f"/j/{workshop['join_code']}", json={"name": "Jana"}).status_code == 200
    [participant] = core.people.of_workshop(workshop["id"])
    return participant


# -- 1. Host names (DNS rebinding) ---------------------------------------------------------


def test_foreign_host_names_are_refused_everywhere(client, core, workshop):
    for path in ("/", f"/j/{workshop['join_code']}", HANDSHAKE, "/static/css/app.css",
                 f"/f/{client.application.config['FACILITATOR_TOKEN']}"):
        response = client.get(path, headers=EVIL)
        assert response.status_code == 400, path
        assert response.mimetype == "text/plain"
        assert "Link" in response.get_data(as_text=True)  # German by default
        assert "session" not in response.headers.get("Set-Cookie", "")
    # A refused request changes nothing.
    assert client.post(f"/j/{workshop['join_code']}", json={"name": "Mallory"},
                       headers=EVIL).status_code == 400
    assert core.people.of_workshop(workshop["id"]) == []
    english = client.get("/", headers={**EVIL, "Accept-Language": "en"}).get_data(as_text=True)
    assert "does not answer under this name" in english


@pytest.mark.parametrize("host", ["localhost", "localhost:5151", "127.0.0.1", "127.0.0.1:5151",
                                  "[::1]:5151", "LOCALHOST.", "127.0.0.2:80"])
def test_loopback_names_are_served(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 200
    handshake = client.get(HANDSHAKE, headers={"Host": host, "Origin": f"http://{host}"})
    assert handshake.status_code == 200 and handshake.data.startswith(b"0{")


def test_public_url_allowed_hosts_and_machine_names_are_served(monkeypatch):
    monkeypatch.setattr(net, "lan_address", lambda: "10.11.12.13")
    app = make_app(PUBLIC_URL="http://workshop.example:5151", ALLOWED_HOSTS=["Raum-3.Example"])
    client = app.test_client()
    hostname = socket.gethostname().lower().split(".")[0]
    for host in ("workshop.example:5151", "workshop.example", "raum-3.example:8080", "raum-3.example",
                 "10.11.12.13:5151", hostname, f"{hostname}.local:5151"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host
        assert client.get(HANDSHAKE, headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "workshop.example.evil.example", "raum-3.example.evil", "0.0.0.0:5151",
                 "203.0.113.7", "user@localhost", "[::1]x", "[::1", "localhost:abc", "localhost evil"):
        assert client.get("/", headers={"Host": host}).status_code == 400, host
        assert client.get(HANDSHAKE, headers={"Host": host}).status_code == 400, host
    app.extensions["facilitator"].store.close()


def test_local_addresses_are_found_without_asking_anybody():
    assert net.is_local_address("127.0.0.1")
    assert not net.is_local_address("203.0.113.7")  # TEST-NET-3: nobody's address
    assert not net.is_local_address("0.0.0.0")
    assert not net.is_local_address("evil.example")
    assert net.host_name("[::1]:5151") == "::1" and net.host_name("Laptop.Local.:80") == "laptop.local"


def test_serve_public_name_is_allowed_and_used_for_the_links(runner, tmp_path, monkeypatch):
    served = []
    monkeypatch.setattr("facilitator.server.run",
                        lambda app, host, port, on_listening: (served.append(app), on_listening()))
    result = runner.invoke(cli, ["serve", "--port", "5123", "--data-dir", str(tmp_path),
                                 "--public-name", "Workshop.Example"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^Join: http://workshop\.example:5123/j/[A-Z0-9]{6}$", result.output, re.MULTILINE)
    [app] = served
    assert app.config["ALLOWED_HOSTS"] == ("workshop.example",)
    client = app.test_client()
    assert client.get("/", headers={"Host": "workshop.example:5123"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    for bad in ("http://workshop.example", "workshop.example:5151", "a/b", "two words"):
        refused = runner.invoke(cli, ["serve", "--data-dir", str(tmp_path), "--public-name", bad])
        assert refused.exit_code == 2 and "--public-name" in refused.output


# -- 2. Redirects stay on this site ------------------------------------------------------------

HOSTILE_NEXT = ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)",
                " https://evil.example", "/\t/evil.example", "/\n/evil.example", "\\\\evil.example",
                "https:evil.example", "", None]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_language_switch_never_leaves_the_site(client, csrf_token, target):
    data = {"language": "en", "csrf_token": csrf_token(client)}
    if target is not None:
        data["next"] = target
    response = client.post("/lang", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "lang=en" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_safe_redirect_target_refuses_other_sites(target):
    assert safe_redirect_target(target, "/home") == "/home"


def test_language_switch_returns_to_the_page_and_exists_once(fac, workshop, csrf_token):
    dashboard = f"/facilitator/w/{workshop['id']}"
    page = fac.get(dashboard).get_data(as_text=True)
    assert 'class="lang" method="post" action="/lang"' in page  # the facilitator uses the public one
    response = fac.post("/lang", data={"language": "en", "next": dashboard, "csrf_token": csrf_token(fac)})
    assert response.status_code == 302 and response.headers["Location"] == dashboard
    assert "Max-Age" in response.headers["Set-Cookie"]
    assert "/facilitator/lang" not in [rule.rule for rule in fac.application.url_map.iter_rules()]
    hostile = fac.post("/facilitator/lang", data={"language": "en", "next": "https://evil.example/",
                                                  "csrf_token": csrf_token(fac)})
    assert hostile.status_code == 404 and "Location" not in hostile.headers


# -- 3. CSRF tokens on every form ------------------------------------------------------------


def test_every_post_form_in_the_templates_carries_the_token():
    templates = sorted((ROOT / "templates").rglob("*.html")) + sorted((ROOT / "plugins").rglob("*.html"))
    forms = 0
    for path in templates:
        html = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<form\b[^>]*>(.*?)</form>", html, re.DOTALL | re.IGNORECASE):
            opening = match.group(0)[: match.group(0).index(">") + 1]
            if re.search(r"method=[\"']?post", opening, re.IGNORECASE):
                forms += 1
                assert 'name="csrf_token" value="{{ csrf_token() }}"' in match.group(1), path
    assert forms >= 7  # join, leave, language, new/edit/delete workshop, session


def test_every_rendered_post_form_carries_a_valid_token(fac, client, core, workshop, joined):
    sess = core.workshops.add_session(workshop["id"], "dotvoting", {"question": "Was zuerst?"})
    pages = [(client, "/"), (client, f"/j/{workshop['join_code']}"), (fac, "/facilitator/"),
             (fac, f"/facilitator/w/{workshop['id']}"), (fac, f"/facilitator/w/{workshop['id']}/edit"),
             (fac, f"/facilitator/w/{workshop['id']}/sessions/new/fishbowl"),
             (fac, f"/facilitator/w/{workshop['id']}/sessions/{sess['id']}/edit"),
             (fac, f"/facilitator/w/{workshop['id']}/minutes")]
    for browser, url in pages:
        html = browser.get(url).get_data(as_text=True)
        forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", html, re.DOTALL)
        assert forms, url
        assert all(re.search(r'name="csrf_token" value="[\w.-]{20,}"', form) for form in forms), url


def test_join_form_without_token_is_refused(client, core, workshop, csrf_token):
    url = f"/j/{workshop['join_code']}"
    form = {"name": "Jana", "org_type": "mso"}
    for data in (form, {**form, "csrf_token": "forged"}):
        refused = client.post(url, data=data)
        assert refused.status_code == 403 and refused.mimetype == "text/html"
        assert "Bitte laden Sie die Seite neu" in refused.get_data(as_text=True)  # error.html, German
        assert core.people.of_workshop(workshop["id"]) == []
        assert "fp_" not in refused.headers.get("Set-Cookie", "")
    # A cross-site "simple" request (no preflight) with a text/plain body is a form post, too.
    assert client.post(url, data='{"name": "Jana"}', content_type="text/plain").status_code == 403
    # Form-encoded bodies that ask for JSON answers need the token; the refusal is JSON then.
    asking = client.post(url, data=form, headers={"Accept": "application/json"})
    assert asking.status_code == 403 and asking.json["error"]["code"] == "csrf_failed"
    assert core.people.of_workshop(workshop["id"]) == []
    joined = client.post(url, data={**form, "csrf_token": csrf_token(client, url)})
    assert joined.status_code == 302 and len(core.people.of_workshop(workshop["id"])) == 1


def test_json_protocol_clients_need_no_token(client, app, core, workshop):
    reply = client.post(f"/j/{workshop['join_code']}", json={"name": "Omar"})
    assert reply.status_code == 200 and reply.json["ok"]
    fresh = app.test_client()
    assert fresh.post(f"/j/{workshop['join_code']}/resume", json={"token": reply.json["token"]}).json["ok"]


def test_a_token_of_another_browser_does_not_count(app, fac, core, csrf_token):
    other = app.test_client()
    other.get(f"/f/{app.config['FACILITATOR_TOKEN']}")
    foreign = csrf_token(other, "/facilitator/")
    response = fac.post("/facilitator/workshops", data={"title": "Untergeschoben", "csrf_token": foreign})
    assert response.status_code == 403 and core.workshops.all() == []


def test_facilitator_forms_without_token_change_nothing(fac, core, workshop, csrf_token):
    base = f"/facilitator/w/{workshop['id']}"
    assert fac.post("/facilitator/workshops", data={"title": "Neu"}).status_code == 403
    assert len(core.workshops.all()) == 1
    assert fac.post(f"{base}/edit", data={"title": "Umbenannt"}).status_code == 403
    assert core.workshops.get(workshop["id"])["title"] == workshop["title"]
    assert fac.post(f"{base}/sessions/new/fishbowl", data={"topic": "Wohnen"}).status_code == 403
    assert core.workshops.sessions(workshop["id"]) == []
    assert fac.post(f"{base}/delete").status_code == 403
    assert core.workshops.get(workshop["id"])
    refused = fac.post("/lang", data={"language": "en", "next": "/"})
    assert refused.status_code == 403 and "lang=" not in refused.headers.get("Set-Cookie", "")
    # With the token (and Origin: null, as our no-referrer pages send it) the delete goes through.
    deleted = fac.post(f"{base}/delete", data={"csrf_token": csrf_token(fac, f"{base}/edit")},
                       headers={"Origin": "null"})
    assert deleted.status_code == 302 and core.workshops.all() == []


def test_leave_without_token_keeps_the_participant(client, core, workshop, joined, csrf_token):
    url = f"/j/{workshop['join_code']}"
    assert client.post(f"{url}/leave").status_code == 403
    assert b'id="live"' in client.get(url).data  # still in, cookie kept
    left = client.post(f"{url}/leave", data={"csrf_token": csrf_token(client, url)})
    assert left.status_code == 302 and b'id="live"' not in client.get(url).data


NOTES: list[dict] = []


def add_note(request):
    NOTES.append(request.form)
    return "<p>noted</p>"


class NotesPlugin:
    @staticmethod
    @hookimpl
    def facilitator_register_routes():
        return [Route(path="/plugins/notes/add", view=add_note, methods=("POST",))]


def test_plugin_post_pages_need_the_token(csrf_token):
    NOTES.clear()
    app = make_app(PLUGINS=(NotesPlugin,))
    fac = app.test_client()
    fac.get(f"/f/{app.config['FACILITATOR_TOKEN']}")
    assert fac.post("/plugins/notes/add", data={"text": "hi"}).status_code == 403
    assert NOTES == []
    ok = fac.post("/plugins/notes/add", data={"text": "hi", "csrf_token": csrf_token(fac, "/facilitator/")})
    assert ok.status_code == 200 and NOTES == [{"text": "hi"}]  # the view never sees the token
    assert fac.post("/plugins/notes/add", headers={"X-CSRFToken": csrf_token(fac)}).status_code == 200
    app.extensions["facilitator"].store.close()


# -- 4. Security headers ---------------------------------------------------------------------


def test_security_headers_on_every_response(client, workshop):
    responses = {
        "page": client.get("/"),
        "static": client.get("/static/css/app.css"),
        "json join": client.post(f"/j/{workshop['join_code']}", json={"name": "Omar"}),
        "socket.io": client.get(HANDSHAKE),
        "404": client.get("/nope"),
        "refused host": client.get("/", headers=EVIL),
        "refused csrf": client.post(f"/j/{workshop['join_code']}", data={"name": "x"}),
    }
    expected = dict(SECURITY_HEADERS)
    assert expected == {
        "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
        "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'", "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin"}
    for what, response in responses.items():
        for name, value in expected.items():
            assert response.headers.getlist(name) == [value], (what, name)
