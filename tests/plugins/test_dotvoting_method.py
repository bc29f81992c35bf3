"""The dot-voting method driven through FakeContext: flow, bad input, anonymity, views, minutes."""

import copy
import json
from pathlib import Path

import jinja2
import pytest
from facilitator_plugins.dotvoting import facilitator_register_methods
from facilitator_plugins.dotvoting.method import DotVotingMethod

from facilitator.methods import ActionError, ConfigError
from facilitator.testing import FakeContext

PEOPLE = ["anna", "ben", "cem", "dana"]
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


def setup(**overrides):
    config = METHOD.validate_config({**BASE, **overrides})
    ctx = FakeContext(config=config, participants=list(PEOPLE))
    return ctx, METHOD.initial_state(config)


def act(ctx, state, action, payload=None, who=None):
    actor = ctx.actor(who) if who else ctx.actor(role="facilitator")
    return ctx.apply(METHOD, state, action, payload or {}, actor)


def collected(**overrides):
    """Four options added by participants: o1..o4."""
    ctx, state = setup(**overrides)
    for who, text in [("anna", "Language courses"), ("ben", "Housing advice"),
                      ("cem", "Childcare"), ("dana", "Sports club")]:
        state = act(ctx, state, "add_option", {"text": text}, who)
    return ctx, state


def voting(**overrides):
    ctx, state = collected(**overrides)
    return ctx, act(ctx, state, "start_voting")


def voted(**overrides):
    """anna 2×o1 + o2, ben 2×o2 + o1, cem 1×o3: o1 3, o2 3, o3 1, o4 0."""
    ctx, state = voting(**overrides)
    for who, option, count in [("anna", "o1", 2), ("anna", "o2", 1), ("ben", "o2", 2),
                               ("ben", "o1", 1), ("cem", "o3", 1)]:
        state = act(ctx, state, "set_dots", {"option": option, "count": count}, who)
    return ctx, state


def revealed(**overrides):
    ctx, state = voted(**overrides)
    state = act(ctx, state, "close_voting")
    return ctx, act(ctx, state, "reveal")


def test_plugin_registers_the_method():
    (method,) = facilitator_register_methods()
    assert method.slug == "dotvoting"
    assert str(method.name) and str(method.description)
    assert {f.name for f in method.config_fields()} == set(BASE)


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


def test_prepared_options_and_skip_collect_start_in_vote():
    ctx, state = setup(options=["Education", "Work", "Health"], skip_collect=True)
    assert state["phase"] == "vote"
    assert [o["text"] for o in state["options"]] == ["Education", "Work", "Health"]
    state = act(ctx, state, "set_dots", {"option": "o2", "count": 1}, "anna")
    assert state["totals"]["o2"] == 1
    json.dumps(state)


def test_demo_config_passes_the_core_form_parser():
    from facilitator.forms import form_values, parse_config

    data = form_values(METHOD, None)
    data.update(METHOD.demo_config())
    title, config = parse_config(METHOD, data)
    assert title and config["question"]
    state = METHOD.initial_state(config)
    assert state["phase"] == "collect" and len(state["ballot"]) == 4


def test_prepared_options_without_skip_start_collecting():
    ctx, state = setup(options=["Education", "Work"])
    assert state["phase"] == "collect"
    state = act(ctx, state, "add_option", {"text": "Health"}, "anna")
    assert len(state["ballot"]) == 3


# -- the full flow ------------------------------------------------------------------------


