"""The dot-voting method driven through the real core (MethodHarness): flow, bad input,
removals, anonymity, views, minutes, templates, translations."""

import copy
import json
from pathlib import Path

import jinja2
import pytest
from facilitator_plugins.dotvoting import config, facilitator_register_methods
from facilitator_plugins.dotvoting.method import DotVotingMethod

from facilitator import ActionError, ConfigError, Field
from facilitator.fields import form_values
from facilitator.testing import MethodHarness

PEOPLE = ["anna", "ben", "cem", "dana"]
NAMES = [name.capitalize() for name in PEOPLE]  # as they joined
METHOD = DotVotingMethod()
BASE = {
    "question": "What comes first?",
    "dots_per_participant": 3,
    "max_per_option": 2,
    "results": "hidden",
    "order": "shuffled",
    "categories": ["Education", "Work"],
    "options": [],
    "skip_collect": False,
}
#: Every action with the roles that may send it (docs/protocol.md, section 10).
ACTIONS = {
    "add_option": ("participant", "facilitator"),
    "edit_option": ("facilitator",),
    "merge_options": ("facilitator",),
    "remove_option": ("facilitator",),
    "set_category": ("facilitator",),
    "start_voting": ("facilitator",),
    "close_voting": ("facilitator",),
    "reopen_voting": ("facilitator",),
    "reveal": ("facilitator",),
    "start_runoff": ("facilitator",),
    "assign": ("facilitator",),
    "set_dots": ("participant",),
}
#: The ideas ``collected`` adds: o1..o4.
IDEAS = [("anna", "Language courses"), ("ben", "Housing advice"), ("cem", "Childcare"),
         ("dana", "Sports club")]
#: The votes ``voted`` places: o1 3, o2 3, o3 1, o4 0.
VOTES = [("anna", "o1", 2), ("anna", "o2", 1), ("ben", "o2", 2), ("ben", "o1", 1),
         ("cem", "o3", 1)]
#: The fields of an agreement a test compares (its id is generated).
AGREEMENT = ("session_id", "what", "who_person", "who_org", "due", "review")


def setup(**overrides) -> MethodHarness:
    """A started session (form checked by the core) with the four PEOPLE joined."""
    return MethodHarness(METHOD, {**BASE, **overrides}, participants=PEOPLE)


def collected(**overrides) -> MethodHarness:
    """Four options added by participants: o1..o4."""
    h = setup(**overrides)
    for who, text in IDEAS:
        h.act("add_option", {"text": text}, by=who)
    return h


def voting(**overrides) -> MethodHarness:
    h = collected(**overrides)
    h.act("start_voting")
    return h


def vote(h: MethodHarness) -> None:
    """anna 2×o1 + o2, ben 2×o2 + o1, cem 1×o3."""
    for who, option, count in VOTES:
        h.act("set_dots", {"option": option, "count": count}, by=who)


def voted(**overrides) -> MethodHarness:
    """anna 2×o1 + o2, ben 2×o2 + o1, cem 1×o3: o1 3, o2 3, o3 1, o4 0."""
    h = voting(**overrides)
    vote(h)
    return h


def revealed(**overrides) -> MethodHarness:
    h = voted(**overrides)
    h.act("close_voting")
    h.act("reveal")
    return h


def ids(h: MethodHarness) -> list[str]:
    """The participant ids of PEOPLE in this harness."""
    return [h.pid(name) for name in PEOPLE]


def test_plugin_registers_the_method():
    (method,) = facilitator_register_methods()
    assert method.slug == "dotvoting"
    assert str(method.name) and str(method.description)
    assert {f.name for f in method.config_fields()} == set(BASE)
    assert method.fields is config.FIELDS and all(isinstance(f, Field) for f in method.fields)


def test_every_action_is_declared_once_with_its_roles():
    assert {name: spec.roles for name, spec in METHOD.actions.items()} == ACTIONS
    assert all(spec.name == name for name, spec in METHOD.actions.items())


