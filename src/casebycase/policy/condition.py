"""The condition tree of a rule's ``when:``, its operators, and what they mean.

:func:`compare` is the one definition of every operator; :func:`holds` interprets a tree
(for traces and ``explain``). The generated code (``policy/emit.py``), the columnar engine
(``replay/columnar.py``) and the request-space enumeration (``policy/space/``) each dispatch
on :class:`Op` with ``match`` and ``assert_never``, so adding an operator fails type checking
until every backend handles it; the conformance test checks they agree with :func:`compare`.
:func:`conj`, :func:`disj` and :func:`neg` are the one constant-folding and/or/not every
backend builds its output with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar, assert_never

from casebycase.policy.facts import FACTS, OFFENSE_INDEX, Facts


class Op(StrEnum):
    """A comparison of one fact with a condition's operand."""

    IS = "is"
    """A yes/no fact is the operand (true or false)."""
    IN = "in"
    """An enum fact is one of the operand's values."""
    NOT_IN = "not_in"
    HAS_ANY = "has_any"
    """A set fact holds at least one of the operand's values."""
    HAS_ALL = "has_all"
    HAS_NONE = "has_none"
    AT_LEAST = ">="
    """A number is known and at least the operand (unknown numbers compare false)."""
    AT_MOST = "<="
    MORE_THAN = ">"
    LESS_THAN = "<"
    PRESENT = "present"
    """The number is known (operand true) or unknown (operand false)."""


NUMBER_OPS = (Op.AT_LEAST, Op.AT_MOST, Op.MORE_THAN, Op.LESS_THAN)


def compare(op: Op, value: Any, operand: Any) -> bool:
    """Whether a fact's ``value`` satisfies ``op`` with ``operand``: the one definition."""
    match op:
        case Op.IS:
            return bool(value is operand)
        case Op.IN:
            return value in operand
        case Op.NOT_IN:
            return value not in operand
        case Op.HAS_ANY:
            return not operand.isdisjoint(value)
        case Op.HAS_ALL:
            return bool(operand <= frozenset(value))
        case Op.HAS_NONE:
            return bool(operand.isdisjoint(value))
        case Op.PRESENT:
            return (value is not None) is operand
        case Op.AT_LEAST:
            return value is not None and value >= operand
        case Op.AT_MOST:
            return value is not None and value <= operand
        case Op.MORE_THAN:
            return value is not None and value > operand
        case Op.LESS_THAN:
            return value is not None and value < operand
        case _:
            assert_never(op)


@dataclass(frozen=True, slots=True)
class Test:
    """``fact op operand``; ``where`` is file:line:column of the condition."""

    field: str
    op: Op
    values: Any
    where: str = ""


@dataclass(frozen=True, slots=True)
class OffenseAttr:
    """One attribute of one offense is (``Op.IN``) or is not (``Op.NOT_IN``) in ``values``."""

    attr: str
    op: Op
    values: frozenset[str]

    def holds(self, triple: tuple[str, str | None, str | None]) -> bool:
        return compare(self.op, triple[OFFENSE_INDEX[self.attr]], self.values)


@dataclass(frozen=True, slots=True)
class OffenseTest:
    """Some single offense matches every attribute test (a missing attribute is in no set)."""

    attrs: tuple[OffenseAttr, ...]
    where: str = ""


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class NotOf:
    item: Node


Node = Test | OffenseTest | AllOf | AnyOf | NotOf
TRUE: Node = AllOf(())

# --- one constant folding for every backend ------------------------------------------------

T = TypeVar("T")


def conj(parts: Iterable[T | bool], join: Callable[[list[T]], T]) -> T | bool:
    """``and`` of parts that may be constants: False wins, True drops out."""
    kept: list[T] = []
    for p in parts:
        if p is False:
            return False
        if p is not True:
            kept.append(p)
    return True if not kept else kept[0] if len(kept) == 1 else join(kept)


def disj(parts: Iterable[T | bool], join: Callable[[list[T]], T]) -> T | bool:
    """``or`` of parts that may be constants: True wins, False drops out."""
    kept: list[T] = []
    for p in parts:
        if p is True:
            return True
        if p is not False:
            kept.append(p)
    return False if not kept else kept[0] if len(kept) == 1 else join(kept)


