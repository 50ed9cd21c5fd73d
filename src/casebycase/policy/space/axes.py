"""The axes of one request kind: each fact a rule reads, as the finite set of values that tell
requests apart, built from what the kind's rules mention (see the fact table's
:class:`~casebycase.policy.facts.Axis` for how each fact is split)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, assert_never

from casebycase.policy.condition import OffenseTest, Op, Test
from casebycase.policy.facts import FACTS, Shape
from casebycase.policy.facts import Axis as Split
from casebycase.policy.space.side import Side
from casebycase.policy.space.words import date_runs, doc_words, listing, number_runs, rank, shown

REFERENCE_DATE = dt.date(2026, 1, 1)
"""The date used when no rule, source or agreement of the pack has a date."""
PRESENT_ONLY = {"hours_until_release": 24.0}
"""The value of a number only ever tested for being known (otherwise 1)."""
DATED = {"agency.287g": "programs_287g", "agency.agreements": "agreements"}
"""The agency profile's list of dated entries behind each dated set fact."""

Pattern = tuple[tuple[str, Op, frozenset[str]], ...]
"""What one offense must match: (attribute, ``Op.IN`` or ``Op.NOT_IN``, values) each."""


class AxisShape(StrEnum):
    """What an axis's values are."""

    ENUM = "enum"
    """Values a condition names, then one value for all the others (``info``: the named)."""
    FLAG = "flag"
    """False and true."""
    DOC = "doc"
    """Whether one document is present (the axis is ``documents:<document>``)."""
    MODEL = "model"
    """Whether the agency has one 287(g) model (``agency.287g:<model>``)."""
    NUMBER = "number"
    """None (unknown), then one value per interval (``info``: thresholds, interval indices)."""
    COUNT = "count"
    """The offense count: one whole number per interval (``info`` as for a number)."""
    OFFENSE = "offense"
    """Whether some offense matches a pattern (``offense:<n>``; ``info``: its words)."""
    TIME = "time"
    """The date: one day per interval between boundaries (``info``: the boundaries)."""


@dataclass(frozen=True, slots=True)
class Axis:
    """One fact a rule reads, as the finite set of values that tell requests apart."""

    name: str
    shape: AxisShape
    values: tuple[Any, ...]
    free: Any
    info: Any = None

    def rank(self) -> int:
        return rank(self.name)

    def words(self, allowed: frozenset[Any]) -> str:
        """The constraint "this axis takes one of ``allowed``" in plain language."""
        match self.shape:
            case AxisShape.ENUM:
                mentioned = self.info
                yes, no = FACTS[self.name].words
                if all(v in mentioned for v in allowed):
                    return yes.format(listing([shown(v) for v in self.values if v in allowed]))
                return no.format(listing([shown(v) for v in mentioned if v not in allowed]))
            case AxisShape.FLAG:
                return FACTS[self.name].words[True in allowed]
            case AxisShape.DOC:
                present = True in allowed
                return doc_words(
                    {
                        True: [self.element] if present else [],
                        False: [] if present else [self.element],
                    }
                )[0]
            case AxisShape.OFFENSE:
                return f"with {'some' if True in allowed else 'no'} {self.info}"
            case AxisShape.MODEL:
                return (
                    f"{'with' if True in allowed else 'without'} a 287(g) {self.element} agreement"
                )
            case AxisShape.TIME:
                return date_runs(self.info, sorted(self.values.index(v) for v in allowed))
            case AxisShape.NUMBER | AxisShape.COUNT:
                return number_runs(self.name, self.values, self.info, allowed)
            case _:
                assert_never(self.shape)

    @property
    def element(self) -> str:
        """The document, model or offense pattern number of a per-element axis."""
        return self.name.split(":", 1)[1]


@dataclass
class Mentions:
    """What the rules of one kind mention, per kind of axis."""

    enums: dict[str, set[str]] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    docs: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)
    numbers: dict[str, set[float]] = field(default_factory=dict)
    patterns: list[Pattern] = field(default_factory=list)
    dates: set[dt.date] = field(default_factory=set)


def pattern_of(test: OffenseTest) -> Pattern:
    return tuple((a.attr, a.op, a.values) for a in test.attrs)


def patterns_of(attr: str, op: Op, values: frozenset[str]) -> list[Pattern]:
    """The offense patterns an ``offense.<attr> op values`` test is made of: one per value
    for ``has_all``, one for all values otherwise."""
    match op:
        case Op.HAS_ALL:
            return [((attr, Op.IN, frozenset([v])),) for v in values]
        case Op.HAS_ANY | Op.HAS_NONE:
            return [((attr, Op.IN, values),)]
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
            raise ValueError(f"'offense.{attr}' is a set; '{op}' does not apply")
        case _:
            assert_never(op)


