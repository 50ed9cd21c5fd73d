"""The request space's parts: conditions over axes fold as the condition tree does, and every
yes/no or enum fact of a request is told in words and realised from the fact table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from casebycase import load_pack, parse_request
from casebycase.policy.condition import Op, read
from casebycase.policy.facts import TABLE, Fact
from casebycase.policy.facts import Axis as Split
from casebycase.policy.space import Side, Space
from casebycase.policy.space.cond import (
    And,
    Atom,
    Not,
    Or,
    all_of,
    any_of,
    negate,
    refs,
    restrict,
    set_op,
)

PACK = """pack: one
version: "1"
title: One rule
agency: {{name: Test sheriff, type: sheriff, state: MO, runs_jail: true}}
sources:
  - {{id: o, layer: agency, authority: policy, citation: Order, title: O, effective: 2020-01-01}}
rules:
  - id: one.rule
    says: One fact decides.
    when: {{kind: detainer, {name}: {value}}}
    outcome: comply
    because: [{{source: o}}]
default: {{id: one.default, outcome: refer}}
"""


def test_conditions_fold_and_restrict() -> None:
    x, y = Atom("x", frozenset({1})), Atom("y", frozenset({True}))
    c = all_of([x, True, any_of([y, negate(x), False])])
    assert c == And((x, Or((y, Not(x)))))
    found: set[str] = set()
    refs(c, found)
    assert found == {"x", "y"}
    assert restrict(c, "x", 1) == y
    assert restrict(c, "x", 2) is False
    assert restrict(c, "y", True) == x
    assert (all_of([]), any_of([]), negate(True)) == (True, False, False)


def test_set_operators() -> None:
    a, b = Atom("a", frozenset({True})), Atom("b", frozenset({True}))
    assert set_op(Op.HAS_ALL, [a, b]) == And((a, b))
    assert set_op(Op.HAS_ANY, [a, b]) == Or((a, b))
    assert set_op(Op.HAS_NONE, [a, b]) == Not(Or((a, b)))
    assert set_op(Op.HAS_NONE, []) is True
    with pytest.raises(ValueError, match="does not apply to a set"):
        set_op(Op.IN, [a])


def _cells(tmp_path: Path, fact: Fact, value: str) -> list[tuple[bool, str, object]]:
    """(rule fired, region in words, the fact in the cell's request) for each detainer cell
    of a pack whose one rule reads ``fact``."""
    (tmp_path / "pack.yaml").write_text(PACK.format(name=fact.name, value=value), encoding="utf-8")
    pack = load_pack(tmp_path)
    space = Space([Side(pack, dt.date(2024, 1, 1))])
    ks = space.space("detainer")
    out = []
    for cell in space.cells():
        if cell.kind == "detainer":
            request = parse_request(cell.request)
            have = read(fact.name, request.facts, request.timestamp, pack.pack.profile)
            out.append((cell.masks[0] == 1, ks.clauses(cell.code), have))
    return out


@pytest.mark.parametrize("fact", [f for f in TABLE if f.axis is Split.FLAG], ids=lambda f: f.name)
def test_every_yes_no_fact_is_told_and_realised(fact: Fact, tmp_path: Path) -> None:
    cells = _cells(tmp_path, fact, "true")
    assert sorted(fired for fired, _, _ in cells) == [False, True]
    for fired, words, have in cells:
        assert fact.words[fired] in words
        assert have is fired


@pytest.mark.parametrize("fact", [f for f in TABLE if f.axis is Split.ENUM], ids=lambda f: f.name)
def test_every_enum_fact_is_told_and_realised(fact: Fact, tmp_path: Path) -> None:
    chosen = next(c for c in fact.choices if c != fact.default)
    cells = _cells(tmp_path, fact, chosen)
    assert sorted(fired for fired, _, _ in cells) == [False, True]
    shown = "none given" if chosen == "none" else chosen
    for fired, words, have in cells:
        assert words == fact.words[not fired].format(shown)
        assert (have == chosen) is fired
