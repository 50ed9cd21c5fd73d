"""Offense patterns as yes/no axes, limited to what a list of offenses can realise, and the
offense count."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from casebycase.offenses import load_catalog
from casebycase.policy.condition import Op, compare
from casebycase.policy.facts import OFFENSE_ATTRIBUTES, OFFENSE_INDEX, Traits
from casebycase.policy.space.axes import Axis, AxisShape, Mentions, Pattern, number_values
from casebycase.policy.space.words import listing
from casebycase.request import Offense

Pair = tuple[int, int | None, tuple[int, ...]]
"""(which patterns hold as a bit mask, offense count or None, offenses as trait indices)."""


@dataclass
class Offenses:
    """Offense patterns as yes/no axes, and the offense lists that realise them."""

    triples: list[Traits]
    """Every distinct offense the patterns tell apart: (category, level, status, entry)."""
    exists: list[frozenset[int]]
    labels: list[str]
    axis_of: dict[Pattern, int | None]
    pairs: list[Pair] = field(default_factory=list)
    """(which patterns hold as a bit mask, offense count or None, offenses as trait indices)."""
    written: list[dict[str, str]] = field(default_factory=list)
    """Each offense as a request writes it (a named entry by its code, so the catalog
    derives the same traits)."""

    def offenses(self, pair: Pair) -> list[dict[str, str]]:
        return [dict(self.written[i]) for i in pair[2]]


def offense_model(m: Mentions, axes: dict[str, Axis]) -> Offenses:
    """The offenses that tell the mentioned patterns apart; adds the offense axes (and the
    offense count's) to ``axes``."""
    named: dict[str, set[str]] = {attr: set() for attr in OFFENSE_ATTRIBUTES}
    for pattern in m.patterns:
        for attr, _, values in pattern:
            named[attr].update(values)
    every = OFFENSE_ATTRIBUTES
    cats: list[str | None] = [c for c in every["category"] if c in named["category"]]
    spare = sorted(
        (c for c in every["category"] if c not in named["category"]), key=lambda c: c == "unknown"
    )  # "unknown" only if nothing else is left
    cats += spare[:1]
    levels: list[str | None] = [x for x in every["level"] if x in named["level"]]
    statuses: list[str | None] = [x for x in every["status"] if x in named["status"]]
    triples, written = _universe(cats, levels, statuses, sorted(named["entry"]))
    exists: list[frozenset[int]] = []
    labels: list[str] = []
    axis_of: dict[Pattern, int | None] = {}
    for pattern in m.patterns:
        key = frozenset(i for i, t in enumerate(triples) if matches(pattern, t))
        if not key:
            axis_of[pattern] = None
            continue
        if key not in exists:
            exists.append(key)
            labels.append(pattern_words(pattern))
        axis_of[pattern] = exists.index(key)
    model = Offenses(triples, exists, labels, axis_of, written=written)
    for e, label in enumerate(labels):
        axes[f"offense:{e}"] = Axis(f"offense:{e}", AxisShape.OFFENSE, (False, True), False, label)
    vector = [sum(1 << e for e, key in enumerate(exists) if i in key) for i in range(len(triples))]
    first: dict[int, int] = {}
    for i, v in enumerate(vector):
        first.setdefault(v, i)
    best: dict[int, tuple[int, ...]] = {0: ()}
    frontier = [0]
    while frontier:
        step = []
        for have in frontier:
            for v, i in first.items():
                if have | v not in best:
                    best[have | v] = (*best[have], i)
                    step.append(have | v)
        frontier = step
    counts: list[tuple[int | None, float]] = [(None, 0.0)]
    cuts = m.numbers.get("offense_count")
    if cuts:
        reps, pieces = number_values(cuts, whole=True)
        axes["offense_count"] = Axis(
            "offense_count", AxisShape.COUNT, tuple(reps), reps[0], (tuple(sorted(cuts)), pieces)
        )
        bounds = [*sorted(cuts), float("inf")]
        # each count value stands for the whole numbers of its interval: up to (not
        # including) the next threshold, or just itself when it is a threshold
        counts = [
            (n, n + 1 if k % 2 else bounds[k // 2]) for n, k in zip(reps, pieces, strict=True)
        ]
    for have, real in sorted(best.items(), key=lambda kv: (len(kv[1]), kv[0])):
        for n, below in counts:
            if n is None:
                model.pairs.append((have, None, real))
                continue
            size = max(n, len(real))
            if size < below and (size == len(real) or real or 0 in first):
                missing = size - len(real)
                pad = (real[0] if real else first[0],) * missing if missing else ()
                model.pairs.append((have, n, real + pad))
    return model


def _universe(
    cats: list[str | None], levels: list[str | None], statuses: list[str | None], entries: list[str]
) -> tuple[list[Traits], list[dict[str, str]]]:
    """The offenses to tell apart, and how a request writes each: a given category (no
    catalog entry), or a named entry's code, whose category and level the catalog derives."""
    traits: list[Traits] = []
    written: list[dict[str, str]] = []
    for c, lv, st in itertools.product(cats, [*levels, None], [*statuses, None]):
        traits.append((str(c), lv, st, None))
        written.append({k: v for k, v in (("category", c), ("level", lv), ("status", st)) if v})
    if entries:
        catalog = load_catalog()
        for e, lv, st in itertools.product(entries, [*levels, None], [*statuses, None]):
            item = {
                k: v for k, v in (("code", catalog.statutes[e]), ("level", lv), ("status", st)) if v
            }
            found = Offense.model_validate(item).traits
            if found not in traits:
                traits.append(found)
                written.append(item)
    return traits, written


def matches(pattern: Pattern, triple: Traits) -> bool:
    """Whether one offense matches every attribute test of the pattern."""
    return all(compare(op, triple[OFFENSE_INDEX[attr]], values) for attr, op, values in pattern)


def pattern_words(pattern: Pattern) -> str:
    """E.g. "charged or convicted felony offense of category homicide or sexual_assault"."""
    before, after = [], []
    for attr, op, values in sorted(
        pattern, key=lambda p: ("status", "level", "category", "entry").index(p[0])
    ):
        listed = listing(sorted(values))
        if op is Op.IN and attr in ("status", "level"):
            before.append(listed)
        elif op is Op.IN:
            after.append(f"of {attr} {listed}")
        else:
            after.append(f"whose {attr} is not {listed}")
    return " ".join([*before, "offense", *after])
