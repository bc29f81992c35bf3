"""Config forms: every field kind is converted and checked; uploads reach the method as text."""

from __future__ import annotations

import io

import pytest

from facilitator import Field, Method, hookimpl
from facilitator.app import create_app
from facilitator.fields import parse_config
from facilitator.methods import ConfigError


class Everything(Method):
    """A method with one field of every kind."""

    slug = "everything"
    name = "Everything"

    def config_fields(self):
        return [
            Field(name="text", label="Text", required=True, max_length=10),
            Field(name="count", label="Count", kind="int", default=3, min=1, max=5),
            Field(name="flag", label="Flag", kind="bool"),
            Field(name="colour", label="Colour", kind="choice", default="red",
                  choices=[("red", "Red"), ("blue", "Blue")]),
            Field(name="items", label="Items", kind="lines", max_items=2, max_length=5),
            Field(name="csv", label="CSV", kind="file", max_length=1000),
        ]

    def validate_config(self, config):
        if config["flag"] and config["count"] < 2:
            raise ConfigError({"count": "Needs 2 with the flag."})
        return config


def test_every_kind_is_converted():
    title, config = parse_config(Everything(), {"text": " hi ", "count": "4", "flag": "on", "colour": "blue",
                                                "items": "a\n\n b \n", "csv": "x;y\n1;2"})
    assert title == "Everything"
    assert config == {"text": "hi", "count": 4, "flag": True, "colour": "blue", "items": ["a", "b"],
                      "csv": "x;y\n1;2"}
    _title, defaults = parse_config(Everything(), {"text": "x"})
    assert defaults["count"] == 3 and defaults["flag"] is False and defaults["items"] == []


@pytest.mark.parametrize("field, value", [
    ("text", ""), ("text", "x" * 11), ("count", "many"), ("count", "9"), ("count", True), ("count", "2.5"),
    ("colour", "green"), ("items", "a\nb\nc"), ("items", "toolong"), ("csv", "x" * 1001), ("text", 5),
])
def test_bad_values_are_reported_per_field(field, value):
    data = {"text": "ok", field: value}
    with pytest.raises(ConfigError) as err:
        parse_config(Everything(), data)
    assert set(err.value.errors) == {field}


def test_cross_field_check_and_title_length():
    with pytest.raises(ConfigError) as err:
        parse_config(Everything(), {"text": "x", "flag": True, "count": 1})
    assert err.value.errors == {"count": "Needs 2 with the flag."}
    with pytest.raises(ConfigError) as err:
        parse_config(Everything(), {"text": "x", "title": "t" * 121})
    assert "title" in err.value.errors


class EverythingPlugin:
    @staticmethod
    @hookimpl
    def facilitator_register_methods():
        return [Everything()]


def test_uploaded_file_reaches_the_config_and_survives_edits(csrf_token):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "PLUGINS": (EverythingPlugin,)})
    core = app.extensions["facilitator"]
    client = app.test_client()
    client.get(f"/f/{app.config['FACILITATOR_TOKEN']}")
    workshop = core.workshops.create({"title": "Upload"})
    url = f"/facilitator/w/{workshop['id']}/sessions/new/everything"
    assert b'type="file"' in client.get(url).data
    token = csrf_token(client, url)
    response = client.post(url, data={"text": "hi", "csrf_token": token, "csv": (io.BytesIO("\ufeffName;Ort\nVerein A;Kiel".encode()),
                                                               "groups.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    [session] = core.workshops.sessions(workshop["id"])
    assert session["config"]["csv"] == "Name;Ort\nVerein A;Kiel"
    bad = client.post(url, data={"text": "hi", "csrf_token": token, "csv": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00"), "x.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400  # an unreadable upload is reported under its field, never "no file"
    assert "konnte nicht gelesen werden" in bad.get_data(as_text=True)  # the German UI by default
    assert len(core.workshops.sessions(workshop["id"])) == 1
    edit = client.post(f"/facilitator/w/{workshop['id']}/sessions/{session['id']}/edit",
                       data={"title": "Renamed", "text": "hi", "csrf_token": token}, content_type="multipart/form-data")
    assert edit.status_code == 302
    assert core.workshops.session(workshop["id"], session["id"])["config"]["csv"] == "Name;Ort\nVerein A;Kiel"
    core.store.close()
