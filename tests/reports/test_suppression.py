"""Suppression holds: hypothesis makes tables and tries to recover every hidden count."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog  # type: ignore[import-untyped]

from casebycase.reports.suppression import Grid, Link, Published, Rule, suppress, suppress_linked

RULE = Rule()


@st.composite
def grids(draw: st.DrawFn, max_side: int = 3, max_value: int = 9) -> Grid:
    r = draw(st.integers(1, max_side))
    c = draw(st.integers(1, max_side))
    small = st.one_of(st.integers(0, 6), st.integers(0, max_value))
    cells = tuple(tuple(draw(small) for _ in range(c)) for _ in range(r))
    return Grid(tuple(f"r{i}" for i in range(r)), tuple(f"c{j}" for j in range(c)), cells)


def _truth(grid: Grid) -> tuple[list[int], list[int], int]:
    rows = [sum(r) for r in grid.cells]
    cols = [sum(r[j] for r in grid.cells) for j in range(len(grid.cols))]
    return rows, cols, sum(rows)


def _consistent(p: Published, values: dict[tuple[int, int], int]) -> bool:
    """Whether filling the hidden cells with ``values`` agrees with everything published."""
    r, c = len(p.rows), len(p.cols)
    full = [
        [p.cells[i][j].value if (i, j) not in values else values[i, j] for j in range(c)]
        for i in range(r)
    ]
    rows = [sum(x for x in row if x is not None) for row in full]
    cols = [sum(full[i][j] or 0 for i in range(r)) for j in range(c)]
    items = (
        [x for row in full for x in row]
        + (rows if p.row_totals else [])
        + (cols if p.col_totals else [])
        + [sum(rows)]
    )
    for value, cell in zip(items, p.items(), strict=True):
        assert value is not None
        if cell.status == "shown" and value != cell.value:
            return False
        if cell.status == "small" and not 1 <= value < p.rule.threshold:
            return False
        if cell.status == "withheld" and value < 1:
            return False
    known = [x or 0 for x in items]
    return all(
        known[lo] < known[hi] if strict else known[lo] <= known[hi] for lo, hi, strict in p.order
    )


class _TooMany(Exception):
    """The search space is too large to try every completion."""


def _completions(
    p: Published, cap: int, truth: dict[tuple[int, int], int]
) -> Iterator[dict[tuple[int, int], int]]:
    """Every way to fill the hidden cells that agrees with the published table (brute force
    with pruning on shown row and column totals)."""
    hidden = [
        (i, j)
        for i, row in enumerate(p.cells)
        for j, cell in enumerate(row)
        if cell.status != "shown"
    ]
    r, c = len(p.rows), len(p.cols)

    def limit(total: int | None) -> int:
        return cap if total is None else total

    row_cap = [limit(p.row_totals[i].value) if p.row_totals else limit(None) for i in range(r)]
    col_cap = [limit(p.col_totals[j].value) if p.col_totals else limit(None) for j in range(c)]
    grand = limit(p.total.value)
    shown_row = [sum(x.value or 0 for x in row) for row in p.cells]
    shown_col = [sum(p.cells[i][j].value or 0 for i in range(r)) for j in range(c)]
    shown_all = sum(shown_row)

    last_in_row = {max((h for h in hidden if h[0] == i), default=None) for i in range(r)}
    last_in_col = {max((h for h in hidden if h[1] == j), default=None) for j in range(c)}
    row_known = [bool(p.row_totals) and p.row_totals[i].value is not None for i in range(r)]
    col_known = [bool(p.col_totals) and p.col_totals[j].value is not None for j in range(c)]

    nodes = 0

    def go(
        k: int, chosen: dict[tuple[int, int], int], rs: list[int], cs: list[int], total: int
    ) -> Iterator[dict[tuple[int, int], int]]:
        nonlocal nodes
        nodes += 1
        if nodes > 50_000:
            raise _TooMany
        if k == len(hidden):
            if _consistent(p, chosen):
                yield dict(chosen)
            return
        i, j = hidden[k]
        low, high = (1, p.rule.threshold - 1) if p.cells[i][j].status == "small" else (1, cap)
        high = min(high, row_cap[i] - rs[i], col_cap[j] - cs[j], grand - total)
        if (i, j) in last_in_row and row_known[i]:
            low = max(low, row_cap[i] - rs[i])
        if (i, j) in last_in_col and col_known[j]:
            low = max(low, col_cap[j] - cs[j])
        for v in sorted(range(low, high + 1), key=lambda v: abs(v - truth[i, j])):
            chosen[i, j] = v
            rs[i] += v
            cs[j] += v
            yield from go(k + 1, chosen, rs, cs, total + v)
            rs[i] -= v
            cs[j] -= v
        chosen.pop((i, j), None)

    yield from go(0, {}, list(shown_row), list(shown_col), shown_all)


def _check_margins(grid: Grid, p: Published) -> None:
    rows, cols, total = _truth(grid)
    for i, row in enumerate(p.cells):
        for j, cell in enumerate(row):
            true = grid.cells[i][j]
            if 0 < true < RULE.threshold:
                assert cell.status != "shown"
            if cell.status == "shown":
                assert cell.value == true
    for cell, true in zip(p.row_totals, rows, strict=False):
        assert cell.value in (None, true)
    for cell, true in zip(p.col_totals, cols, strict=False):
        assert cell.value in (None, true)
    assert p.total.value in (None, total)
    assert p.total.status != "shown" or not 0 < total < RULE.threshold


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(grids(max_side=3, max_value=9))
def test_no_hidden_cell_recoverable_by_brute_force(grid: Grid) -> None:
    p = suppress(grid, RULE)
    _check_margins(grid, p)
    hidden = [
        (i, j)
        for i, row in enumerate(p.cells)
        for j, cell in enumerate(row)
        if cell.status != "shown"
    ]
    if not hidden:
        return
    seen: dict[tuple[int, int], set[int]] = {h: set() for h in hidden}
    truth = {h: grid.cells[h[0]][h[1]] for h in hidden}
    count = 0
    try:
        for completion in _completions(p, sum(map(sum, grid.cells)) + 6, truth):
            count += 1
            for h, v in completion.items():
                seen[h].add(v)
            if all(len(s) > 1 for s in seen.values()):
                break
    except _TooMany:
        assume(False)  # too large to search by hand: the linear-programming test covers it
    assert count >= 1, "the true table itself must agree with what is published"
    assert all(truth[h] in seen[h] or len(seen[h]) > 1 for h in hidden)
    recovered = {h: s for h, s in seen.items() if len(s) == 1}
    assert not recovered, f"recovered {recovered} from\n{grid}\n{p}"


def _lp_range(p: Published, target: tuple[int, int]) -> tuple[float, float]:
    """An independent attacker: variables are only the hidden cells; every shown total is
    an equation, every hidden total a range; small cells lie in 1..threshold-1."""
    r, c = len(p.rows), len(p.cols)
    hidden = [(i, j) for i in range(r) for j in range(c) if p.cells[i][j].status != "shown"]
    index = {h: k for k, h in enumerate(hidden)}
    bounds = [
        (1, p.rule.threshold - 1) if p.cells[i][j].status == "small" else (0, None)
        for i, j in hidden
    ]
    a_eq: list[list[float]] = []
    b_eq: list[float] = []
    a_ub: list[list[float]] = []
    b_ub: list[float] = []

    def line(group: list[tuple[int, int]], total: object) -> None:
        coef = [0.0] * len(hidden)
        for h in group:
            if h in index:
                coef[index[h]] = 1.0
        known = sum(p.cells[i][j].value or 0 for i, j in group)
        cell: Any = total
        assert hasattr(cell, "status")
        if cell.status == "shown":
            a_eq.append(coef)
            b_eq.append(cell.value - known)
        elif cell.status == "small":
            a_ub.append(coef)
            b_ub.append(p.rule.threshold - 1 - known)
            a_ub.append([-x for x in coef])
            b_ub.append(known - 1)

    for i, cell in enumerate(p.row_totals):
        line([(i, j) for j in range(c)], cell)
    for j, cell in enumerate(p.col_totals):
        line([(i, j) for i in range(r)], cell)
    line([(i, j) for i in range(r) for j in range(c)], p.total)
    ends = []
    for sign in (1.0, -1.0):
        objective = [0.0] * len(hidden)
        objective[index[target]] = sign
        res = linprog(
            objective,
            A_ub=a_ub or None,
            b_ub=b_ub or None,
            A_eq=a_eq or None,
            b_eq=b_eq or None,
            bounds=bounds,
            method="highs",
        )
        ends.append(math.inf if res.status == 3 else sign * res.fun)
    return ends[0], ends[1]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids(max_side=5, max_value=40))
def test_no_hidden_cell_pinned_by_linear_programming(grid: Grid) -> None:
    """Larger tables: exact interval bounds from the published margins (no order facts)."""
    p = suppress(grid, RULE)
    _check_margins(grid, p)
    for i, row in enumerate(p.cells):
        for j, cell in enumerate(row):
            if cell.status != "shown":
                lo, hi = _lp_range(p, (i, j))
                assert math.isinf(hi) or math.floor(hi + 1e-6) > math.ceil(lo - 1e-6), (lo, hi, p)


def test_a_lone_small_cell_and_its_total_are_hidden() -> None:
    p = suppress(Grid(("detainer",), ("count",), ((3,),)))
    assert p.cells[0][0].text(RULE) == "fewer than 5"
    assert p.total.status == "small"


def test_row_total_does_not_give_the_cell_away() -> None:
    p = suppress(Grid(("a", "b"), ("comply", "decline"), ((3, 20), (10, 12))))
    assert p.cells[0][0].status == "small"
    assert p.cells[0][1].status == "withheld"  # else 23 - 20 = 3
    assert sum(1 for c in p.items() if c.status == "withheld") >= 2


def test_zero_is_shown() -> None:
    p = suppress(Grid(("a", "b"), ("x", "y"), ((0, 20), (10, 12))))
    assert all(c.status == "shown" for c in p.items())
    p = suppress(Grid(("a", "b"), ("x", "y", "z"), ((0, 3, 0), (0, 20, 12))))
    assert p.cells[0][0].value == 0 and p.cells[0][2].value == 0 and p.cells[1][0].value == 0


def test_nothing_small_nothing_hidden() -> None:
    p = suppress(Grid(("a",), ("x", "y", "z"), ((5, 6, 70),)))
    assert p.hidden == 0


@pytest.mark.parametrize("threshold", [0, 1, 2])
def test_threshold_too_low_is_refused(threshold: int) -> None:
    with pytest.raises(ValueError, match="threshold"):
        Rule(threshold=threshold)


def test_threshold_is_configurable() -> None:
    p = suppress(Grid(("a", "b"), ("x", "y"), ((7, 20), (30, 40))), Rule(threshold=11))
    assert p.cells[0][0].text(p.rule) == "fewer than 11"


@st.composite
def twins(draw: st.DrawFn) -> tuple[Grid, Grid]:
    """Two tables of the same people: the same rows, split two ways into columns."""
    a = draw(grids(max_side=4, max_value=12))
    c2 = draw(st.integers(1, 4))
    cells_b = []
    for row in a.cells:
        total, parts = sum(row), []
        for _ in range(c2 - 1):
            part = draw(st.integers(0, total))
            parts.append(part)
            total -= part
        cells_b.append((*parts, total))
    return a, Grid(a.rows, tuple(f"d{j}" for j in range(c2)), tuple(cells_b))


def _joint_range(tables: list[Published], target: tuple[int, int, int]) -> tuple[float, float]:
    """The independent attacker over two tables whose rows count the same people."""
    hidden = [
        (t, i, j)
        for t, p in enumerate(tables)
        for i, row in enumerate(p.cells)
        for j, cell in enumerate(row)
        if cell.status != "shown"
    ]
    index = {h: k for k, h in enumerate(hidden)}
    bounds = [
        (1, tables[t].rule.threshold - 1) if tables[t].cells[i][j].status == "small" else (1, None)
        for t, i, j in hidden
    ]
    a_eq: list[list[float]] = []
    b_eq: list[float] = []
    a_ub: list[list[float]] = []
    b_ub: list[float] = []

    def add(terms: list[tuple[tuple[int, int, int], float]], total: object) -> None:
        coef, known = [0.0] * len(hidden), 0.0
        for (t, i, j), sign in terms:
            cell = tables[t].cells[i][j]
            if cell.status == "shown":
                known += sign * (cell.value or 0)
            else:
                coef[index[t, i, j]] += sign
        if total is None:  # an equation between tables: sum = 0
            a_eq.append(coef)
            b_eq.append(-known)
        elif total.status == "shown":  # type: ignore[attr-defined]
            a_eq.append(coef)
            b_eq.append(total.value - known)  # type: ignore[attr-defined]
        elif total.status == "small":  # type: ignore[attr-defined]
            a_ub.extend([coef, [-x for x in coef]])
            b_ub.extend([tables[0].rule.threshold - 1 - known, known - 1])
        else:
            a_ub.append([-x for x in coef])
            b_ub.append(known - 1)

    for t, p in enumerate(tables):
        r, c = len(p.rows), len(p.cols)
        for i, cell in enumerate(p.row_totals):
            add([((t, i, j), 1.0) for j in range(c)], cell)
        for j, cell in enumerate(p.col_totals):
            add([((t, i, j), 1.0) for i in range(r)], cell)
        add([((t, i, j), 1.0) for i in range(r) for j in range(c)], p.total)
    a, b = tables
    for i in range(len(a.rows)):
        add(
            [((0, i, j), 1.0) for j in range(len(a.cols))]
            + [((1, i, j), -1.0) for j in range(len(b.cols))],
            None,
        )
    ends = []
    for sign in (1.0, -1.0):
        objective = [0.0] * len(hidden)
        objective[index[target]] = sign
        res = linprog(
            objective,
            A_ub=a_ub or None,
            b_ub=b_ub or None,
            A_eq=a_eq or None,
            b_eq=b_eq or None,
            bounds=bounds,
            method="highs",
        )
        assert res.status in (0, 3), res.message
        ends.append(math.inf if res.status == 3 else sign * res.fun)
    return ends[0], ends[1]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(twins())
def test_two_tables_of_the_same_people_do_not_give_each_other_away(pair: tuple[Grid, Grid]) -> None:
    tables = suppress_linked(list(pair), [Link(0, 1, "rows", "rows")], RULE)
    for t, p in enumerate(tables):
        _check_margins(pair[t], p)
        for i, row in enumerate(p.cells):
            for j, cell in enumerate(row):
                if cell.status != "shown":
                    lo, hi = _joint_range(tables, (t, i, j))
                    assert math.isinf(hi) or math.floor(hi + 1e-6) > math.ceil(lo - 1e-6), (
                        t,
                        i,
                        j,
                        lo,
                        hi,
                        tables,
                    )
