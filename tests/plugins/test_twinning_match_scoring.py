"""Twinning pair scores, their factors, and the explanations in English and German."""

from __future__ import annotations

import random

import pytest
from facilitator_plugins.twinning import explain, scoring, textmatch
from facilitator_plugins.twinning.matching import match
from facilitator_plugins.twinning.scoring import DEFAULT_WEIGHTS, Scorer, benefit, score_pair

from facilitator.i18n import force_locale
from tests.plugins.test_twinning_matching import random_pool

VEREIN = {"id": "a", "name": "Verein A", "org_type": "mso", "organisation": "", "town": "Kassel",
          "topics": ["Education", "Sport"], "topics_other": "",
          "offers": ["German conversation groups", "Übersetzungen"], "needs": ["Räume für Treffen"],
          "languages": ["Arabic", "Deutsch"], "contact": "", "excludes": []}
JOBCENTER = {"id": "b", "name": "the Jobcenter", "org_type": "employment", "organisation": "",
             "town": "Kassel", "topics": ["education"], "topics_other": "",
             "offers": ["Meeting rooms", "Raum für Treffen am Abend"],
             "needs": ["Conversation practice in German", "job coaching"],
             "languages": ["arabisch", "German"], "contact": "", "excludes": []}


def factor(score, kind, giver=None):
    found = [f for f in score.factors if f.kind == kind and (giver is None or f.giver == giver)]
    assert len(found) <= 1
    return found[0] if found else None


def test_text_normalisation_folds_umlauts_stems_and_drops_stop_words():
    assert textmatch.content_words("Übersetzungen für Familien") == \
        textmatch.content_words("uebersetzung fuer familie")
    assert textmatch.content_words("German conversation groups") == {"german", "conversat"}
    assert textmatch.content_words("Translations") == textmatch.content_words("translating")
    assert textmatch.content_words("we need help with the") == frozenset()


def test_items_match_only_when_most_of_the_shorter_one_is_shared():
    offers = textmatch.Vocabulary()
    offer = offers.items(["German lessons for refugees"])
    assert textmatch.covered_needs(offer, offers.items(["German conversation practice"])) == (0.0, ())
    assert textmatch.covered_needs(offer, offers.items(["lessons in German"])) == \
        (1.0, ("German lessons for refugees",))
    # two of three words of the shorter item: a match worth 2/3
    covered, _items = textmatch.covered_needs(offer, offers.items(["German lessons online"]))
    assert covered == pytest.approx(2 / 3)


def test_each_factor_of_a_pair():
    score = score_pair(VEREIN, JOBCENTER, DEFAULT_WEIGHTS)
    gives = factor(score, "offer_need", "a")
    assert gives.taker == "b" and gives.items == ("German conversation groups",)
    assert gives.points == pytest.approx(3.0)  # conversation + German: all words of the offer
    takes = factor(score, "offer_need", "b")
    # "Räume für Treffen" meets "Raum für Treffen am Abend" (umlaut plural), not "Meeting rooms"
    assert takes.items == ("Raum für Treffen am Abend",)
    assert takes.points == pytest.approx(3.0)
    topics = factor(score, "topics")
    assert topics.items == ("Education",) and topics.points == 1.0
    bridging = factor(score, "bridging")
    assert bridging.items == ("mso", "employment")
    assert bridging.points == pytest.approx(2.0 * scoring.bridging_value("mso", "employment")) == 2.0
    assert factor(score, "language").items == ("Arabic", "Deutsch")
    assert factor(score, "language").points == 0.0
    assert factor(score, "distance") is None
    assert score.total == pytest.approx(sum(f.points for f in score.factors)) == pytest.approx(9.0)


def test_weights_scale_their_factor_and_zero_switches_it_off():
    weights = {**DEFAULT_WEIGHTS, "offer_need": 1.0, "bridging": 0.0, "language": 0.5}
    score = score_pair(VEREIN, JOBCENTER, weights)
    assert factor(score, "offer_need", "a").points == pytest.approx(1.0)
    assert factor(score, "bridging") is None
    assert factor(score, "language").points == pytest.approx(1.0)
    assert score.total == pytest.approx(1.0 + 1.0 + 1.0 + 1.0)


def test_distance_penalty_flat_or_from_the_table():
    far = {**JOBCENTER, "town": "Fulda"}
    flat = factor(score_pair(VEREIN, far, DEFAULT_WEIGHTS), "distance")
    assert flat.points == -1.0 * scoring.FLAT_TOWN_PENALTY and flat.items == ("Kassel", "Fulda")
    table = {("Fulda", "Kassel"): 50.0}
    known = factor(score_pair(VEREIN, far, {**DEFAULT_WEIGHTS, "distance": 2.0}, table), "distance")
    assert known.points == pytest.approx(-2.0 * 50 / scoring.DISTANCE_UNIT_KM)
    assert factor(score_pair(VEREIN, far, {**DEFAULT_WEIGHTS, "distance": 0}, table), "distance") is None
    assert factor(score_pair(VEREIN, {**far, "town": " kassel"}, DEFAULT_WEIGHTS), "distance") is None


def test_bridging_table():
    assert scoring.bridging_value("mso", "mso") == 0.0
    assert scoring.bridging_value("municipality", "mso") == scoring.bridging_value("mso", "municipality") == 1.0
    assert scoring.bridging_value("district", "municipality") < scoring.bridging_value("welfare", "mso")
    assert scoring.bridging_value("other", "mso") == scoring.BRIDGING_OTHER


