"""The twinning method driven through the real core (MethodHarness): phases, registration,
CSV import, review (lock, swap, dissolve, stable), publish, decline and re-match, planning
and the ledger, views, minutes and bad input."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from facilitator_plugins.twinning import facilitator_register_methods, facilitator_register_routes
from facilitator_plugins.twinning.method import TwinningMethod

from facilitator import ActionError
from facilitator.testing import MethodHarness

METHOD = TwinningMethod()
TOPICS = "Education\nSports\nWork"
PEOPLE = ["amira", "jonas", "lena", "omar"]


def profile(name: str, org_type: str = "mso", offers: str = "German courses", needs: str = "Rooms",
            **extra) -> dict:
    """A complete profile payload as the phone's form sends it."""
    return {"name": name, "org_type": org_type, "town": "Neustadt", "topic:Education": True,
            "topics_other": "", "offers": offers, "needs": needs, "languages": "German, Arabic",
            "contact": f"Contact of {name}", "organisation": "", **extra}


#: Four groups whose offers and needs fit crosswise: A⇄Jobcenter and Club⇄VHS are the best pairs.
GROUPS = [
    ("amira", profile("Verein A", offers="German conversation groups", needs="Job contacts")),
    ("jonas", profile("Jobcenter", "employment", offers="Job contacts",
                      needs="German conversation groups")),
    ("lena", profile("Club C", "association", offers="Sports for youth", needs="Rooms for meetings")),
    ("omar", profile("VHS", "education", offers="Rooms for meetings", needs="Sports for youth")),
]


def registered(**form) -> MethodHarness:
    """A session with the four GROUPS registered on phones."""
    h = MethodHarness(METHOD, {"topics": TOPICS, **form}, participants=PEOPLE)
    for who, data in GROUPS:
        h.act("register", data, by=who)
    return h


def gid(h: MethodHarness, name: str) -> str:
    """The id of the group called ``name``."""
    return next(g for g, v in h.state["groups"].items() if v["name"] == name)


def pairs_by_name(h: MethodHarness, pairs) -> set[frozenset]:
    """Pairs (lists of ids) as sets of names."""
    return {frozenset(h.state["groups"][g]["name"] for g in p) for p in pairs}


def matched() -> MethodHarness:
    """Registered and matched: the draft is in review."""
    h = registered()
    h.act("run_matching")
    assert h.state["phase"] == "review"
    return h


def test_registers_the_hooks():
    assert [m.slug for m in facilitator_register_methods()] == ["twinning"]
    paths = [r.path for r in facilitator_register_routes()]
    assert "/plugins/twinning/template.csv" in paths
    assert any(p.startswith("/plugins/twinning/handout/") for p in paths)


def test_registration_then_correction_until_matching():
    h = registered()
    assert h.state["phase"] == "registration"
    assert len(h.state["groups"]) == 4
    mine = h.view("amira")["group"]
    assert mine["name"] == "Verein A" and mine["topics"] == ["Education"]
    h.act("register", {**GROUPS[0][1], "town": "Altdorf"}, by="amira")
    assert len(h.state["groups"]) == 4  # corrected, not a second group
    assert h.view("amira")["group"]["town"] == "Altdorf"
    h.act("run_matching")
    with pytest.raises(ActionError) as refused:
        h.act("register", {**GROUPS[0][1], "town": "Neustadt"}, by="amira")
    assert refused.value.code == "wrong_phase"
    assert h.state["groups"][gid(h, "Verein A")]["town"] == "Altdorf"


def test_phone_sees_no_contacts_of_others_before_publishing():
    h = registered()
    view = h.view("amira")
    assert "Contact of Jobcenter" not in repr(view)
    assert {o["name"] for o in view["others"]} == {"Jobcenter", "Club C", "VHS"}