# -- configuration ----------------------------------------------------------------


def test_cap_above_dots_is_refused():
    with pytest.raises(ConfigError) as info:
        METHOD.validate_config({**BASE, "dots_per_participant": 2, "max_per_option": 3})
    assert "max_per_option" in info.value.errors


def test_skip_collect_needs_prepared_options():
    with pytest.raises(ConfigError) as info:
        METHOD.validate_config({**BASE, "skip_collect": True, "options": ["Only one"]})
    assert "options" in info.value.errors


def test_duplicate_prepared_options_are_refused():
    with pytest.raises(ConfigError):
        METHOD.validate_config({**BASE, "options": ["Housing", "housing "]})


def test_the_core_form_refuses_a_cap_above_the_dots():
    with pytest.raises(ConfigError) as info:
        setup(dots_per_participant="2", max_per_option="3")
    assert "max_per_option" in info.value.errors


def test_prepared_options_and_skip_collect_start_in_vote():
    h = setup(options=["Education", "Work", "Health"], skip_collect=True)
    assert h.state["phase"] == "vote"
    assert [o["text"] for o in h.state["options"]] == ["Education", "Work", "Health"]
    h.act("set_dots", {"option": "o2", "count": 1}, by="anna")
    assert h.state["totals"]["o2"] == 1
    json.dumps(h.state)


def test_demo_config_passes_the_core_form_parser():
    h = MethodHarness(METHOD, {**form_values(METHOD, None), **METHOD.demo_config()})  # as demo.py
    assert h.session["title"] and h.config["question"]
    assert h.state["phase"] == "collect" and len(h.state["ballot"]) == 4


def test_prepared_options_without_skip_start_collecting():
    h = setup(options=["Education", "Work"])
    assert h.state["phase"] == "collect"
    h.act("add_option", {"text": "Health"}, by="anna")
    assert len(h.state["ballot"]) == 3


# -- the full flow ------------------------------------------------------------------------


def test_full_flow_collect_vote_reveal_runoff_assign():
    h = setup()
    replies = [h.act("add_option", {"text": text}, by=who) for who, text in IDEAS]
    assert replies[-1] == {"option": "o4"}
    h.act("start_voting")
    assert h.act("set_dots", {"option": "o1", "count": 2}, by="anna") == {"dots_left": 1}
    vote(h)  # the standard votes (setting is absolute: anna's first one stays)
    assert h.state["totals"] == {"o1": 3, "o2": 3, "o3": 1, "o4": 0}
    h.act("close_voting")
    assert h.state["present"] == 4
    h.act("reopen_voting")
    h.act("set_dots", {"option": "o4", "count": 1}, by="dana")
    h.act("close_voting")
    h.act("reveal")
    ranking = h.view("projector")["ranking"]
    assert [(r["id"], r["rank"], r["tied"]) for r in ranking] == [
        ("o1", 1, True), ("o2", 1, True), ("o3", 3, True), ("o4", 3, True)]

    h.act("start_runoff", {"top_n": 1})  # tie at the cut: both go on
    assert h.state["phase"] == "vote" and h.state["round"] == 2
    assert h.state["ballot"] == ["o1", "o2"] and h.state["dots"] == {}
    assert h.state["rounds"][0]["totals"] == {"o1": 3, "o2": 3, "o3": 1, "o4": 1}
    participant = h.view("anna")
    assert {o["id"] for o in participant["options"]} == {"o1", "o2"}
    assert participant["dots_left"] == 3

    for who, option in [("anna", "o2"), ("ben", "o2"), ("cem", "o1")]:
        h.act("set_dots", {"option": option, "count": 1}, by=who)
    h.act("close_voting")
    h.act("reveal")
    reply = h.act("assign", {"option": "o2", "who_person": "Frau Yilmaz", "who_org": "Caritas",
                             "due": "2025-03-01", "review": "2025-06-01"})
    assert h.state["phase"] == "assign"
    [agreement] = h.ledger
    assert {key: agreement[key] for key in AGREEMENT} == {
        "session_id": h.session_id, "what": "Housing advice", "who_person": "Frau Yilmaz",
        "who_org": "Caritas", "due": "2025-03-01", "review": "2025-06-01"}
    assert reply == {"agreement": agreement["id"]}
    assert h.state["assigned"] == {"o2": [agreement["id"]]}
    h.act("assign", {"option": "o1", "who_org": "VHS"})
    assert len(h.ledger) == 2
    facilitator = h.view("facilitator")
    assert [a["what"] for a in facilitator["agreements"]] == ["Housing advice", "Language courses"]
    assert {r["id"]: r["assigned"] for r in facilitator["assign_top"]} == {"o2": 1, "o1": 1}


