"""Shared hypothesis strategies and settings for the fuzz tests, and the input counter.

Values mix what the protocol expects with what it must survive: wrong types,
missing and extra fields, huge strings (up to ~100 KB), deeply nested values
(depth 50+), invalid Unicode (lone surrogates), unknown ids, booleans where
numbers belong, floats (NaN, infinities) and negative numbers.

Everything is deterministic: ``FUZZ`` derandomizes hypothesis and keeps no
example database, so CI sees the same inputs on every run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facilitator_plugins.dotvoting.method import DotVotingMethod
from facilitator_plugins.fishbowl.method import FishbowlMethod
from facilitator_plugins.roundtable.method import RoundTable
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

#: Every action of the fuzzed bundled methods, by method.
ACTIONS = {cls.slug: sorted(cls.actions) for cls in (DotVotingMethod, FishbowlMethod, RoundTable)}
#: The fuzzed methods (their codes are in :data:`CODES` under their slug).
METHODS = tuple(ACTIONS)
PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"

#: Inputs sent to the server, per test (read by ``conftest.py`` and ``test_zz_total.py``).
INPUTS: Counter[str] = Counter()
#: (event or action name, "ok" or the refusal code) -> how often: what the fuzzing reached.
OUTCOMES: Counter[tuple[str, str]] = Counter()


def count(kind: str, n: int = 1) -> None:
    """Note ``n`` generated inputs sent by the test ``kind``."""
    INPUTS[kind] += n


def fuzz_settings(max_examples: int) -> settings:
    """Hypothesis settings for a fuzz test: reproducible, bounded, no database."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.data_too_large, HealthCheck.large_base_example,
                               HealthCheck.filter_too_much],
    )


# -- the error codes docs/protocol.md documents ----------------------------------------

def _section(text: str, number: int) -> str:
    match = re.search(rf"^## {number}\. .*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"docs/protocol.md has no section {number}"
    return match.group(0)


def _titled_section(text: str, slug: str) -> str:
    """The unnumbered section of a method, titled ``## <Name> (`<slug>`)``."""
    match = re.search(rf"^## [^\n]*\(`{slug}`\)\n.*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"docs/protocol.md has no section on `{slug}`"
    return match.group(0)


def _first_column_codes(section: str) -> set[str]:
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE))


def _refusal_codes(section: str) -> set[str]:
    """The codes in the last column ("refusals") of a method's action table."""
    actions = re.search(r"^### Actions$.*?(?=^### |\Z)", section, re.MULTILINE | re.DOTALL)
    assert actions, "a method section without its table of actions"
    codes: set[str] = set()
    for line in actions.group(0).replace("\\|", "/").splitlines():
        if re.match(r"^\| `[a-z_]+` \|", line):
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            refusals = re.sub(r"(`[a-z_]+`)\s*\([^)]*\)", r"\1", cells[-1])  # drop remarks
            codes |= set(re.findall(r"`([a-z_]+)`", refusals))
    return codes


def _api_codes(section: str) -> set[str]:
    """The codes of the set-up API (§13): ``<status> code`` in the table, and the list of errors."""
    errors = re.search(r"^\* Errors:.*?(?=^\* |^```|\Z)", section, re.MULTILINE | re.DOTALL)
    assert errors, "the set-up API section lists no errors"
    return set(re.findall(r"`(?:\d{3} )?([a-z_]+)`", errors.group(0))) | set(
        re.findall(r"`\d{3} ([a-z_]+)`", section)) | set(re.findall(r"\d{3} `([a-z_]+)`", section))  - {"fields"}


