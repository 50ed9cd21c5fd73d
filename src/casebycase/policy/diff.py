"""Comparing two packs, or one pack at two dates, over their joint request space: the
regions of requests whose outcome or actions change, in plain language (docs/verify.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from casebycase.policy.compile import CompiledPack, Decision, load_pack
from casebycase.policy.model import Action
from casebycase.policy.space import Box, Cell, KindSpace, Side, Space, join_kinds
from casebycase.request import KINDS

Signature = tuple[str, frozenset[str]]
"""An outcome and its actions, as compared."""


@dataclass(frozen=True)
class Change:
    """A region of requests whose recommendation differs, with an example request.

    An outcome change (``old`` != ``new``) lists the actions gained or lost in every request
    of the region (``added``, ``removed``) and in some of them (``partly``); an action
    change (``old`` == ``new`` == "") is a region whose outcome stays the same (at least
    where it does change elsewhere) and that gains or loses these actions.
    """

    kinds: tuple[str, ...]
    region: str
    old: str
    new: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    partly: tuple[str, ...]
    combinations: int
    example: dict[str, Any]

    def summary(self) -> str:
        """One line: the region, then ``old -> new`` and the actions gained or lost."""
        moves = ", ".join([f"+{a}" for a in self.added] + [f"-{a}" for a in self.removed])
        if not self.old:
            return f"{self.region}: actions {moves}"
        parts = [
            p for p in (moves, "in part " + ", ".join(self.partly) if self.partly else "") if p
        ]
        actions = f" (actions {'; '.join(parts)})" if parts else ""
        return f"{self.region}: {self.old} -> {self.new}{actions}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kinds": list(self.kinds),
            "region": self.region,
            "old": self.old or None,
            "new": self.new or None,
            "actions_added": list(self.added),
            "actions_removed": list(self.removed),
            "actions_in_part": list(self.partly),
            "combinations": self.combinations,
            "summary": self.summary(),
            "example": self.example,
        }


@dataclass
class Comparison:
    """Every change between two sides, and how much of the space was compared."""

    old: str
    new: str
    changes: list[Change] = field(default_factory=list)
    cells: int = 0
    combinations: int = 0
    changed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def outcomes(self) -> list[Change]:
        return [c for c in self.changes if c.old]

    @property
    def actions(self) -> list[Change]:
        return [c for c in self.changes if not c.old]

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "cells": self.cells,
            "combinations": self.combinations,
            "changed_combinations": self.changed,
            "notes": self.notes,
            "changes": [c.to_dict() for c in self.changes],
        }


def diff(
    old: str | CompiledPack,
    new: str | CompiledPack,
    at: tuple[dt.date | None, dt.date | None] = (None, None),
) -> Comparison:
    """Where ``new`` recommends otherwise than ``old``: by outcome, or by actions.

    With dates in ``at`` each side applies the rules in force on its date (one pack at two
    dates, or two packs each at a date); without, both sides range over every date.
    """
    a, b = load_pack(old), load_pack(new)
    a, b, notes = _shared_profile(a, b)
    sides = [Side(a, at[0]), Side(b, at[1])]
    space = Space(sides)
    result = Comparison(sides[0].label, sides[1].label, notes=notes)
    by_kind: dict[str, dict[tuple[Signature, Signature], list[Cell]]] = {}
    for cell in space.cells():
        result.cells += 1
        result.combinations += cell.size
        pair = (_signature(cell.decisions[0]), _signature(cell.decisions[1]))
        if pair[0] != pair[1]:
            result.changed += cell.size
        by_kind.setdefault(cell.kind, {}).setdefault(pair, []).append(cell)
    joined: dict[tuple[Any, ...], list[Change]] = {}
    for kind, classes in by_kind.items():
        for change in _changes(space.space(kind), classes, at):
            key = (
                change.region,
                change.old,
                change.new,
                change.added,
                change.removed,
                change.partly,
            )
            joined.setdefault(key, []).append(change)
    for (clauses, *_), same in joined.items():
        kinds = tuple(k for c in same for k in c.kinds)
        result.changes.append(
            dataclasses.replace(
                same[0],
                kinds=kinds,
                region=join_kinds(kinds, clauses),
                combinations=sum(c.combinations for c in same),
            )
        )
    result.changes.sort(
        key=lambda c: (not c.old, KINDS.index(c.kinds[0]), c.region, c.added, c.removed)
    )
    return result


def _changes(
    ks: KindSpace,
    classes: dict[tuple[Signature, Signature], list[Cell]],
    at: tuple[dt.date | None, dt.date | None],
) -> list[Change]:
    """The outcome changes and the action changes of one kind, as covering regions."""
    merged = {pair: ks.merge([c.code for c in cells]) for pair, cells in classes.items()}
    out: list[Change] = []
    outcomes = {(o[0], n[0]) for o, n in classes if o[0] != n[0]}
    for was, now in sorted(outcomes):
        on = [p for p in classes if (p[0][0], p[1][0]) == (was, now)]
        off = [p for p in classes if p not in on]
        for region, cells in _cover(ks, classes, merged, on, off):
            gained = [n[1] - o[1] for o, n in (_pair(c) for c in cells)]
            lost = [o[1] - n[1] for o, n in (_pair(c) for c in cells)]
            every_gain, every_loss = frozenset.intersection(*gained), frozenset.intersection(*lost)
            partly = sorted(f"+{x}" for x in frozenset().union(*gained) - every_gain) + sorted(
                f"-{x}" for x in frozenset().union(*lost) - every_loss
            )
            out.append(
                _change(
                    ks, region, cells, at, was, now, sorted(every_gain), sorted(every_loss), partly
                )
            )
    moves = {
        (sign, x)
        for o, n in classes
        if o[0] == n[0]
        for sign, xs in (("+", n[1] - o[1]), ("-", o[1] - n[1]))
        for x in xs
    }
    joined: dict[str, Change] = {}
    for sign, action in sorted(moves):

        def moved(p: tuple[Signature, Signature], s: str = sign, x: str = action) -> bool:
            o, n = p
            return x in (n[1] - o[1] if s == "+" else o[1] - n[1])

        on = [p for p in classes if p[0][0] == p[1][0] and moved(p)]
        off = [p for p in classes if not moved(p)]
        for region, cells in _cover(
            ks, classes, merged, on, off, [p for p in classes if moved(p) and p not in on]
        ):
            added, removed = ([action], []) if sign == "+" else ([], [action])
            same = joined.get(region)
            if same is not None:
                added, removed = [*same.added, *added], [*same.removed, *removed]
            joined[region] = _change(ks, region, cells, at, "", "", added, removed, [])
    return out + list(joined.values())


def _cover(
    ks: KindSpace,
    classes: dict[tuple[Signature, Signature], list[Cell]],
    merged: dict[tuple[Signature, Signature], list[Box]],
    on: list[tuple[Signature, Signature]],
    off: list[tuple[Signature, Signature]],
    spare: list[tuple[Signature, Signature]] | None = None,
) -> list[tuple[str, list[Cell]]]:
    """Regions, in words, covering the cells of ``on`` (and maybe of ``spare``), none of
    ``off``; with the cells each holds."""
    cells = [c for p in [*on, *(spare or [])] for c in classes[p]]
    regions = ks.cover([b for p in on for b in merged[p]], [b for p in off for b in merged[p]])
    return [
        (text, [c for c in cells if any(c.within(b) for b in boxes)])
        for text, boxes in ks.phrases(regions)
    ]


def _change(
    ks: KindSpace,
    region: str,
    cells: list[Cell],
    at: tuple[dt.date | None, dt.date | None],
    was: str,
    now: str,
    added: list[str],
    removed: list[str],
    partly: list[str],
) -> Change:
    example = cells[0].example()
    if at[0] is not None:
        example["at"] = [str(at[0]), str(at[1])]
    return Change(
        (ks.kind,),
        region,
        was,
        now,
        tuple(added),
        tuple(removed),
        tuple(partly),
        sum(c.size for c in cells),
        example,
    )


def _pair(cell: Cell) -> tuple[Signature, Signature]:
    return _signature(cell.decisions[0]), _signature(cell.decisions[1])


def _shared_profile(
    a: CompiledPack, b: CompiledPack
) -> tuple[CompiledPack, CompiledPack, list[str]]:
    """A layer pack compared with an agency pack is read with that agency's profile."""
    if Side(a).any_agency == Side(b).any_agency:
        return a, b, []
    have, lack = (b, a) if Side(a).any_agency else (a, b)
    lent = CompiledPack(dataclasses.replace(lack.pack, agency=have.pack.agency))
    note = f"{lack.id} has no agency profile: it is read with the profile of {have.id}"
    return (lent, b, [note]) if lack is a else (a, lent, [note])


def _signature(d: Decision) -> Signature:
    return d.outcome, frozenset(action_words(a) for a, _ in d.actions)


def action_words(action: Action) -> str:
    """An action code with its deadline, e.g. ``verify_status (48 h after subject.booked_at)``."""
    by = action.by
    if by is None:
        return action.do
    amount = f"{by.hours} h" if by.hours is not None else f"{by.days} days"
    side = "before" if by.before else "after"
    clock = ", business days" if by.clock == "business" else ""
    return f"{action.do} ({amount} {side} {by.anchor}{clock})"