def test_full_flow_collect_vote_reveal_runoff_assign():
    ctx, state = collected()
    assert ctx.last_reply == {"option": "o4"}
    state = act(ctx, state, "start_voting")
    state = act(ctx, state, "set_dots", {"option": "o1", "count": 2}, "anna")
    assert ctx.last_reply == {"dots_left": 1}
    _, state = voted()  # the same start, then the standard votes
    assert state["totals"] == {"o1": 3, "o2": 3, "o3": 1, "o4": 0}
    state = act(ctx, state, "close_voting")
    assert state["present"] == 4
    state = act(ctx, state, "reopen_voting")
    state = act(ctx, state, "set_dots", {"option": "o4", "count": 1}, "dana")
    state = act(ctx, state, "close_voting")
    state = act(ctx, state, "reveal")
    ranking = METHOD.view(state, "projector", None, ctx)["ranking"]
    assert [(r["id"], r["rank"], r["tied"]) for r in ranking] == [
        ("o1", 1, True), ("o2", 1, True), ("o3", 3, True), ("o4", 3, True)]

    state = act(ctx, state, "start_runoff", {"top_n": 1})  # tie at the cut: both go on
    assert state["phase"] == "vote" and state["round"] == 2
    assert state["ballot"] == ["o1", "o2"] and state["dots"] == {}
    assert state["rounds"][0]["totals"] == {"o1": 3, "o2": 3, "o3": 1, "o4": 1}
    participant = METHOD.view(state, "participant", ctx.actor("anna"), ctx)
    assert {o["id"] for o in participant["options"]} == {"o1", "o2"}
    assert participant["dots_left"] == 3

    for who, option in [("anna", "o2"), ("ben", "o2"), ("cem", "o1")]:
        state = act(ctx, state, "set_dots", {"option": option, "count": 1}, who)
    state = act(ctx, act(ctx, state, "close_voting"), "reveal")
    state = act(ctx, state, "assign", {"option": "o2", "who_person": "Frau Yilmaz",
                                       "who_org": "Caritas", "due": "2025-03-01",
                                       "review": "2025-06-01"})
    assert state["phase"] == "assign"
    assert ctx.ledger == [{"id": "a1", "session_id": "s1", "what": "Housing advice",
                           "who_person": "Frau Yilmaz", "who_org": "Caritas",
                           "due": "2025-03-01", "review": "2025-06-01"}]
    assert ctx.last_reply == {"agreement": "a1"}
    state = act(ctx, state, "assign", {"option": "o1", "who_org": "VHS"})
    assert len(ctx.ledger) == 2
    facilitator = METHOD.view(state, "facilitator", None, ctx)
    assert [a["what"] for a in facilitator["agreements"]] == ["Housing advice", "Language courses"]
    assert {r["id"]: r["assigned"] for r in facilitator["assign_top"]} == {"o2": 1, "o1": 1}


def test_taking_dots_back_returns_them_to_the_budget():
    ctx, state = voting()
    state = act(ctx, state, "set_dots", {"option": "o1", "count": 2}, "anna")
    state = act(ctx, state, "set_dots", {"option": "o2", "count": 1}, "anna")
    state = act(ctx, state, "set_dots", {"option": "o1", "count": 1}, "anna")
    state = act(ctx, state, "set_dots", {"option": "o3", "count": 1}, "anna")
    assert state["dots"]["anna"] == {"o1": 1, "o2": 1, "o3": 1}
    assert state["totals"] == {"o1": 1, "o2": 1, "o3": 1, "o4": 0}
    for option in ("o1", "o2", "o3"):
        state = act(ctx, state, "set_dots", {"option": option, "count": 0}, "anna")
    assert "anna" not in state["dots"]
    assert METHOD.view(state, "facilitator", None, ctx)["voters"] == 0


def test_merge_carries_dots_and_authors_and_clamps():
    ctx, state = voting()
    state = act(ctx, state, "set_dots", {"option": "o1", "count": 2}, "anna")
    state = act(ctx, state, "set_dots", {"option": "o2", "count": 1}, "anna")
    state = act(ctx, state, "set_dots", {"option": "o2", "count": 1}, "ben")
    state = act(ctx, state, "merge_options", {"option": "o2", "into": "o1"})
    assert state["ballot"] == ["o1", "o3", "o4"]
    assert state["dots"] == {"anna": {"o1": 2}, "ben": {"o1": 1}}  # anna: 3 clamped to cap 2
    assert state["totals"]["o1"] == 3
    o1 = state["options"][0]
    assert o1["authors"] == ["anna", "ben"]
    assert METHOD.view(state, "participant", ctx.actor("anna"), ctx)["dots_left"] == 1
    assert METHOD.view(state, "facilitator", None, ctx)["options"][0]["authors"] == 2


def test_remove_option_gives_dots_back():
    ctx, state = voted()
    state = act(ctx, state, "remove_option", {"option": "o1"})
    assert state["totals"] == {"o2": 3, "o3": 1, "o4": 0}
    assert state["dots"]["anna"] == {"o2": 1}


