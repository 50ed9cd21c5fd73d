"""Small-cell suppression with complementary suppression (pure: values in, values out).

A table of counts is published with its row totals, column totals and grand total. A count
from 1 to ``threshold - 1`` (a *small* cell) is shown as "fewer than 5"; zero is shown as 0
(knowing that nobody is in a cell identifies nobody, and "none received" is what the
statutory reports must say). A total that is small is hidden the same way.

Hiding the small cells is not enough: a hidden cell is often the published total minus the
published cells of its row. So more cells are *withheld* (complementary suppression) until
no hidden value can be recovered: for each hidden value the auditor solves two linear
programs, its least and its greatest value given everything published (the shown cells,
the totals, the fact that a small cell is between 1 and ``threshold - 1``, that counts are
never negative, and the order in which withheld cells were chosen), and requires the range
to span at least ``protection``. A cell to withhold is chosen among the shown non-zero cells
sharing a row or column with the exposed value, smallest first (ties by position; zeros are
never withheld, so a reader knows a withheld value is at least 1); because the
choice reveals that the withheld cell was not larger than the others, that order is part of
what the auditor assumes the reader knows. When everything is hidden and the "fewer than"
labels alone still pin a value (four cells of 1 under a total that is "fewer than 5"), a
total's label is dropped: a withheld value may be any count, small or not.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from scipy.optimize import linprog  # type: ignore[import-untyped]

Status = Literal["shown", "small", "withheld"]


@dataclass(frozen=True, slots=True)
class Rule:
    """The suppression rule: counts from 1 to ``threshold - 1`` are hidden."""

    threshold: int = 5
    protection: int = 1
    """A hidden value's possible range (max - min, given what is published) must be at least
    this wide; 1 means no hidden value can be pinned down exactly."""

    def __post_init__(self) -> None:
        if self.protection < 1:
            raise ValueError("protection must be at least 1")
        if self.threshold < self.protection + 2:
            raise ValueError(
                f"threshold {self.threshold} is too low: a hidden count between 1 and "
                f"{self.threshold - 1} would be known from its label; use at least "
                f"{self.protection + 2}"
            )

    @property
    def label(self) -> str:
        return f"fewer than {self.threshold}"

    def describe(self) -> str:
        return (
            f'Counts from 1 to {self.threshold - 1} are shown as "{self.label}"; zero is '
            f'shown as 0. Further cells are withheld (shown as "withheld"; never a zero, '
            f"possibly a small count) so that no hidden count can be worked out from the "
            f"totals or the other cells. Reports are published only for whole calendar "
            f"periods of one length, after the period ends."
        )


@dataclass(frozen=True, slots=True)
class Cell:
    """A published count: its value when shown, else None and why it is hidden."""

    value: int | None
    status: Status

    def text(self, rule: Rule) -> str:
        if self.status == "shown":
            return str(self.value)
        return rule.label if self.status == "small" else "withheld"

    def to_json(self) -> int | str:
        return self.value if self.value is not None else self.status


@dataclass(frozen=True, slots=True)
class Grid:
    """True counts: ``cells[i][j]`` for row ``rows[i]`` and column ``cols[j]``."""

    rows: tuple[str, ...]
    cols: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if not self.rows or not self.cols:
            raise ValueError("a table needs at least one row and one column")
        if len(self.cells) != len(self.rows) or any(len(r) != len(self.cols) for r in self.cells):
            raise ValueError("cells do not match the rows and columns")
        if any(v < 0 for r in self.cells for v in r):
            raise ValueError("counts are never negative")

    @property
    def has_row_totals(self) -> bool:
        return len(self.cols) > 1

    @property
    def has_col_totals(self) -> bool:
        return len(self.rows) > 1


@dataclass(frozen=True, slots=True)
class Published:
    """A table as published: cells, row totals (when more than one column), column totals
    (when more than one row) and the grand total, each shown or hidden."""

    rows: tuple[str, ...]
    cols: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    col_totals: tuple[Cell, ...]
    total: Cell
    rule: Rule
    order: tuple[tuple[int, int, bool], ...] = field(default=())
    """(withheld item, other item, strictly): the withheld one was not larger (smaller
    when ``strictly``), as the choice of cells to withhold reveals. Items index
    :func:`items` of this table. Zeros are never withheld, so a withheld value is at
    least 1."""

    def items(self) -> list[Cell]:
        """Every published value in a fixed order: cells by row, row totals, column totals,
        then the grand total (the variables of :func:`bounds`)."""
        return [c for row in self.cells for c in row] + [
            *self.row_totals,
            *self.col_totals,
            self.total,
        ]

    @property
    def hidden(self) -> int:
        return sum(1 for c in self.items() if c.status != "shown")


# --- the linear system --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Shape:
    r: int
    c: int
    row_totals: bool
    col_totals: bool

    @property
    def size(self) -> int:
        return (
            self.r * self.c
            + (self.r if self.row_totals else 0)
            + (self.c if self.col_totals else 0)
            + 1
        )

    def cell(self, i: int, j: int) -> int:
        return i * self.c + j

    def row_total(self, i: int) -> int:
        return self.r * self.c + i

    def col_total(self, j: int) -> int:
        return self.r * self.c + (self.r if self.row_totals else 0) + j

    @property
    def grand(self) -> int:
        return self.size - 1

    def equations(self) -> list[list[tuple[int, int]]]:
        """Each equation as (variable, coefficient) pairs summing to zero."""
        eqs: list[list[tuple[int, int]]] = []
        if self.row_totals:
            for i in range(self.r):
                eqs.append(
                    [(self.cell(i, j), 1) for j in range(self.c)] + [(self.row_total(i), -1)]
                )
        if self.col_totals:
            for j in range(self.c):
                eqs.append(
                    [(self.cell(i, j), 1) for i in range(self.r)] + [(self.col_total(j), -1)]
                )
        eqs.append(
            [(self.cell(i, j), 1) for i in range(self.r) for j in range(self.c)]
            + [(self.grand, -1)]
        )
        return eqs


def _shape(rows: int, cols: int) -> _Shape:
    return _Shape(rows, cols, cols > 1, rows > 1)


def bounds(table: Published) -> list[tuple[float, float]]:
    """The least and greatest value of every item (see :meth:`Published.items`) that a
    reader can deduce from the table alone; shown items have their value as both."""
    shape = _shape(len(table.rows), len(table.cols))
    return list(_ranges(shape.size, shape.equations(), table.items(), table.rule, table.order))


def _var_bounds(items: Sequence[Cell], rule: Rule) -> list[tuple[float, float | None]]:
    out: list[tuple[float, float | None]] = []
    for c in items:
        if c.status == "shown":
            assert c.value is not None
            out.append((c.value, c.value))
        elif c.status == "small":
            out.append((1, rule.threshold - 1))
        else:
            out.append((1, None))  # zeros are always shown
    return out


def _ranges(
    n: int,
    eqs: list[list[tuple[int, int]]],
    items: Sequence[Cell],
    rule: Rule,
    order: Sequence[tuple[int, int, bool]],
) -> Iterator[tuple[float, float]]:
    a_eq = [[0.0] * n for _ in eqs]
    for row, eq in zip(a_eq, eqs, strict=True):
        for var, coef in eq:
            row[var] = coef
    a_ub = []
    b_ub = []
    for low, high, strict in order:  # x_low - x_high <= 0 (or -1 when strictly smaller)
        line = [0.0] * n
        line[low], line[high] = 1.0, -1.0
        a_ub.append(line)
        b_ub.append(-1.0 if strict else 0.0)
    var_bounds = _var_bounds(items, rule)
    for k, c in enumerate(items):
        if c.status == "shown":
            assert c.value is not None
            yield (c.value, c.value)
            continue
        ends = []
        for sign in (1.0, -1.0):
            objective = [0.0] * n
            objective[k] = sign
            res = linprog(
                objective,
                A_ub=a_ub or None,
                b_ub=b_ub or None,
                A_eq=a_eq,
                b_eq=[0.0] * len(eqs),
                bounds=var_bounds,
                method="highs",
            )
            if res.status == 3:  # unbounded: only the maximum can be
                ends.append(math.inf)
            elif res.status != 0:
                raise RuntimeError(f"suppression audit failed: {res.message}")
            else:
                ends.append(sign * res.fun)
        yield (ends[0], ends[1])


def exposed(table: Published) -> list[int]:
    """Items whose value a reader can narrow to less than the rule's protection."""
    return [
        k
        for k, (lo, hi) in enumerate(bounds(table))
        if table.items()[k].status != "shown" and _width(lo, hi) < table.rule.protection
    ]