def neg(part: T | bool, invert: Callable[[T], T]) -> T | bool:
    """``not`` of a part that may be a constant."""
    if isinstance(part, bool):
        return not part
    return invert(part)


# --- the agency profile --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dated:
    """Something in the agency profile that holds between two instants (POSIX seconds)."""

    name: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Profile:
    """Agency facts conditions may read."""

    type: str
    runs_jail: bool
    programs: tuple[Dated, ...] = ()
    agreements: tuple[Dated, ...] = ()

    def dated(self, name: str) -> tuple[Dated, ...]:
        """The dated entries of ``agency.287g`` or ``agency.agreements``."""
        return self.programs if name == "agency.287g" else self.agreements

    def in_force(self, name: str, t: float) -> frozenset[str]:
        return frozenset(d.name for d in self.dated(name) if d.start <= t < d.end)

    def read(self, name: str, t: float) -> Any:
        """The value of an ``agency.*`` fact at time ``t``."""
        if name == "agency.type":
            return self.type
        if name == "agency.runs_jail":
            return self.runs_jail
        return self.in_force(name, t)


# --- interpretation ------------------------------------------------------------------------


def read(name: str, facts: Facts, t: float, profile: Profile) -> Any:
    """The value of one readable fact for a request (its facts) at time ``t``."""
    fact = FACTS[name]
    if fact.on_request:
        return getattr(facts, fact.attr)
    return profile.read(name, t)


def holds(node: Node, facts: Facts, t: float, profile: Profile) -> bool:
    """Whether the condition holds for a request (its facts) at time ``t``."""
    match node:
        case AllOf(items):
            return all(holds(n, facts, t, profile) for n in items)
        case AnyOf(items):
            return any(holds(n, facts, t, profile) for n in items)
        case NotOf(item):
            return not holds(item, facts, t, profile)
        case OffenseTest(attrs):
            return any(all(a.holds(o) for a in attrs) for o in facts.offenses)
        case Test(name, op, values):
            return compare(op, read(name, facts, t, profile), values)
        case _:
            assert_never(node)


# --- words ---------------------------------------------------------------------------------

_WORDS = {
    Op.IS: "is",
    Op.IN: "is one of",
    Op.NOT_IN: "is not one of",
    Op.HAS_ANY: "has any of",
    Op.HAS_ALL: "has all of",
    Op.HAS_NONE: "has none of",
    Op.AT_LEAST: "is at least",
    Op.AT_MOST: "is at most",
    Op.MORE_THAN: "is more than",
    Op.LESS_THAN: "is less than",
}
_SINGLE = {
    Op.IN: "is",
    Op.NOT_IN: "is not",
    Op.HAS_ANY: "has",
    Op.HAS_ALL: "has",
    Op.HAS_NONE: "does not have",
}


def describe(node: Node) -> str:
    """The condition in words, for `casebycase show` and explanations."""
    match node:
        case AllOf(items):
            return " and ".join(_paren(describe(n), n) for n in items) or "always"
        case AnyOf(items):
            return " or ".join(_paren(describe(n), n) for n in items)
        case NotOf(item):
            return f"not ({describe(item)})"
        case OffenseTest(attrs):
            parts = [
                f"{a.attr} {'not ' if a.op is Op.NOT_IN else ''}in {_list(a.values)}" for a in attrs
            ]
            return "some offense has " + " and ".join(parts)
        case Test(name, op, values):
            if op is Op.PRESENT:
                return f"{name} is {'known' if values else 'unknown'}"
            if isinstance(values, frozenset) and len(values) == 1:
                (only,) = values
                return f"{name} {_SINGLE[op]} {only}"
            shown = _list(values) if isinstance(values, frozenset) else str(values).lower()
            return f"{name} {_WORDS[op]} {shown}"
        case _:
            assert_never(node)


def _paren(text: str, node: Node) -> str:
    return f"({text})" if isinstance(node, AnyOf | AllOf) and len(node.items) > 1 else text


def _list(values: frozenset[str]) -> str:
    return "[" + ", ".join(sorted(values)) + "]"
