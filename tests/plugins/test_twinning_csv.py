"""The twinning CSV import (pure): encodings and delimiters as Excel writes them, the
template's round trip, and bad rows reported with their row number and reason."""

from __future__ import annotations

import pytest
from facilitator_plugins.twinning import csvimport

from facilitator import ActionError

TOPICS = ["Education", "Sports", "Work"]
HEADER = ["Group name", "Type of organisation", "Parent organisation", "Town", "Topics",
          "Other topics", "What the group offers", "What the group needs", "Languages",
          "Contact person", "Not to be paired with"]
ROWS = [
    ["Türkischer Elternverein", "mso", "", "Düren", "Education, Sports", "", "Hausaufgabenhilfe",
     "Räume", "Deutsch, Türkisch", "Frau Öztürk", ""],
    ["Jobcenter", "Arbeitgeber oder Jobcenter", "", "Düren", "Work", "Beratung", "Räume",
     "Hausaufgabenhilfe", "Deutsch", "Herr Weiß", "Türkischer Elternverein"],
]


def table(delimiter: str, rows=ROWS, header=HEADER) -> str:
    """A CSV text as Excel writes it (quoting cells that hold the delimiter)."""
    def cell(text: str) -> str:
        return f'"{text}"' if delimiter in text or '"' in text else text
    return "\r\n".join(delimiter.join(cell(c) for c in row) for row in [header, *rows]) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_reads_every_encoding_and_delimiter_excel_writes(encoding, delimiter):
    text = csvimport.decode(table(delimiter).encode(encoding))
    found = csvimport.parse(text, TOPICS, {})
    assert found["errors"] == []
    first, second = (row["profile"] for row in found["rows"])
    assert first["name"] == "Türkischer Elternverein" and first["town"] == "Düren"
    assert first["topics"] == ["Education", "Sports"]
    assert first["languages"] == ["Deutsch", "Türkisch"]
    assert second["org_type"] == "employment"  # the German label is understood
    assert second["contact"] == "Herr Weiß"
    assert found["rows"][1]["exclude_names"] == ["Türkischer Elternverein"]


def test_decode_drops_the_bom_and_falls_back_to_windows_1252():
    assert csvimport.decode("\ufeffä;b".encode()) == "ä;b"
    assert csvimport.decode("Straße;€".encode("cp1252")) == "Straße;€"


def test_template_round_trip():
    data = csvimport.template()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM correctly
    found = csvimport.parse(csvimport.decode(data), TOPICS, {})
    assert found["errors"] == []
    assert len(found["rows"]) == 1
    example = found["rows"][0]["profile"]
    assert example["name"] == "Example association" and example["org_type"] == "mso"
    assert example["topics"] == ["Sports"]


def test_german_headers_are_understood():
    german = ["Name der Gruppe", "Art der Organisation", "Träger", "Ort", "Themen", "Weitere Themen",
              "Was die Gruppe bietet", "Was die Gruppe braucht", "Sprachen", "Ansprechperson",
              "Nicht zusammen mit"]
    found = csvimport.parse(table(";", header=german), TOPICS, {})
    assert [r["profile"]["name"] for r in found["rows"]] == ["Türkischer Elternverein", "Jobcenter"]


def test_bad_rows_are_reported_with_row_and_reason_and_good_rows_kept():
    rows = [
        ROWS[0],
        ["", "mso", "", "Düren", "Education", "", "a", "b", "Deutsch", "X", ""],           # row 3
        ["Verein B", "pirates", "", "Düren", "Education", "", "a", "b", "Deutsch", "X", ""],  # row 4
        ["Verein C", "mso", "", "Düren", "", "", "a", "b", "Deutsch", "X", ""],             # row 5
        ["Verein D", "mso", "", "Düren", "Education", "", "a", "b", "Deutsch", "X", "Verein D"],  # 6
        ["türkischer  elternverein", "mso", "", "Düren", "Education", "", "a", "b", "Deutsch", "X", ""],
        ["Verein E", "mso", "", "Düren", "Education", "", "a", "b", "Deutsch", "X", "Nobody"],  # 8
        ["Verein F", "mso", "", "", "Education", "", "a", "b", "Deutsch", "X", ""],          # row 9
    ]
    found = csvimport.parse(table(";", rows=rows), TOPICS, {})
    assert [r["profile"]["name"] for r in found["rows"]] == ["Türkischer Elternverein"]
    reasons = {e["row"]: e["reason"] for e in found["errors"]}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert "Name of the group" in reasons[3]
    assert "pirates" in reasons[4]
    assert "topic" in reasons[5]
    assert "itself" in reasons[6]
    assert "already registered" in reasons[7]
    assert "Nobody" in reasons[8]
    assert "Town" in reasons[9]


def test_unknown_topics_become_the_groups_own():
    rows = [["Verein", "mso", "", "Düren", "Education, Knitting", "Chess", "a", "b", "Deutsch", "X", ""]]
    profile = csvimport.parse(table(";", rows=rows), TOPICS, {})["rows"][0]["profile"]
    assert profile["topics"] == ["Education"]
    assert profile["topics_other"] == "Chess, Knitting"


def test_names_of_the_pool_count_for_duplicates_and_exclusions():
    pool = {"g1": {"name": "Caritas"}}
    rows = [["caritas", "welfare", "", "Düren", "Work", "", "a", "b", "Deutsch", "X", ""],
            ["Verein", "mso", "", "Düren", "Work", "", "a", "b", "Deutsch", "X", "Caritas"]]
    found = csvimport.parse(table(";", rows=rows), TOPICS, pool)
    assert [e["row"] for e in found["errors"]] == [2]
    assert found["rows"][0]["exclude_names"] == ["Caritas"]


@pytest.mark.parametrize("text", ["", "\ufeff", "Town;Contact\nDüren;X\n"])
def test_a_file_without_the_template_header_is_refused(text):
    with pytest.raises(ActionError) as refused:
        csvimport.parse(text, TOPICS, {})
    assert refused.value.code in ("csv_empty", "csv_header")


def test_sniffs_the_delimiter_from_the_header():
    assert csvimport.sniff_delimiter("a;b;c\n1,2;3") == ";"
    assert csvimport.sniff_delimiter("a,b,c\n") == ","
    assert csvimport.sniff_delimiter("a\tb\n") == "\t"
    assert csvimport.sniff_delimiter("single\n") == ";"


@pytest.mark.parametrize(("value", "key"), [
    ("mso", "mso"), ("Migrantenselbstorganisation (MSO)", "mso"), ("Verein oder Verband", "association"),
    ("Welfare association", "welfare"), ("jobcenter", "employment"), ("Landkreis", "district"),
    ("", ""), ("Piraten", "?"),
])
def test_types_of_organisation_by_key_english_or_german_name(value, key):
    assert csvimport.org_type_of(value) == key