@pytest.mark.parametrize(("change", "code"), [
    ({"name": ""}, "required"),
    ({"org_type": ""}, "required"),
    ({"org_type": "pirates"}, "invalid_choice"),
    ({"town": "  "}, "required"),
    ({"offers": ""}, "required"),
    ({"needs": ""}, "required"),
    ({"languages": ""}, "required"),
    ({"contact": ""}, "required"),
    ({"topic:Education": False}, "required"),
    ({"topic:Knitting": True}, "unknown_topic"),
    ({"name": "x" * 101}, "too_long"),
    ({"exclude:g99": True}, "unknown_group"),
])
def test_profile_with_missing_or_bad_fields_is_refused(change, code):
    h = MethodHarness(METHOD, {"topics": TOPICS}, participants=PEOPLE)
    with pytest.raises(ActionError) as refused:
        h.act("register", {**GROUPS[0][1], **change}, by="amira")
    assert refused.value.code == code
    assert refused.value.message
    assert h.state["groups"] == {}


def test_a_group_cannot_exclude_itself():
    h = registered()
    own = gid(h, "Verein A")
    with pytest.raises(ActionError) as refused:
        h.act("register", {**GROUPS[0][1], f"exclude:{own}": True}, by="amira")
    assert refused.value.code == "excludes_itself"
    assert h.state["groups"][own]["excludes"] == []


def test_duplicate_group_name_is_refused():
    h = registered()
    with pytest.raises(ActionError) as refused:
        h.act("save_group", profile("verein  a"))
    assert refused.value.code == "duplicate_name"


def test_matching_finds_the_best_pairs_with_reasons():
    h = matched()
    draft = h.state["draft"]
    assert pairs_by_name(h, draft["pairs"]) == {frozenset({"Verein A", "Jobcenter"}),
                                                frozenset({"Club C", "VHS"})}
    view = h.view("facilitator")["draft"]
    first = next(p for p in view["pairs"] if {m["name"] for m in p["members"]} == {"Verein A", "Jobcenter"})
    assert any("German conversation groups" in text for text in first["why"])
    assert view["total"] > 0
    assert view["alternatives"], "every group gets its next-best alternatives"


def test_exclusion_is_respected():
    h = registered()
    h.act("register", {**GROUPS[0][1], f"exclude:{gid(h, 'Jobcenter')}": True}, by="amira")
    h.act("run_matching")
    assert frozenset({"Verein A", "Jobcenter"}) not in pairs_by_name(h, h.state["draft"]["pairs"])


def test_locking_a_pair_that_breaks_a_hard_rule_names_the_rule():
    h = registered()
    h.act("register", {**GROUPS[0][1], f"exclude:{gid(h, 'Club C')}": True}, by="amira")
    h.act("run_matching")
    with pytest.raises(ActionError) as refused:
        h.act("lock", {"a": gid(h, "Verein A"), "b": gid(h, "Club C")})
    assert refused.value.code == "breaks_rule"
    assert "does not want to be twinned" in refused.value.message
    assert h.state["locks"] == []


def test_lock_and_rerun_keeps_the_locked_pair():
    h = matched()
    a, club = gid(h, "Verein A"), gid(h, "Club C")
    h.act("lock", {"a": a, "b": club})
    h.act("run_matching")
    assert h.state["phase"] == "review"
    assert frozenset({"Verein A", "Club C"}) in pairs_by_name(h, h.state["draft"]["pairs"])
    assert frozenset({"Jobcenter", "VHS"}) in pairs_by_name(h, h.state["draft"]["pairs"])


def test_swap_and_dissolve():
    h = matched()
    h.act("swap", {"a": gid(h, "Verein A"), "b": gid(h, "Club C")})
    assert pairs_by_name(h, h.state["draft"]["pairs"]) == {frozenset({"Verein A", "VHS"}),
                                                           frozenset({"Club C", "Jobcenter"})}
    assert len(h.state["locks"]) == 2
    h.act("dissolve", {"a": gid(h, "Verein A"), "b": gid(h, "VHS")})
    assert frozenset({"Verein A", "VHS"}) not in pairs_by_name(h, h.state["draft"]["pairs"])
    assert [gid(h, "Verein A"), gid(h, "VHS")] in h.state["forbidden"]


