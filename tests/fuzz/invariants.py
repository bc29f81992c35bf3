"""What must hold in every session state, whatever input came before.

Checked after every generated input (accepted or not), for every session of
the room's workshop: the methods' own bookkeeping stays consistent.
"""

from __future__ import annotations

from facilitator_plugins.dotvoting import rules as dot_rules
from facilitator_plugins.roundtable import agenda as rt_agenda
from facilitator_plugins.roundtable import consent as rt_consent
from facilitator_plugins.roundtable import speakers as rt_speakers
from facilitator_plugins.roundtable.actions import MAX_PROPOSAL, MAX_PROPOSALS_EACH


def check_dotvoting(state: dict, present: set[str]) -> None:
    """Ballot, dots and totals agree; budget and cap hold; removed people's dots are gone."""
    options = {o["id"]: o for o in state["options"]}
    ballot = state["ballot"]
    assert len(ballot) == len(set(ballot)) and set(ballot) <= set(options), ballot
    assert not any(options[oid]["gone"] for oid in ballot), "a retired option on the ballot"
    texts = [options[oid]["text"] for oid in ballot]
    for index, text in enumerate(texts):
        assert not any(dot_rules.same_text(text, other) for other in texts[:index]), text
    assert len(state["options"]) <= dot_rules.MAX_OPTIONS
    for pid, own in state["dots"].items():
        assert own, f"an empty dots entry for {pid}"
        assert set(own) <= set(ballot), f"dots of {pid} off the ballot: {own}"
        assert all(isinstance(n, int) and 1 <= n <= state["cap"] for n in own.values()), own
        assert sum(own.values()) <= state["budget"], f"{pid} is over budget: {own}"
        if state["phase"] not in ("revealed", "assign"):
            assert pid in present, f"the dots of {pid}, who is gone, are still counted"
    assert state["totals"] == dot_rules.tally(state["dots"], ballot), "totals != sum of dots"


def check_fishbowl(state: dict, present: set[str]) -> None:
    """Chairs, queue and turns agree; nobody is twice anywhere; gone people hold no chair."""
    chairs = state["chairs"]
    assert len(chairs) == state["settings"]["chairs"]
    seated = [c["person"] for c in chairs if c]
    queued = [e["person"] for e in state["queue"]]
    assert len(seated) == len(set(seated)), f"someone sits twice: {seated}"
    assert len(queued) == len(set(queued)), f"someone queues twice: {queued}"
    assert not set(seated) & set(queued), "someone is seated and queued"
    for person in seated + queued:
        assert person in state["people"], f"{person} is not known to the fishbowl"
        if state["people"][person]["kind"] == "participant":
            assert person in present, f"{person} is gone but still in the circle or queue"
    running = [t["person"] for t in state["turns"] if t["end"] is None]
    assert len(running) == len(set(running)), "two open turns of one person"
    if state["phase"] in ("running", "paused"):
        assert set(running) == set(seated), f"open turns {running} != seated {seated}"
    else:
        assert not running, f"open turns while {state['phase']}"
    if state["phase"] == "ended":
        assert not queued, "a queue after the end"
    questions = {q["id"]: q for q in state["questions"]}
    assert len(questions) == len(state["questions"])
    for question in questions.values():
        voters = question["upvoters"]
        assert len(voters) == len(set(voters)) and question["author"] not in voters, question
    shown = state["shown_question"]
    assert shown is None or (shown in questions and not questions[shown]["hidden"]), shown


def check_roundtable(state: dict, present: set[str]) -> None:
    """Agenda, hands, floor, consent checks, proposals and timers of a round table agree."""
    ids = [i["id"] for i in state["items"]]
    assert len(ids) == len(set(ids)), ids
    current = [i["id"] for i in state["items"] if i["status"] == "current"]
    assert current == ([state["current"]] if state["current"] else []), (current, state["current"])
    for it in state["items"]:
        assert it["status"] in ("pending", "current", "done") and it["used"] >= 0, it
        assert it["started_at"] is None or it["id"] == state["current"], "a clock runs off the item"
    _check_roundtable_floor(state, present)
    _check_roundtable_consent(state, present)
    for key, due in rt_agenda.deadlines(state).items():
        wanted = [due[0], due[1]] if due else None
        assert state["timers"].get(key) == wanted, f"{key} timer {state['timers'].get(key)} != {wanted}"