def documented_codes() -> dict[str, set[str]]:
    """``core`` (§8), ``http`` (§3), ``api`` (§13), ``dotvoting`` (§10), ``fishbowl`` (§11) and
    ``roundtable`` ("Round table") error codes."""
    text = PROTOCOL.read_text(encoding="utf-8")
    core = _first_column_codes(_section(text, 8))
    http = set(re.findall(r'"code": "([a-z_]+)"', _section(text, 3)))
    return {"core": core, "http": http, "api": _api_codes(_section(text, 13)),
            "dotvoting": _refusal_codes(_section(text, 10)),
            "fishbowl": _refusal_codes(_section(text, 11)),
            "roundtable": _refusal_codes(_titled_section(text, "roundtable"))}


def event_roles() -> dict[str, set[str]]:
    """The client events of §6 and the roles that may send them."""
    rows = re.findall(r"^\| `([a-z.]+)` \| ([a-z, ]+) \|", _section(PROTOCOL.read_text("utf-8"), 6), re.MULTILINE)
    return {name: {role.strip() for role in roles.split(",")} for name, roles in rows}


CODES = documented_codes()
EVENT_ROLES = event_roles()


# -- values ----------------------------------------------------------------------------

LONE_SURROGATES = ("\ud800", "\udfff", "a\ud83d", "\udc00b", "ok\ud800ok")
TRICKY_TEXT = ("", " ", "\n", "\t \n", "\x00", "\u200b", "\ufeff", "𝕏", "Ä" * 61, "x" * 121,
               "<script>alert(1)</script>", "{{ 7*7 }}", "%(field)s", "../../etc/passwd",
               "null", "NaN", "0", "-1", "true", "1e309", "'; DROP TABLE x; --")


def _nest(depth: int, leaf: object, as_dict: bool) -> object:
    value = leaf
    for _ in range(depth):
        value = {"a": value} if as_dict else [value]
    return value


