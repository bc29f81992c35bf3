"""Form fields: declarations are checked, uploads are read in the encodings people have, values are valid text."""

from __future__ import annotations

import codecs
import io
import subprocess
import sys

import pytest

from facilitator import Method, hookimpl
from facilitator.fields import (
    DEFAULT_ACCEPT,
    DEFAULT_MAX_LENGTH,
    FIELD_KINDS,
    Field,
    check_fields,
    decode_upload,
    form_values,
    parse_config,
    parse_field,
)
from facilitator.methods import ConfigError

GROUPS = "Groups (CSV)"


# -- declarations ------------------------------------------------------------------------


def test_importing_fields_does_not_import_flask():
    code = "import sys, facilitator.fields; assert 'flask' not in sys.modules, sorted(sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_unknown_kind_names_the_field_and_the_valid_kinds():
    with pytest.raises(ValueError, match="Field 'chairs': unknown kind 'integer'") as err:
        Field(name="chairs", label="Chairs", kind="integer")
    assert all(kind in str(err.value) for kind in FIELD_KINDS)


def test_fields_take_keywords_only_and_are_frozen():
    with pytest.raises(TypeError):
        Field("chairs", "Chairs", "int")  # type: ignore[misc]
    f = Field(name="chairs", label="Chairs", kind="int", default=5, min=3, max=8)
    with pytest.raises(AttributeError):
        f.kind = "text"  # type: ignore[misc]


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "2chairs"}, "identifier"),
    ({"name": "open chairs"}, "identifier"),
    ({"kind": "choice"}, "needs choices"),
    ({"kind": "choice", "choices": [("a", "A")], "default": "b"}, "not one of the choices"),
    ({"choices": [("a", "A")]}, "only a choice field"),
    ({"kind": "int", "min": 8, "max": 3}, "min .8. is greater than max .3."),
    ({"kind": "int", "default": 9, "max": 8}, "outside min/max"),
    ({"max_length": 0}, "max_length"),
    ({"accept": ".csv"}, "only a file field"),
])
def test_inconsistent_declarations_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Field(**{"name": "x", "label": "X", **kwargs})


def test_each_kind_has_its_own_default_limit():
    assert DEFAULT_MAX_LENGTH == {"text": 200, "textarea": 5_000, "lines": 200, "file": 500_000}
    for kind, limit in DEFAULT_MAX_LENGTH.items():
        assert Field(name="x", label="X", kind=kind).limit == limit
    assert Field(name="x", label="X", kind="int").limit is None
    assert Field(name="x", label="X", kind="textarea", max_length=50).limit == 50
    assert Field(name="f", label="F", kind="file").accept == DEFAULT_ACCEPT
    assert Field(name="f", label="F", kind="file", accept=".csv").accept == ".csv"


def test_limits_apply_per_kind():
    text, textarea = Field(name="t", label="T"), Field(name="a", label="A", kind="textarea")
    lines, file = Field(name="l", label="L", kind="lines"), Field(name="f", label="F", kind="file")
    assert parse_field(text, "x" * 200) == "x" * 200
    with pytest.raises(ValueError, match="at most 200 characters"):
        parse_field(text, "x" * 201)
    assert len(parse_field(textarea, "x" * 5_000)) == 5_000
    with pytest.raises(ValueError, match="at most 5000 characters"):
        parse_field(textarea, "x" * 5_001)
    assert parse_field(lines, "y" * 200 + "\nz") == ["y" * 200, "z"]
    with pytest.raises(ValueError, match="each line at most 200"):
        parse_field(lines, "y" * 201)
    csv = "Verein;Ort\n" + "Verein A;Kiel\n" * 300
    assert parse_field(file, csv) == csv.strip()
    with pytest.raises(ValueError, match="at most 500000 characters"):
        parse_field(file, "x" * 500_001)


def test_choices_and_line_defaults_are_not_shared():
    f = Field(name="c", label="C", kind="choice", choices=[("a", "A"), ("b", "B")])
    assert f.choices == (("a", "A"), ("b", "B"))
    lines = Field(name="l", label="L", kind="lines", default=["one"])
    first = parse_field(lines, "")
    first.append("two")
    assert parse_field(lines, None) == ["one"]


