"""The German catalogue of the core: complete, compiled, in step with the source, used.

* every entry is translated (no empty ``msgstr``, nothing fuzzy) and keeps the
  ``%(name)s`` placeholders of its ``msgid``;
* the shipped ``messages.mo`` holds exactly what compiling ``messages.po`` gives;
* every ``_()``/``lazy_gettext``/``ngettext`` text of the core (``babel.cfg``)
  is in the catalogue;
* pages come out in German or English according to ``Accept-Language``.

When a test here fails after a change to the source, run (from the repository
root) the extraction and update, translate, and compile::

    pybabel extract -F babel.cfg -k _ -k lazy_gettext -k ngettext:1,2 \\
        -o facilitator/translations/messages.pot --no-location --sort-output \\
        --project Facilitator .
    pybabel update -i facilitator/translations/messages.pot -d facilitator/translations \\
        -l de --no-fuzzy-matching
    pybabel compile -d facilitator/translations -l de
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from facilitator.app import create_app

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE_DIR = ROOT / "facilitator" / "translations" / "de" / "LC_MESSAGES"
PO_FILE = CATALOGUE_DIR / "messages.po"
MO_FILE = CATALOGUE_DIR / "messages.mo"

#: ``%(name)s``-style placeholders (with optional flags, width, precision) and ``%%``.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%%")


def pybabel(*args: str) -> None:
    """Run the ``pybabel`` command line of this interpreter from the repository root."""
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *args],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr or result.stdout


def load_catalogue():
    with PO_FILE.open("rb") as fp:
        return read_po(fp, locale="de")


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def forms(message) -> list[tuple[str, str]]:
    """Pairs of (source text, translation) to compare, one per plural form."""
    if not message.pluralizable:
        return [(message.id, message.string)]
    singular, plural = message.id
    strings = list(message.string)
    return [(singular, strings[0])] + [(plural, s) for s in strings[1:]]


# -- 1: complete and well-formed --------------------------------------------


def test_catalogue_header_is_german_with_two_plural_forms():
    catalogue = load_catalogue()
    assert str(catalogue.locale) == "de"
    assert catalogue.num_plurals == 2
    assert catalogue.plural_expr.replace(" ", "") == "(n!=1)"


def test_every_entry_is_translated_and_not_fuzzy():
    catalogue = load_catalogue()
    messages = [m for m in catalogue if m.id]
    assert messages, "the catalogue is empty"
    fuzzy = [m.id for m in messages if m.fuzzy]
    untranslated = [
        m.id for m in messages
        if not m.string
        or (m.pluralizable and (len(m.string) != catalogue.num_plurals or not all(m.string)))
    ]
    assert not fuzzy and not untranslated, f"fuzzy: {fuzzy}; untranslated: {untranslated}"


def test_translations_keep_every_placeholder():
    problems = []
    for message in load_catalogue():
        if not message.id:
            continue
        for source, translation in forms(message):
            if placeholders(source) != placeholders(translation):
                problems.append((source, translation))
    assert not problems, "placeholders differ:\n" + "\n".join(f"{s!r} -> {t!r}" for s, t in problems)


def test_babel_format_checks_pass():
    errors = [(m.id, [str(e) for e in errs]) for m, errs in load_catalogue().check()]
    assert not errors, errors


def test_fixed_terms():
    """Terms the product has agreed on (see the plugin catalogues too)."""
    catalogue = load_catalogue()
    expected = {
        "%Y-%m-%d": "%d.%m.%Y",
        "District (Landkreis)": "Landkreis",
        "Town or municipality": "Stadt oder Gemeinde",
        "Welfare association": "Wohlfahrtsverband",
        "Migrant organisation (MSO)": "Migrantenselbstorganisation (MSO)",
        "Association or club": "Verein oder Verband",
        "Education (school, adult education)": "Bildung (Schule, Erwachsenenbildung)",
        "Employer or job centre": "Arbeitgeber oder Jobcenter",
        "Volunteers, civil society": "Ehrenamt, Zivilgesellschaft",
        "Science": "Wissenschaft",
        "Other": "Sonstige",
        "Agreements and responsibilities": "Vereinbarungen und Zuständigkeiten",
        "Facilitator": "Moderation",
        "Minutes": "Protokoll",
        "Join code": "Zugangscode",
        "Handout": "Handzettel",
    }
    actual = {msgid: catalogue[msgid].string for msgid in expected if catalogue.get(msgid)}
    assert actual == expected


# -- 2: the shipped .mo is compiled from the current .po ----------------------


def mo_messages(path: Path) -> dict:
    with path.open("rb") as fp:
        catalog = dict(Translations(fp)._catalog)
    catalog.pop("", None)  # the header: dates and tool versions may differ
    return catalog


def test_shipped_mo_matches_the_po(tmp_path):
    assert MO_FILE.is_file(), "messages.mo is missing: run pybabel compile"
    fresh = tmp_path / "messages.mo"
    pybabel("compile", "-i", str(PO_FILE), "-o", str(fresh), "-l", "de")
    shipped, expected = mo_messages(MO_FILE), mo_messages(fresh)
    stale = sorted(str(k) for k in expected.keys() ^ shipped.keys())
    changed = sorted(str(k) for k in expected.keys() & shipped.keys() if expected[k] != shipped[k])
    assert not stale and not changed, (
        "messages.mo is older than messages.po: run pybabel compile "
        f"(missing/extra: {stale[:10]}, changed: {changed[:10]})"
    )
    with MO_FILE.open("rb") as fp:
        plural = Translations(fp).plural
    assert [plural(n) for n in (0, 1, 2, 5)] == [1, 0, 1, 1]


# -- 3: the catalogue covers the source -----------------------------------------


def test_every_source_text_is_in_the_catalogue(tmp_path):
    template = tmp_path / "messages.pot"
    pybabel(
        "extract", "-F", "babel.cfg", "-k", "_", "-k", "lazy_gettext", "-k", "ngettext:1,2",
        "-o", str(template), "--no-location", "--sort-output", "--project", "Facilitator", ".",
    )
    with template.open("rb") as fp:
        extracted = {m.id for m in read_po(fp) if m.id}
    assert len(extracted) > 50, "extraction found suspiciously few texts"
    translated = {m.id for m in load_catalogue() if m.id}
    missing = sorted(str(msgid) for msgid in extracted - translated)
    assert not missing, f"not in the German catalogue (run extract/update): {missing}"


# -- 4: the app speaks the browser's language ---------------------------------


@pytest.fixture
def app():
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    yield app
    app.extensions["facilitator"].store.close()


LANDING = {
    "de": ['<html lang="de">', "An einem Workshop teilnehmen", "Zugangscode", "Weiter"],
    "en": ['<html lang="en">', "Join a workshop", "Join code", "Continue"],
}
JOIN_PAGE = {
    "de": ["Ihr Name", "Art der Organisation", "Migrantenselbstorganisation (MSO)", "Teilnehmen"],
    "en": ["Your name", "Type of organisation", "Migrant organisation (MSO)", "Join"],
}


@pytest.mark.parametrize("language, other", [("de", "en"), ("en", "de")])
def test_landing_page_follows_accept_language(app, language, other):
    page = app.test_client().get("/", headers={"Accept-Language": language})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for expected in LANDING[language]:
        assert expected in text
    for unexpected in LANDING[other][1:]:
        assert unexpected not in text


@pytest.mark.parametrize("language, other", [("de", "en"), ("en", "de")])
def test_join_page_follows_accept_language(app, language, other):
    workshop = app.extensions["facilitator"].workshops.create(
        {"title": "Runder Tisch Integration", "language": "de", "privacy": "named"}
    )
    page = app.test_client().get(
        f"/j/{workshop['join_code']}", headers={"Accept-Language": f"{language},{other};q=0.5"}
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for expected in JOIN_PAGE[language]:
        assert expected in text
    for unexpected in JOIN_PAGE[other][:3]:
        assert unexpected not in text


# -- 5: the methods' own catalogues -------------------------------------------

PLUGIN_DIRS = sorted(p.parent.parent.parent for p in (ROOT / "plugins").glob("*/translations/de/LC_MESSAGES"))


def read_catalogue(path: Path):
    with path.open("rb") as fp:
        return read_po(fp, locale="de")


def test_bundled_methods_ship_catalogues():
    assert {p.name for p in PLUGIN_DIRS} >= {"dotvoting", "fishbowl"}


@pytest.mark.parametrize("plugin", PLUGIN_DIRS, ids=lambda p: p.name)
def test_method_catalogue_is_complete_compiled_and_covers_its_source(plugin, tmp_path):
    po = plugin / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    catalogue = read_catalogue(po)
    problems = [m.id for m in catalogue if m.id and (m.fuzzy or not m.string or
                (m.pluralizable and not all(m.string)))]
    problems += [(s, t) for m in catalogue if m.id for s, t in forms(m) if placeholders(s) != placeholders(t)]
    assert not problems, problems
    fresh = tmp_path / "messages.mo"
    pybabel("compile", "-i", str(po), "-o", str(fresh), "-l", "de")
    assert mo_messages(po.with_suffix(".mo")) == mo_messages(fresh), f"run pybabel compile for {plugin.name}"
    config = tmp_path / "babel.cfg"
    relative = plugin.relative_to(ROOT)
    config.write_text(f"[python: {relative}/**.py]\n[jinja2: {relative}/**.html]\n")
    template = tmp_path / "messages.pot"
    pybabel("extract", "-F", str(config), "-k", "_", "-k", "lazy_gettext", "-k", "ngettext:1,2",
            "-o", str(template), "--no-location", ".")
    extracted = {m.id for m in read_catalogue(template) if m.id}
    known = {m.id for m in catalogue if m.id} | {m.id for m in load_catalogue() if m.id}
    missing = sorted(str(msgid) for msgid in extracted - known)
    assert not missing, f"{plugin.name}: not translated: {missing}"


def test_no_text_is_translated_two_ways():
    """All catalogues share one gettext domain: a text translated differently in two of them
    would show whichever loads last, in every method."""
    seen: dict = {}
    for po in [PO_FILE] + [p / "translations" / "de" / "LC_MESSAGES" / "messages.po" for p in PLUGIN_DIRS]:
        for message in read_catalogue(po):
            if message.id:
                seen.setdefault(message.id, {})[po.relative_to(ROOT).parts[1]] = message.string
    clashes = {str(k): v for k, v in seen.items() if len({str(s) for s in v.values()}) > 1}
    assert not clashes, clashes
