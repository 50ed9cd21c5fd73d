"""The laws of precedence (docs/policy-language.md), checked on generated sets of fired rules."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from casebycase.policy.precedence import Why, resolve

OUTCOMES = ("comply", "partial", "decline", "refer")
FEDERAL, STATE, AGREEMENT, AGENCY = range(4)


@dataclass(frozen=True)
class Rule:
    id: str
    rank: int
    outcome: str | None
    binding: bool = False
    priority: int = 0
    exception_to: tuple[str, ...] = field(default=())


@st.composite
def fired_sets(draw: st.DrawFn) -> list[Rule]:
    n = draw(st.integers(1, 7))
    ids = [f"r{i}" for i in range(n)]
    rules = []
    for rid in ids:
        outcome = draw(st.sampled_from((*OUTCOMES, None)))
        rules.append(
            Rule(
                rid,
                draw(st.integers(0, 3)),
                outcome,
                binding=outcome is not None and draw(st.booleans()),
                priority=draw(st.integers(0, 2)),
                exception_to=tuple(draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))),
            )
        )
    return rules


def _deciders(rules: list[Rule]) -> list[Rule]:
    return [r for r in rules if r.outcome is not None]


@settings(max_examples=400, deadline=None)
@given(fired_sets())
def test_a_binding_rule_of_a_higher_layer_always_wins(rules: list[Rule]) -> None:
    binding = [r for r in rules if r.binding]
    result = resolve(rules)
    if not binding:
        return
    top = min(r.rank for r in binding)
    by_id = {r.id: r for r in rules}
    if result.deciding is not None:
        assert by_id[result.deciding].rank == top
    for rid in result.conflict:
        assert by_id[rid].rank == top
    # every disagreeing rule of a less authoritative layer is reported as overridden
    overridden = {o.rule: o for o in result.overridden}
    for r in _deciders(rules):
        if r.rank > top and r.outcome != result.outcome:
            assert overridden[r.id].why is Why.BINDING


@settings(max_examples=400, deadline=None)
@given(fired_sets())
def test_an_agency_rule_never_overrides_a_state_or_federal_mandate(rules: list[Rule]) -> None:
    result = resolve(rules)
    mandates = [r for r in rules if r.binding and r.rank in (FEDERAL, STATE)]
    if mandates and result.deciding is not None:
        assert {r.id: r for r in rules}[result.deciding].rank in (FEDERAL, STATE)


@settings(max_examples=400, deadline=None)
@given(fired_sets())
def test_the_winner_stands_with_the_highest_priority_in_its_layer(rules: list[Rule]) -> None:
    result = resolve(rules)
    deciders = _deciders(rules)
    if not deciders:
        assert (result.outcome, result.deciding, result.conflict) == (None, None, ())
        return
    binding = [r.rank for r in deciders if r.binding]
    layer = min(binding) if binding else max(r.rank for r in deciders)
    contest = [r for r in deciders if r.rank == layer]
    excepted = {x for r in contest for x in r.exception_to}
    standing = [r for r in contest if r.id not in excepted] or contest
    top = max(r.priority for r in standing)
    best = [r for r in standing if r.priority == top]
    if len({r.outcome for r in best}) > 1:
        # equal standing disagreement is a conflict: refer, naming every winner
        assert result.outcome == "refer" and result.deciding is None
        assert set(result.conflict) == {r.id for r in best}
    else:
        assert result.deciding in {r.id for r in best}
        assert result.outcome == best[0].outcome and result.conflict == ()


@settings(max_examples=300, deadline=None)
@given(fired_sets(), st.randoms(use_true_random=False))
def test_file_order_never_decides(rules: list[Rule], rng: random.Random) -> None:
    shuffled = list(rules)
    rng.shuffle(shuffled)
    a, b = resolve(rules), resolve(shuffled)
    assert a.outcome == b.outcome
    assert set(a.conflict) == set(b.conflict)
    if a.deciding is not None:
        assert {r.id: r for r in rules}[a.deciding].outcome == a.outcome
    assert {(o.rule, o.why) for o in a.overridden} == {(o.rule, o.why) for o in b.overridden}


def test_an_exception_steps_aside() -> None:
    general = Rule("general", AGENCY, "decline")
    special = Rule("special", AGENCY, "comply", exception_to=("general",))
    result = resolve([general, special])
    assert (result.outcome, result.deciding) == ("comply", "special")
    assert [(o.rule, o.by, o.why) for o in result.overridden] == [
        ("general", "special", Why.EXCEPTION)
    ]


def test_equal_standing_disagreement_is_a_conflict() -> None:
    result = resolve([Rule("a", STATE, "comply"), Rule("b", STATE, "decline")])
    assert (result.outcome, result.deciding, result.conflict) == ("refer", None, ("a", "b"))
