"""Dot voting: from collecting ideas to owners for the top priorities.

Phases: ``collect`` → ``vote`` ⇄ ``closed`` → ``revealed`` → (``start_runoff``
→ ``vote`` with the top N, a new round) → ``assign``. The state keeps each
participant's dots (for the budget and to take dots back), but nobody else
sees them: views show a participant their own dots and everyone else only
totals (see :mod:`.views`).

State layout (plain JSON)::

    question, phase, budget, cap, results, order, categories
    options:  [{id, text, category, authors: [pid | "facilitator"], gone: bool}]
    ballot:   option ids of the current round (all live options in round 1)
    dots:     {pid: {option_id: n}}         totals: {option_id: n}
    round, top_n (the cut that started this runoff), present (snapshot at close)
    rounds:   finished rounds [{round, top_n, ballot, totals, voters, present}]
    assigned: {option_id: [agreement ids]}

Removed participants are the core's business: it refuses their actions and
leaves them out of ``ctx.participants()``; :meth:`DotVotingMethod.participant_removed`
only takes their dots out of an unrevealed tally. (States stored before may
still hold a ``removed`` list; nothing reads it.)
"""

from __future__ import annotations

from facilitator import ActionError, Actor, Method, MethodContext, _, action, lazy_gettext

from . import config, rules
from .minutes import render_minutes
from .views import results_visible, view_for

#: The payload fields of ``assign`` that go into the agreement besides its text.
AGREEMENT_FIELDS = ("who_person", "who_org", "due", "review")
#: Phases in which dots can no longer be taken back by removing a participant.
REVEALED = ("revealed", "assign")
#: Phases in which options may still be merged or removed.
EDITABLE = ("collect", "vote", "closed")


