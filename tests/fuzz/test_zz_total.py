"""Runs last in tests/fuzz: the fuzz tests together sent at least 10,000 generated inputs.

Skipped when only some of them ran (``-k``, a single file).
"""

from __future__ import annotations

import pytest
from strategies import INPUTS

#: The fuzz tests and the counter each one adds to.
KINDS = {"events", "dotvoting", "fishbowl", "roundtable", "http", "retries", "twinning"}
MINIMUM = 10_000


def test_the_fuzz_tests_sent_enough_inputs():
    if set(INPUTS) != KINDS:
        pytest.skip(f"only {sorted(INPUTS)} of the fuzz tests ran")
    total = sum(INPUTS.values())
    assert total >= MINIMUM, f"only {total} generated inputs: {dict(INPUTS)}"
