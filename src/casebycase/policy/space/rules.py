"""A rule's condition as a condition over the axes of one request kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, assert_never
from zoneinfo import ZoneInfo

from casebycase.policy.compile import as_of
from casebycase.policy.condition import (
    AllOf,
    AnyOf,
    Node,
    NotOf,
    OffenseTest,
    Test,
    compare,
    conj,
    disj,
    neg,
)
from casebycase.policy.facts import FACTS, Fact, Shape
from casebycase.policy.facts import Axis as Split
from casebycase.policy.space.axes import Axis, Pattern, pattern_of, patterns_of
from casebycase.policy.space.cond import Atom, Folded, all_of, any_of, negate, set_op
from casebycase.policy.space.offenses import Offenses
from casebycase.policy.space.side import Side


def _all(items: list[Node]) -> Node:
    return AllOf(tuple(items))


def _any(items: list[Node]) -> Node:
    return AnyOf(tuple(items))


# conj, disj and neg at Node (a union mypy would not infer their type variable from)
_conj: Callable[[Iterable[Node | bool], Callable[[list[Node]], Node]], Node | bool] = conj
_disj: Callable[[Iterable[Node | bool], Callable[[list[Node]], Node]], Node | bool] = disj
_neg: Callable[[Node | bool, Callable[[Node], Node]], Node | bool] = neg


def settle(node: Node, kind: str) -> Node | bool:
    """The condition with its ``kind`` tests settled for this kind (and simplified)."""
    match node:
        case Test("kind", op, values):
            return compare(op, kind, values)
        case Test() | OffenseTest():
            return node
        case NotOf(item):
            return _neg(settle(item, kind), NotOf)
        case AllOf(items):
            return _conj([settle(n, kind) for n in items], _all)
        case AnyOf(items):
            return _disj([settle(n, kind) for n in items], _any)
        case _:
            assert_never(node)


def tests_of(node: Node | bool) -> Iterator[Test | OffenseTest]:
    """The tests of a condition, in order."""
    match node:
        case bool():
            return
        case Test() | OffenseTest():
            yield node
        case NotOf(item):
            yield from tests_of(item)
        case AllOf(items) | AnyOf(items):
            for item in items:
                yield from tests_of(item)
        case _:
            assert_never(node)


@dataclass
class Context:
    """Turns one side's kind-settled condition into atoms over the kind's axes."""

    side: Side
    zone: ZoneInfo
    axes: dict[str, Axis]
    offenses: Offenses

    def instant(self, day: dt.date) -> float:
        return dt.datetime.combine(day, dt.time(12), self.zone).timestamp()

    def fixed_t(self) -> float:
        assert self.side.at is not None
        return as_of(self.side.at, self.side.pack)

    def window(self, start: dt.date | None, end: dt.date | None) -> Folded:
        """The rule is in force: ``start`` (inclusive) to ``end`` (exclusive)."""
        lo = self.side.pack.pack.instant(start, float("-inf"))
        hi = self.side.pack.pack.instant(end, float("inf"))
        if self.side.at is not None:
            return lo <= self.fixed_t() < hi
        return self.atom("date", lambda d: lo <= self.instant(d) < hi)

    def atom(self, name: str, test: Callable[[Any], bool]) -> Folded:
        """Axis ``name`` takes a value that passes ``test``."""
        axis = self.axes.get(name)
        if axis is None:
            raise KeyError(name)
        true = frozenset(v for v in axis.values if test(v))
        if not true:
            return False
        if len(true) == len(axis.values):
            return True
        return Atom(name, true)

    def compile(self, node: Node | bool) -> Folded:
        match node:
            case bool():
                return node
            case AllOf(items):
                return all_of([self.compile(n) for n in items])
            case AnyOf(items):
                return any_of([self.compile(n) for n in items])
            case NotOf(item):
                return negate(self.compile(item))
            case OffenseTest():
                return self.exists(pattern_of(node))
            case Test():
                return self.test(node)
            case _:
                assert_never(node)

    def exists(self, pattern: Pattern) -> Folded:
        """Some offense matches the pattern."""
        e = self.offenses.axis_of[pattern]
        return False if e is None else self.atom(f"offense:{e}", bool)

    def test(self, t: Test) -> Folded:
        fact = FACTS[t.field]
        op, values = t.op, t.values
        match fact.axis:
            case Split.KIND:
                raise ValueError("kind tests are settled per kind before they are compiled")
            case Split.ENUM | Split.FLAG | Split.NUMBER:
                return self.atom(fact.name, lambda v: compare(op, v, values))
            case Split.ELEMENTS:
                return set_op(op, [self.atom(f"{fact.name}:{x}", bool) for x in sorted(values)])
            case Split.KNOWN:
                return self.atom(fact.of, lambda v: compare(op, v is not None, values))
            case Split.OFFENSE:
                patterns = patterns_of(fact.name.split(".", 1)[1], op, values)
                return set_op(op, [self.exists(p) for p in patterns])
            case Split.COUNT:
                if fact.name not in self.axes:  # only tested for being known
                    return compare(op, fact.default, values)
                return self.atom(fact.name, lambda v: compare(op, v, values))
            case Split.PROFILE:
                return self.profile(fact, t)
            case _:
                assert_never(fact.axis)

    def profile(self, fact: Fact, t: Test) -> Folded:
        """A fact of the agency profile: an axis for a layer pack without a profile, else
        the profile's value (for a dated set: as of the date)."""
        match fact.shape:
            case Shape.ENUM | Shape.BOOL if self.side.any_agency:
                return self.atom(fact.name, lambda v: compare(t.op, v, t.values))
            case Shape.ENUM | Shape.BOOL:
                have = self.side.pack.pack.profile.read(fact.name, 0.0)
                return compare(t.op, have, t.values)
            case Shape.SET:
                return self.dated_set(fact, t)
            case Shape.NUMBER:
                raise ValueError(f"no number fact of the agency profile: '{fact.name}'")
            case _:
                assert_never(fact.shape)

    def dated_set(self, fact: Fact, t: Test) -> Folded:
        if self.side.any_agency and not fact.choices:  # open sets (agreement ids): empty
            return compare(t.op, fact.default, t.values)
        if self.side.any_agency:
            return set_op(t.op, [self.atom(f"{fact.name}:{x}", bool) for x in sorted(t.values)])
        profile = self.side.pack.pack.profile

        def holds(instant: float) -> bool:
            return compare(t.op, profile.in_force(fact.name, instant), t.values)

        if self.side.at is not None:
            return holds(self.fixed_t())
        return self.atom("date", lambda d: holds(self.instant(d)))