def _width(lo: float, hi: float) -> float:
    """How many whole steps a value can move between its least and greatest value."""
    if math.isinf(hi):
        return math.inf
    return math.floor(hi + 1e-6) - math.ceil(lo - 1e-6)


# --- suppression --------------------------------------------------------------------------


Side = Literal["rows", "cols"]


@dataclass(frozen=True, slots=True)
class Link:
    """Two tables of one report count the same people: table ``a``'s row (or column) sums
    equal table ``b``'s row (or column) sums, category by category; ``None`` sides: only
    their grand totals are equal."""

    a: int
    b: int
    side_a: Side | None = None
    side_b: Side | None = None


def suppress(grid: Grid, rule: Rule | None = None) -> Published:
    """Publish ``grid``: hide small counts, then withhold more until none can be recovered."""
    return suppress_linked([grid], [], rule)[0]


def suppress_linked(
    grids: Sequence[Grid], links: Sequence[Link], rule: Rule | None = None
) -> list[Published]:
    """Publish several tables of one report together: a value shown in one table cannot
    give away a value hidden in another (their shared totals are audited as one system)."""
    rule = rule or Rule()
    shapes = [_shape(len(g.rows), len(g.cols)) for g in grids]
    offsets = [sum(sh.size for sh in shapes[:k]) for k in range(len(shapes))]
    n = sum(sh.size for sh in shapes)
    eqs = [
        [(v + off, c) for v, c in eq]
        for sh, off in zip(shapes, offsets, strict=True)
        for eq in sh.equations()
    ]
    for link in links:
        sa, sb, oa, ob = shapes[link.a], shapes[link.b], offsets[link.a], offsets[link.b]
        if link.side_a is None or link.side_b is None:
            eqs.append([(sa.grand + oa, 1), (sb.grand + ob, -1)])
            continue
        for i in range(sa.r if link.side_a == "rows" else sa.c):
            eqs.append(
                [(v + oa, c) for v, c in _sum(sa, link.side_a, i)]
                + [(v + ob, -c) for v, c in _sum(sb, link.side_b, i)]
            )
    cell_vars = {
        off + x for sh, off in zip(shapes, offsets, strict=True) for x in range(sh.r * sh.c)
    }
    values = [v for g, sh in zip(grids, shapes, strict=True) for v in _values(g, sh)]
    status: list[Status] = ["small" if 0 < v < rule.threshold else "shown" for v in values]
    order: list[tuple[int, int, bool]] = []
    members: list[set[int]] = [set() for _ in range(n)]
    for eq in eqs:
        vars_ = {v for v, _ in eq}
        for v in vars_:
            members[v] |= vars_ - {v}
    while True:
        items = [Cell(v if s == "shown" else None, s) for v, s in zip(values, status, strict=True)]
        k = next(
            (
                k
                for k, (lo, hi) in enumerate(_ranges(n, eqs, items, rule, order))
                if status[k] != "shown" and _width(lo, hi) < rule.protection
            ),
            None,
        )
        if k is None:
            break
        near = [x for x in sorted(members[k]) if status[x] == "shown" and values[x]]
        candidates = [x for x in near if x in cell_vars] or near
        if not candidates:  # nothing left beside it: hide anything still shown
            candidates = [x for x in range(n) if status[x] == "shown" and values[x]]
        if not candidates:  # the labels themselves give it away: drop a "fewer than" label,
            small = [x for x in range(n) if status[x] == "small"]  # totals first
            status[max(small)] = "withheld"
            continue
        chosen = min(candidates, key=lambda x: (values[x], x))
        order.extend((chosen, other, other < chosen) for other in candidates if other != chosen)
        status[chosen] = "withheld"
    out = []
    for g, sh, off in zip(grids, shapes, offsets, strict=True):
        local = [
            (a - off, b - off, strict)
            for a, b, strict in order
            if off <= a < off + sh.size and off <= b < off + sh.size
        ]
        out.append(_published(g, sh, items[off : off + sh.size], rule, local))
    return out


