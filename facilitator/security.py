"""HTTP hardening: the host names the server answers to, CSRF tokens, security headers.

* **Hosts** (against DNS rebinding): a WSGI middleware in front of the whole
  app, the Socket.IO endpoint included, answers HTTP 400 (plain text) to a
  request whose ``Host`` is none of the server's own: loopback, this machine's
  addresses and host name (:mod:`facilitator.net`), the host of ``PUBLIC_URL``
  and the names in the config list ``ALLOWED_HOSTS`` (``facilitator serve
  --public-name``). Ports do not matter.
* **Headers**: the same middleware adds :data:`SECURITY_HEADERS` to every
  response (pages, static files, Socket.IO polling, refusals).
* **CSRF**: every form post needs Flask-WTF's token (``{{ csrf_token() }}`` in
  a hidden ``csrf_token`` field, or an ``X-CSRFToken`` header); plugin pages
  with ``POST`` get the same check. Before it, an ``Origin`` (or ``Referer``)
  naming another host is refused with 403. A failed token answers 403 with
  the translated error page, and nothing is changed.
* :func:`safe_redirect_target` keeps ``next`` parameters on this site.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from facilitator import net
from facilitator.i18n import _

log = logging.getLogger(__name__)

#: Added to every response that does not set them itself. ``default-src
#: 'self'``: no inline scripts, handlers or styles, nothing from other hosts.
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
    # The facilitator's secret link must never leave in a Referer.
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)

#: Endpoints that protocol clients call with a JSON body and no CSRF token
#: (docs/protocol.md §3). That is safe: another site can only send a JSON
#: content type with ``fetch`` in CORS mode, which needs a preflight that this
#: server never grants, so such a request never arrives. Their form-encoded
#: variant (the phone's join form) needs the token like every other form.
JSON_ENDPOINTS = frozenset({"public.join", "public.resume"})
#: Blueprints whose requests are authorised only by an ``Authorization: Bearer`` header
#: (the set-up API, :mod:`facilitator.pages_api`), never by the session cookie: another
#: site can make a browser send cookies, not this header, so no CSRF token is needed.
BEARER_BLUEPRINTS = frozenset({"api"})


def allowed_hosts(app: Flask) -> set[str]:
    """The host names configured for ``app``: ``PUBLIC_URL``'s host and ``ALLOWED_HOSTS``."""
    names = {net.host_name(name) for name in app.config.get("ALLOWED_HOSTS") or ()}
    if app.config.get("PUBLIC_URL"):
        names.add(net.host_name(urlsplit(app.config["PUBLIC_URL"]).netloc))
    return names - {""}


class HostGuard:
    """WSGI middleware: refuse foreign ``Host`` names, add the security headers."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.machine = net.machine_names()
        self.local: set[str] = set()  # addresses found to be this machine's
        self.logged: set[str] = set()

    def allows(self, host: str) -> bool:
        """May a request name ``host`` (a ``Host`` header, port included or not)?"""
        name = net.host_name(host)
        if name in self.machine or name in self.local or name in allowed_hosts(self.app):
            return True
        if net.is_local_address(name):  # e.g. an address the laptop got after the start
            self.local.add(name)
            return True
        return False

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Serve the request, or refuse it when its ``Host`` is not one of ours."""

        def with_headers(status: str, headers: list, exc_info: Any = None) -> Callable:
            present = {name.lower() for name, _value in headers}
            extra = [(k, v) for k, v in SECURITY_HEADERS if k.lower() not in present]
            return start_response(status, [*headers, *extra], exc_info)

        # Browsers always send a Host; without one (HTTP/1.0 tools) no page can rebind.
        host = environ.get("HTTP_HOST")
        if host is None or self.allows(host):
            return self.wsgi_app(environ, with_headers)
        name = net.host_name(host)[:80]
        if name not in self.logged and len(self.logged) < 20:
            self.logged.add(name)
            log.warning("Refused requests for the unknown host name %r (to allow a name, start "
                        "with `facilitator serve --public-name NAME`).", name)
        with self.app.request_context(environ):
            reason = _("This server does not answer under this name. "
                       "Please use the link the facilitator gave you.")
        body = f"{reason}\n".encode()
        with_headers("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8"),
                                         ("Content-Length", str(len(body)))])
        return [body]


def safe_redirect_target(target: Any, default: str) -> str:
    """``target`` if it is a path on this site (``/…``), else ``default``.

    Refused: absolute and scheme-relative URLs (``https://…``, ``//…``,
    ``/\\…``, which browsers read as ``//…``), other schemes (``javascript:``)
    and anything with whitespace or control characters (browsers drop tabs
    and line breaks, so ``/<TAB>/evil`` would become ``//evil``).
    """
    if not isinstance(target, str) or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return default
    if any(char.isspace() or not char.isprintable() for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def _foreign_origin() -> bool:
    """Does the request's ``Origin`` (or else ``Referer``) name another host?

    ``Origin: null`` says nothing: with ``Referrer-Policy: no-referrer`` the
    browser sends it for the server's own form posts too (the token decides).
    """
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        origin = request.headers.get("Referer")
    return bool(origin) and urlsplit(origin).netloc.lower() != request.host.lower()


def check_post() -> None:
    """``before_request``: refuse cross-site posts (403) and posts without a valid CSRF token."""
    if request.method not in current_app.config["WTF_CSRF_METHODS"] or request.endpoint is None:
        return  # nothing that changes state, or no such page (404/405 follows)
    if _foreign_origin():
        abort(403)
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return
    if request.endpoint in JSON_ENDPOINTS and request.is_json:
        return  # see JSON_ENDPOINTS: cross-site JSON needs a preflight we never grant
    if request.blueprint in BEARER_BLUEPRINTS:
        return  # authorised by a header alone, never by cookies: see BEARER_BLUEPRINTS
    current_app.extensions["csrf"].protect()


def csrf_refused(_error: CSRFError):
    """A missing, foreign or stale token: the translated error page (JSON for JSON clients)."""
    message = _("This form is out of date or was not sent from this site. "
                "Please reload the page and try again.")
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(ok=False, error={"code": "csrf_failed", "message": message}), 403
    return render_template("error.html", message=message), 403


def init_app(app: Flask) -> None:
    """Install the host check, the security headers and CSRF protection on ``app``.

    Call it after the Socket.IO server is set up: Flask-SocketIO wraps
    ``app.wsgi_app`` with the Socket.IO endpoint, and the guard has to sit in
    front of that wrapper to see ``/socket.io/`` requests too.
    """
    # Pages stay open all day (the dashboard, a phone): the token lives as long
    # as the session cookie. Flask-WTF's own before_request stays off, check_post
    # runs the check; no Referer check on HTTPS: our Referrer-Policy suppresses it.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_SSL_STRICT", False)
    CSRFProtect(app)
    app.before_request(check_post)
    app.register_error_handler(CSRFError, csrf_refused)
    app.wsgi_app = HostGuard(app, app.wsgi_app)
