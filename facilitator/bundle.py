"""Workshop bundles: one file that carries a workshop from a facilitator's laptop into an
organiser's archive. Pure Python (no Flask).

A bundle is UTF-8 JSON::

    {"format": "facilitator-bundle", "version": 1, "facilitator": "<version>",
     "exported_at": <epoch seconds>,
     "content": {"workshop": {...}, "tables": {"sessions": [...], "participants": [...],
                                               "agreements": [...], ...}},
     "sha256": "<hex digest of the canonical JSON of content>"}

``tables`` holds the workshop's records as stored, from every table in
:data:`BUNDLE_TABLES` (agreements with their status history; finalised minutes versions
when the store keeps them in a workshop table). Left out: participants' tokens (a
credential; the phones belong to the other laptop), action receipts, timers and
computations. The checksum catches a truncated or damaged file.

:func:`import_bundle` checks everything before it writes, and writes in one batch: a
corrupt, truncated, foreign or duplicate file changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from facilitator import __version__
from facilitator.errors import ActionError, ConfigError
from facilitator.i18n import _
from facilitator.ids import new_join_code, new_secret
from facilitator.ledger import STATUSES, clean_agreement
from facilitator.vocabulary import ORG_TYPES
from facilitator.workshops import SESSION_STATUSES, WORKSHOP_TABLES, clean_workshop

FORMAT = "facilitator-bundle"
VERSION = 1
#: Largest bundle accepted (bytes).
MAX_BUNDLE = 20_000_000
#: Workshop tables that travel in a bundle (the rest is the running server's bookkeeping).
BUNDLE_TABLES = tuple(t for t in WORKSHOP_TABLES if t not in ("receipts", "timers", "jobs"))
#: The tables every bundle must have.
REQUIRED_TABLES = ("sessions", "participants", "agreements")


def _canonical(content: Any) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def export_bundle(core, workshop_id: str) -> bytes:
    """The bundle of one workshop, as bytes to write into a file.

    :raises ActionError: ``unknown_workshop``.
    """
    with core.lock:
        workshop = core.workshops.get(workshop_id)
        tables = {}
        for table in BUNDLE_TABLES:
            records = [doc for doc in core.store.all(table) if doc.get("workshop_id") == workshop_id]
            if table == "participants":
                records = [{k: v for k, v in doc.items() if k != "token"} for doc in records]
            tables[table] = records
    content = {"workshop": workshop, "tables": tables}
    bundle = {"format": FORMAT, "version": VERSION, "facilitator": __version__,
              "exported_at": core.clock(), "content": content,
              "sha256": hashlib.sha256(_canonical(content)).hexdigest()}
    return json.dumps(bundle, ensure_ascii=False, indent=1).encode("utf-8")


def bundle_filename(workshop: dict) -> str:
    """``<minutes file stem>.facilitator.json``: the name the download suggests."""
    import re

    stem = re.sub(r"[^\w]+", "-", str(workshop["title"]).casefold()).strip("-")[:50] or "workshop"
    date = workshop.get("date") or ""
    return f"{date + '-' if date else ''}{stem}.facilitator.json"


def _not_a_bundle() -> ActionError:
    return ActionError("not_a_bundle", _("This file is not a Facilitator workshop bundle."))


def _corrupt(detail: str = "") -> ActionError:
    message = _("The bundle is damaged or incomplete; nothing was imported. Please export it again.")
    return ActionError("corrupt_bundle", f"{message} ({detail})" if detail else message)


def read_bundle(data: bytes) -> dict:
    """Parse and check a bundle file; returns its ``content``.

    :raises ActionError: ``not_a_bundle``, ``corrupt_bundle`` or ``bundle_version``.
    """
    if not isinstance(data, bytes | bytearray) or not data.strip():
        raise _not_a_bundle()
    if len(data) > MAX_BUNDLE:
        raise ActionError("bundle_too_large", _("The file is too large for a workshop bundle."))
    try:
        bundle = json.loads(bytes(data).decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _not_a_bundle() from None
    except ValueError:  # truncated JSON, or another text file
        if bytes(data).lstrip()[:40].lstrip(b"{ \n\r\t").startswith(b'"format": "' + FORMAT.encode()):
            raise _corrupt() from None
        raise _not_a_bundle() from None
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise _not_a_bundle()
    version = bundle.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _corrupt()
    if version > VERSION:
        raise ActionError("bundle_version", _("This bundle was made by a newer Facilitator. "
                                              "Please update Facilitator to import it."))
    content = bundle.get("content")
    digest = bundle.get("sha256")
    if not isinstance(content, dict) or not isinstance(digest, str) \
            or hashlib.sha256(_canonical(content)).hexdigest() != digest:
        raise _corrupt()
    _check_content(content)
    return content


def _check_content(content: dict) -> None:
    """Check the records of a bundle whose checksum is right (a hand-made file may still lie)."""
    workshop, tables = content.get("workshop"), content.get("tables")
    if not isinstance(workshop, dict) or not isinstance(tables, dict):
        raise _corrupt()
    wid = workshop.get("id")
    if not isinstance(wid, str) or not wid or not isinstance(workshop.get("session_ids"), list):
        raise _corrupt("workshop")
    try:
        clean_workshop(workshop)
    except ActionError as exc:
        raise _corrupt(exc.message) from None
    if set(tables) - set(BUNDLE_TABLES) or any(t not in tables for t in REQUIRED_TABLES):
        raise _corrupt("tables")
    for table, records in tables.items():
        if not isinstance(records, list) or not all(
                isinstance(r, dict) and isinstance(r.get("id"), str) and r["id"] and r.get("workshop_id") == wid
                for r in records):
            raise _corrupt(table)
        if len({r["id"] for r in records}) != len(records):
            raise _corrupt(table)
    sessions = {s["id"]: s for s in tables["sessions"]}
    if set(sessions) != set(workshop["session_ids"]) or len(workshop["session_ids"]) != len(sessions):
        raise _corrupt("sessions")
    for s in sessions.values():
        if not isinstance(s.get("method"), str) or s.get("status") not in SESSION_STATUSES \
                or not isinstance(s.get("config"), dict) or not isinstance(s.get("title"), str):
            raise _corrupt("sessions")
    for p in tables["participants"]:
        if not all(isinstance(p.get(k), str) for k in ("name", "organisation")) or p.get("org_type") not in ORG_TYPES:
            raise _corrupt("participants")
    for a in tables["agreements"]:
        try:
            clean_agreement(a)
        except (ActionError, ConfigError):
            raise _corrupt("agreements") from None
        if a.get("status", "open") not in STATUSES or not isinstance(a.get("history", []), list) \
                or a.get("session_id") not in (None, *sessions):
            raise _corrupt("agreements")


def fingerprint(workshop: Mapping, sessions: list[dict], agreements: list[dict]) -> str:
    """What makes two workshops the same content, whatever their ids."""
    content = {
        "workshop": [workshop.get(k) for k in ("title", "date", "place", "organiser", "created_at")],
        "sessions": [[s.get("method"), s.get("title"), s.get("config")] for s in sessions],
        "agreements": sorted([a.get(k) or "" for k in ("what", "who_person", "who_org", "due", "review")]
                             + [str(a.get("created_at"))] for a in agreements),
    }
    return hashlib.sha256(_canonical(content)).hexdigest()


def _duplicate_of(core, content: dict) -> dict | None:
    workshop, tables = content["workshop"], content["tables"]
    existing = core.store.get("workshops", workshop["id"])
    if existing is not None:
        return existing
    order = {sid: i for i, sid in enumerate(workshop["session_ids"])}
    wanted = fingerprint(workshop, sorted(tables["sessions"], key=lambda s: order[s["id"]]), tables["agreements"])
    for other in core.workshops.all():
        sessions = [s for s in core.workshops.sessions(other["id"]) if s]
        if fingerprint(other, sessions, core.ledger.of_workshop(other["id"])) == wanted:
            return other
    return None


def import_bundle(core, data: bytes) -> dict:
    """Import a bundle into this server's store; returns the new workshop record.

    The workshop is not running here (no active session: one that was active is
    paused, as when the room leaves it); it gets a new projector key,
    and a new join code if its code is taken. Imported participants get new tokens.

    :raises ActionError: ``not_a_bundle``, ``corrupt_bundle``, ``bundle_version``,
        ``bundle_too_large``, ``unknown_method`` (a method not installed here),
        ``duplicate_bundle`` (same workshop id or the same content is already here) or
        ``bundle_conflict`` (a record id is taken); nothing is changed then.
    """
    content = read_bundle(data)
    workshop, tables = dict(content["workshop"]), content["tables"]
    for s in tables["sessions"]:
        if s["method"] not in core.methods:
            raise ActionError("unknown_method", _("This bundle uses the method “%(method)s”, which is not "
                                                  "installed here.", method=s["method"][:40]))
    with core.lock:
        duplicate = _duplicate_of(core, content)
        if duplicate is not None:
            raise ActionError("duplicate_bundle", _(
                "“%(title)s” is already in this archive; nothing was imported.", title=duplicate["title"]))
        batch: list[tuple[str, str, dict | None]] = []
        for table, records in tables.items():
            for record in records:
                if core.store.get(table, record["id"]) is not None:
                    raise ActionError("bundle_conflict", _("The bundle clashes with records already "
                                                           "stored here; nothing was imported."))
                if table == "participants":
                    record = {**record, "token": new_secret()}
                if table == "sessions" and record["status"] == "active":
                    record = {**record, "status": "pending"}  # as when the room leaves it
                batch.append((table, record["id"], record))
        codes = {w["join_code"] for w in core.store.all("workshops")}
        code = workshop.get("join_code")
        while not isinstance(code, str) or code in codes:
            code = new_join_code()
        workshop.update(active_session_id=None, projector_key=new_secret(), join_code=code,
                        imported_at=core.clock())
        workshop.setdefault("created_at", core.clock())
        core.store.put_many([("workshops", workshop["id"], workshop), *batch])
    core.events.changed(workshop["id"])
    return workshop