def mention(m: Mentions, test: Test | OffenseTest, side: Side, dated: bool) -> None:
    """Note what one test of one side's rule tells apart."""
    if isinstance(test, OffenseTest):
        m.patterns.append(pattern_of(test))
        return
    name, values = test.field, test.values
    fact = FACTS[name]
    match fact.axis:
        case Split.KIND:
            raise ValueError("kind tests are settled per kind before axes are built")
        case Split.ENUM:
            m.enums.setdefault(name, set()).update(values)
        case Split.FLAG:
            m.flags.add(name)
        case Split.ELEMENTS:
            m.docs.update(values)
        case Split.NUMBER | Split.COUNT:
            m.numbers.setdefault(name, set()).update(_cuts(test.op, values))
        case Split.KNOWN:
            m.numbers.setdefault(fact.of, set())
        case Split.OFFENSE:
            m.patterns += patterns_of(fact.name.split(".", 1)[1], test.op, values)
        case Split.PROFILE:
            _mention_profile(m, test, side, dated)
        case _:
            assert_never(fact.axis)


def _cuts(op: Op, operand: Any) -> tuple[float, ...]:
    """The thresholds a number test splits its axis at (none for ``present``)."""
    match op:
        case Op.PRESENT:
            return ()
        case Op.AT_LEAST | Op.AT_MOST | Op.MORE_THAN | Op.LESS_THAN:
            return (float(operand),)
        case Op.IS | Op.IN | Op.NOT_IN | Op.HAS_ANY | Op.HAS_ALL | Op.HAS_NONE:
            raise ValueError(f"'{op}' does not apply to a number")
        case _:
            assert_never(op)


def _mention_profile(m: Mentions, test: Test, side: Side, dated: bool) -> None:
    """A fact of the agency profile: an axis for a layer pack without a profile, otherwise
    a constant, or dated entries whose boundaries split the date."""
    fact = FACTS[test.field]
    match fact.shape:
        case Shape.ENUM if side.any_agency:
            m.enums.setdefault(fact.name, set()).update(test.values)
        case Shape.BOOL if side.any_agency:
            m.flags.add(fact.name)
        case Shape.ENUM | Shape.BOOL:
            return
        case Shape.SET if side.any_agency:
            # one axis per named choice; an open set (agreement ids) keeps its default
            m.models.update(test.values if fact.choices else ())
        case Shape.SET:
            if dated:
                items = getattr(side.pack.pack.agency, DATED[fact.name])
                m.dates.update(d for it in items for d in (it.effective, it.expires) if d)
        case Shape.NUMBER:
            raise ValueError(f"no number fact of the agency profile: '{fact.name}'")
        case _:
            assert_never(fact.shape)


def build(m: Mentions, dated: bool) -> dict[str, Axis]:
    """The axes of the mentions (offense axes are added by the offense model)."""
    axes: list[Axis] = []
    for name, mentioned in m.enums.items():
        choices = FACTS[name].choices
        named = tuple(c for c in choices if c in mentioned)
        others = [c for c in choices if c not in mentioned]
        if name == "requester.component" and "none" in others:
            others = ["none"]  # no component given stands for the components not named
        values = named + tuple(others[:1])
        free = "none" if "none" in values else values[0]
        axes.append(Axis(name, AxisShape.ENUM, values, free, named))
    axes += [Axis(f, AxisShape.FLAG, (False, True), False) for f in sorted(m.flags)]
    axes += [
        Axis(f"documents:{d}", AxisShape.DOC, (False, True), False)
        for d in FACTS["documents"].choices
        if d in m.docs
    ]
    axes += [
        Axis(f"agency.287g:{x}", AxisShape.MODEL, (False, True), False) for x in sorted(m.models)
    ]
    for name, cuts in m.numbers.items():
        if FACTS[name].axis is Split.COUNT:
            continue
        reps, pieces = number_values(cuts, whole=False)
        if not cuts:
            reps, pieces = [PRESENT_ONLY.get(name, 1.0)], [0]
        axes.append(
            Axis(name, AxisShape.NUMBER, (None, *reps), None, (tuple(sorted(cuts)), pieces))
        )
    if dated:
        bounds = sorted(m.dates)
        days = [bounds[0] - dt.timedelta(days=1), *bounds] if bounds else [REFERENCE_DATE]
        axes.append(Axis("date", AxisShape.TIME, tuple(days), days[-1], tuple(bounds)))
    return {a.name: a for a in axes}


def number_values(cuts: set[float], whole: bool) -> tuple[list[Any], list[int]]:
    """One value per interval between thresholds (and per threshold), and its interval index.

    Intervals are numbered 0 (below the first threshold), 1 (the first threshold), 2 (between
    the first and the second)...; with ``whole``, only non-negative integers are used.
    """
    points = sorted(cuts)
    reps: list[Any] = []
    pieces: list[int] = []
    bounds = [float("-inf"), *points, float("inf")]
    for k in range(2 * len(points) + 1):
        if k % 2:
            rep: Any = points[k // 2]
            if whole and (rep < 0 or rep != int(rep)):
                continue
        else:
            lo, hi = bounds[k // 2], bounds[k // 2 + 1]
            if whole:
                rep = max(0, int(lo) + 1 if lo != float("-inf") else 0)
                if not rep < hi:
                    continue
            elif lo == float("-inf"):
                rep = hi - 1 if hi != float("inf") else 1.0
            else:
                rep = lo + 1 if hi == float("inf") else (lo + hi) / 2
        reps.append(int(rep) if whole else float(rep))
        pieces.append(k)
    return reps, pieces
