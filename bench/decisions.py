"""Decision benchmark: peer policy engines and casebycase against a plain-Python reference.

    .venv/bin/python bench/decisions.py [--n 100000] [--seed 7] [--check-n N]
                                        [--batch 1000] [--rounds 50] [--engines zen,cel,...]

1. Generates N seeded flat inputs (``peers.generate_inputs``).
2. Correctness: every engine must give the reference's ``(outcome, fired)`` on the first
   ``--check-n`` inputs (default: all N); casebycase must give the mapped outcome and the same
   set of rule ids. Any disagreement makes the exit status 1.
3. Timing: for each engine, ``--rounds`` rounds; in each round the same batch of ``--batch``
   inputs is run through the reference and through the engine (the order alternates between
   rounds), each batch timed with ``time.perf_counter_ns`` with the garbage collector off, as
   ``timeit`` does. Reported: the median over rounds of the per-decision time, and the median
   over rounds of the ratio engine/reference (each round's pair ran back to back, so a change
   of machine speed during the run, common on shared hosts, cancels out of the ratio).

Peers are called with the flat dict; whatever each API needs per call (request wrapping, JSON
conversion, result decoding) is part of the measured time. casebycase is timed twice: on
pre-parsed requests, and parse+evaluate from the request dict; building the request dict from
the flat input (``peers.flat_to_request``) is not timed.

String hashing differs between processes unless ``PYTHONHASHSEED`` is fixed; when it is unset
the script re-executes itself with ``PYTHONHASHSEED=0``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from peers import (
    PACK_DIR,
    PEERS,
    TO_CASEBYCASE,
    CasebycaseEngine,
    Decision,
    casebycase_engine,
    casebycase_missing,
    generate_inputs,
    reference,
)

Runner = Callable[[Sequence[Any]], object]
DISTRIBUTIONS = ("zen-engine", "common-expression-language", "cedarpy", "regopy")
TARGETS = {"evaluate": 5.0, "parse+evaluate": 30.0}
REGISTRY_ROW = "casebycase evaluate by agency id (registry: the service's path)"
MAX_EXAMPLES = 3


@dataclass
class Row:
    """One line of the timing table."""

    name: str
    times: list[float]  # per-batch µs/decision
    ref_times: list[float]  # reference, same rounds

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def ratio(self) -> float:
        """Median over rounds of engine time / reference time of the same round."""
        return statistics.median(t / r for t, r in zip(self.times, self.ref_times, strict=True))

    @property
    def ref_median(self) -> float:
        return statistics.median(self.ref_times)

    @property
    def quartiles(self) -> tuple[float, float]:
        q = statistics.quantiles(self.times, n=4)
        return q[0], q[2]


# --- correctness -----------------------------------------------------------------------------


def check(
    name: str,
    decide: Callable[[Any], Any],
    items: Sequence[Any],
    expected: Sequence[Any],
    same: Callable[[Any, Any], bool],
    console: Console,
) -> int:
    """Count items where ``decide(item)`` differs from ``expected``; print a few examples."""
    bad = 0
    for i, (item, want) in enumerate(zip(items, expected, strict=True)):
        try:
            got: Any = decide(item)
        except Exception as exc:
            got = f"{type(exc).__name__}: {exc}"
        if not same(got, want):
            bad += 1
            if bad <= MAX_EXAMPLES:
                console.print(f"  [red]{name} #{i}[/]: {escape(f'got {got!r}, expected {want!r}')}")
    status = "[green]ok[/]" if bad == 0 else "[red]DISAGREE[/]"
    console.print(f"{name}: {bad} disagreements / {len(items)} checked  {status}")
    return bad


def _same_casebycase(got: Any, want: Decision) -> bool:
    if not isinstance(got, tuple):
        return False
    outcome, rules = got
    return outcome == TO_CASEBYCASE[want[0]] and set(rules) == set(want[1])


# --- timing ----------------------------------------------------------------------------------


def loop(decide: Callable[[Any], object]) -> Runner:
    """A runner that calls ``decide`` on every item of a batch."""

    def run(items: Sequence[Any]) -> None:
        for item in items:
            decide(item)

    return run


def _us_per_item(run: Runner, items: Sequence[Any]) -> float:
    start = time.perf_counter_ns()
    run(items)
    return (time.perf_counter_ns() - start) / len(items) / 1e3


def measure(
    name: str,
    run: Runner,
    items: Sequence[Any],
    run_ref: Runner,
    inputs: Sequence[Any],
    batch: int,
    rounds: int,
) -> Row:
    """Time ``run`` on ``items`` alternately with ``run_ref`` on the matching ``inputs``."""
    starts = [(r * batch) % max(1, len(inputs) - batch + 1) for r in range(rounds)]
    times: list[float] = []
    ref_times: list[float] = []
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        run_ref(inputs[:batch])
        run(items[:batch])
        for r, s in enumerate(starts):
            ref_batch, eng_batch = inputs[s : s + batch], items[s : s + batch]
            if r % 2:
                times.append(_us_per_item(run, eng_batch))
                ref_times.append(_us_per_item(run_ref, ref_batch))
            else:
                ref_times.append(_us_per_item(run_ref, ref_batch))
                times.append(_us_per_item(run, eng_batch))
    finally:
        if enabled:
            gc.enable()
    return Row(name, times, ref_times)


# --- casebycase ------------------------------------------------------------------------------


def _casebycase_runners(cbc: CasebycaseEngine) -> tuple[Runner, Runner]:
    evaluate = cbc.module.evaluate
    parse = cbc.module.parse_request

    def run_evaluate(items: Sequence[tuple[Any, Any]]) -> None:
        for pack, request in items:
            evaluate(request, pack=pack)

    def run_parse_evaluate(items: Sequence[tuple[Any, dict[str, Any]]]) -> None:
        for pack, request in items:
            evaluate(parse(request), pack=pack)

    return run_evaluate, run_parse_evaluate


def bench_casebycase(
    inputs: list[dict[str, Any]],
    expected: list[Decision],
    args: argparse.Namespace,
    console: Console,
) -> tuple[list[Row], bool, str]:
    """Check and time casebycase; return (rows, ok, reason when there are no rows)."""
    reason = casebycase_missing()
    if reason is not None:
        console.print(f"casebycase: not available ({reason})")
        return [], True, f"not available: {reason}"
    try:
        cbc = casebycase_engine()
    except Exception as exc:
        console.print(f"[red]casebycase: loading the packs failed[/] ({type(exc).__name__}: {exc})")
        return [], False, "packs failed to load"
    assert cbc is not None
    requests = cbc.requests(inputs)
    parse = cbc.module.parse_request
    bad = check(
        "casebycase",
        lambda pr: cbc.evaluate(pr[0], parse(pr[1])),
        requests[: args.check_n],
        expected[: args.check_n],
        _same_casebycase,
        console,
    )
    if bad:
        return [], False, "disagrees with the reference"
    timed = requests[: min(len(requests), args.batch * args.rounds)]
    parsed = cbc.parsed(timed)
    run_evaluate, run_parse_evaluate = _casebycase_runners(cbc)
    ref = loop(reference)
    rows = [
        measure(
            "casebycase evaluate (parsed request)",
            run_evaluate,
            parsed,
            ref,
            inputs,
            args.batch,
            args.rounds,
        ),
        measure(
            "casebycase parse+evaluate (from dict)",
            run_parse_evaluate,
            timed,
            ref,
            inputs,
            args.batch,
            args.rounds,
        ),
    ]
    if hasattr(cbc.module, "Registry"):
        rows.append(_registry_row(cbc, parsed, ref, inputs, args))
    rows += _bundled_rows(cbc, parsed, ref, inputs, args)
    return rows, True, ""


def _registry_row(
    cbc: CasebycaseEngine,
    parsed: list[tuple[Any, Any]],
    ref: Runner,
    inputs: list[dict[str, Any]],
    args: argparse.Namespace,
) -> Row:
    """Evaluate by the request's agency id through a registry: the case service's path."""
    registry = cbc.module.Registry([PACK_DIR], bundled=False)
    evaluate = cbc.module.evaluate

    def run(items: Sequence[tuple[Any, Any]]) -> None:
        for _, request in items:
            evaluate(request, registry=registry)

    return measure(REGISTRY_ROW, run, parsed, ref, inputs, args.batch, args.rounds)


def _bundled_rows(
    cbc: CasebycaseEngine,
    parsed: list[tuple[Any, Any]],
    ref: Runner,
    inputs: list[dict[str, Any]],
    args: argparse.Namespace,
) -> list[Row]:
    """Evaluate the same parsed requests under each bundled pack (a what-if per pack)."""
    rows = []
    for pack_id in getattr(cbc.module, "bundled_packs", list)():
        pack = cbc.module.load_pack(pack_id)
        items = [(pack, request) for _, request in parsed]
        rows.append(
            measure(
                f"casebycase evaluate, pack {pack_id} ({len(pack.rules)} rules)",
                _casebycase_runners(cbc)[0],
                items,
                ref,
                inputs,
                args.batch,
                args.rounds,
            )
        )
    return rows


# --- report ----------------------------------------------------------------------------------


def _versions() -> str:
    found = []
    for dist in DISTRIBUTIONS:
        try:
            found.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            found.append(f"{dist} (missing)")
    return ", ".join(found)


def report(rows: list[Row], python: Row, console: Console) -> None:
    """Print the timing table."""
    table = Table(title="Per-decision time (median over rounds)")
    table.add_column("engine")
    table.add_column("µs/decision", justify="right")
    table.add_column("q1–q3 µs", justify="right")
    table.add_column("paired python µs", justify="right")
    table.add_column("ratio to python", justify="right")
    for row in [python, *rows]:
        q1, q3 = row.quartiles
        table.add_row(
            row.name,
            f"{row.median:.2f}",
            f"{q1:.2f}–{q3:.2f}",
            f"{row.ref_median:.2f}",
            f"{row.ratio:.1f}x",
        )
    console.print(table)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="inputs to generate")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the inputs")
    parser.add_argument("--check-n", type=int, default=None, help="inputs to check (default: N)")
    parser.add_argument("--batch", type=int, default=1000, help="inputs per timed batch")
    parser.add_argument("--rounds", type=int, default=50, help="timed batches per engine")
    parser.add_argument(
        "--engines",
        default=",".join(p.name for p in PEERS) + ",casebycase",
        help="comma-separated engines to run (default: all)",
    )
    args = parser.parse_args(argv)
    if args.check_n is None or args.check_n > args.n:
        args.check_n = args.n
    args.batch = min(args.batch, args.n)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(soft_wrap=True)
    console.width = max(console.width, 120)
    wanted = {name.strip() for name in args.engines.split(",") if name.strip()}
    console.print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"PYTHONHASHSEED={os.environ.get('PYTHONHASHSEED', 'unset')}\n{_versions()}\n"
        f"N={args.n} seed={args.seed} check_n={args.check_n} "
        f"batch={args.batch} rounds={args.rounds}"
    )
    inputs = generate_inputs(args.n, args.seed)
    expected = [reference(inp) for inp in inputs]
    ref = loop(reference)
    ok = True
    rows: list[Row] = []

    for peer in PEERS:
        if peer.name not in wanted:
            continue
        try:
            decide = peer.build()
        except ImportError as exc:
            console.print(f"{peer.name}: not available ({exc})")
            continue
        except Exception as exc:
            console.print(f"[red]{peer.name}: build failed[/] ({type(exc).__name__}: {exc})")
            ok = False
            continue
        bad = check(
            peer.name,
            decide,
            inputs[: args.check_n],
            expected[: args.check_n],
            lambda got, want: got == want,
            console,
        )
        ok = ok and bad == 0
        rows.append(measure(peer.name, loop(decide), inputs, ref, inputs, args.batch, args.rounds))

    cbc_rows: list[Row] = []
    cbc_note = "not run"
    if "casebycase" in wanted:
        cbc_rows, cbc_ok, cbc_note = bench_casebycase(inputs, expected, args, console)
        ok = ok and cbc_ok
    rows += cbc_rows

    ref_times = [t for row in rows for t in row.ref_times]
    if not ref_times:
        ref_times = measure("python", ref, inputs, ref, inputs, args.batch, args.rounds).times
    report(rows, Row("python", ref_times, ref_times), console)

    labels = ("evaluate", "parse+evaluate")
    firsts: list[Row | None] = list(cbc_rows[:2]) or [None, None]
    for label, row in zip(labels, firsts, strict=True):
        figure = f"{row.ratio:.1f}x" if row else f"n/a ({cbc_note})"
        console.print(f"casebycase {label} / python = {figure} (target <= {TARGETS[label]:g}x)")
    by_id = next((row for row in cbc_rows if row.name == REGISTRY_ROW), None)
    if by_id is not None:
        console.print(
            f"casebycase evaluate by agency id through the registry / python = "
            f"{by_id.ratio:.1f}x; / evaluate with a compiled pack = "
            f"{by_id.median / cbc_rows[0].median:.2f}x (target <= 2x)"
        )
    bundled = [row for row in cbc_rows[2:] if row.name != REGISTRY_ROW]
    if bundled:
        worst = max(bundled, key=lambda row: row.ratio)
        console.print(
            f"casebycase evaluate on the bundled packs / python = at most "
            f"{worst.ratio:.1f}x ({worst.name}) (target <= {TARGETS['evaluate']:g}x)"
        )
    if not ok:
        console.print("[red]FAIL: some engine disagrees with the reference[/]")
    return 0 if ok else 1


def _pin_hash_seed() -> None:
    """Re-execute with ``PYTHONHASHSEED=0`` unless it is already set."""
    if "PYTHONHASHSEED" not in os.environ:
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)


if __name__ == "__main__":
    _pin_hash_seed()
    sys.exit(main())
