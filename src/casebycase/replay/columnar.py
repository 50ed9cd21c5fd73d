"""Columnar replay: a pack compiled to Polars expressions over a frame of requests.

:func:`frame_of` lays requests out one row each, one column per fact a rule may read
(:data:`SCHEMA`). :func:`compile_columnar` turns every rule's condition tree into one boolean
Polars expression, the twin of the Python source the row compiler writes
(``policy/emit.py``): same facts (the fact table), same operators (each backend handles every
:class:`~casebycase.policy.condition.Op`), same treatment of unknown numbers and missing
offense attributes, same date windows. ``decide`` then
groups rows by the set of rules that fired, resolves each distinct set once with
:meth:`CompiledPack.decision` and joins the result back, so precedence is never
re-implemented and the columnar path agrees with :func:`casebycase.evaluate` row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, assert_never

import polars as pl

from casebycase.policy.compile import CompiledPack, as_of
from casebycase.policy.condition import (
    AllOf,
    AnyOf,
    Node,
    NotOf,
    OffenseTest,
    Op,
    Profile,
    Test,
    compare,
    conj,
    disj,
    neg,
)
from casebycase.policy.facts import FACTS, OFFENSE_ATTRIBUTES, REQUEST_FACTS, Fact, Shape
from casebycase.request import Request


def _dtype(fact: Fact) -> pl.DataType:
    """The column type of a request fact, from its shape and choices."""
    match fact.shape:
        case Shape.ENUM:
            return pl.Enum(list(fact.choices))
        case Shape.BOOL:
            return pl.Boolean()
        case Shape.SET:
            return pl.List(pl.Enum(list(fact.choices)) if fact.choices else pl.String())
        case Shape.NUMBER:
            return pl.Int64() if fact.name == "offense_count" else pl.Float64()
        case _:
            assert_never(fact.shape)


OFFENSE = pl.Struct(
    {
        attr: pl.Enum(list(choices)) if choices else pl.String()
        for attr, choices in OFFENSE_ATTRIBUTES.items()
    }
)
"""One offense as rules see it: derived category, derived level (or null), status (or null),
catalog entry (or null)."""
OFFENSE_SETS = {attr: FACTS[f"offense.{attr}"].attr for attr in OFFENSE_ATTRIBUTES}
"""The request-frame column of the set of each offense attribute (``category`` ->
``categories``)."""

SCHEMA: dict[str, pl.DataType] = {
    "index": pl.Int64(),
    "id": pl.String(),
    "timestamp": pl.Float64(),
    **{f.attr: _dtype(f) for f in REQUEST_FACTS if f.shape is not Shape.SET},
    "documents": _dtype(FACTS["documents"]),
    "offenses": pl.List(OFFENSE),
    **{f.attr: _dtype(f) for f in REQUEST_FACTS if f.shape is Shape.SET and f.name != "documents"},
}
"""The request frame: one column per request fact of the fact table (policy/facts.py), plus
``index``, ``id``, ``timestamp`` (``received_at`` in POSIX seconds) and ``offenses``.
``confined`` is already resolved (``in_custody`` when the request leaves it out);
``requester_component`` is ``"none"`` when not given; the hours are null when the anchor time
is unknown. Closed value lists are Polars enums (plain strings work too, more slowly).
``documents`` keeps the request's order; the offense sets hold distinct values in enum
order."""

COLUMNS: dict[str, str] = {f.name: f.attr for f in REQUEST_FACTS}
"""The frame column holding each request fact (the fact table's ``attr``)."""

DECISION_SCHEMA: dict[str, pl.DataType] = {
    "index": pl.Int64(),
    "id": pl.String(),
    "outcome": pl.String(),
    "deciding": pl.String(),
    "rules": pl.List(pl.String()),
}

Cond = pl.Expr | bool
"""A compiled condition: an expression, or a constant once folded."""


def frame_of(requests: Iterable[Request]) -> pl.DataFrame:
    """One row per request (``index`` = position in ``requests``), columns as :data:`SCHEMA`.

    List columns are built from long tables (row, value) and grouped, which Polars does far
    faster than converting nested Python lists.
    """
    scalar = [name for name in SCHEMA if name not in _LISTS]
    cols: dict[str, list[object]] = {name: [] for name in scalar}
    doc_rows: list[int] = []
    doc_values: list[str] = []
    offense_rows: list[int] = []
    attrs: dict[str, list[str | None]] = {attr: [] for attr in OFFENSE_ATTRIBUTES}
    facts = [f.attr for f in REQUEST_FACTS if f.name != "documents" and f.shape is not Shape.SET]
    for i, r in enumerate(requests):
        f = r.facts
        cols["index"].append(i)
        cols["id"].append(r.id)
        cols["timestamp"].append(f.timestamp)
        for name in facts:
            cols[name].append(getattr(f, name))
        doc_rows += [i] * len(r.documents)
        doc_values += r.documents
        for triple in f.offenses:
            offense_rows.append(i)
            for attr, value in zip(attrs, triple, strict=True):
                attrs[attr].append(value)
    frame = pl.DataFrame(cols, schema={name: SCHEMA[name] for name in scalar})
    documents = _grouped(
        pl.DataFrame(
            {"index": doc_rows, "documents": doc_values},
            schema={"index": pl.Int64, "documents": _inner(SCHEMA["documents"])},
        ),
        pl.col("documents"),
    )
    offense_fields = {f.name: f.dtype for f in _inner(SCHEMA["offenses"]).fields}
    offenses = _grouped(
        pl.DataFrame(
            {"index": offense_rows, **attrs}, schema={"index": pl.Int64, **offense_fields}
        ),
        pl.struct(*offense_fields).alias("offenses"),
    )
    frame = (
        frame.join(documents, on="index", how="left")
        .join(offenses, on="index", how="left")
        .sort("index")
        .with_columns(
            *(
                pl.col(name).fill_null(pl.lit([], dtype=SCHEMA[name]))
                for name in ("documents", "offenses")
            )
        )
    )
    return with_offense_facts(frame).select(list(SCHEMA))


_LISTS = ("documents", "offenses", *OFFENSE_SETS.values())


def _inner(dtype: Any) -> Any:
    return dtype.inner


def _grouped(long: pl.DataFrame, value: pl.Expr) -> pl.DataFrame:
    return long.group_by("index", maintain_order=True).agg(value)


def with_offense_facts(frame: pl.DataFrame) -> pl.DataFrame:
    """Fill the offense sets (``categories``, ``levels``, ``statuses``, ``entries``) and
    ``offense_count`` from ``offenses``.

    For frames built without :func:`frame_of` (bulk data): each set is the distinct non-null
    values of that offense attribute in enum order, as :class:`Request` computes them; an
    offense struct without an ``entry`` field has no catalog entries.
    """
    rows = frame.select(pl.int_range(pl.len()).alias("_row"), "offenses")
    fields = {f.name for f in _inner(frame.schema["offenses"]).fields}
    present = {attr: name for attr, name in OFFENSE_SETS.items() if attr in fields}
    sets = (
        rows.explode("offenses")
        .select("_row", pl.col("offenses").struct.unnest())
        .group_by("_row")
        .agg(
            *(
                pl.col(attr).drop_nulls().unique().sort().alias(name)
                for attr, name in present.items()
            )
        )
    )
    joined = (
        rows.join(sets, on="_row", how="left")
        .sort("_row")
        .with_columns(
            pl.lit([], dtype=SCHEMA[name]).alias(name)
            for attr, name in OFFENSE_SETS.items()
            if attr not in fields
        )
    )
    empty = [
        pl.col(name).fill_null(pl.lit([], dtype=joined.schema[name]))
        for name in OFFENSE_SETS.values()
    ]
    facts = joined.select(
        *empty, pl.col("offenses").list.len().cast(pl.Int64).alias("offense_count")
    )
    return frame.with_columns(facts)


def compile_columnar(pack: CompiledPack) -> ColumnarPack:
    """The pack's rules as Polars expressions (the pack itself resolves each fired set)."""
    return ColumnarPack(pack)


@dataclass
class ColumnarPack:
    """A compiled pack evaluated a whole frame at a time."""

    pack: CompiledPack
    windows: list[tuple[float, float]] = field(init=False)

    def __post_init__(self) -> None:
        p = self.pack.pack
        self.windows = [
            (p.instant(rd.start, float("-inf")), p.instant(rd.end, float("inf")))
            for rd in self.pack.rules
        ]

    @property
    def rule_ids(self) -> list[str]:
        """The rule ids, in rule order (the columns of :meth:`fired_columns`)."""
        return [rd.id for rd in self.pack.rules]

    def conditions(self, t: float | None = None) -> tuple[list[Cond], set[str]]:
        """Each rule's fired condition (window and ``when:``) and the columns it reads.

        ``t=None`` reads each row's ``timestamp``; a number is one instant for every row.
        """
        builder = _Builder(self.pack.pack.profile, t)
        out: list[Cond] = []
        for (lo, hi), rd in zip(self.windows, self.pack.rules, strict=True):
            window = builder.window(lo, hi)
            out.append(False if window is False else _and([window, builder.build(rd.node)]))
        return out, builder.columns

    def fired_columns(self, frame: pl.DataFrame, t: float | None = None) -> pl.DataFrame:
        """One boolean column per rule (named by rule id, in rule order): did it fire?"""
        conds, columns = self.conditions(t)
        _require(frame, columns)
        exprs = [_expr(c).alias(rd.id) for c, rd in zip(conds, self.pack.rules, strict=True)]
        return frame.lazy().select(exprs).collect()

    def decide(self, frame: pl.DataFrame, at: dt.date | dt.datetime | None = None) -> pl.DataFrame:
        """Per row ``index``, ``id``, ``outcome``, ``deciding`` rule and ``rules``.

        The rules in force at each row's ``timestamp`` apply, unless ``at`` names another
        date (local noon in the pack's zone, as :func:`casebycase.evaluate` reads it).
        """
        t = None if at is None else as_of(at, self.pack)
        conds, columns = self.conditions(t)
        _require(frame, columns | {"index", "id"})
        words = _mask_words(conds)
        names = [f"_m{k}" for k in range(len(words))]
        keyed = (
            frame.lazy()
            .select(
                pl.col("index"),
                pl.col("id"),
                *(w.alias(n) for w, n in zip(words, names, strict=True)),
            )
            .with_row_index("_row")
            .collect()
        )
        patterns = keyed.select(names).unique()
        table = self.resolve(patterns)
        return keyed.join(table, on=names, how="left").sort("_row").select(list(DECISION_SCHEMA))

    def resolve(self, patterns: pl.DataFrame) -> pl.DataFrame:
        """The decision of each distinct fired pattern (mask words ``_m0``, ``_m1`` ...)."""
        names = patterns.columns
        outcome: list[str] = []
        deciding: list[str] = []
        rules: list[list[str]] = []
        for words in patterns.iter_rows():
            mask = sum(int(w) << (64 * k) for k, w in enumerate(words))
            d = self.pack.decision(mask)
            outcome.append(d.outcome)
            deciding.append(d.deciding)
            rules.append(list(d.rules))
        return patterns.with_columns(
            pl.Series("outcome", outcome, pl.String()),
            pl.Series("deciding", deciding, pl.String()),
            pl.Series("rules", rules, pl.List(pl.String())),
        ).select(*names, "outcome", "deciding", "rules")


def _mask_words(conds: Sequence[Cond]) -> list[pl.Expr]:
    """The fired set as unsigned 64-bit words: bit ``i % 64`` of word ``i // 64`` = rule i."""
    words: list[pl.Expr] = []
    for start in range(0, max(len(conds), 1), 64):
        constant = 0
        parts: list[pl.Expr] = []
        for j, c in enumerate(conds[start : start + 64]):
            bit = 1 << j
            if c is True:
                constant |= bit
            elif c is not False:
                parts.append(
                    pl.when(c).then(pl.lit(bit, pl.UInt64)).otherwise(pl.lit(0, pl.UInt64))
                )
        word = pl.lit(constant, pl.UInt64)
        for part in parts:
            word = word | part
        words.append(word if parts else pl.repeat(constant, pl.len(), dtype=pl.UInt64))
    return words


def _require(frame: pl.DataFrame, columns: set[str]) -> None:
    missing = sorted(columns - set(frame.columns))
    if missing:
        raise ValueError(f"the request frame lacks columns {missing}; build it with frame_of")


def _expr(c: Cond) -> pl.Expr:
    return pl.repeat(c, pl.len(), dtype=pl.Boolean) if isinstance(c, bool) else c


def _and(parts: Iterable[Cond]) -> Cond:
    return conj(parts, lambda xs: _fold(xs, pl.Expr.and_))


def _or(parts: Iterable[Cond]) -> Cond:
    return disj(parts, lambda xs: _fold(xs, pl.Expr.or_))


def _not(c: Cond) -> Cond:
    return neg(c, pl.Expr.not_)


def _fold(items: list[pl.Expr], join: Any) -> pl.Expr:
    out = items[0]
    for e in items[1:]:
        out = join(out, e)
    return out


def _has_any(x: pl.Expr, values: list[str]) -> pl.Expr:
    """Whether the list holds any of ``values`` (one pass over the elements)."""
    return x.list.eval(pl.element().is_in(values)).list.any()


@dataclass
class _Builder:
    """Writes one condition tree as a Polars expression over the request frame."""

    profile: Profile
    t: float | None
    columns: set[str] = field(default_factory=set)

    def col(self, name: str) -> pl.Expr:
        self.columns.add(name)
        return pl.col(name)

    def window(self, lo: float, hi: float) -> Cond:
        """``lo <= t < hi`` (an infinite bound is no bound)."""
        if self.t is not None:
            return lo <= self.t < hi
        parts: list[Cond] = []
        if lo != float("-inf"):
            parts.append(self.col("timestamp") >= lo)
        if hi != float("inf"):
            parts.append(self.col("timestamp") < hi)
        return _and(parts)

    def build(self, node: Node) -> Cond:
        match node:
            case AllOf(items):
                return _and(self.build(n) for n in items)
            case AnyOf(items):
                return _or(self.build(n) for n in items)
            case NotOf(item):
                return _not(self.build(item))
            case OffenseTest():
                return self.offense(node)
            case Test(name, op, values):
                if FACTS[name].on_request:
                    return self.op(op, self.col(COLUMNS[name]), values)
                return self.agency(node)
            case _:
                assert_never(node)

    def offense(self, node: OffenseTest) -> Cond:
        """Some single offense matches every attribute (a missing attribute is in no set)."""
        parts = [
            self.op(a.op, pl.element().struct.field(a.attr), a.values, nulls=True)
            for a in node.attrs
        ]
        match = _and(parts)
        if match is False:
            return False
        if match is True:
            return self.col("offense_count") > 0
        return self.col("offenses").list.eval(match).list.any().fill_null(False)

    def op(self, op: Op, x: pl.Expr, v: Any, nulls: bool = False) -> Cond:
        """``x op v`` as an expression; ``nulls``: ``x`` may be null (an unknown offense
        attribute), which is in no set."""
        match op:
            case Op.IS:
                return x if v else ~x
            case Op.IN:
                if not v:
                    return False
                found = x == next(iter(v)) if len(v) == 1 else x.is_in(sorted(v))
                return found.fill_null(False) if nulls else found
            case Op.NOT_IN:
                if not v:
                    return True
                found = x == next(iter(v)) if len(v) == 1 else x.is_in(sorted(v))
                return (~found).fill_null(True) if nulls else ~found
            case Op.HAS_ANY:
                return _has_any(x, sorted(v)) if v else False
            case Op.HAS_ALL:
                return _and(_has_any(x, [item]) for item in sorted(v))
            case Op.HAS_NONE:
                return _not(_has_any(x, sorted(v))) if v else True
            case Op.PRESENT:
                return x.is_not_null() if v else x.is_null()
            case Op.AT_LEAST:
                return x.ge(v).fill_null(False)
            case Op.AT_MOST:
                return x.le(v).fill_null(False)
            case Op.MORE_THAN:
                return x.gt(v).fill_null(False)
            case Op.LESS_THAN:
                return x.lt(v).fill_null(False)
            case _:
                assert_never(op)

    def agency(self, node: Test) -> Cond:
        """Profile facts: constants, or windows on the decision time for dated entries."""
        p = self.profile
        if node.field in ("agency.type", "agency.runs_jail") or self.t is not None:
            return compare(
                node.op, p.read(node.field, 0.0 if self.t is None else self.t), node.values
            )
        found = [
            _or(self.window(d.start, d.end) for d in p.dated(node.field) if d.name == name)
            for name in sorted(node.values)
        ]
        match node.op:
            case Op.HAS_ALL:
                return _and(found)
            case Op.HAS_ANY:
                return _or(found)
            case Op.HAS_NONE:
                return _not(_or(found))
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
                raise ValueError(f"'{node.field}' is a set; '{node.op}' does not apply")
            case _:
                assert_never(node.op)