def test_check_fields_names_plugin_and_field():
    ok = [Field(name="topic", label="Topic"), Field(name="chairs", label="Chairs", kind="int")]
    check_fields(ok, "fishbowl")
    with pytest.raises(ValueError, match="Plugin 'fishbowl': field 'topic' appears twice"):
        check_fields([*ok, Field(name="topic", label="Again")], "fishbowl")
    with pytest.raises(ValueError, match="Plugin 'fishbowl': field 'title' is reserved"):
        check_fields([Field(name="title", label="Title")], "fishbowl")
    with pytest.raises(ValueError, match=r"Plugin 'fishbowl': field #2 .*'chairs'.* is not"):
        check_fields([ok[0], {"name": "chairs"}], "fishbowl")


# -- uploads -------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [
    "Name;Ort\nGrüße;Köln".encode(),
    codecs.BOM_UTF8 + "Name;Ort\nGrüße;Köln".encode(),
    "Name;Ort\nGrüße;Köln".encode("cp1252"),
    "Name;Ort\nGrüße;Köln".encode("utf-16"),  # with the platform's BOM
    codecs.BOM_UTF16_LE + "Name;Ort\nGrüße;Köln".encode("utf-16-le"),
    codecs.BOM_UTF16_BE + "Name;Ort\nGrüße;Köln".encode("utf-16-be"),
    "Name;Ort\r\nGrüße;Köln".encode("cp1252"),
    codecs.BOM_UTF16_LE + "Name;Ort\r\nGrüße;Köln".encode("utf-16-le"),
    b"Name;Ort\rGr\xfc\xdfe;K\xf6ln",
])
def test_uploads_are_read_in_the_usual_encodings(data):
    assert decode_upload(data, GROUPS) == "Name;Ort\nGrüße;Köln"


def test_windows_1252_umlauts_and_euro():
    assert decode_upload(b"Gr\xfc\xdfe", GROUPS) == "Grüße"
    assert decode_upload(b"\xe4 \xf6 \xfc \xdf \x80\t\xc4\xd6\xdc", GROUPS) == "ä ö ü ß €\tÄÖÜ"
    assert decode_upload(b"", GROUPS) == ""


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # an image
    b"PK\x03\x04\x14\x00\x06\x00",  # an .xlsx is a zip
    "Name\nGrüße".encode("utf-16-le"),  # UTF-16 without BOM: NUL bytes
    b"abc\x81def",  # undefined in Windows-1252, invalid UTF-8
    b"bell\x07",  # a control character
    b"caf\xc3\xa9\xc2\x85",  # UTF-8 with a C1 control character
    codecs.BOM_UTF8 + b"\xff\xfe",  # a BOM, then no UTF-8
    codecs.BOM_UTF16_LE + b"a\x00b",  # odd length
    codecs.BOM_UTF16_LE + b"\x00\xd8a\x00",  # a lone surrogate
])
def test_binary_or_unreadable_uploads_are_refused_naming_the_field(data):
    with pytest.raises(ValueError) as err:
        decode_upload(data, GROUPS)
    assert str(err.value) == "“Groups (CSV)” could not be read: save it as CSV (UTF-8) or plain text."


def test_decoded_uploads_never_hold_a_lone_surrogate():
    for data in (b"\xed\xa0\x80", b"x\xed\xb0\x80y"):  # surrogates encoded as UTF-8 (not valid UTF-8)
        decode_upload(data, GROUPS).encode("utf-8")  # read as Windows-1252, valid text


# -- values -------------------------------------------------------------------------------


def test_lone_surrogates_are_refused_in_every_text_kind():
    message = "“Topic” contains characters that are not text."
    for kind in ("text", "textarea", "file"):
        with pytest.raises(ValueError, match=message):
            parse_field(Field(name="topic", label="Topic", kind=kind), "x\ud800")
    with pytest.raises(ValueError, match=message):
        parse_field(Field(name="topic", label="Topic", kind="lines"), "ok\nx\udc00")
    with pytest.raises(ValueError, match=message):
        parse_field(Field(name="topic", label="Topic", kind="lines"), ["ok", "\ud800"])