def test_edit_and_categorise():
    ctx, state = collected()
    state = act(ctx, state, "edit_option", {"option": "o1", "text": "German courses"})
    state = act(ctx, state, "set_category", {"option": "o1", "category": "Education"})
    assert state["options"][0]["text"] == "German courses"
    assert state["options"][0]["category"] == "Education"
    state = act(ctx, state, "set_category", {"option": "o1", "category": ""})
    assert state["options"][0]["category"] == ""


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
    (collected, "add_option", {"text": "   "}, "anna", "text_empty"),
    (collected, "add_option", {}, "anna", "invalid_text"),
    (collected, "add_option", {"text": "x" * 121}, "anna", "text_too_long"),
    (collected, "add_option", {"text": "housing  ADVICE"}, "anna", "duplicate_option"),
    (collected, "add_option", {"text": "Jobs", "category": "Sport"}, "anna", "unknown_category"),
    (voting, "add_option", {"text": "Late idea"}, "anna", "wrong_phase"),
    (voting, "add_option", {"text": "Late idea"}, None, "wrong_phase"),
    (collected, "edit_option", {"option": "o1", "text": ""}, None, "text_empty"),
    (collected, "edit_option", {"option": "o9", "text": "x"}, None, "unknown_option"),
    (collected, "edit_option", {"option": "o1", "text": "Childcare"}, None, "duplicate_option"),
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
]