def test_back_to_registration_from_review_only():
    h = registered()
    with pytest.raises(ActionError):
        h.act("back_to_registration")
    h.act("run_matching")
    h.act("back_to_registration")
    assert h.state["phase"] == "registration" and h.state["draft"] is None


def test_odd_pool_sits_one_out_with_the_reason_or_makes_a_triplet():
    h = MethodHarness(METHOD, {"topics": TOPICS}, participants=PEOPLE[:3])
    for who, data in GROUPS[:3]:
        h.act("register", data, by=who)
    h.act("run_matching")
    view = h.view("facilitator")["draft"]
    assert len(view["pairs"]) == 1 and len(view["unmatched"]) == 1
    assert "sits out" in view["unmatched"][0]["reason"]
    h.act("set_weights", {"odd": "triplet"})
    h.act("run_matching")
    assert [len(p) for p in h.state["draft"]["pairs"]] == [3]


def test_publish_confirm_decline_and_rematch():
    h = matched()
    h.act("publish")
    assert h.state["phase"] == "publish"
    twin = h.view("amira")["twin"]
    assert [o["name"] for o in twin["others"]] == ["Jobcenter"]
    assert twin["others"][0]["contact"] == "Contact of Jobcenter"
    assert twin["why"]
    # The projector never shows contacts.
    assert "Contact of" not in repr(h.view("projector"))
    h.act("respond", {"response": "confirm"}, by="amira")
    h.act("respond", {"response": "confirm"}, by="jonas")
    assert h.view("amira")["twin"]["confirmed"] is True
    assert any("Verein A ⇄ Jobcenter" in a["what"] for a in h.ledger)
    h.act("respond", {"response": "decline"}, by="lena")
    assert h.view("lena")["declined"] is True
    assert {f["name"] for f in h.view("facilitator")["free"]} == {"Club C", "VHS"}
    h.act("rematch")
    assert h.state["phase"] == "review"
    # Club C and VHS were the only free groups and are ruled out together: they stay alone,
    # each with a reason; the confirmed pair was locked.
    assert frozenset({"Verein A", "Jobcenter"}) in pairs_by_name(h, h.state["draft"]["pairs"])
    assert frozenset({"Club C", "VHS"}) not in pairs_by_name(h, h.state["draft"]["pairs"])


def test_decline_is_rematched_with_pending_pairs():
    h = MethodHarness(METHOD, {"topics": TOPICS}, participants=PEOPLE + ["pia", "ute"])
    for who, data in GROUPS:
        h.act("register", data, by=who)
    h.act("register", profile("Frauencafé", offers="Childcare", needs="Job contacts"), by="pia")
    h.act("register", profile("Caritas", "welfare", offers="Job contacts", needs="Childcare"), by="ute")
    h.act("run_matching")
    h.act("publish")
    pair = next(p for p in h.state["pairs"] if gid(h, "Verein A") in p["members"])
    other = next(g for g in pair["members"] if g != gid(h, "Verein A"))
    h.act("respond", {"response": "decline"}, by="amira")
    h.act("rematch")
    new = pairs_by_name(h, h.state["draft"]["pairs"])
    assert frozenset({"Verein A", h.state["groups"][other]["name"]}) not in new
    assert any("Verein A" in p for p in new), "the declining group has a new twin"
    h.act("publish")
    assert h.view("amira")["twin"] is not None


def confirmed_planning() -> MethodHarness:
    """Published, the pair Verein A ⇄ Jobcenter confirmed, planning open."""
    h = matched()
    h.act("publish")
    h.act("respond", {"response": "confirm"}, by="amira")
    h.act("respond", {"response": "confirm"}, by="jonas")
    h.act("start_planning")
    return h


def plan_payload(h: MethodHarness, **change) -> dict:
    """A valid plan for Verein A ⇄ Jobcenter."""
    a, j = gid(h, "Verein A"), gid(h, "Jobcenter")
    return {"title": "Language café at the job centre", "goal": "Job seekers practise German",
            "start": "2026-04-01", f"meeting:{a}": "2026-04-15", f"meeting:{j}": "2026-05-06",
            f"responsible:{a}": "Amira K.", f"responsible:{j}": "Jonas B.",
            "working": "2026-05-20, 2026-06-17", "presentation": "2026-09-30", **change}