def test_taking_dots_back_returns_them_to_the_budget():
    h = voting()
    h.act("set_dots", {"option": "o1", "count": 2}, by="anna")
    h.act("set_dots", {"option": "o2", "count": 1}, by="anna")
    h.act("set_dots", {"option": "o1", "count": 1}, by="anna")
    h.act("set_dots", {"option": "o3", "count": 1}, by="anna")
    assert h.state["dots"][h.pid("anna")] == {"o1": 1, "o2": 1, "o3": 1}
    assert h.state["totals"] == {"o1": 1, "o2": 1, "o3": 1, "o4": 0}
    for option in ("o1", "o2", "o3"):
        h.act("set_dots", {"option": option, "count": 0}, by="anna")
    assert h.pid("anna") not in h.state["dots"]
    assert h.view("facilitator")["voters"] == 0


def test_merge_carries_dots_and_authors_and_clamps():
    h = voting()
    h.act("set_dots", {"option": "o1", "count": 2}, by="anna")
    h.act("set_dots", {"option": "o2", "count": 1}, by="anna")
    h.act("set_dots", {"option": "o2", "count": 1}, by="ben")
    h.act("merge_options", {"option": "o2", "into": "o1"})
    assert h.state["ballot"] == ["o1", "o3", "o4"]
    # anna: 3 clamped to cap 2
    assert h.state["dots"] == {h.pid("anna"): {"o1": 2}, h.pid("ben"): {"o1": 1}}
    assert h.state["totals"]["o1"] == 3
    o1 = h.state["options"][0]
    assert o1["authors"] == [h.pid("anna"), h.pid("ben")]
    assert h.view("anna")["dots_left"] == 1
    assert h.view("facilitator")["options"][0]["authors"] == 2


def test_remove_option_gives_dots_back():
    h = voted()
    h.act("remove_option", {"option": "o1"})
    assert h.state["totals"] == {"o2": 3, "o3": 1, "o4": 0}
    assert h.state["dots"][h.pid("anna")] == {"o2": 1}


def test_edit_and_categorise():
    h = collected()
    h.act("edit_option", {"option": "o1", "text": "German courses"})
    h.act("set_category", {"option": "o1", "category": "Education"})
    assert h.state["options"][0]["text"] == "German courses"
    assert h.state["options"][0]["category"] == "Education"
    h.act("set_category", {"option": "o1", "category": ""})
    assert h.state["options"][0]["category"] == ""


def test_option_text_folds_white_space_and_line_breaks():
    h = collected()
    reply = h.act("add_option", {"text": "  Bus \n  lines\t at night "}, by="ben")
    assert h.state["options"][-1]["text"] == "Bus lines at night" and reply == {"option": "o5"}


# -- bad input leaves the state exactly as it was --------------------------------------