@pytest.mark.parametrize("scenario, action, payload, who, code", BAD,
                         ids=[f"{b[1]}-{b[4]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_and_changes_nothing(scenario, action, payload, who, code):
    ctx, state = scenario()
    before = copy.deepcopy(state)
    actor = ctx.actor(who) if who else ctx.actor(role="facilitator")
    with pytest.raises(ActionError) as info:
        # Called on the state itself (no copy) to prove nothing is half-changed.
        METHOD.apply(state, action, payload, actor, ctx)
    assert info.value.code == code
    assert info.value.message
    assert state == before
    assert ctx.ledger == []


def test_too_few_options_to_start_voting():
    ctx, state = setup()
    state = act(ctx, state, "add_option", {"text": "Only one"}, "anna")
    with pytest.raises(ActionError) as info:
        act(ctx, state, "start_voting")
    assert info.value.code == "too_few_options"


def test_runoff_needs_two_options():
    ctx, state = setup(options=["A", "B", "C"], skip_collect=True)
    state = act(ctx, state, "set_dots", {"option": "o1", "count": 2}, "anna")
    state = act(ctx, act(ctx, state, "close_voting"), "reveal")
    with pytest.raises(ActionError) as info:
        act(ctx, state, "start_runoff", {"top_n": 1})
    assert info.value.code == "runoff_too_small"


# -- removed participants -------------------------------------------------------------------


def test_removing_a_participant_before_reveal_drops_their_dots():
    ctx, state = voted()
    ctx.remove_participant("anna")
    state = METHOD.participant_removed(state, "anna", ctx)
    assert "anna" not in state["dots"]
    assert state["totals"] == {"o1": 1, "o2": 2, "o3": 1, "o4": 0}
    before = copy.deepcopy(state)
    with pytest.raises(ActionError) as info:
        act(ctx, state, "set_dots", {"option": "o1", "count": 1}, "anna")
    assert info.value.code == "participant_removed"
    assert state == before


def test_removing_a_participant_after_reveal_keeps_the_result():
    ctx, state = revealed()
    state = METHOD.participant_removed(state, "anna", ctx)
    assert state["totals"] == {"o1": 3, "o2": 3, "o3": 1, "o4": 0}


# -- anonymity and visibility ----------------------------------------------------------------------


def test_facilitator_and_projector_views_hold_no_participant_ids():
    for scenario in (collected, voting, voted, revealed):
        for results in ("hidden", "live"):
            ctx, state = scenario(results=results)
            for role in ("facilitator", "projector"):
                text = json.dumps(METHOD.view(state, role, None, ctx))
                for pid in PEOPLE:
                    assert pid not in text, (scenario.__name__, results, role, pid)


def test_participant_sees_only_own_dots():
    ctx, state = voted()
    view = METHOD.view(state, "participant", ctx.actor("cem"), ctx)
    assert {o["id"]: o["mine"] for o in view["options"]} == {"o1": 0, "o2": 0, "o3": 1, "o4": 0}
    assert view["dots_left"] == 2
    text = json.dumps(view)
    for pid in PEOPLE:
        assert pid not in text


def test_hidden_results_show_no_totals_until_reveal():
    ctx, state = voted()
    for role, actor in [("facilitator", None), ("projector", None),
                        ("participant", ctx.actor("anna"))]:
        view = METHOD.view(state, role, actor, ctx)
        assert view["show_totals"] is False
        assert view["ranking"] == []
        assert all(o.get("total") is None for o in view["options"])
    facilitator = METHOD.view(state, "facilitator", None, ctx)
    assert (facilitator["voters"], facilitator["present"]) == (3, 4)
    state = act(ctx, act(ctx, state, "close_voting"), "reveal")
    for role, actor in [("facilitator", None), ("projector", None),
                        ("participant", ctx.actor("anna"))]:
        view = METHOD.view(state, role, actor, ctx)
        assert [r["total"] for r in view["ranking"]] == [3, 3, 1, 0]


def test_live_results_show_totals_while_voting():
    ctx, state = voted(results="live")
    for role, actor in [("facilitator", None), ("projector", None),
                        ("participant", ctx.actor("anna"))]:
        view = METHOD.view(state, role, actor, ctx)
        assert view["show_totals"] is True
        assert {o["id"]: o["total"] for o in view["options"]} == {
            "o1": 3, "o2": 3, "o3": 1, "o4": 0}


def test_hidden_phone_view_does_not_change_when_others_vote():
    ctx, state = voting()
    before = METHOD.view(state, "participant", ctx.actor("anna"), ctx)
    state = act(ctx, state, "set_dots", {"option": "o1", "count": 1}, "ben")
    assert METHOD.view(state, "participant", ctx.actor("anna"), ctx) == before


def test_phone_order_is_shuffled_per_participant_or_fixed():
    texts = [f"Option {i}" for i in range(1, 11)]
    ctx, state = setup(options=texts, skip_collect=True)
    orders = {tuple(o["id"] for o in METHOD.view(state, "participant", ctx.actor(p), ctx)["options"])
              for p in PEOPLE}
    assert len(orders) > 1
    again = METHOD.view(state, "participant", ctx.actor("anna"), ctx)
    assert tuple(o["id"] for o in again["options"]) in orders
    ctx, state = setup(options=texts, skip_collect=True, order="fixed")
    orders = {tuple(o["id"] for o in METHOD.view(state, "participant", ctx.actor(p), ctx)["options"])
              for p in PEOPLE}
    assert orders == {tuple(f"o{i}" for i in range(1, 11))}


# -- minutes ----------------------------------------------------------------------------------------


def test_minutes_have_ranking_table_turnout_and_agreement():
    ctx, state = revealed(categories=["Education"])
    state = act(ctx, state, "set_category", {"option": "o2", "category": "Education"})
    state = act(ctx, state, "assign", {"option": "o1", "who_person": "Herr Schmidt",
                                       "due": "2025-04-30"})
    text = METHOD.minutes(state, ctx)
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
    for pid in PEOPLE:
        assert pid not in text


def test_minutes_number_rounds_after_a_runoff():
    ctx, state = revealed()
    state = act(ctx, state, "start_runoff", {"top_n": 2})
    state = act(ctx, state, "set_dots", {"option": "o2", "count": 1}, "anna")
    state = act(ctx, act(ctx, state, "close_voting"), "reveal")
    text = METHOD.minutes(state, ctx)
    assert "### Round 1" in text
    assert "### Round 2: runoff of the top 2" in text
    assert text.index("### Round 1") < text.index("### Round 2")
    assert "| 1 | Housing advice |" in text and "| 2 | Language courses |" in text


def test_minutes_while_collecting_or_voting_hide_open_results():
    ctx, state = collected()
    assert "Childcare" in METHOD.minutes(state, ctx)
    ctx, state = voted()
    text = METHOD.minutes(state, ctx)
    assert "still open" in text and "| Rank |" not in text


def test_minutes_escape_markdown_in_option_text():
    ctx, state = setup(options=["A | B", "*bold*"], skip_collect=True)
    state = act(ctx, act(ctx, state, "close_voting"), "reveal")
    text = METHOD.minutes(state, ctx)
    assert "A \\| B" in text and "\\*bold\\*" in text


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
    ctx, state = scenario(results=results)
    if scenario is revealed:
        facilitator = render("facilitator", METHOD.view(state, "facilitator", None, ctx))
        assert 'data-action="start_runoff"' in facilitator
        assert 'data-action="reopen_voting"' not in facilitator
        state = act(ctx, state, "assign", {"option": "o1", "who_org": "Caritas <e.V.>"})
    views = {
        "participant": METHOD.view(state, "participant", ctx.actor("anna"), ctx),
        "facilitator": METHOD.view(state, "facilitator", None, ctx),
        "projector": METHOD.view(state, "projector", None, ctx),
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