def test_plan_goes_into_the_ledger_with_dates_and_owners():
    h = confirmed_planning()
    reply = h.act("plan", plan_payload(h), by="amira")
    planned = [a for a in h.ledger if a["id"] in reply["agreements"]]
    assert sorted(a["due"] for a in planned) == ["2026-04-15", "2026-05-06", "2026-05-20",
                                                  "2026-06-17", "2026-09-30"]
    meeting = next(a for a in planned if a["due"] == "2026-04-15")
    assert meeting["who_person"] == "Amira K." and meeting["who_org"] == "Verein A"
    assert any("final presentation" in a["what"] for a in planned)
    # A changed plan drops the old entries.
    h.act("plan", plan_payload(h, presentation="2026-09-01"), by="jonas")
    old = [a for a in h.ledger if a["id"] in reply["agreements"]]
    assert {a["status"] for a in old} == {"dropped"}


@pytest.mark.parametrize(("change", "code"), [
    ({"presentation": "2026-10-02"}, "too_late"),
    ({"presentation": "2026-13-01"}, "invalid_date"),
    ({"title": ""}, "required"),
    ({"working": ""}, "required"),
    ({"working": "2026-03-01"}, "before_start"),
])
def test_bad_plans_are_refused(change, code):
    h = confirmed_planning()
    with pytest.raises(ActionError) as refused:
        h.act("plan", plan_payload(h, **change), by="amira")
    assert refused.value.code == code
    if code == "too_late":
        assert "2026-10-01" in refused.value.message
    assert h.state["plans"] == {} and h.ledger == [a for a in h.ledger if "Twinning:" in a["what"]]


def test_unconfirmed_pair_cannot_plan():
    h = matched()
    h.act("publish")
    h.act("start_planning")
    with pytest.raises(ActionError) as refused:
        h.act("plan", plan_payload(h), by="amira")
    assert refused.value.code == "not_confirmed"


def test_minutes_pairs_reasons_projects_and_privacy():
    h = confirmed_planning()
    h.act("plan", plan_payload(h, title="Café *bold* <b>"), by="amira")
    text = h.minutes()
    assert "Verein A" in text and "Jobcenter" in text
    assert "German conversation groups" in text  # a reason
    assert "Café \\*bold\\* &lt;b&gt;" in text  # escaped
    assert "Contact of Jobcenter" in text and "Amira K." in text
    assert "Total score" in text and "Stable" in text


@pytest.mark.parametrize("privacy", ["anonymous", "chatham"])
def test_anonymous_and_chatham_minutes_leave_out_contacts_and_responsible_people(privacy):
    h = MethodHarness(METHOD, {"topics": TOPICS}, participants=PEOPLE, privacy=privacy)
    for who, data in GROUPS:
        h.act("register", data, by=who)
    h.act("run_matching")
    h.act("publish")
    h.act("respond", {"response": "confirm"}, by="amira")
    h.act("respond", {"response": "confirm"}, by="jonas")
    h.act("start_planning")
    h.act("plan", plan_payload(h), by="amira")
    text = h.minutes()
    assert "Contact of" not in text and "Amira K." not in text
    assert "Verein A" in text


def test_csv_import_reports_bad_rows_and_imports_good_ones_on_confirmation():
    csv_text = ("Group name;Type of organisation;Town;Topics;What the group offers;"
                "What the group needs;Languages;Contact person;Not to be paired with\n"
                "Frauencafé;mso;Neustadt;Education;Childcare;Job contacts;German;Ute;\n"
                "Broken;pirates;Neustadt;Education;x;y;German;Ben;\n"
                "Caritas;welfare;Altdorf;Work;Job contacts;Childcare;German;Eva;Frauencafé\n"
                "Self;mso;Altdorf;Work;a;b;German;Jo;Self\n")
    h = registered()
    reply = h.act("import_csv", {"text": csv_text})
    assert reply == {"rows": 2, "errors": 2}
    assert len(h.state["groups"]) == 4, "nothing is imported before confirmation"
    errors = h.view("facilitator")["pending_import"]["errors"]
    assert [e["row"] for e in errors] == [3, 5]
    assert "pirates" in errors[0]["reason"] and "itself" in errors[1]["reason"]
    with pytest.raises(ActionError) as refused:
        h.act("run_matching")
    assert refused.value.code == "import_waiting"
    assert h.act("confirm_import") == {"imported": 2}
    assert len(h.state["groups"]) == 6
    caritas = h.state["groups"][gid(h, "Caritas")]
    assert caritas["excludes"] == [gid(h, "Frauencafé")] and caritas["source"] == "csv"