def _huge(seed: str, length: int) -> str:
    return ((seed or "x") * (length // max(len(seed), 1) + 1))[:length]


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, each drawn with the given relative weight."""
    pool = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(pool) - 1).flatmap(lambda index: pool[index])


@dataclass(frozen=True)
class Ref:
    """An id of the room picked when the input is sent (``kind``: which ids; ``index``
    picks one, ``mangle``: ``""`` as is, ``"upper"``, ``"space"`` appended).

    Strategies never look at the room: what hypothesis draws does not depend on the
    state, so replaying an example draws the same choices.
    """

    kind: str
    index: int
    mangle: str = ""

    def resolve(self, known: list[str]) -> str:
        if not known:
            return f"{self.kind[:1]}999"
        value = known[self.index % len(known)]
        return {"": value, "upper": value.upper(), "space": value + " "}[self.mangle]


def resolve(value: Any, known: Callable[[str], list[str]]) -> Any:
    """``value`` with every :class:`Ref` inside replaced by an id from ``known(kind)``."""
    if isinstance(value, Ref):
        return value.resolve(known(value.kind))
    if isinstance(value, dict):
        return {key: resolve(item, known) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(resolve(item, known) for item in value)
    return value


surrogate_text = st.builds(lambda a, s, b: a + s + b, st.text(max_size=5),
                           st.sampled_from(LONE_SURROGATES), st.text(max_size=5))
#: Strings up to ~100 KB, built by repetition (cheap to generate).
huge_text = st.builds(_huge, st.text(min_size=1, max_size=3), st.integers(500, 100_000))
words = st.text(st.characters(categories=["L", "N", "Zs", "P"]), min_size=1, max_size=40)
text_values = weighted((6, words), (1, st.text(max_size=30)), (2, st.sampled_from(TRICKY_TEXT)),
                       (1, surrogate_text), (1, huge_text))
numbers = st.one_of(
    st.integers(-3, 25), st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**31, 2**63, -(2**63), 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 0.5, -0.0, 1.0, 3.0]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, text_values)
#: Lists and objects 50-120 levels deep.
deep_values = st.builds(_nest, st.integers(50, 120), scalars, st.booleans())
#: Values of the wrong type that Python takes for "empty" (``x or default`` hides them).
falsy = st.sampled_from([False, 0, 0.0, [], {}, True, 1])
junk = weighted(
    (3, scalars),
    (1, falsy),
    (2, st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)),
    (1, deep_values),
)


def maybe(valid: st.SearchStrategy, weight: int = 3) -> st.SearchStrategy:
    """Mostly ``valid``, sometimes anything."""
    return weighted((weight, valid), (1, junk))


def ids(kind: str) -> st.SearchStrategy:
    """Ids of ``kind`` the room knows (as :class:`Ref`), near misses and unknown ones."""
    prefix = kind[:1]
    known = st.builds(Ref, st.just(kind), st.integers(0, 63))
    mangled = st.builds(Ref, st.just(kind), st.integers(0, 63), st.sampled_from(["upper", "space"]))
    unknown = st.sampled_from([f"{prefix}999", f"{prefix}0", f"{prefix}AAAAAAAAAAAA", prefix, "",
                               " ", "null"])
    return weighted((8, known), (1, mangled), (1, unknown))


@dataclass(frozen=True)
class Shape:
    """A drawn payload before it meets its action: valid values of every field, 0-2
    mutations (``(index, "drop" | "junk", value)``: which of the action's own fields,
    picked when the action is known), extra fields, and whether it is an object at all."""

    base: dict
    mutations: list
    extra: dict
    kind: str  # "object", "null" or "junk"
    other: Any

    def build(self, names: list[str], trim: bool = False) -> Any:
        """The payload for an action with the fields ``names``."""
        if self.kind == "null":
            return None
        if self.kind == "junk":
            return self.other
        base = {k: v for k, v in self.base.items() if k in names} if trim else self.base
        payload = {**self.extra, **base}
        for index, how, value in self.mutations if names else ():
            name = names[index % len(names)]
            if how == "drop":
                payload.pop(name, None)
            else:
                payload[name] = value
        return payload


def shapes(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy[Shape]:
    """:class:`Shape` s over ``fields`` (the union of every action's fields)."""
    mutation = st.tuples(st.integers(0, 31), st.sampled_from(["drop", "junk"]), junk)
    mutations = weighted((3, st.just([])), (2, st.lists(mutation, min_size=1, max_size=2)))
    extra = weighted((4, st.just({})), (1, st.dictionaries(st.text(max_size=8), junk, max_size=2)))
    kind = weighted((12, st.just("object")), (1, st.just("null")), (1, st.just("junk")))
    return st.builds(Shape, st.fixed_dictionaries(fields), mutations, extra, kind, junk)


def payloads(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """Payload objects: the fields' own values with 0-2 fields dropped or replaced by junk,
    sometimes extra fields; now and then not an object at all (or ``null``)."""
    return shapes(fields).map(lambda shape: shape.build(sorted(fields)))


def action_ids() -> st.SearchStrategy:
    """Well-formed action ids, mostly fresh, and malformed ones."""
    good = st.from_regex(r"\A[A-Za-z0-9_.:-]{1,64}\Z")
    bad = st.sampled_from(["", "x" * 65, "with space", "ä", "a/b", "\ud800"])
    return weighted((6, good), (1, bad), (1, junk))


def action_names(declared: list[str]) -> st.SearchStrategy:
    """Declared action names, names of the other method, malformed and unknown ones."""
    malformed = st.sampled_from(["", "A", "1x", "x" * 41, "add option", "set-dots", "__init__",
                                 "apply", "view", "minutes", "initial_state", "participant_removed",
                                 "then", "Set_dots"])
    return weighted((16, st.sampled_from(declared)), (1, malformed),
                    (1, st.from_regex(r"\A[a-z]{1,8}\Z")), (1, junk))


def dates() -> st.SearchStrategy:
    """ISO dates, empty, and near misses."""
    return st.one_of(st.dates().map(lambda d: d.isoformat()),
                     st.sampled_from(["", "2026-02-30", "2026-13-01", "31.03.2026", "2026-3-1",
                                      "20260331", "9999-12-31", "0000-01-01"]))
