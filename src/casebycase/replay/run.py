"""The replay loop: every imported request under every scenario (a pack, and a date).

A scenario without a date reads each request under the rules in force at its own
``received_at``; with a date, under the rules in force on that day (a what-if). An
*evaluator* is any function ``(dataset, scenarios, progress) -> list[ResultRow]``;
:func:`evaluate_rows` is the row-by-row one over :func:`casebycase.evaluate`, and a
columnar evaluator with the same signature can stand in for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from casebycase.policy.compile import CompiledPack, load_pack
from casebycase.policy.recommendation import evaluate
from casebycase.policy.registry import Registry
from casebycase.replay.dataset import Dataset

Progress = Callable[[int], None]
"""Called with the number of evaluations done since the last call."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """A pack, the date whose rules apply (None: each request's own date), and a label."""

    pack: CompiledPack
    at: dt.date | None = None
    label: str = ""

    @property
    def key(self) -> str:
        return self.label or self.pack.id


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One request under one scenario."""

    request_id: str
    date: dt.date
    scenario: str
    pack: str
    as_of: dt.date | None
    outcome: str
    deciding_rule: str
    rules: tuple[str, ...]
    actual: str | None
    unclassified: int


Evaluator = Callable[[Dataset, Sequence[Scenario], Progress | None], list[ResultRow]]


def scenario(spec: str, as_of: dt.date | None = None, registry: Registry | None = None) -> Scenario:
    """A scenario from ``PACK`` or ``PACK@YYYY-MM-DD`` (the date wins over ``as_of``); a pack
    id is taken from ``registry`` when it serves it, else read as an id or path.

    Raises PackNotFound or PackError for an unknown or broken pack, ValueError for a bad date.
    """
    pack_id, sep, day = spec.partition("@")
    pack = registry.get(pack_id) if registry and pack_id in registry else load_pack(pack_id)
    if sep:
        return Scenario(pack, dt.date.fromisoformat(day), f"{pack.id}@{day}")
    return Scenario(pack, as_of, pack.id)


def evaluate_rows(
    dataset: Dataset, scenarios: Sequence[Scenario], progress: Progress | None = None
) -> list[ResultRow]:
    """Evaluate every request of ``dataset`` under each scenario, one at a time."""
    facts = []
    for item in dataset.items:
        r = item.request
        unknown = sum(1 for o in r.offenses if o.derived[0] == "unknown")
        facts.append((r, r.id or "", r.received_at.date(), item.actual, unknown))
    out: list[ResultRow] = []
    step = 0
    for sc in scenarios:
        pack, at, key = sc.pack, sc.at, sc.key
        for request, rid, day, actual, unknown in facts:
            rec = evaluate(request, pack, at=at)
            decision = rec.decision
            out.append(
                ResultRow(
                    rid,
                    day,
                    key,
                    pack.id,
                    at,
                    decision.outcome,
                    decision.deciding,
                    decision.rules,
                    actual,
                    unknown,
                )
            )
            step += 1
            if progress is not None and step == 500:
                progress(step)
                step = 0
    if progress is not None and step:
        progress(step)
    return out


def evaluate_columnar(
    dataset: Dataset, scenarios: Sequence[Scenario], progress: Progress | None = None
) -> list[ResultRow]:
    """The same rows as :func:`evaluate_rows`, each scenario evaluated as one Polars query."""
    from casebycase.replay.columnar import compile_columnar, frame_of

    requests = [item.request for item in dataset.items]
    frame = frame_of(requests)
    facts = [
        (
            r.id or "",
            r.received_at.date(),
            item.actual,
            sum(1 for o in r.offenses if o.derived[0] == "unknown"),
        )
        for r, item in zip(requests, dataset.items, strict=True)
    ]
    out: list[ResultRow] = []
    for sc in scenarios:
        decided = compile_columnar(sc.pack).decide(frame, sc.at)
        for (rid, day, actual, unknown), outcome, deciding, rules in zip(
            facts, decided["outcome"], decided["deciding"], decided["rules"], strict=True
        ):
            out.append(
                ResultRow(
                    rid,
                    day,
                    sc.key,
                    sc.pack.id,
                    sc.at,
                    outcome,
                    deciding,
                    tuple(rules),
                    actual,
                    unknown,
                )
            )
        if progress is not None:
            progress(len(facts))
    return out


ENGINES: dict[str, Evaluator] = {"columnar": evaluate_columnar, "row": evaluate_rows}


def replay(
    dataset: Dataset,
    scenarios: Sequence[Scenario],
    evaluator: Evaluator = evaluate_rows,
    progress: Progress | None = None,
) -> list[ResultRow]:
    """The result rows of ``dataset`` under ``scenarios`` (by default row by row)."""
    return evaluator(dataset, scenarios, progress)
