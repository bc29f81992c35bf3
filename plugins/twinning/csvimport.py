"""Groups from a CSV file, as Excel writes it: decode, read, check every row.

Pure Python (no Flask). Reads UTF-8 (with or without BOM) and Windows-1252,
``;``, ``,`` or tab as delimiter, headers in English or German (as the
downloadable :func:`template` writes them in either language). Each row is
checked like a profile typed on a phone; a bad row is reported with its row
number as a spreadsheet shows it (the header is row 1) and the reason, the
good rows wait until the facilitator confirms the import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from facilitator import ORG_TYPES, ActionError, _, lazy_gettext

from .profiles import clean_profile, normalise_name, split_list

#: The columns: key, header (translated), the German header also accepted in any locale.
COLUMNS = (
    ("name", lazy_gettext("Group name"), "Name der Gruppe"),
    ("org_type", lazy_gettext("Type of organisation"), "Art der Organisation"),
    ("organisation", lazy_gettext("Parent organisation"), "Träger"),
    ("town", lazy_gettext("Town"), "Ort"),
    ("topics", lazy_gettext("Topics"), "Themen"),
    ("topics_other", lazy_gettext("Other topics"), "Weitere Themen"),
    ("offers", lazy_gettext("What the group offers"), "Was die Gruppe bietet"),
    ("needs", lazy_gettext("What the group needs"), "Was die Gruppe braucht"),
    ("languages", lazy_gettext("Languages"), "Sprachen"),
    ("contact", lazy_gettext("Contact person"), "Ansprechperson"),
    ("excludes", lazy_gettext("Not to be paired with"), "Nicht zusammen mit"),
)
#: German names of the types of organisation, accepted besides the key and the label.
GERMAN_ORG_TYPES = {
    "landkreis": "district", "kreis": "district", "kommune": "municipality",
    "stadt oder gemeinde": "municipality", "gemeinde": "municipality", "stadt": "municipality",
    "wohlfahrtsverband": "welfare", "migrantenorganisation": "mso", "mso": "mso",
    "migrantenorganisation (mso)": "mso", "migrantenselbstorganisation": "mso",
    "migrantenselbstorganisation (mso)": "mso", "verein": "association", "verband": "association",
    "verein oder verband": "association",
    "bildung": "education", "bildung (schule, erwachsenenbildung)": "education",
    "arbeitgeber": "employment", "jobcenter": "employment", "arbeitgeber oder jobcenter": "employment",
    "ehrenamt": "volunteers", "ehrenamt, zivilgesellschaft": "volunteers",
    "wissenschaft": "science", "sonstige": "other", "andere": "other",
}
#: At most this many rows are read from one file.
MAX_ROWS = 1000


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (a BOM is dropped), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: whichever the header line holds most of (``;`` on a tie)."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ";"


def template() -> bytes:
    """The template file: headers in the current language and one example, UTF-8 with BOM, ``;``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(header) for _key, header, _de in COLUMNS])
    writer.writerow([
        _("Example association"), "mso", "", _("Example town"), _("Sports"), "",
        _("German conversation groups"), _("Rooms for meetings"), _("German, Arabic"),
        _("Jane Doe, 0171 1234567"), "",
    ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _header_map(header: list[str]) -> dict[int, str]:
    names: dict[str, str] = {}
    for key, label, german in COLUMNS:
        for alias in (key, label._text, str(label), german):  # type: ignore[attr-defined]
            names[normalise_name(alias)] = key
    return {i: names[normalise_name(h)] for i, h in enumerate(header) if normalise_name(h) in names}


def org_type_of(value: str) -> str:
    """The key of a type of organisation given as key, label (en/de) or German name; or ``""``."""
    wanted = normalise_name(value)
    for key, label in ORG_TYPES.items():
        if wanted in (key, normalise_name(label._text), normalise_name(str(label))):  # type: ignore[attr-defined]
            return key
    return GERMAN_ORG_TYPES.get(wanted, "" if not wanted else "?")


def parse(text: str, topic_list: list[str], groups: Mapping[str, dict]) -> dict:
    """Read a CSV text into checked rows and row errors.

    :param groups: the pool's groups by id (names must be new; exclusions may name them).
    :returns: ``{"rows": [{"row", "profile", "exclude_names"}], "errors": [{"row", "reason"}]}``;
        a profile's ``excludes`` is empty until :func:`resolve` fills it in.
    :raises ActionError: when the file has no header with a group-name column.
    """
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ActionError("csv_empty", _("The file is empty.")) from None
    columns = _header_map(header)
    if "name" not in columns.values():
        raise ActionError("csv_header", _("The first row must hold the column names of the template."))
    rows: list[dict] = []
    errors: list[dict] = []
    names = {normalise_name(g["name"]) for g in groups.values()}
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append({"row": number, "reason": _("Too many rows: at most %(max)d are read.",
                                                      max=MAX_ROWS)})
            break
        values = {key: cells[i] if i < len(cells) else "" for i, key in columns.items()}
        try:
            rows.append(_row(number, values, topic_list, groups, names))
        except ActionError as refused:
            errors.append({"row": number, "reason": refused.message})
            continue
        names.add(normalise_name(rows[-1]["profile"]["name"]))
    good = []
    for row in rows:  # exclusions may name groups of the pool or of this file
        unknown = [n for n in row["exclude_names"] if normalise_name(n) not in names]
        if unknown:
            errors.append({"row": row["row"], "reason": _(
                "“%(name)s” (not to be paired with) is no group of the pool or the file.",
                name=unknown[0])})
        else:
            good.append(row)
    errors.sort(key=lambda e: e["row"])
    return {"rows": good, "errors": errors}


def _row(number: int, values: dict, topic_list: list[str], groups: Mapping[str, dict],
         names: set[str]) -> dict:
    org_type = org_type_of(values.get("org_type", ""))
    if org_type == "?":
        raise ActionError("invalid_choice", _("Unknown type of organisation “%(value)s”.",
                                              value=values["org_type"].strip()))
    by_key = {normalise_name(t): t for t in topic_list}
    topics, other = [], [values.get("topics_other", "")]
    for item in split_list(values.get("topics", ""), _("Topics")):
        if normalise_name(item) in by_key:
            topics.append(by_key[normalise_name(item)])
        else:  # a topic not on the list is kept as the group's own
            other.append(item)
    payload = {**values, "org_type": org_type, "topics": topics,
               "topics_other": ", ".join(o.strip() for o in other if o.strip()), "excludes": []}
    profile = clean_profile(payload, topic_list, "csv", groups)
    if normalise_name(profile["name"]) in names:
        raise ActionError("duplicate_name", _("A group called “%(name)s” is already registered.",
                                              name=profile["name"]))
    exclude_names = split_list(values.get("excludes", ""), _("Not to be paired with"))
    if normalise_name(profile["name"]) in {normalise_name(n) for n in exclude_names}:
        raise ActionError("excludes_itself", _("A group cannot exclude itself."))
    return {"row": number, "profile": profile, "exclude_names": exclude_names}


def resolve(rows: list[dict], groups: Mapping[str, dict]) -> list[str]:
    """Fill each row's ``excludes`` with group ids by name (rows already have ids and are in
    ``groups``); returns the names that match no group."""
    by_name = {normalise_name(g["name"]): gid for gid, g in groups.items()}
    missing: list[str] = []
    for row in rows:
        ids = []
        for name in row["exclude_names"]:
            gid = by_name.get(normalise_name(name))
            if gid is None:
                missing.append(name)
            elif gid != row["profile"]["id"]:
                ids.append(gid)
        row["profile"]["excludes"] = list(dict.fromkeys(ids))
    return missing