BAD = [
    # (scenario, action, payload, who, code)
    (voting, "set_dots", {"option": "nope", "count": 1}, "anna", "unknown_option"),
    (voting, "set_dots", {"option": "o1", "count": -1}, "anna", "invalid_count"),
    (voting, "set_dots", {"option": "o1", "count": 1.5}, "anna", "invalid_count"),
    (voting, "set_dots", {"option": "o1", "count": "1"}, "anna", "invalid_count"),
    (voting, "set_dots", {"option": "o1", "count": True}, "anna", "invalid_count"),
    (voting, "set_dots", {"option": "o1"}, "anna", "invalid_count"),
    (voting, "set_dots", {"option": ["o1"], "count": 1}, "anna", "unknown_option"),
    (voted, "set_dots", {"option": "o4", "count": 1}, "anna", "over_budget"),
    (voted, "set_dots", {"option": "o1", "count": 3}, "anna", "over_cap"),
    (collected, "set_dots", {"option": "o1", "count": 1}, "anna", "voting_not_open"),
    (revealed, "set_dots", {"option": "o1", "count": 0}, "anna", "voting_not_open"),
    (voting, "set_dots", {"option": "o1", "count": 1}, None, "forbidden"),
    (collected, "add_option", {"text": "   "}, "anna", "text_empty"),
    (collected, "add_option", {}, "anna", "invalid_text"),
    (collected, "add_option", {"text": 7}, "anna", "invalid_text"),
    (collected, "add_option", {"text": "x\ud800"}, "anna", "invalid_text"),
    (collected, "add_option", {"text": "x" * 121}, "anna", "text_too_long"),
    (collected, "add_option", {"text": "housing  ADVICE"}, "anna", "duplicate_option"),
    (collected, "add_option", {"text": "Jobs", "category": "Sport"}, "anna", "unknown_category"),
    (voting, "add_option", {"text": "Late idea"}, "anna", "wrong_phase"),
    (voting, "add_option", {"text": "Late idea"}, None, "wrong_phase"),
    (collected, "edit_option", {"option": "o1", "text": ""}, None, "text_empty"),
    (collected, "edit_option", {"option": "o9", "text": "x"}, None, "unknown_option"),
    (collected, "edit_option", {"option": "o1", "text": "Childcare"}, None, "duplicate_option"),
    (collected, "edit_option", {"option": "o1", "text": "Bus"}, "anna", "forbidden"),
    (collected, "set_category", {"option": "o1", "category": "Sport"}, None, "unknown_category"),
    (voted, "merge_options", {"option": "o1", "into": "o1"}, None, "same_option"),
    (voted, "merge_options", {"option": "o1", "into": "o9"}, None, "unknown_option"),
    (revealed, "merge_options", {"option": "o1", "into": "o2"}, None, "wrong_phase"),
    (revealed, "remove_option", {"option": "o1"}, None, "wrong_phase"),
    (voting, "start_voting", {}, None, "wrong_phase"),
    (voting, "reveal", {}, None, "wrong_phase"),
    (voting, "reopen_voting", {}, None, "wrong_phase"),
    (collected, "close_voting", {}, None, "wrong_phase"),
    (voted, "start_runoff", {"top_n": 2}, None, "wrong_phase"),
    (revealed, "start_runoff", {"top_n": 0}, None, "invalid_top_n"),
    (revealed, "start_runoff", {"top_n": "2"}, None, "invalid_top_n"),
    (revealed, "start_runoff", {"top_n": True}, None, "invalid_top_n"),
    (voted, "assign", {"option": "o1", "who_person": "X"}, None, "wrong_phase"),
    (revealed, "assign", {"option": "o1"}, None, "responsible_required"),
    (revealed, "assign", {"option": "o9", "who_person": "X"}, None, "unknown_option"),
    (revealed, "assign", {"option": "o1", "who_person": "X", "due": "1.3.2025"}, None,
     "invalid_date"),
    (revealed, "assign", {"option": "o1", "who_org": "X", "review": "2025-02-30"}, None,
     "invalid_date"),
    (revealed, "assign", {"option": "o1", "who_person": "x" * 61}, None, "too_long"),
    (revealed, "assign", {"option": "o1", "who_org": "x" * 101}, None, "too_long"),
    (collected, "no_such_action", {}, None, "unknown_action"),
]


