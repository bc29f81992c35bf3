"""The translation layer: every user-facing string goes through these functions.

Plugins import ``_``, ``ngettext`` and ``lazy_gettext`` from here rather than
from Flask-Babel, so they keep working (untranslated) outside a request, e.g.
in unit tests of a method.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from babel import Locale
from flask import g, has_app_context, has_request_context, request
from flask_babel import force_locale as _force_locale
from flask_babel import gettext as _gettext
from flask_babel import lazy_gettext
from flask_babel import ngettext as _ngettext

#: Languages with a complete translation of the user interface, German first.
UI_LANGUAGES: dict[str, str] = {"de": "Deutsch", "en": "English"}
DEFAULT_LANGUAGE = "de"


def _(text: str, /, **variables: object) -> str:
    """Translate ``text`` into the current locale; ``%(name)s`` placeholders are filled."""
    if has_app_context():
        return _gettext(text, **variables)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, /, **variables: object) -> str:
    """Translate a text with singular and plural forms; ``%(num)d`` is available."""
    if has_app_context():
        return _ngettext(singular, plural, num, **variables)
    variables.setdefault("num", num)
    return (singular if num == 1 else plural) % variables


@contextmanager
def force_locale(language: str) -> Iterator[None]:
    """Render everything inside the block in ``language`` (a UI language code)."""
    if language not in UI_LANGUAGES:
        language = DEFAULT_LANGUAGE
    if has_app_context():
        # A parsed Locale: Locale.parse("de") stats a locale data file on every call.
        with _force_locale(_parsed_locale(language)):
            yield
    else:
        yield


@functools.cache
def _parsed_locale(language: str) -> Locale:
    return Locale.parse(language)


def select_locale() -> str:
    """The UI language of this request: explicit choice, cookie, browser, German."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = getattr(g, "language", None) or request.cookies.get("lang")
    if chosen in UI_LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(UI_LANGUAGES)) or DEFAULT_LANGUAGE


__all__ = ["UI_LANGUAGES", "_", "force_locale", "lazy_gettext", "ngettext"]
