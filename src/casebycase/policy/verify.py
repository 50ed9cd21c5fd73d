"""Verifying a pack over its whole request space: gaps, conflicts, dead rules, rules
overridden everywhere, and agency or agreement rules that would restrict status
communication with DHS, whether DHS asks or an officer checks or notifies on their own
(see docs/verify.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casebycase.policy.compile import CompiledPack, load_pack
from casebycase.policy.document import read_yaml
from casebycase.policy.load import Pack, locate
from casebycase.policy.space import Cell, Side, Space, join_kinds

STATUS_REQUESTERS = frozenset({"ICE", "CBP", "USCIS"})
"""Requesters whose status requests 8 U.S.C. 1373 and RSMo 67.307 protect."""
RESTRICTING = frozenset({"decline", "partial", "refer"})
OFFICER = "internal"
"""The requester of an officer's own status check or notice to DHS."""
OFFICER_KINDS = frozenset({"status_check", "custody_review"})
"""Officer-initiated requests that send status to DHS or ask DHS for it: a status check and
the notice after an arrest (8 U.S.C. 1373(a)-(b), RSMo 650.475.3)."""
OFFICER_RESTRICTING = frozenset({"decline", "partial"})
"""Outcomes that stop an officer's own check or notice; ``refer`` leaves it to a person
(counsel, a supervisor), which restricts nothing."""
FINDING_KINDS = (
    "gap",
    "conflict",
    "dead_rule",
    "overridden_everywhere",
    "restricts_status_communication",
)


@dataclass(frozen=True)
class Finding:
    """One problem, the rules behind it, the region of requests and an example request."""

    kind: str
    rules: tuple[str, ...]
    says: str
    region: tuple[str, ...] = ()
    example: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rules": list(self.rules),
            "says": self.says,
            "region": list(self.region),
            "example": self.example,
        }


@dataclass
class Verification:
    """The findings for one pack, and how much of its request space was covered."""

    pack: str
    version: str
    digest: str
    findings: list[Finding] = field(default_factory=list)
    cells: dict[str, int] = field(default_factory=dict)
    combinations: dict[str, int] = field(default_factory=dict)
    default_declared: bool = True

    @property
    def clean(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "version": self.version,
            "digest": self.digest,
            "clean": self.clean,
            "default_declared": self.default_declared,
            "cells": sum(self.cells.values()),
            "combinations": sum(self.combinations.values()),
            "by_kind": {
                k: {"cells": self.cells[k], "combinations": self.combinations[k]}
                for k in self.cells
            },
            "findings": [f.to_dict() for f in self.findings],
        }


def declares_default(pack: Pack) -> bool:
    """Whether the pack or a pack it extends writes a ``default:`` of its own."""
    if pack.default.model_fields_set:
        return True  # only a written default sets any of its keys
    path = Path(pack.path)
    for _ in pack.chain:
        data = read_yaml(path.read_text(encoding="utf-8"), str(path)).data
        if data.get("default") is not None:
            return True
        base = data.get("extends")
        if not base:
            return False
        relative = path.parent / base
        path = locate(relative if (relative.exists() and "/" in base) else base)
    return False


@dataclass
class _Rule:
    """What the cells showed about one rule."""

    cells: list[Cell] = field(default_factory=list)
    decisive: bool = False
    overridden_everywhere: bool = True
    by: dict[str, None] = field(default_factory=dict)
    status: list[Cell] = field(default_factory=list)
    officer: list[Cell] = field(default_factory=list)