def test_csv_from_the_session_form_waits_for_confirmation():
    csv_text = "Group name;Type of organisation;Town;Topics;What the group offers;What the group needs;" \
               "Languages;Contact person\nFrauencafé;mso;Neustadt;Education;Childcare;Jobs;German;Ute\n"
    h = MethodHarness(METHOD, {"topics": TOPICS, "groups_csv": csv_text})
    assert len(h.state["pending_import"]["rows"]) == 1
    h.act("discard_import")
    assert h.state["pending_import"] is None and h.state["groups"] == {}


def test_wrong_roles_and_phases_are_refused():
    h = registered()
    for action, by in [("run_matching", "amira"), ("publish", "amira"), ("matched", "facilitator")]:
        with pytest.raises(ActionError) as refused:
            h.act(action, {}, by=by)
        assert refused.value.code == "forbidden"
    with pytest.raises(ActionError) as refused:
        h.act("publish")
    assert refused.value.code == "wrong_phase"
    with pytest.raises(ActionError) as refused:
        h.act("respond", {"response": "confirm"}, by="amira")
    assert refused.value.code == "wrong_phase"
    with pytest.raises(ActionError) as refused:
        h.act("set_weights", {"topics": 11})
    assert refused.value.code == "invalid_weight"


def test_weights_change_the_next_run():
    h = registered()
    h.act("set_weights", {"offer_need": 0, "topics": 0, "bridging": 0, "distance": 0,
                          "language_required": False, "forbid_same_organisation": False})
    assert h.state["weights"] == {"offer_need": 0, "topics": 0, "bridging": 0, "distance": 0}
    assert h.state["rules"]["language_required"] is False
    assert [w["value"] for w in h.view("facilitator")["weights"]] == [0, 0, 0, 0]


def test_earlier_pairs_from_the_form_are_not_twinned_again():
    h = registered(earlier_pairs="Verein A; Jobcenter\nClub C; VHS")
    h.act("run_matching")
    names = pairs_by_name(h, h.state["draft"]["pairs"])
    assert frozenset({"Verein A", "Jobcenter"}) not in names
    assert frozenset({"Club C", "VHS"}) not in names


def test_projector_counts_by_type_then_shows_pairs():
    h = registered()
    view = h.view("projector")
    assert view["count"] == 4 and sum(t["count"] for t in view["by_type"]) == 4
    assert view["pairs"] == []
    h.act("run_matching")
    h.act("publish")
    assert {frozenset(p["names"]) for p in h.view("projector")["pairs"]} == {
        frozenset({"Verein A", "Jobcenter"}), frozenset({"Club C", "VHS"})}


def test_demo_config_makes_a_valid_session():
    h = MethodHarness(METHOD, METHOD.demo_config())
    assert len(h.state["pending_import"]["rows"]) == 4
    assert h.state["pending_import"]["errors"] == []


# -- templates: every phase renders for every role (newstyle i18n catches a stray %) --------------

TEMPLATES = Path(METHOD.root_dir()) / "templates"


