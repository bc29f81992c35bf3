"""Fuzz every dot-voting action (docs/protocol.md §10) from every role.

Per input (see :mod:`driver`): a documented ack within bounded time, never
``internal_error``; a refusal changes nothing; an accepted action was declared
for the sender's role and had a well-typed payload; a retry gets the first ack
and changes nothing; ballot, dots and totals stay consistent. The minutes
render now and then and at the end.
"""

from __future__ import annotations

from driver import MethodFuzz
from hypothesis import given
from hypothesis import strategies as st
from strategies import ACTIONS, dates, fuzz_settings, ids, numbers, text_values, weighted

OPTION = ids("option")
CATEGORY = ids("category")
OWNERS = {"who_person": text_values, "who_org": text_values, "due": dates(), "review": dates()}

FIELDS = {
    "add_option": {"text": text_values, "category": CATEGORY},
    "set_dots": {"option": OPTION, "count": weighted((6, st.integers(0, 4)), (1, numbers))},
    "edit_option": {"option": OPTION, "text": text_values},
    "set_category": {"option": OPTION, "category": CATEGORY},
    "merge_options": {"option": OPTION, "into": OPTION},
    "remove_option": {"option": OPTION},
    "start_voting": {},
    "close_voting": {},
    "reopen_voting": {},
    "reveal": {},
    "start_runoff": {"top_n": weighted((5, st.integers(1, 4)), (1, numbers))},
    "assign": {"option": OPTION, **OWNERS},
}
#: The payload types of §10 (kinds as in :func:`driver.well_typed`).
TYPES = {
    "add_option": {"text": "str", "category": "str?"},
    "set_dots": {"option": "str", "count": "int"},
    "edit_option": {"option": "str", "text": "str"},
    "set_category": {"option": "str", "category": "str?"},
    "merge_options": {"option": "str", "into": "str"},
    "remove_option": {"option": "str"},
    "start_runoff": {"top_n": "int"},
    "assign": {"option": "str", "who_person": "str?", "who_org": "str?", "due": "str?",
               "review": "str?"},
}
#: The phases each action works in (§10), to steer half of the steps (a phase listed n
#: times makes the action n times as likely).
EDITABLE = ("collect", "vote", "closed")
PHASES = {
    "add_option": ("collect",) * 4, "start_voting": ("collect",), "edit_option": EDITABLE,
    "set_category": EDITABLE, "merge_options": EDITABLE, "remove_option": EDITABLE,
    "set_dots": ("vote",) * 6, "close_voting": ("vote",), "reopen_voting": ("closed",),
    "reveal": ("closed",) * 2, "start_runoff": ("revealed",) * 3, "assign": ("revealed", "assign"),
}
FUZZ = MethodFuzz("dotvoting", FIELDS, TYPES, PHASES)


def test_every_action_of_the_method_is_fuzzed():
    assert sorted(FIELDS) == ACTIONS["dotvoting"]


@fuzz_settings(1100)
@given(data=st.data())
def test_dotvoting_actions_answer_as_documented(room, browser, data):
    FUZZ.example(room, data, browser)


def test_minutes_render_after_dotvoting_fuzz(room, browser):
    """Runs after the fuzz test: it reached every action, and minutes render."""
    room.check_reached(ACTIONS["dotvoting"])
    room.activate("dotvoting")
    room.minutes_render(browser)