def test_benefit_is_directional():
    verein_gains = benefit(VEREIN, JOBCENTER, DEFAULT_WEIGHTS)
    score = score_pair(VEREIN, JOBCENTER, DEFAULT_WEIGHTS)
    assert verein_gains == pytest.approx(score.total - factor(score, "offer_need", "a").points)
    lonely = {**JOBCENTER, "needs": []}
    assert benefit(VEREIN, lonely, DEFAULT_WEIGHTS) == pytest.approx(verein_gains)
    assert benefit(lonely, VEREIN, DEFAULT_WEIGHTS) < benefit(JOBCENTER, VEREIN, DEFAULT_WEIGHTS)


def test_the_prepared_scorer_gives_the_same_numbers_as_score_pair():
    groups = random_pool(random.Random(3), 12)
    scorer = Scorer(groups, DEFAULT_WEIGHTS)
    for a in groups:
        for b in groups:
            if a is not b:
                assert scorer.score(a["id"], b["id"]) == score_pair(a, b, DEFAULT_WEIGHTS)
                assert scorer.total(a["id"], b["id"]) == score_pair(a, b, DEFAULT_WEIGHTS).total
                assert scorer.benefit(a["id"], b["id"]) == benefit(a, b, DEFAULT_WEIGHTS)


def test_why_in_english():
    score = score_pair(VEREIN, JOBCENTER, {**DEFAULT_WEIGHTS, "bridging": 0.5})
    by_id = {"a": VEREIN, "b": JOBCENTER}
    assert explain.why(score, by_id) == [
        "Verein A offers German conversation groups that the Jobcenter asks for",
        "the Jobcenter offers Raum für Treffen am Abend that Verein A asks for",
        "both work on Education",
    ]
    assert explain.why(score, by_id, limit=5)[3:] == [
        ("they bring together two kinds of organisation: Migrant organisation (MSO) and "
        "Employer or job centre"),
        "both speak Arabic and Deutsch",
    ]
    nothing = score_pair({**VEREIN, "offers": [], "needs": [], "topics": [], "languages": []},
                         {**JOBCENTER, "org_type": "mso"}, DEFAULT_WEIGHTS)
    assert explain.why(nothing, by_id) == ["nothing in their profiles links them; they complete the matching"]


def test_why_in_german(app):
    score = score_pair(VEREIN, JOBCENTER, {**DEFAULT_WEIGHTS, "offer_need": 0.1})
    by_id = {"a": VEREIN, "b": JOBCENTER}
    with app.app_context(), force_locale("de"):
        texts = explain.why(score, by_id, limit=5)
        assert texts[0] == ("sie verbinden zwei Arten von Organisationen: "
                            "Migrantenselbstorganisation (MSO) und Arbeitgeber oder Jobcenter")
        assert texts[1] == "beide arbeiten zum Thema Education"
        assert texts[2] == "Verein A bietet German conversation groups, was the Jobcenter sucht"
        assert texts[3] == "the Jobcenter bietet Raum für Treffen am Abend, was Verein A sucht"
        assert texts[4] == "beide sprechen Arabic und Deutsch"
        assert explain.why(score_pair(VEREIN, {**JOBCENTER, "topics": ["Education", "Sport"]},
                                      DEFAULT_WEIGHTS), by_id)[2] == \
            "beide arbeiten zu den Themen Education und Sport"


def test_alternatives_and_what_a_swap_costs():
    groups = random_pool(random.Random(11), 8)
    for group in groups:
        group["excludes"] = []
    result = match(groups, DEFAULT_WEIGHTS, {})
    by_id = {g["id"]: g for g in groups}

    def s(x, y):
        return score_pair(by_id[x], by_id[y], DEFAULT_WEIGHTS).total

    every = explain.all_alternatives(result, groups, DEFAULT_WEIGHTS, {}, k=3)
    for gid in by_id:
        found = explain.alternatives(result, gid, groups, DEFAULT_WEIGHTS, {}, k=3)
        assert found == every[gid]
        assert len(found) == 3
        twin = result.twin_of(gid)[0]
        assert all(o["partner"] not in (gid, twin) for o in found)
        assert [o["score"] for o in found] == sorted((o["score"] for o in found), reverse=True)
        for option in found:
            h, u = option["partner"], option["swap_with"]
            assert u == result.twin_of(h)[0]
            assert option["delta_total"] == pytest.approx(s(gid, h) + s(twin, u) - s(gid, twin) - s(h, u))
            # the swap is never better than the optimum
            assert option["delta_total"] <= 1e-3
    locked = match(groups, DEFAULT_WEIGHTS, {"locks": [result.pairs[0]]})
    assert explain.alternatives(locked, result.pairs[0][0], groups, DEFAULT_WEIGHTS,
                                {"locks": [result.pairs[0]]}) == []


def test_rule_and_unmatched_sentences_in_german(app):
    from facilitator_plugins.twinning.matching import describe_rule, describe_unmatched

    lonely = {**JOBCENTER, "id": "c", "name": "Chor C", "languages": ["Tigrinya"]}
    groups = [VEREIN, JOBCENTER, lonely]
    rules = {"language_required": True}
    result = match(groups, DEFAULT_WEIGHTS, rules)
    assert result.unmatched == {"c": "no_possible_partner"}
    with app.app_context(), force_locale("de"):
        assert describe_rule("excluded", VEREIN, {**JOBCENTER, "excludes": ["a"]}) == \
            "the Jobcenter möchte kein Tandem mit Verein A bilden."
        assert describe_unmatched(result, "c", groups, rules) == \
            "Chor C kann mit keiner Gruppe ein Tandem bilden: keine gemeinsame Sprache (2)."
    assert describe_unmatched(result, "c", groups, rules) == \
        "Chor C cannot be twinned with any group: no language in common (2)."