def _check_roundtable_floor(state: dict, present: set[str]) -> None:
    hands = state["hands"]
    assert len({h["id"] for h in hands}) == len(hands), "two hands with one id"
    pairs = [(h["person"], h["kind"]) for h in hands]
    assert len(set(pairs)) == len(pairs), f"two hands of one kind of one person: {pairs}"
    assert state["current"] is not None or not hands, "hands up while no item is discussed"
    for hand in hands:
        assert hand["kind"] in rt_speakers.KINDS, hand
        assert hand["person"] in present and hand["person"] in state["people"], f"gone, hand up: {hand}"
        assert (hand["kind"] == "reply") == (hand["reply_to"] is not None), hand
        assert hand["reply_to"] != hand["person"], "a reply to oneself"
    turns = state["turns"]
    assert len({t["id"] for t in turns}) == len(turns), "two turns with one id"
    assert all(t["end"] >= t["since"] and t["seconds"] >= 0 for t in turns), "a turn ends before it began"
    floor = state["floor"]
    if floor is not None:
        assert floor["person"] in present and floor["person"] in state["people"], f"gone, speaking: {floor}"
        assert floor["item"] == state["current"], f"the floor on {floor['item']}, not the current item"
        assert floor["id"] not in {t["id"] for t in turns}, "the running turn is also over"


def _check_roundtable_consent(state: dict, present: set[str]) -> None:
    proposals = {p["id"]: p for p in state["proposals"]}
    assert len(proposals) == len(state["proposals"]), "two proposals with one id"
    for proposal in proposals.values():
        assert 1 <= len(proposal["text"]) <= MAX_PROPOSAL, proposal
        mine = sum(1 for p in proposals.values() if p["by"] == proposal["by"])
        assert mine <= MAX_PROPOSALS_EACH, f"{proposal['by']} made {mine} proposals"
    agreements = [a["id"] for a in state["agreements"]]
    assert len(agreements) == len(set(agreements)), f"an agreement recorded twice: {agreements}"
    checks = state["checks"]
    assert len({c["id"] for c in checks}) == len(checks), "two checks with one id"
    assert sum(1 for c in checks if c["open"]) <= 1, "two consent checks open"
    for check in checks:
        answers = check["answers"]  # keyed by person: at most one answer each
        for person, entry in answers.items():
            assert entry["answer"] in rt_consent.ANSWERS, entry
            assert (entry["answer"] == "object") == bool(entry["reason"]), f"reason and answer: {entry}"
            assert len(entry["reason"]) <= rt_consent.MAX_REASON
            assert entry["voice"] == f"person:{person}" or entry["voice"].startswith("org:"), entry
            if check["open"]:
                assert person in present, f"{person} is gone but their answer still counts"
        assert check["changes"] >= sum(bool(e["changed"]) for e in answers.values()), check
        assert check["proposal"] is None or check["proposal"] in proposals, check["proposal"]
        assert check["agreement"] is None or check["agreement"] in agreements, check["agreement"]
        if check["open"]:
            assert check["result"] is None and check["closed_at"] is None, check
            continue
        result = check["result"]
        assert result == rt_consent.tally(check, result["by"]), "the kept tally != the answers"
        assert sum(result["counts"].values()) == result["voices"] <= result["people"] == len(answers)
        if result["by"] == "person":
            assert result["voices"] == len(answers)


def check_roundtable_store(core, session: dict) -> None:
    """The timers the round table thinks it has scheduled are the ones the core holds."""
    for key in ("speaker", "item"):
        stored = core.store.get("timers", f"{session['id']}:{key}")
        wanted = session["state"]["timers"].get(key)
        if session["status"] == "closed" or wanted is None:
            assert stored is None, f"a {key} timer is left: {stored}"
        else:
            assert stored is not None, f"the {key} timer {wanted} is not scheduled"
            assert [stored["at"], stored["payload"]] == wanted, (stored, wanted)
            assert stored["action"] == f"{key}_over", stored


CHECKS = {"dotvoting": check_dotvoting, "fishbowl": check_fishbowl, "roundtable": check_roundtable}
#: Checks that also look at the session's records in the store.
STORE_CHECKS = {"roundtable": check_roundtable_store}


def check_workshop(core, workshop_id: str) -> None:
    """Every session of the workshop passes its method's checks.

    "Present" here means not removed: someone who left on their phone keeps their
    place in a closed session (the engine leaves closed sessions alone then).
    """
    people = core.people.of_workshop(workshop_id, include_absent=True)
    present = {p["id"] for p in people if not p["removed"]}
    for session in core.workshops.sessions(workshop_id):
        CHECKS[session["method"]](session["state"], present)
        if session["method"] in STORE_CHECKS:
            STORE_CHECKS[session["method"]](core, session)
