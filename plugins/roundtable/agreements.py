"""The round table's actions on agreements: consent checks, recording, the review.

Mixed into :class:`.method.RoundTable` (see :mod:`.actions` for the floor and
the agenda).
"""

from __future__ import annotations

from facilitator_plugins.roundtable import agenda, consent, review
from facilitator_plugins.roundtable.actions import RULE, flag

from facilitator import (
    MAX_TEXT,
    Actor,
    MethodContext,
    _,
    action,
    clean_agreement,
    clean_date,
    clean_text,
)


class AgreementActions:
    """What the facilitator does with agreements: consent checks, the ledger, the review."""

    # -- consent and agreements ----------------------------------------------
    @action("facilitator")
    def start_check(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Open a consent check on a proposal or a typed text."""
        if any(c["open"] for c in state["checks"]):
            raise consent.ConsentError("check_open")
        proposal = None
        if payload.get("proposal") not in (None, ""):  # not truthiness: false or 0 is a wrong id
            proposal = next((p for p in state["proposals"] if p["id"] == payload["proposal"]), None)
            if proposal is None:
                raise RULE("unknown_proposal")
            text = proposal["text"]
            proposal["checked"] = True
        else:
            text = clean_text(payload.get("text"), _("Agreement"), MAX_TEXT, required=True)
        it = agenda.current(state)
        check = consent.new_check(agenda.next_id(state, "c"), text, it["id"] if it else None,
                                  ctx.now(), proposal["id"] if proposal else None)
        state["checks"].append(check)
        ctx.reply({"check": check["id"]})

    def consent_by(self, state: dict, ctx: MethodContext) -> str:
        """How consent is counted here (per institution needs organisations)."""
        wanted = state["settings"]["consent_by"]
        return "institution" if wanted == "institution" and ctx.privacy == "named" else "person"

    def close_open_check(self, state: dict, check: dict, ctx: MethodContext) -> dict:
        """Close ``check`` with its final tally."""
        return consent.close(check, self.consent_by(state, ctx), ctx.now())

    @action("facilitator")
    def close_check(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Close the open consent check; its tally is kept."""
        check = next((c for c in state["checks"] if c["id"] == payload.get("check")), None)
        if check is None:
            raise consent.ConsentError("no_check")
        ctx.reply({"result": self.close_open_check(state, check, ctx)["result"]})

    @action("facilitator")
    def record_agreement(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Record an agreement (who, who follows up, by when, review) in the ledger."""
        check = None
        if payload.get("check") not in (None, ""):  # not truthiness: false or 0 is a wrong id
            check = next((c for c in state["checks"] if c["id"] == payload["check"]), None)
            if check is None:
                raise consent.ConsentError("no_check")
            if check["agreement"]:
                raise RULE("already_answered")
        what = payload.get("what")
        if what in (None, "") and check is not None:
            what = check["text"]
        fields = clean_agreement({**payload, "what": what})
        if check is not None and check["open"]:
            self.close_open_check(state, check, ctx)
        agreement_id = ctx.record_agreement(**fields)
        it = agenda.current(state)
        state["agreements"].append({"id": agreement_id, "item": it["id"] if it else None,
                                    "check": check["id"] if check else None, "what": fields["what"]})
        if check is not None:
            check["agreement"] = agreement_id
        ctx.reply({"agreement": agreement_id})

    # -- review of earlier agreements ----------------------------------------
    @staticmethod
    def pick_workshop(state: dict, workshop_id: str, earlier: list[dict]) -> None:
        """Add the open agreements of an earlier workshop to the review."""
        rv = state["review"]
        found = [a for a in earlier if a["workshop_id"] == workshop_id]
        if not found:
            raise review.ReviewError("unknown_workshop")
        if workshop_id not in rv["picked"]:
            rv["picked"].append(workshop_id)
        known = {e["id"] for e in rv["entries"]}
        rv["entries"] += [review.from_ledger(a) for a in found if f"l:{a['id']}" not in known]

    @action("facilitator")
    def review_pick(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Add (``on``) or take out an earlier workshop's open agreements."""
        workshop_id = payload.get("workshop")
        rv = state["review"]
        if flag(payload, "on", True):
            self.pick_workshop(state, workshop_id, ctx.earlier_agreements([workshop_id])
                               if isinstance(workshop_id, str) else [])
            return
        if workshop_id not in rv["picked"]:
            raise review.ReviewError("unknown_workshop")
        mine = [e for e in rv["entries"] if e["workshop_id"] == workshop_id]
        if any(e["outcome"] for e in mine):
            raise review.ReviewError("reviewed_already")
        rv["picked"].remove(workshop_id)
        rv["entries"] = [e for e in rv["entries"] if e["workshop_id"] != workshop_id]

    @action("facilitator")
    def review_set(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Record done / in progress / dropped / postponed (new due date) with a note, into the ledger."""
        entry = next((e for e in state["review"]["entries"] if e["id"] == payload.get("entry")), None)
        if entry is None:
            raise review.ReviewError("unknown_entry")
        note = clean_text(payload.get("note"), _("Note"), MAX_TEXT)
        due = clean_date(payload.get("due"), _("New due date"))
        status = review.record_outcome(entry, payload.get("outcome"), note, due)
        if entry["ledger_id"] is None:  # from a minutes file: it enters this server's ledger now
            self.take_over(state, entry, ctx)
        ctx.set_agreement_status(entry["ledger_id"], status, note, due or None)

    @staticmethod
    def take_over(state: dict, entry: dict, ctx: MethodContext) -> None:
        """Record an agreement of an uploaded minutes file in this server's ledger, marked as such."""
        who_org = entry["who_org"] or ("" if entry["who_person"] else _("(not named)"))
        entry["ledger_id"] = ctx.record_agreement(entry["what"], entry["who_person"], who_org,
                                                  entry["due"], entry["review"], entry["follow_up"])
        origin = _("Taken over from the minutes “%(title)s” of %(date)s.",
                   title=entry["origin"] or "?", date=entry["origin_date"] or "?")
        ctx.set_agreement_status(entry["ledger_id"], entry["old_status"],
                                 " ".join(x for x in (origin, entry["old_note"]) if x))
        state["agreements"].append({"id": entry["ledger_id"], "item": "review", "check": None,
                                    "what": entry["what"], "from_file": True})
