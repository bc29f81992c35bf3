"""What must hold in every session state, whatever input came before.

Checked after every generated input (accepted or not), for every session of
the room's workshop: the methods' own bookkeeping stays consistent.
"""

from __future__ import annotations

from facilitator_plugins.dotvoting import rules as dot_rules


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


CHECKS = {"dotvoting": check_dotvoting, "fishbowl": check_fishbowl}


def check_workshop(core, workshop_id: str) -> None:
    """Every session of the workshop passes its method's checks.

    "Present" here means not removed: someone who left on their phone keeps their
    place in a closed session (the engine leaves closed sessions alone then).
    """
    people = core.people.of_workshop(workshop_id, include_absent=True)
    present = {p["id"] for p in people if not p["removed"]}
    for session in core.workshops.sessions(workshop_id):
        CHECKS[session["method"]](session["state"], present)