def verify(id_or_path: str | CompiledPack) -> Verification:
    """Check every cell of the pack's request space; see docs/verify.md for the findings."""
    pack = load_pack(id_or_path)
    has_default = declares_default(pack.pack)
    extra = {
        ("status_check", "requester.agency"): STATUS_REQUESTERS | {OFFICER},
        ("custody_review", "requester.agency"): frozenset({OFFICER}),
    }
    space = Space(
        [Side(pack)], extra=extra, keep=lambda rd: rd.rule.outcome is not None or rd.pack == pack.id
    )
    report = Verification(pack.id, pack.version, pack.digest, default_declared=has_default)
    seen = {r.id: _Rule() for r in pack.rules}
    gaps: list[Cell] = []
    conflicts: dict[tuple[str, ...], list[Cell]] = {}
    every: dict[str, list[Cell]] = {}
    for cell in space.cells():
        every.setdefault(cell.kind, []).append(cell)
        report.cells[cell.kind] = report.cells.get(cell.kind, 0) + 1
        report.combinations[cell.kind] = report.combinations.get(cell.kind, 0) + cell.size
        d = cell.decisions[0]
        fired = pack.fired_rules(cell.masks[0])
        if not has_default and not any(r.rule.outcome for r in fired):
            gaps.append(cell)
        if d.conflict:
            conflicts.setdefault(tuple(sorted(d.conflict)), []).append(cell)
        for rd in fired:
            s = seen[rd.id]
            if rd.pack == pack.id:
                s.cells.append(cell)
            if rd.rule.outcome is None:
                s.decisive = s.decisive or rd.id in d.rules
                continue
            s.decisive = (
                s.decisive
                or rd.id == d.deciding
                or (rd.id in d.contributing and rd.id not in d.conflict)
            )
            over = [o.by for o in d.overridden if o.rule == rd.id and o.why.startswith("binding")]
            s.overridden_everywhere = s.overridden_everywhere and bool(over)
            s.by.update(dict.fromkeys(over))
            if rd.layer not in ("agency", "agreement"):
                continue
            requester = cell.box.get("requester.agency")
            if (
                cell.kind == "status_check"
                and rd.rule.outcome in RESTRICTING
                and (requester or "ICE") in STATUS_REQUESTERS
            ):
                s.status.append(cell)
            if (
                cell.kind in OFFICER_KINDS
                and rd.rule.outcome in OFFICER_RESTRICTING
                and (requester or OFFICER) == OFFICER
            ):
                s.officer.append(cell)
    findings = report.findings

    def regions(cells: list[Cell]) -> list[tuple[str, Cell]]:
        return _regions(space, every, cells)

    for region, cell in regions(gaps):
        findings.append(
            Finding(
                "gap",
                (),
                "no rule decides these requests and the pack declares no default",
                (region,),
                cell.example(),
            )
        )
    for rules, cells in conflicts.items():
        findings.append(
            Finding(
                "conflict",
                rules,
                f"rules of equal standing disagree: {', '.join(rules)}",
                tuple(r for r, _ in regions(cells)),
                cells[0].example(),
            )
        )
    for rd in pack.rules:
        s = seen[rd.id]
        if s.cells and rd.rule.outcome is not None and s.overridden_everywhere:
            findings.append(
                Finding(
                    "overridden_everywhere",
                    (rd.id, *s.by),
                    f"{rd.id} ({rd.layer} layer) is overridden by binding higher law wherever it "
                    f"fires ({', '.join(s.by)})",
                    tuple(r for r, _ in regions(s.cells)),
                    s.cells[0].example(),
                )
            )
        elif rd.pack == pack.id and not s.decisive:
            findings.append(_dead(pack, rd.id, s, tuple(r for r, _ in regions(s.cells))))
        if s.status:
            cell = s.status[0]
            if "requester.agency" not in cell.box:
                cell = space.again(cell, {"requester.agency": "ICE"})
            findings.append(
                Finding(
                    "restricts_status_communication",
                    (rd.id,),
                    f"{rd.id} ({rd.layer} layer) answers a DHS status request with "
                    f"'{rd.rule.outcome}': no policy may restrict communicating immigration status "
                    "(8 U.S.C. 1373, RSMo 67.307), even where higher law overrides it",
                    tuple(r for r, _ in regions(s.status)),
                    cell.example(),
                )
            )
        if s.officer:
            cell = s.officer[0]
            if "requester.agency" not in cell.box:
                cell = space.again(cell, {"requester.agency": OFFICER})
            findings.append(
                Finding(
                    "restricts_status_communication",
                    (rd.id,),
                    f"{rd.id} ({rd.layer} layer) answers an officer's own status check or notice "
                    f"to DHS with '{rd.rule.outcome}': no policy may restrict an officer from "
                    "sending status information to DHS or requesting it (8 U.S.C. 1373(a)-(b), "
                    "RSMo 650.475.3, RSMo 67.307)",
                    tuple(r for r, _ in regions(s.officer)),
                    cell.example(),
                )
            )
    findings.sort(key=lambda f: (FINDING_KINDS.index(f.kind), f.rules))
    return report


def _dead(pack: CompiledPack, rid: str, s: _Rule, region: tuple[str, ...]) -> Finding:
    rd = pack.rules[pack.index[rid]]
    if not s.cells:
        window = f" (in force {rd.start or '…'} to {rd.end or 'now'})" if rd.start or rd.end else ""
        return Finding(
            "dead_rule",
            (rid,),
            f"{rid} never fires: no request meets its conditions while it is in force{window}",
        )
    d = s.cells[0].decisions[0]
    if rd.rule.outcome is None:
        says = (
            f"{rid} fires but never applies: the outcome is never one of "
            f"{', '.join(rd.rule.if_outcome)} when it fires (e.g. {d.outcome} by "
            f"{d.deciding})"
        )
    else:
        says = (
            f"{rid} fires but never decides or concurs (e.g. {d.outcome} decided by {d.deciding})"
        )
    return Finding("dead_rule", (rid,), says, region, s.cells[0].example())


def _regions(
    space: Space, every: dict[str, list[Cell]], cells: list[Cell]
) -> list[tuple[str, Cell]]:
    """The cells as few regions in plain language (kinds with the same region named
    together), each with a cell in it."""
    found: dict[str, tuple[list[str], Cell]] = {}
    by_kind: dict[str, list[Cell]] = {}
    for c in cells:
        by_kind.setdefault(c.kind, []).append(c)
    for kind, group in by_kind.items():
        ks = space.space(kind)
        chosen = {id(c) for c in group}
        off = ks.merge([c.code for c in every[kind] if id(c) not in chosen])
        for text, boxes in ks.phrases(ks.cover([c.code for c in group], off)):
            inside = next(c for c in group if any(c.within(b) for b in boxes))
            found.setdefault(text, ([], inside))[0].append(kind)
    return [(join_kinds(kinds, text), cell) for text, (kinds, cell) in found.items()]