@pytest.mark.parametrize("scenario, action, payload, who, code", BAD,
                         ids=[f"{b[1]}-{b[4]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_and_changes_nothing(scenario, action, payload, who, code):
    h = scenario()
    before = copy.deepcopy(h.state)
    with pytest.raises(ActionError) as info:
        h.act(action, payload, by=who or "facilitator")
    assert info.value.code == code
    assert info.value.message and info.value.message != code
    assert h.state == before
    assert h.ledger == []


def test_too_few_options_to_start_voting():
    h = setup()
    h.act("add_option", {"text": "Only one"}, by="anna")
    with pytest.raises(ActionError) as info:
        h.act("start_voting")
    assert info.value.code == "too_few_options"


def test_runoff_needs_two_options():
    h = setup(options=["A", "B", "C"], skip_collect=True)
    h.act("set_dots", {"option": "o1", "count": 2}, by="anna")
    h.act("close_voting")
    h.act("reveal")
    with pytest.raises(ActionError) as info:
        h.act("start_runoff", {"top_n": 1})
    assert info.value.code == "runoff_too_small"


# -- removed participants -------------------------------------------------------------------


def test_removing_a_participant_before_reveal_drops_their_dots():
    h = voted()
    h.remove("anna")
    assert h.pid("anna") not in h.state["dots"]
    assert h.state["totals"] == {"o1": 1, "o2": 2, "o3": 1, "o4": 0}
    assert (h.view("facilitator")["voters"], h.view("facilitator")["present"]) == (2, 3)
    assert "removed" not in h.state  # the core keeps who is gone, not the method
    before = copy.deepcopy(h.state)
    for action, payload in [("set_dots", {"option": "o1", "count": 1}),
                            ("add_option", {"text": "Comeback"})]:
        with pytest.raises(ActionError) as info:
            h.act(action, payload, by="anna")
        assert info.value.code == "removed"  # refused by the core before the method runs
        assert h.state == before


def test_leaving_on_the_phone_drops_the_dots_like_a_removal():
    h = voted()
    h.leave("ben")
    assert h.pid("ben") not in h.state["dots"]
    assert h.state["totals"] == {"o1": 2, "o2": 1, "o3": 1, "o4": 0}
    with pytest.raises(ActionError) as info:
        h.act("set_dots", {"option": "o1", "count": 1}, by="ben")
    assert info.value.code == "removed"


def test_removing_a_participant_after_reveal_keeps_the_result():
    h = revealed()
    h.remove("anna")
    assert h.state["totals"] == {"o1": 3, "o2": 3, "o3": 1, "o4": 0}
    assert h.pid("anna") in h.state["dots"]
    assert "3 of 4 participants present voted" in h.minutes()


def test_options_of_a_removed_participant_stay():
    h = collected()
    h.remove("anna")
    assert h.state["ballot"] == ["o1", "o2", "o3", "o4"]
    assert h.state["options"][0]["authors"] == [h.pid("anna")]
    assert "Language courses" in [o["text"] for o in h.view("projector")["options"]]


# -- anonymity and visibility ----------------------------------------------------------------------


def test_facilitator_and_projector_views_hold_no_participant_ids():
    for scenario in (collected, voting, voted, revealed):
        for results in ("hidden", "live"):
            h = scenario(results=results)
            for role in ("facilitator", "projector"):
                text = json.dumps(h.view(role))
                for pid in ids(h):
                    assert pid not in text, (scenario.__name__, results, role, pid)


def test_participant_sees_only_own_dots():
    h = voted()
    view = h.view("cem")
    assert {o["id"]: o["mine"] for o in view["options"]} == {"o1": 0, "o2": 0, "o3": 1, "o4": 0}
    assert view["dots_left"] == 2
    text = json.dumps(view)
    for pid in ids(h):
        assert pid not in text


def test_hidden_results_show_no_totals_until_reveal():
    h = voted()
    for who in ("facilitator", "projector", "anna"):
        view = h.view(who)
        assert view["show_totals"] is False
        assert view["ranking"] == []
        assert all(o.get("total") is None for o in view["options"])
    facilitator = h.view("facilitator")
    assert (facilitator["voters"], facilitator["present"]) == (3, 4)
    h.act("close_voting")
    h.act("reveal")
    for who in ("facilitator", "projector", "anna"):
        assert [r["total"] for r in h.view(who)["ranking"]] == [3, 3, 1, 0]


def test_live_results_show_totals_while_voting():
    h = voted(results="live")
    for who in ("facilitator", "projector", "anna"):
        view = h.view(who)
        assert view["show_totals"] is True
        assert {o["id"]: o["total"] for o in view["options"]} == {
            "o1": 3, "o2": 3, "o3": 1, "o4": 0}


def test_hidden_phone_view_does_not_change_when_others_vote():
    h = voting()
    before = h.view("anna")
    h.act("set_dots", {"option": "o1", "count": 1}, by="ben")
    assert h.view("anna") == before


def test_placing_hidden_dots_concerns_only_the_voter():
    h = voting()
    old = dict(h.state)
    h.act("set_dots", {"option": "o1", "count": 1}, by="ben")
    assert METHOD.view_scope(old, h.state, "set_dots") == "actor"
    assert METHOD.view_scope(old, h.state, "close_voting") == "everyone"
    live = voting(results="live")
    assert METHOD.view_scope(dict(live.state), live.state, "set_dots") == "everyone"


def test_phone_order_is_shuffled_per_participant_or_fixed():
    texts = [f"Option {i}" for i in range(1, 11)]
    h = setup(options=texts, skip_collect=True)
    orders = {tuple(o["id"] for o in h.view(p)["options"]) for p in PEOPLE}
    assert len(orders) > 1
    again = h.view("anna")
    assert tuple(o["id"] for o in again["options"]) in orders
    h = setup(options=texts, skip_collect=True, order="fixed")
    orders = {tuple(o["id"] for o in h.view(p)["options"]) for p in PEOPLE}
    assert orders == {tuple(f"o{i}" for i in range(1, 11))}


# -- minutes ----------------------------------------------------------------------------------------


def test_minutes_have_ranking_table_turnout_and_agreement():
    h = revealed(categories=["Education"])
    h.act("set_category", {"option": "o2", "category": "Education"})
    h.act("assign", {"option": "o1", "who_person": "Herr Schmidt", "due": "2025-04-30"})
    text = h.minutes()
    assert "What comes first?" in text
    assert "3 of 4 participants present voted" in text
    assert "3 dots" in text and "at most 2" in text
    assert "| Rank | Option | Category | Dots | Share of all dots |" in text
    assert "| 1 (tie) | Language courses |  | 3 | ████░░░░░░ 43 % |" in text
    assert "| 1 (tie) | Housing advice | Education | 3 |" in text
    assert "| 3 | Childcare |  | 1 |" in text
    assert "| 4 | Sports club |  | 0 | ░░░░░░░░░░ 0 % |" in text
    assert "**Language courses** — who: Herr Schmidt; by 2025-04-30" in text
    assert "Round" not in text
    for who in ids(h) + NAMES:
        assert who not in text


def test_minutes_number_rounds_after_a_runoff():
    h = revealed()
    h.act("start_runoff", {"top_n": 2})
    h.act("set_dots", {"option": "o2", "count": 1}, by="anna")
    h.act("close_voting")
    h.act("reveal")
    text = h.minutes()
    assert "### Round 1" in text
    assert "### Round 2: runoff of the top 2" in text
    assert text.index("### Round 1") < text.index("### Round 2")
    assert "| 1 | Housing advice |" in text and "| 2 | Language courses |" in text


def test_minutes_while_collecting_or_voting_hide_open_results():
    assert "Childcare" in collected().minutes()
    text = voted().minutes()
    assert "still open" in text and "| Rank |" not in text


def test_minutes_escape_markdown_in_option_text():
    h = setup(options=["A | B", "*bold*"], skip_collect=True)
    h.act("close_voting")
    h.act("reveal")
    text = h.minutes()
    assert "A \\| B" in text and "\\*bold\\*" in text


def test_closing_the_session_keeps_state_and_minutes():
    h = revealed()
    before, minutes = copy.deepcopy(h.state), h.minutes()
    h.close()
    assert h.state == before and h.minutes() == minutes
    with pytest.raises(ActionError) as info:
        h.act("start_runoff", {"top_n": 2})
    assert info.value.code == "session_not_active"


# -- templates ------------------------------------------------------------------------------------------

TEMPLATES = Path(METHOD.root_dir()) / "templates"


def render(role, view, newstyle=False):
    """Render a role's template: identity ``_``/``ngettext``, or Jinja's newstyle i18n.

    Newstyle gettext (what Flask-Babel installs) always %-formats, so it also
    catches a stray ``%`` inside a translated string.
    """
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined,
                             extensions=["jinja2.ext.i18n"] if newstyle else [])
    context = {}
    if newstyle:
        env.install_null_translations(newstyle=True)
    else:
        def gettext(text, **variables):
            return text % variables if variables else text

        def ngettext(singular, plural, num, **variables):
            return (singular if num == 1 else plural) % {"num": num, **variables}

        context = {"_": gettext, "ngettext": ngettext}
    return env.get_template(f"dotvoting/{role}.html").render(
        view=view, role=role, **context,
        session={"id": "s1", "title": "Priorities", "method": "dotvoting", "status": "active"},
        workshop={"id": "w1", "title": "Integration", "language": "en", "privacy": "named"},
    )


@pytest.mark.parametrize("scenario", [collected, voting, voted, revealed])
@pytest.mark.parametrize("results", ["hidden", "live"])
def test_templates_render(scenario, results):
    h = scenario(results=results)
    if scenario is revealed:
        facilitator = render("facilitator", h.view("facilitator"))
        assert 'data-action="start_runoff"' in facilitator
        assert 'data-action="reopen_voting"' not in facilitator
        h.act("assign", {"option": "o1", "who_org": "Caritas <e.V.>"})
    views = {
        "participant": h.view("anna"),
        "facilitator": h.view("facilitator"),
        "projector": h.view("projector"),
    }
    for role, view in views.items():
        for newstyle in (False, True):
            html = render(role, view, newstyle)
            assert "What comes first?" in html
            assert "Language courses" in html
            assert "<e.V.>" not in html  # escaped
    if scenario is voting:
        assert 'data-action="set_dots"' in render("participant", views["participant"])
        assert 'data-action="close_voting"' in render("facilitator", views["facilitator"])
    if scenario is revealed:
        assert 'data-action="assign"' in render("facilitator", views["facilitator"])
        assert "Caritas &lt;e.V.&gt;" in render("facilitator", views["facilitator"])


# -- German catalog ------------------------------------------------------------------------------------


def test_every_message_has_a_compiled_german_translation():
    """New or changed strings fail here until messages.po is updated and compiled."""
    import gettext

    from babel.messages.extract import extract_from_dir

    root = METHOD.root_dir()
    found = {
        msgid if isinstance(msgid, str) else msgid[0]
        for _file, _line, msgid, _comments, _context in extract_from_dir(
            str(root),
            method_map=[("**/templates/**.html", "jinja2"), ("**.py", "python")],
            keywords={"_": None, "lazy_gettext": None, "ngettext": (1, 2)},
        )
    }
    assert len(found) > 100
    with open(root / "translations/de/LC_MESSAGES/messages.mo", "rb") as f:
        german = gettext.GNUTranslations(f)
    untranslated = sorted(m for m in found if m not in german._catalog
                          and (m, 0) not in german._catalog)
    assert untranslated == []
    assert german.gettext("Dot voting") == "Punktabfrage"
