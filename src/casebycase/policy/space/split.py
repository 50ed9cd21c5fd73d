"""The cells of one request kind: splitting its space until every rule's firing is known,
and joining cells back into few regions to describe them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from casebycase.policy.space.axes import Axis, AxisShape
from casebycase.policy.space.cond import Folded, refs, restrict
from casebycase.policy.space.offenses import Offenses
from casebycase.policy.space.words import GROUPS, doc_words, listing

_OFFENSE_SHAPES = (AxisShape.OFFENSE, AxisShape.COUNT)
"""Axes realised by the offense lists rather than multiplied in."""

Box = tuple[int, ...]
"""A region of one kind: per axis (in the kind's axis order) a bit mask of allowed values."""


@dataclass
class KindSpace:
    """The axes and rule conditions of one request kind."""

    kind: str
    axes: dict[str, Axis]
    conds: list[Folded]
    owners: list[tuple[int, int]]
    offenses: Offenses

    def __post_init__(self) -> None:
        self.names = list(self.axes)
        self.full: Box = tuple((1 << len(a.values)) - 1 for a in self.axes.values())
        self.defaults = {n: a.free for n, a in self.axes.items()}
        self.documents = [(a.element, n) for n, a in self.axes.items() if a.shape is AxisShape.DOC]
        self.models = [(a.element, n) for n, a in self.axes.items() if a.shape is AxisShape.MODEL]
        self.sizes = {
            n: len(a.values) for n, a in self.axes.items() if a.shape not in _OFFENSE_SHAPES
        }
        self.plain = 1
        for size in self.sizes.values():
            self.plain *= size

    @property
    def combinations(self) -> int:
        return len(self.offenses.pairs) * self.plain

    def phrases(self, regions: list[Box]) -> list[tuple[str, list[Box]]]:
        """Regions in plain language, without the kind; regions alike but for which one of
        several documents is present are told together ("with document I-200 or I-205")."""
        docs = [i for i, n in enumerate(self.names) if self.axes[n].shape is AxisShape.DOC]
        groups: dict[Box, list[tuple[int, Box]]] = {}
        for b in regions:
            for i in docs:
                if b[i] == 0b10:  # the document is present
                    groups.setdefault((*b[:i], self.full[i], *b[i + 1 :]), []).append((i, b))
        told: dict[Box, tuple[str, list[Box]]] = {}
        for key, members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            members = [(i, b) for i, b in members if b not in told]
            if len(members) > 1:
                names = [self.axes[self.names[i]].element for i, _ in members]
                item = (self.clauses(key, names), [b for _, b in members])
                told.update(dict.fromkeys(item[1], item))
        out = [told.get(b) or (self.clauses(b), [b]) for b in regions]
        return list({id(item): item for item in out}.values())

    def clauses(self, box: Box, either: Sequence[str] = ()) -> str:
        """A region in plain language without its kind: request, subject, offense, agency
        and date clauses (``either``: documents one of which is present)."""
        chosen = sorted(
            (
                (self.axes[n], m)
                for n, m, f in zip(self.names, box, self.full, strict=True)
                if m != f
            ),
            key=lambda am: (am[0].rank(), am[0].name),
        )
        # request, subject, offense count, agency, date; then one clause per offense pattern
        clauses: list[list[str]] = [[] for _ in range(len(GROUPS) + 1)]
        docs: dict[bool, list[str]] = {True: [], False: []}
        for a, mask in chosen:
            allowed = frozenset(v for k, v in enumerate(a.values) if mask >> k & 1)
            group = sum(a.rank() >= g for g in GROUPS)
            if a.shape is AxisShape.DOC:
                docs[True in allowed].append(a.element)
            elif a.shape is AxisShape.OFFENSE:
                clauses.append([a.words(allowed)])
            else:
                clauses[group].append(a.words(allowed))
        clauses[0] += doc_words(docs)
        if either:
            clauses[0].append(f"with document {listing(sorted(either))}")
        if clauses[1]:
            clauses[1][0] = "for a subject " + clauses[1][0]
        return "; ".join(
            ", ".join(c) for c in [clauses[0], clauses[1], *clauses[5:], *clauses[2:5]] if c
        )

    def merge(self, boxes: list[Box]) -> list[Box]:
        """Join boxes that differ on one axis only, until none do (an exact union)."""
        boxes = list(dict.fromkeys(boxes))
        changed = True
        while changed:
            changed = False
            for i in range(len(self.full)):
                groups: dict[Box, int] = {}
                for b in boxes:
                    key = b[:i] + b[i + 1 :]
                    groups[key] = groups.get(key, 0) | b[i]
                if len(groups) < len(boxes):
                    boxes = [(*k[:i], m, *k[i:]) for k, m in groups.items()]
                    changed = True
        return boxes

    def cover(self, on: list[Box], off: list[Box]) -> list[Box]:
        """Few, large boxes whose union holds every box of ``on`` and meets none of ``off``.

        Each merged box of ``on`` grows axis by axis (details first) by every value that
        keeps it clear of ``off``; the regions may overlap. Boxes in neither list are free
        to be covered or not.
        """
        on = self.merge(on)
        order = sorted(
            range(len(self.full)),
            key=lambda i: (self.axes[self.names[i]].rank(), self.names[i]),
            reverse=True,
        )
        out: list[Box] = []
        for box in sorted(on, key=lambda b: sum(m != f for m, f in zip(b, self.full, strict=True))):
            if any(all(m & r == m for m, r in zip(box, region, strict=True)) for region in out):
                continue
            grown = list(box)
            # per box of off: a bit per axis on which it does not meet the grown box
            apart = [
                sum(1 << i for i, (g, o) in enumerate(zip(grown, b, strict=True)) if not g & o)
                for b in off
            ]
            for i in order:
                only = 1 << i
                blocked = 0
                for b, a in zip(off, apart, strict=True):
                    if a == only:
                        blocked |= b[i]
                wider = self.full[i] & ~blocked
                if wider & ~grown[i]:
                    grown[i] |= wider
                    apart = [
                        a & ~only if a & only and b[i] & grown[i] else a
                        for b, a in zip(off, apart, strict=True)
                    ]
            out.append(tuple(grown))
        return out


def split(ks: KindSpace) -> Iterator[tuple[dict[str, Any], int, tuple[int, ...], Box]]:
    """Leaves of the splitting: (axes fixed, conditions that hold as a bit mask, offense
    lists, the leaf as a box).

    At each step the axis read by the most still-open conditions is split; offense axes
    keep only the offense lists that realise the values chosen so far.
    """
    fired = sum(1 << j for j, c in enumerate(ks.conds) if c is True)
    open_: list[tuple[int, Folded]] = [
        (j, c) for j, c in enumerate(ks.conds) if not isinstance(c, bool)
    ]
    rank = {name: (axis.rank(), name) for name, axis in ks.axes.items()}
    pairs = ks.offenses.pairs
    where = {name: i for i, name in enumerate(ks.names)}
    stack: list[tuple[dict[str, Any], list[tuple[int, Folded]], int, tuple[int, ...], Box]] = [
        ({}, open_, fired, tuple(range(len(pairs))), ks.full)
    ]
    while stack:
        box, pending, mask, left, code = stack.pop()
        if not pending:
            yield box, mask, left, code
            continue
        votes: Counter[str] = Counter()
        for _, c in pending:
            found: set[str] = set()
            refs(c, found)
            votes.update(found)
        name = min(votes, key=lambda n: (-votes[n], rank[n]))
        axis, i = ks.axes[name], where[name]
        for k in reversed(range(len(axis.values))):
            value, keep = axis.values[k], left
            if axis.shape is AxisShape.COUNT:
                keep = tuple(p for p in left if pairs[p][1] == value)
            elif axis.shape is AxisShape.OFFENSE:
                bit = 1 << int(axis.element)
                keep = tuple(p for p in left if bool(pairs[p][0] & bit) == value)
            if not keep:
                continue
            still: list[tuple[int, Folded]] = []
            more = mask
            for j, c in pending:
                r = restrict(c, name, value)
                if r is True:
                    more |= 1 << j
                elif r is not False:
                    still.append((j, r))
            stack.append(
                ({**box, name: value}, still, more, keep, (*code[:i], 1 << k, *code[i + 1 :]))
            )
