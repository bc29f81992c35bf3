"""The translation layer: every user-facing string goes through these functions.

Plugins import ``_``, ``ngettext`` and ``lazy_gettext`` from :mod:`facilitator`
rather than from Flask-Babel. This module imports no Flask: outside a Flask
application (a method's unit test, the pure rule modules) texts come back
untranslated, inside one they are translated by Flask-Babel into the locale of
the request or of :func:`force_locale`.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Languages with a complete translation of the user interface, German first.
UI_LANGUAGES: dict[str, str] = {"de": "Deutsch", "en": "English"}
DEFAULT_LANGUAGE = "de"
#: For a browser that prefers none of :data:`UI_LANGUAGES`, outside any workshop.
FALLBACK_LANGUAGE = "en"


def _in_app() -> bool:
    """True inside a Flask application context (Flask is only asked if it was loaded)."""
    flask = sys.modules.get("flask")
    return flask is not None and flask.has_app_context()


def _(text: str, /, **variables: object) -> str:
    """Translate ``text`` into the current locale; ``%(name)s`` placeholders are filled."""
    if _in_app():
        from flask_babel import gettext

        return gettext(text, **variables)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, /, **variables: object) -> str:
    """Translate a text with singular and plural forms; ``%(num)d`` is available."""
    if _in_app():
        from flask_babel import ngettext as babel_ngettext

        return babel_ngettext(singular, plural, num, **variables)
    variables.setdefault("num", num)
    return (singular if num == 1 else plural) % variables


class LazyText:
    """A text translated each time it is turned into a string (labels defined at import)."""

    __slots__ = ("_text", "_variables")

    def __init__(self, text: str, variables: dict[str, object]) -> None:
        self._text = text
        self._variables = variables

    def __str__(self) -> str:
        return _(self._text, **self._variables)

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))

    def __repr__(self) -> str:
        return f"lazy({self._text!r})"

    def __len__(self) -> int:
        return len(str(self))

    def __eq__(self, other: object) -> bool:
        return str(self) == (str(other) if isinstance(other, LazyText) else other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)

    def __mod__(self, other: Any) -> str:
        return str(self) % other

    def __getattr__(self, name: str) -> Any:
        # str methods (upper, split, ...) on the translated text.
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(str(self), name)


def lazy_gettext(text: str, /, **variables: object) -> LazyText:
    """A text translated when it is shown, not when it is defined (module-level labels)."""
    return LazyText(text, variables)


@contextmanager
def force_locale(language: str) -> Iterator[None]:
    """Render everything inside the block in ``language`` (a UI language code)."""
    if language not in UI_LANGUAGES:
        language = DEFAULT_LANGUAGE
    if _in_app():
        from flask_babel import force_locale as babel_force_locale

        # A parsed Locale: Locale.parse("de") stats a locale data file on every call.
        with babel_force_locale(_parsed_locale(language)):
            yield
    else:
        yield


@functools.cache
def _parsed_locale(language: str):
    from babel import Locale

    return Locale.parse(language)


def select_locale() -> str:
    """The UI language of this request, the first that applies of:

    1. an explicit choice for this page (``g.language``, e.g. a participant's own language);
    2. the ``lang`` cookie (the language switch);
    3. the browser's most preferred language that the UI offers (``Accept-Language``);
    4. the workshop's language, where the page belongs to one (``g.workshop_language``):
       a phone whose browser asks only for, say, Arabic and French gets the language
       the workshop is held in;
    5. English (:data:`FALLBACK_LANGUAGE`), the language most likely read by someone
       whose browser prefers none of the offered ones; a client that sends no
       ``Accept-Language`` at all (not a browser) states no preference and gets
       :data:`DEFAULT_LANGUAGE`, as before.
    """
    from flask import g, has_request_context, request

    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = getattr(g, "language", None) or request.cookies.get("lang")
    if chosen in UI_LANGUAGES:
        return chosen
    header = request.headers.get("Accept-Language", "").strip()
    offered = best_offered(header)
    if offered:
        return offered
    workshop_language = getattr(g, "workshop_language", None)
    if workshop_language in UI_LANGUAGES:
        return workshop_language
    return FALLBACK_LANGUAGE if header else DEFAULT_LANGUAGE


def best_offered(accept_language: str) -> str | None:
    """The UI language an ``Accept-Language`` header prefers most, or ``None``.

    Languages are compared by their primary subtag, in the header's order of
    preference: ``"en-GB, de;q=0.8"`` gives ``en`` (Werkzeug's ``best_match``
    would pick the exact ``de`` first); ``q=0`` refuses a language; ``*``
    accepts any (the first UI language); ``"ar, fr;q=0.9"`` offers nothing.
    """
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    accepted = [
        (tag.replace("_", "-").split("-")[0].lower(), quality)
        for tag, quality in parse_accept_header(accept_language, LanguageAccept)
    ]
    refused = {primary for primary, quality in accepted if quality <= 0}
    for primary, _quality in sorted(
        (item for item in accepted if item[1] > 0), key=lambda item: -item[1]
    ):
        if primary == "*":
            return next((code for code in UI_LANGUAGES if code not in refused), None)
        if primary in UI_LANGUAGES and primary not in refused:
            return primary
    return None


__all__ = ["UI_LANGUAGES", "LazyText", "_", "force_locale", "lazy_gettext", "ngettext"]