def render(role: str, view: dict) -> str:
    """Render a role's template with Jinja's newstyle i18n and strict undefined names."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)
    return env.get_template(f"twinning/{role}.html").render(
        view=view, role=role, session={"id": "s1", "title": "Twinning", "method": "twinning"},
        workshop={"id": "w1", "title": "Integration", "language": "en", "privacy": "named"})


def _stages():
    h = registered()
    h.act("import_csv", {"text": "Group name;Town\nBroken;\n"})
    yield "registration", h
    h.act("discard_import")
    h.act("run_matching")
    yield "review", h
    h.act("publish")
    h.act("respond", {"response": "confirm"}, by="amira")
    h.act("respond", {"response": "decline"}, by="lena")
    yield "publish", h
    h.act("respond", {"response": "confirm"}, by="jonas")
    h.act("start_planning")
    h.act("plan", plan_payload(h), by="amira")
    yield "planning", h


def test_templates_render_in_every_phase():
    for phase, h in _stages():
        assert h.state["phase"] == phase
        for who in ("facilitator", "projector", "amira", "lena"):
            role = who if who in ("facilitator", "projector") else "participant"
            html = render(role, h.view(who))
            assert "<section" in html, (phase, who)
            if phase == "review" and who == "facilitator":
                assert "Total score" in html and "Swap" in html
            if phase == "planning" and who == "amira":
                assert "Language café at the job centre" in html or 'data-action="plan"' in html


def test_pairs_twinned_in_an_earlier_workshop_on_this_server_are_not_twinned_again():
    first = matched()
    first.act("publish")
    for who in PEOPLE:
        first.act("respond", {"response": "confirm"}, by=who)
    # A later round: another workshop on the same server, the same groups register again.
    later = MethodHarness(METHOD, {"topics": TOPICS}, participants=PEOPLE, core=first.core)
    for who, data in GROUPS:
        later.act("register", data, by=who)
    later.act("run_matching")
    names = pairs_by_name(later, later.state["draft"]["pairs"])
    assert frozenset({"Verein A", "Jobcenter"}) not in names
    assert frozenset({"Club C", "VHS"}) not in names
    assert len(names) == 2


@pytest.mark.parametrize("falsy", [False, 0, [], {}])
def test_values_of_the_wrong_type_are_refused_not_taken_for_empty(falsy):
    h = registered()
    before = len(h.state["groups"])
    with pytest.raises(ActionError):
        h.act("save_group", {**profile("Neu"), "group": falsy})
    if falsy != []:  # an empty list of exclusions is a valid one
        with pytest.raises(ActionError):
            h.act("register", {**GROUPS[0][1], "excludes": falsy}, by="amira")
    with pytest.raises(ActionError):
        h.act("import_csv", {"text": falsy})
    assert len(h.state["groups"]) == before


def test_blocking_pairs_and_the_stable_alternative():
    """A and C share three topics but the optimum twins them with B and D (two each):
    A and C would both rather be together; the stable alternative twins them."""
    topics = [f"T{i}" for i in range(1, 8)]
    chosen = {"A": [1, 2, 5, 6, 7], "B": [1, 2], "C": [3, 4, 5, 6, 7], "D": [3, 4]}
    h = MethodHarness(METHOD, {"topics": "\n".join(topics), "weight_offer_need": 0,
                               "weight_bridging": 0, "weight_distance": 0, "weight_topics": 1},
                      participants=list("abcd"))
    for name, numbers in chosen.items():
        h.act("register", {**profile(name), "topic:Education": False,
                           **{f"topic:T{n}": True for n in numbers}}, by=name.lower())
    h.act("run_matching")
    assert pairs_by_name(h, h.state["draft"]["pairs"]) == {frozenset("AB"), frozenset("CD")}
    draft = h.view("facilitator")["draft"]
    assert [set(b["names"]) for b in draft["blocking"]] == [{"A", "C"}]
    assert draft["stable"]["delta"] < 0  # stability costs total score
    assert "Not stable" in h.minutes()
    h.act("use_stable")
    assert pairs_by_name(h, h.state["draft"]["pairs"]) == {frozenset("AC"), frozenset("BD")}
    assert h.view("facilitator")["draft"]["chosen"] == "stable"
    with pytest.raises(ActionError) as refused:
        h.act("use_stable")
    assert refused.value.code == "no_stable"
    h.act("publish")
    assert "Stable: no two groups" in h.minutes()
