"""Fuzz every fishbowl action (docs/protocol.md §11) from every role.

Per input (see :mod:`driver`): a documented ack within bounded time, never
``internal_error``; a refusal changes nothing; an accepted action was declared
for the sender's role and had a well-typed payload; a retry gets the first ack
and changes nothing; chairs, queue, turns and questions stay consistent. The
minutes render now and then and at the end.
"""

from __future__ import annotations

from driver import MethodFuzz
from hypothesis import given
from hypothesis import strategies as st
from strategies import ACTIONS, dates, fuzz_settings, ids, text_values, weighted

PERSON = ids("person")
QUESTION = ids("question")
OPTIONAL_PERSON = weighted((4, PERSON), (1, st.sampled_from([None, ""])))
ORG_TYPE = st.sampled_from(["welfare", "mso", "other", "", "Welfare", "nope"])

FIELDS = {
    "request_chair": {}, "withdraw": {}, "done": {},
    "post_question": {"text": text_values},
    "upvote_question": {"question": QUESTION},
    "start": {}, "pause": {}, "resume": {}, "end": {}, "next_round": {},
    "add_guest": {"name": text_values, "organisation": text_values, "org_type": ORG_TYPE,
                  "seat": st.booleans()},
    "seat": {"person": PERSON},
    "seat_next": {},
    "ask_to_leave": {"person": PERSON},
    "confirm_make_room": {"person": OPTIONAL_PERSON},
    "mark_statement": {"text": text_values, "person": OPTIONAL_PERSON},
    "record_agreement": {"what": text_values, "who_person": text_values, "who_org": text_values,
                         "follow_up": text_values, "due": dates(), "review": dates()},
    "hide_question": {"question": QUESTION, "hidden": st.booleans()},
    "answer_question": {"question": QUESTION, "answered": st.booleans()},
    "show_question": {"question": QUESTION},
    "unshow_question": {},
}
#: The payload types of §11 (kinds as in :func:`driver.well_typed`).
TYPES = {
    "post_question": {"text": "str"},
    "upvote_question": {"question": "str"},
    "add_guest": {"name": "str", "organisation": "str?", "org_type": "str?", "seat": "bool?"},
    "seat": {"person": "str"},
    "ask_to_leave": {"person": "str"},
    "confirm_make_room": {"person": "str?"},
    "mark_statement": {"text": "str", "person": "str?"},
    "record_agreement": {"what": "str", "who_person": "str?", "who_org": "str?",
                         "follow_up": "str?", "due": "str?", "review": "str?"},
    "hide_question": {"question": "str", "hidden": "bool?"},
    "answer_question": {"question": "str", "answered": "bool?"},
    "show_question": {"question": "str"},
}
#: The phases each action works in (§11), to steer half of the steps (a phase listed n
#: times makes the action n times as likely).
LIVE = ("ready", "running", "paused")
ACTIVE = ("running", "paused")
PHASES = {
    "request_chair": LIVE * 3, "withdraw": LIVE * 4, "done": LIVE * 3, "post_question": LIVE * 3,
    "upvote_question": LIVE, "start": ("ready",) * 2, "pause": ("running",), "resume": ("paused",),
    "end": ACTIVE, "next_round": ACTIVE, "add_guest": LIVE, "seat": LIVE, "seat_next": LIVE * 3,
    "ask_to_leave": LIVE, "confirm_make_room": ACTIVE * 4, "mark_statement": LIVE,
    "record_agreement": LIVE, "hide_question": LIVE * 2, "answer_question": LIVE,
    "show_question": LIVE, "unshow_question": LIVE,
}
FUZZ = MethodFuzz("fishbowl", FIELDS, TYPES, PHASES, final=("ended",))


def test_every_action_of_the_method_is_fuzzed():
    assert sorted(FIELDS) == ACTIONS["fishbowl"]


@fuzz_settings(1100)
@given(data=st.data())
def test_fishbowl_actions_answer_as_documented(room, browser, data):
    FUZZ.example(room, data, browser)


def test_minutes_render_after_fishbowl_fuzz(room, browser):
    """Runs after the fuzz test: it reached every action, and minutes render."""
    room.check_reached(ACTIONS["fishbowl"])
    room.activate("fishbowl")
    room.minutes_render(browser)
