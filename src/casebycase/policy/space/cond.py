"""Conditions over the axes of one request kind: atoms ("axis takes one of these values")
joined by and, or and not.

Conditions are only ever built with :func:`all_of`, :func:`any_of` and :func:`negate`, which
fold constants with the condition tree's :func:`~casebycase.policy.condition.conj`,
:func:`~casebycase.policy.condition.disj` and :func:`~casebycase.policy.condition.neg`: a
condition is ``True``, ``False`` or a :data:`Cond` with no constant inside.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, assert_never

from casebycase.policy.condition import Op, conj, disj, neg


@dataclass(frozen=True, slots=True)
class Atom:
    """Axis ``axis`` takes one of ``values`` (some, not all, of the axis's values)."""

    axis: str
    values: frozenset[Any]


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Cond


Cond = Atom | And | Or | Not
Folded = Cond | bool
"""A condition, or a constant once folded."""


def _and(items: list[Cond]) -> Cond:
    return And(tuple(items))


def _or(items: list[Cond]) -> Cond:
    return Or(tuple(items))


def _not(item: Cond) -> Cond:
    return Not(item)


# conj, disj and neg at Cond (a union mypy would not infer their type variable from)
_conj: Callable[[Iterable[Folded], Callable[[list[Cond]], Cond]], Folded] = conj
_disj: Callable[[Iterable[Folded], Callable[[list[Cond]], Cond]], Folded] = disj
_neg: Callable[[Folded, Callable[[Cond], Cond]], Folded] = neg


def all_of(parts: Iterable[Folded]) -> Folded:
    return _conj(parts, _and)


def any_of(parts: Iterable[Folded]) -> Folded:
    return _disj(parts, _or)


def negate(part: Folded) -> Folded:
    return _neg(part, _not)


def set_op(op: Op, items: list[Folded]) -> Folded:
    """A set operator over ``items``, each whether one element of the operand is present."""
    match op:
        case Op.HAS_ALL:
            return all_of(items)
        case Op.HAS_ANY:
            return any_of(items)
        case Op.HAS_NONE:
            return negate(any_of(items))
        case (
            Op.IS
            | Op.IN
            | Op.NOT_IN
            | Op.PRESENT
            | Op.AT_LEAST
            | Op.AT_MOST
            | Op.MORE_THAN
            | Op.LESS_THAN
        ):
            raise ValueError(f"'{op}' does not apply to a set")
        case _:
            assert_never(op)


def restrict(c: Folded, name: str, value: Any) -> Folded:
    """The condition once axis ``name`` takes ``value``."""
    match c:
        case Atom():
            return value in c.values if c.axis == name else c
        case And():
            return all_of([restrict(x, name, value) for x in c.items])
        case Or():
            return any_of([restrict(x, name, value) for x in c.items])
        case Not():
            return negate(restrict(c.item, name, value))
        case bool():
            return c
        case _:
            assert_never(c)


def refs(c: Folded, found: set[str]) -> None:
    """Add the axes ``c`` reads to ``found``."""
    match c:
        case Atom():
            found.add(c.axis)
        case And() | Or():
            for x in c.items:
                refs(x, found)
        case Not():
            refs(c.item, found)
        case bool():
            return
        case _:
            assert_never(c)
