"""Precedence: which of the rules that fired decides, and what was set aside and why.

docs/policy-language.md, "Precedence":

1. Rules without an outcome only add actions and risks.
2. **Who contests**: if a *binding* rule fired, the contest is held in the most authoritative
   layer with a binding rule that fired; otherwise in the most specific layer with a rule
   that fired.
3. **Who wins**: within that layer, a rule named in another fired rule's ``exception_to``
   steps aside, then the highest ``priority`` wins. Winners that disagree are a conflict:
   ``refer``.
4. **What was overridden**: rules of the contest that lost, and fired rules of less
   authoritative layers that disagree with a binding decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Why(StrEnum):
    """Why a fired rule was set aside."""

    EXCEPTION = "an exception applies"
    PRIORITY = "a rule of higher priority applies"
    BINDING = "binding higher law decides"


@dataclass(frozen=True, slots=True)
class Override:
    """A fired rule set aside, by which rule (or ``conflict``), and why."""

    rule: str
    by: str
    why: Why


class Contender(Protocol):
    """What precedence reads of a rule that fired."""

    @property
    def id(self) -> str: ...
    @property
    def rank(self) -> int: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def binding(self) -> bool: ...
    @property
    def priority(self) -> int: ...
    @property
    def exception_to(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class Resolution:
    """The result of precedence over a set of fired rules."""

    outcome: str | None
    """None when no rule with an outcome fired (the pack's default decides)."""
    deciding: str | None
    """The winning rule, or None for a conflict or the default."""
    conflict: tuple[str, ...]
    overridden: tuple[Override, ...]


def resolve(fired: Sequence[Contender]) -> Resolution:
    """Apply precedence to the rules that fired (in rule order)."""
    deciders = [r for r in fired if r.outcome is not None]
    if not deciders:
        return Resolution(None, None, (), ())
    layer, binding = contest_layer(deciders)
    contest = [r for r in deciders if r.rank == layer]
    excepted = exceptions(contest)
    best = winners(contest, excepted)
    outcomes = {r.outcome for r in best}
    if len(outcomes) == 1:
        deciding: str | None = best[0].id
        outcome = str(best[0].outcome)
        conflict: tuple[str, ...] = ()
    else:
        deciding, outcome, conflict = None, "refer", tuple(r.id for r in best)
    by = deciding or "conflict"
    overridden = [
        Override(r.id, excepted[r.id], Why.EXCEPTION)
        for r in contest
        if r.outcome != outcome and r.id in excepted
    ]
    overridden += [
        Override(r.id, by, Why.PRIORITY)
        for r in contest
        if r.outcome != outcome and r.id not in excepted and r not in best
    ]
    if binding:
        overridden += [
            Override(r.id, by, Why.BINDING)
            for r in deciders
            if r.rank > layer and r.outcome != outcome
        ]
    return Resolution(outcome, deciding, conflict, tuple(overridden))


def contest_layer(deciders: Sequence[Contender]) -> tuple[int, bool]:
    """The layer that decides, and whether a binding rule put the contest there."""
    binding = [r.rank for r in deciders if r.binding]
    if binding:
        return min(binding), True
    return max(r.rank for r in deciders), False


def exceptions(contest: Sequence[Contender]) -> dict[str, str]:
    """Rules of the contest named in another's ``exception_to``, and by which rule."""
    return {x: r.id for r in contest for x in r.exception_to}


def winners(contest: Sequence[Contender], excepted: dict[str, str]) -> list[Contender]:
    """The rules left standing with the highest priority (all of them if all stepped aside)."""
    standing = [r for r in contest if r.id not in excepted] or list(contest)
    top = max(r.priority for r in standing)
    return [r for r in standing if r.priority == top]
