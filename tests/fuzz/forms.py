"""The session forms the fuzz tests cycle through, and the actions that make a new session busy.

Used by :class:`kit.Room` (``add_session``, ``activate``).
"""

from __future__ import annotations

#: Session forms the fuzz tests cycle through.
FORMS = {
    "dotvoting": [
        {"question": "Wohin?", "categories": "Alt\nNeu", "results": "live"},
        {"question": "Was zuerst?", "options": "Bildung\nArbeit\nWohnen\nGesundheit",
         "skip_collect": "on", "dots_per_participant": "5", "max_per_option": "2"},
        {"question": "Eins?", "options": "Ja\nNein\nVielleicht", "skip_collect": "on",
         "dots_per_participant": "1", "max_per_option": "1", "order": "fixed"},
    ],
    "fishbowl": [
        {"topic": "Ehrenamt", "chairs": "3", "open_chairs": "1",
         "panel": "Dr. Gast; Rat; welfare", "turn_guidance_minutes": "1",
         "questions_enabled": "on"},
        {"topic": "Podium", "mode": "closed", "chairs": "3",
         "panel": "Frau A; Amt; municipality\nHerr B; Verein; association",
         "questions_enabled": "on"},
        {"topic": "Offen", "chairs": "3", "open_chairs": "2", "questions_enabled": "",
         "fairness": "first_timers_first"},
    ],
    "roundtable": [
        {"items": "Wohnen; 1; Sozialamt; list\nRunde; 2; ; round_org\nBildung; 5; ; list; fair",
         "speaking_limit": "60", "consent_by": "institution", "review_from": "none"},
        {"items": "Sprachkurse; 20; VHS; list; fair\nNeuigkeiten; 1; ; round",
         "speaking_limit": "0", "consent_by": "person", "review_from": "latest",
         "review_minutes": "1"},
        {"items": "Wohnen; 3\nBlitzlicht; 1; ; round; fair", "speaking_limit": "30",
         "review_from": "choose", "review_file": "@other-minutes"},
    ],
}
#: A form value replaced by the JSON minutes of the room's other workshop (an upload).
OTHER_MINUTES = "@other-minutes"
#: Actions that bring a new session of a form (by its index) into a busy state first:
#: (sender: "facilitator" or a phone's index, action, payload).
SETUPS = {
    "dotvoting": {1: [(0, "set_dots", {"option": "o1", "count": 2}),
                      (1, "set_dots", {"option": "o2", "count": 1}),
                      ("facilitator", "close_voting", {}), ("facilitator", "reveal", {})]},
    "fishbowl": {0: [("facilitator", "start", {}), (0, "request_chair", {}),
                     (1, "request_chair", {}), (2, "request_chair", {}),
                     (3, "request_chair", {}), (1, "post_question", {"text": "Warum?"}),
                     ("facilitator", "post_question", {"text": "Wer?"})]},
    # ids are predictable: hands, turns, proposals and checks count up one per round table
    "roundtable": {0: [("facilitator", "go_to_item", {"item": "i1"}),
                       (0, "raise_hand", {"kind": "new"}), (1, "raise_hand", {"kind": "new"}),
                       (2, "raise_hand", {"kind": "clarify"}),
                       ("facilitator", "next_speaker", {}),  # 2 (clarify) speaks: t4
                       (3, "raise_hand", {"kind": "reply"}),
                       (1, "propose", {"text": "Wir treffen uns monatlich."}),  # p6
                       ("facilitator", "start_check", {"proposal": "p6"}),  # c7
                       (0, "answer", {"check": "c7", "answer": "agree"}),
                       (3, "answer", {"check": "c7", "answer": "object", "reason": "Zu oft"})],
                   1: [("facilitator", "go_to_item", {"item": "review"}),
                       ("facilitator", "start_check", {"text": "Weiter so"})],
                   2: [("facilitator", "go_to_item", {"item": "i2"}),
                       ("facilitator", "next_speaker", {}), (0, "raise_hand", {"kind": "order"})]},
}
