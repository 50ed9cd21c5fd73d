"""Scenario tests written in YAML beside each pack, and rule coverage."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from casebycase.errors import RequestError
from casebycase.policy.compile import CompiledPack
from casebycase.policy.load import TestDef
from casebycase.policy.recommendation import evaluate
from casebycase.request import parse_request


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of one scenario test."""

    name: str
    where: str
    failures: tuple[str, ...]
    fired: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class Report:
    """All scenario results of one pack, and which of its own rules they exercised."""

    pack: str
    results: list[Result] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def uncovered(self) -> list[str]:
        return [r for r in self.rules if r not in self.covered]

    @property
    def coverage(self) -> float:
        return len(self.covered & set(self.rules)) / len(self.rules) if self.rules else 1.0


def run_scenarios(pack: CompiledPack) -> Report:
    """Run the pack's own scenario tests; coverage counts the rules it defines itself."""
    report = Report(pack.id, rules=[r.id for r in pack.rules if r.pack == pack.id])
    for test in pack.pack.tests:
        result = run_one(pack, test)
        report.results.append(result)
        report.covered.update(result.fired)
    return report


def run_one(pack: CompiledPack, test: TestDef) -> Result:
    """Evaluate one scenario and compare with what it expects."""
    s, e = test.scenario, test.scenario.expect
    data: dict[str, Any] = {"agency": pack.id, **s.request}
    try:
        request = parse_request(data)
    except RequestError as exc:
        return Result(s.name, test.where, (f"the scenario's request is invalid: {exc}",), ())
    if s.agency is not None:
        pack = CompiledPack(dataclasses.replace(pack.pack, agency=s.agency))
    rec = evaluate(request, pack, at=s.at)
    d = rec.decision
    fails: list[str] = []
    if e.outcome is not None and e.outcome != d.outcome:
        fails.append(f"outcome: expected {e.outcome}, got {d.outcome} (decided by {d.deciding})")
    if e.decided_by is not None and e.decided_by != d.deciding:
        fails.append(f"decided_by: expected {e.decided_by}, got {d.deciding}")
    fired = set(d.rules)
    fails += [f"expected rule {r} to fire" for r in e.fires if r not in fired]
    fails += [f"expected rule {r} not to fire" for r in e.not_fires if r in fired]
    actions = rec.actions
    if e.actions is not None:
        got = sorted({a["do"] for a in actions})
        if got != sorted(set(e.actions)):
            fails.append(f"actions: expected {sorted(set(e.actions))}, got {got}")
    for code, when in e.deadlines.items():
        found = [a["by"] for a in actions if a["do"] == code]
        want = None if when is None else _iso(when)
        if not found:
            fails.append(f"deadline: no action '{code}'")
        elif want not in [None if b is None else _iso(dt.datetime.fromisoformat(b)) for b in found]:
            fails.append(f"deadline of {code}: expected {want}, got {found}")
    codes = [r["code"] for r in rec.risks]
    fails += [f"expected risk {c}" for c in e.risks if c not in codes]
    fails += [f"did not expect risk {c}" for c in e.no_risks if c in codes]
    over = {o.rule for o in d.overridden}
    fails += [f"expected {r} to be overridden" for r in e.overridden if r not in over]
    touched = tuple(r for r in d.rules if r in pack.index)
    return Result(s.name, test.where, tuple(fails), touched)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()