def _sum(shape: _Shape, side: Side, i: int) -> list[tuple[int, int]]:
    """The variables whose value is row (or column) ``i``'s sum."""
    if side == "rows":
        return (
            [(shape.row_total(i), 1)]
            if shape.row_totals
            else [(shape.cell(i, j), 1) for j in range(shape.c)]
        )
    return (
        [(shape.col_total(i), 1)]
        if shape.col_totals
        else [(shape.cell(j, i), 1) for j in range(shape.r)]
    )


def _values(grid: Grid, shape: _Shape) -> list[int]:
    values = [0] * shape.size
    for i, row in enumerate(grid.cells):
        for j, v in enumerate(row):
            values[shape.cell(i, j)] = v
    if shape.row_totals:
        for i, row in enumerate(grid.cells):
            values[shape.row_total(i)] = sum(row)
    if shape.col_totals:
        for j in range(shape.c):
            values[shape.col_total(j)] = sum(row[j] for row in grid.cells)
    values[shape.grand] = sum(sum(row) for row in grid.cells)
    return values


def _published(
    grid: Grid, shape: _Shape, items: list[Cell], rule: Rule, order: list[tuple[int, int, bool]]
) -> Published:
    cells = tuple(tuple(items[shape.cell(i, j)] for j in range(shape.c)) for i in range(shape.r))
    row_totals = (
        tuple(items[shape.row_total(i)] for i in range(shape.r)) if shape.row_totals else ()
    )
    col_totals = (
        tuple(items[shape.col_total(j)] for j in range(shape.c)) if shape.col_totals else ()
    )
    return Published(
        grid.rows, grid.cols, cells, row_totals, col_totals, items[shape.grand], rule, tuple(order)
    )