def test_textarea_keeps_line_breaks():
    f = Field(name="notes", label="Notes", kind="textarea")
    assert parse_field(f, "  first\r\n\r\nsecond\n ") == "first\n\nsecond"
    assert parse_field(Field(name="t", label="T"), " one ") == "one"


class Groups(Method):
    """A method with an uploaded list of groups."""

    slug = "groups"
    name = "Groups"

    def config_fields(self):
        return [
            Field(name="topic", label="Topic", required=True),
            Field(name="groups", label=GROUPS, kind="file", accept=".csv,.txt"),
            Field(name="rounds", label="Rounds", kind="int", default=2, min=1, max=4),
        ]

    def initial_state(self, config):
        return {"groups": config["groups"].splitlines()}


def test_parse_config_and_form_values_with_new_fields():
    title, config = parse_config(Groups(), {"topic": "Wohnen", "groups": "A\nB", "rounds": "3"})
    assert (title, config) == ("Groups", {"topic": "Wohnen", "groups": "A\nB", "rounds": 3})
    assert form_values(Groups(), None) == {"topic": "", "groups": "", "rounds": 2}
    with pytest.raises(ConfigError) as err:
        parse_config(Groups(), {"topic": "x\ud800", "title": "t\udfff"})
    assert set(err.value.errors) == {"topic", "title"}


# -- through the session form --------------------------------------------------------------


class GroupsPlugin:
    @staticmethod
    @hookimpl
    def facilitator_register_methods():
        return [Groups()]


@pytest.fixture
def app(clock):
    """The conftest app, with the ``groups`` method registered as a third-party plugin."""
    from facilitator.app import create_app

    app = create_app({"TESTING": True, "LIVE_SYNC": True, "CLOCK": clock, "SECRET_KEY": "test",
                      "PLUGINS": (GroupsPlugin,)})
    yield app
    app.extensions["facilitator"].store.close()


def post(fac, url, upload: bytes, **data):
    return fac.post(url, data={"topic": "Wohnen", **data, "groups": (io.BytesIO(upload), "gruppen.csv")},
                    content_type="multipart/form-data", headers={"Accept-Language": "en"})


def test_session_form_reads_excel_csv_and_refuses_unreadable_files(fac, core, workshop, csrf_token):
    url = f"/facilitator/w/{workshop['id']}/sessions/new/groups"
    page = fac.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'type="file"' in page
    token = csrf_token(fac, url)
    excel = "Gruppe;Ansprechperson\r\nBegegnungscafé;Frau Müller\r\nFußball für alle;Herr Öztürk\r\n"
    response = post(fac, url, excel.encode("cp1252"), csrf_token=token)
    assert response.status_code == 302
    [session] = core.workshops.sessions(workshop["id"])
    assert session["config"]["groups"] == "Gruppe;Ansprechperson\nBegegnungscafé;Frau Müller\nFußball für alle;Herr Öztürk"
    assert session["state"]["groups"][2] == "Fußball für alle;Herr Öztürk"

    bad = post(fac, url, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", title="Zweite Runde", csrf_token=token)
    assert bad.status_code == 400  # the form comes back, nothing is stored
    page = bad.get_data(as_text=True)
    assert "“Groups (CSV)” could not be read: save it as CSV (UTF-8) or plain text." in page
    assert 'class="field-error"' in page and 'value="Zweite Runde"' in page
    assert len(core.workshops.sessions(workshop["id"])) == 1

    edit = f"/facilitator/w/{workshop['id']}/sessions/{session['id']}/edit"
    refused = post(fac, edit, b"PK\x03\x04\x14\x00\x06\x00", title="Renamed", csrf_token=token)
    assert refused.status_code == 400
    assert "could not be read" in refused.get_data(as_text=True)
    kept = core.workshops.session(workshop["id"], session["id"])
    assert kept["title"] == session["title"] and kept["config"] == session["config"]