class DotVotingMethod(Method):
    """Everybody gets the same number of dots to set priorities together."""

    slug = "dotvoting"
    name = lazy_gettext("Dot voting")
    description = lazy_gettext(
        "Collect options, let everyone place the same number of dots, reveal the "
        "ranking and agree who takes care of the top priorities."
    )

    # -- configuration ----------------------------------------------------
    fields = config.FIELDS
    validate_config = staticmethod(config.validate)
    demo_config = staticmethod(config.demo)

    # -- state machine ----------------------------------------------------
    def initial_state(self, config: dict) -> dict:
        """Collecting, or voting straight away on prepared options when configured."""
        texts = [" ".join(t.split()) for t in config.get("options") or [] if t.strip()]
        options = [
            {"id": f"o{i}", "text": t, "category": "", "authors": [], "gone": False}
            for i, t in enumerate(texts, start=1)
        ]
        skip = bool(config.get("skip_collect")) and len(options) >= 2
        return {
            "question": config.get("question", ""),
            "phase": "vote" if skip else "collect",
            "budget": config.get("dots_per_participant", 3),
            "cap": config.get("max_per_option", 3),
            "results": config.get("results", "hidden"),
            "order": config.get("order", "shuffled"),
            "categories": list(config.get("categories") or []),
            "options": options,
            "next_id": len(options) + 1,
            "ballot": [o["id"] for o in options],
            "dots": {}, "totals": {o["id"]: 0 for o in options},
            "round": 1, "top_n": None, "present": None, "rounds": [],
            "assigned": {},
        }

    def participant_removed(self, state: dict, participant_id: str, ctx: MethodContext) -> None:
        """Forget a removed participant's dots, unless the result is already revealed.

        Before the reveal their dots leave the tally (they are no longer in
        the room); after it the published result stays as it was. Options
        they proposed remain. (The core refuses their further actions.) Also
        what happens when someone leaves on their phone (the default
        :meth:`participant_left`).
        """
        if state["phase"] not in REVEALED and participant_id in state["dots"]:
            del state["dots"][participant_id]
            state["totals"] = rules.tally(state["dots"], state["ballot"])

    def view_scope(self, old: dict, new: dict, action: str) -> str:
        """``"actor"`` when only the acting participant's phone can look different.

        With hidden totals, placing dots changes the voter's own view and the
        aggregate views (facilitator, projector), never another phone's.
        """
        if action == "set_dots" and old["phase"] == new["phase"] and not results_visible(new):
            return "actor"
        return "everyone"

    # -- views and minutes -------------------------------------------------
    def view(self, state: dict, role: str, actor: Actor | None, ctx: MethodContext) -> dict:
        """Participants see their own dots; facilitator and projector only totals."""
        return view_for(role)(state, actor, ctx)

    def minutes(self, state: dict, ctx: MethodContext) -> str:
        """Question, turnout, settings, ranked tables per round and the agreements."""
        return render_minutes(state, ctx)

    # -- collecting and editing ---------------------------------------------
    @action("participant", "facilitator")
    def add_option(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Add an idea while collecting; replies ``{"option": id}``."""
        if state["phase"] != "collect":
            raise ActionError("wrong_phase", _("Options can only be added while collecting."))
        text = rules.new_option_text(payload.get("text"), self._texts(state))
        category = rules.check_category(payload.get("category"), state["categories"])
        if len(state["options"]) >= rules.MAX_OPTIONS:
            raise ActionError("too_many_options", _("This session has enough options."))
        option_id = f"o{state['next_id']}"
        author = actor.participant_id or "facilitator"
        state["options"].append(
            {"id": option_id, "text": text, "category": category, "authors": [author],
             "gone": False}
        )
        state["next_id"] += 1
        state["ballot"].append(option_id)
        state["totals"][option_id] = 0
        ctx.reply({"option": option_id})

    @action("facilitator")
    def edit_option(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Reword an option (any phase)."""
        option = self._option(state, payload.get("option"))
        others = self._texts(state, except_id=option["id"])
        option["text"] = rules.new_option_text(payload.get("text"), others)

    @action("facilitator")
    def set_category(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Put an option into a category, or none (any phase)."""
        option = self._option(state, payload.get("option"))
        option["category"] = rules.check_category(payload.get("category"), state["categories"])

    @action("facilitator")
    def merge_options(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Merge ``option`` into ``into``: dots and authors move along."""
        self._phase(state, EDITABLE, _("Options can no longer be merged."))
        drop = self._option(state, payload.get("option"))
        keep = self._option(state, payload.get("into"))
        if drop is keep:
            raise ActionError("same_option", _("Choose two different options."))
        state["dots"] = rules.merge_dots(state["dots"], keep["id"], drop["id"], state["cap"])
        keep["authors"] = rules.merge_authors(keep["authors"], drop["authors"])
        keep["category"] = keep["category"] or drop["category"]
        self._retire(state, drop, merged_into=keep["id"])

    @action("facilitator")
    def remove_option(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Take an option off the ballot; its dots go back."""
        self._phase(state, EDITABLE, _("Options can no longer be removed."))
        option = self._option(state, payload.get("option"))
        state["dots"] = rules.remove_option_dots(state["dots"], option["id"])
        self._retire(state, option)

    # -- phases ---------------------------------------------------------------
    @action("facilitator")
    def start_voting(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """From collecting to voting (two options at least)."""
        self._phase(state, ("collect",), _("Voting has already started."))
        if len(state["ballot"]) < 2:
            raise ActionError("too_few_options", _("Add at least two options first."))
        state["phase"] = "vote"

    @action("facilitator")
    def close_voting(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Stop voting; counts who is present."""
        self._phase(state, ("vote",), _("Voting is not open."))
        state["phase"] = "closed"
        state["present"] = len(ctx.participants())

    @action("facilitator")
    def reopen_voting(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Let closed voting go on."""
        self._phase(state, ("closed",), _("Only closed voting can be reopened."))
        state["phase"] = "vote"

    @action("facilitator")
    def reveal(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Show the result of closed voting."""
        self._phase(state, ("closed",), _("Close voting before revealing the result."))
        state["phase"] = "revealed"

    @action("facilitator")
    def start_runoff(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """A new round with the options ranked ``top_n`` or better."""
        self._phase(state, ("revealed",), _("A runoff starts from a revealed result."))
        top_n = payload.get("top_n")
        if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
            raise ActionError("invalid_top_n", _("Give the number of options to keep (1 or more)."))
        ballot = rules.runoff_cut(rules.rank(state["totals"], state["ballot"]), top_n)
        if len(ballot) < 2:
            raise ActionError("runoff_too_small", _("A runoff needs at least two options."))
        state["rounds"].append(
            {"round": state["round"], "top_n": state["top_n"], "ballot": state["ballot"],
             "totals": state["totals"], "voters": len(state["dots"]),
             "present": state["present"]}
        )
        state.update(phase="vote", round=state["round"] + 1, top_n=top_n, ballot=ballot,
                     dots={}, totals=dict.fromkeys(ballot, 0), present=None)

    @action("facilitator")
    def assign(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Record who takes care of an option (an agreement); replies its id."""
        self._phase(state, REVEALED, _("Reveal the result before assigning owners."))
        option = self._option(state, payload.get("option"))
        # record_agreement applies the ledger's own rules (types, lengths, dates, someone
        # responsible); only a missing or null field counts as empty (not 0, false or {}).
        owners = {key: "" if payload.get(key) is None else payload[key] for key in AGREEMENT_FIELDS}
        agreement_id = ctx.record_agreement(what=option["text"], **owners)
        state["assigned"].setdefault(option["id"], []).append(agreement_id)
        state["phase"] = "assign"
        ctx.reply({"agreement": agreement_id})

    # -- voting -----------------------------------------------------------------
    @action("participant")
    def set_dots(self, state: dict, payload: dict, actor: Actor, ctx: MethodContext) -> None:
        """Set the sender's dots on one option (absolute); replies ``{"dots_left": n}``."""
        if state["phase"] != "vote":
            raise ActionError("voting_not_open", _("Voting is not open."))
        option = self._option(state, payload.get("option"))
        pid = actor.participant_id or ""
        own = state["dots"].get(pid, {})
        count = payload.get("count")
        new = rules.place_dots(own, option["id"], count, state["budget"], state["cap"])
        state["totals"][option["id"]] += count - own.get(option["id"], 0)
        if new:
            state["dots"][pid] = new
        else:
            state["dots"].pop(pid, None)
        ctx.reply({"dots_left": rules.dots_left(new, state["budget"])})

    # -- helpers ------------------------------------------------------------------
    @staticmethod
    def _phase(state: dict, allowed: tuple[str, ...], message: str) -> None:
        if state["phase"] not in allowed:
            raise ActionError("wrong_phase", message)

    @staticmethod
    def _option(state: dict, option_id: object) -> dict:
        """The option ``option_id`` of the current ballot."""
        if isinstance(option_id, str) and option_id in state["ballot"]:
            for option in state["options"]:
                if option["id"] == option_id:
                    return option
        raise ActionError("unknown_option", _("This option does not exist (any more)."))

    @staticmethod
    def _texts(state: dict, except_id: str | None = None) -> list[str]:
        """The texts of the options on the ballot (but ``except_id``)."""
        on_ballot = set(state["ballot"]) - {except_id}
        return [o["text"] for o in state["options"] if o["id"] in on_ballot]

    @staticmethod
    def _retire(state: dict, option: dict, merged_into: str | None = None) -> None:
        """Take an option off the ballot; its record stays for earlier rounds."""
        option["gone"] = True
        if merged_into:
            option["merged_into"] = merged_into
        state["ballot"].remove(option["id"])
        state["totals"] = rules.tally(state["dots"], state["ballot"])
