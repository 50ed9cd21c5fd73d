"""Evaluating a request: the fast path returns a :class:`Recommendation` whose details
(deadlines, citations, risks, trace) are built only when asked for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from casebycase.policy.clock import deadline
from casebycase.policy.compile import BUILTIN_RISKS, CompiledPack, Decision, as_of, load_pack
from casebycase.policy.condition import describe, holds
from casebycase.policy.registry import Registry, bundled_registry
from casebycase.request import Request


class Recommendation:
    """What the policy recommends for one request, with every reason behind it."""

    __slots__ = ("decision", "pack", "request", "t")

    def __init__(self, decision: Decision, request: Request, pack: CompiledPack, t: float):
        self.decision, self.request, self.pack, self.t = decision, request, pack, t

    @property
    def outcome(self) -> str:
        return self.decision.outcome

    @property
    def rules(self) -> tuple[str, ...]:
        return self.decision.rules

    @property
    def actions(self) -> list[dict[str, Any]]:
        """Each ``{"do", "by", "because"}``; ``by`` is an ISO datetime or None."""
        out = []
        for action, because in self.decision.actions:
            by = None
            if action.by is not None:
                anchor = self._anchor(action.by.anchor)
                if anchor is not None:
                    by = deadline(anchor, action.by, self.pack.zone).isoformat()
            item: dict[str, Any] = {"do": action.do, "by": by, "because": list(because)}
            if action.by is not None:
                item["clock"] = action.by.clock
            if action.note:
                item["note"] = action.note
            out.append(item)
        return out

    def _anchor(self, name: str) -> dt.datetime | None:
        if name == "received_at":
            return self.request.received_at
        if name == "subject.booked_at":
            return self.request.subject.booked_at
        return self.request.subject.release_at

    @property
    def risks(self) -> list[dict[str, Any]]:
        """Each ``{"code", "says", "citations"}``."""
        codes = list(self.decision.risks)
        if "unknown" in self.request.categories:
            codes.append("offense_unclassified")
        out: list[dict[str, Any]] = []
        for code in codes:
            risk = self.pack.pack.risks.get(code)
            if risk is None:
                out.append({"code": code, "says": BUILTIN_RISKS[code], "citations": []})
            else:
                out.append(
                    {
                        "code": code,
                        "says": risk.says,
                        "citations": [self.pack.citation(c) for c in risk.because],
                    }
                )
        return out

    @property
    def explanation(self) -> str:
        text = self.decision.explanation
        if "unknown" in self.request.categories:
            text += (
                " An offense could not be classified from its code or description, so a "
                "person must check it."
            )
        return text

    @property
    def policy(self) -> dict[str, str]:
        return dict(self.pack.policy)

    def to_dict(self, trace: bool = False) -> dict[str, Any]:
        """The recommendation keys of the request format, plus overrides (and the trace)."""
        d = self.decision
        out: dict[str, Any] = {
            "request": self.request.id,
            "outcome": d.outcome,
            "actions": self.actions,
            "rules": list(d.rules),
            "citations": [dict(c) for c in d.citations],
            "risks": self.risks,
            "policy": self.policy,
            "explanation": self.explanation,
            "overridden": [{"rule": o.rule, "by": o.by, "why": o.why} for o in d.overridden],
            "evaluated_at": dt.datetime.fromtimestamp(self.t, self.pack.zone).isoformat(),
        }
        if trace:
            out["trace"] = self.trace()
        return out

    def trace(self) -> list[dict[str, Any]]:
        """Every rule of the pack: in force? did it match? what part did it play?"""
        d, r, t = self.decision, self.request, self.t
        roles = {o.rule: f"overridden by {o.by}: {o.why}" for o in d.overridden}
        roles.update({rid: "in conflict" for rid in d.conflict})
        out = []
        for i, rd in enumerate(self.pack.rules):
            lo = self.pack.pack.instant(rd.start, float("-inf"))
            hi = self.pack.pack.instant(rd.end, float("inf"))
            in_force = lo <= t < hi
            matched = in_force and holds(rd.node, r.facts, t, self.pack.pack.profile)
            if matched != bool(self.decision_mask() >> i & 1):
                raise RuntimeError(f"compiled and interpreted evaluation disagree on {rd.id}")
            if not in_force:
                role = "not in force on this date"
            elif not matched:
                role = "conditions not met"
            elif rd.id not in d.rules:
                role = "matched; applies only when the outcome is " + " or ".join(
                    rd.rule.if_outcome
                )
            elif rd.id == d.deciding:
                role = "decided"
            elif rd.id in roles:
                role = roles[rd.id]
            elif rd.id in d.contributing:
                role = "concurred" if rd.rule.outcome else "added actions or risks"
            else:
                role = "matched; not decisive"
            out.append(
                {
                    "rule": rd.id,
                    "layer": rd.layer,
                    "binding": rd.rule.binding,
                    "in_force": in_force,
                    "matched": matched,
                    "role": role,
                    "when": describe(rd.node),
                    "outcome": rd.rule.outcome,
                }
            )
        return out

    def decision_mask(self) -> int:
        return self.pack.fired(self.request.facts, self.t)


def evaluate(
    request: Request,
    pack: CompiledPack | str | None = None,
    at: dt.date | dt.datetime | None = None,
    registry: Registry | None = None,
) -> Recommendation:
    """Recommend what to do with ``request`` under ``pack``.

    ``pack`` is a compiled pack, or a pack id or path (read through the file system); by
    default the pack of the request's agency from ``registry`` (default: the bundled packs).
    The rules in force at ``received_at`` apply, unless ``at`` names another date.
    """
    if isinstance(pack, CompiledPack):
        compiled = pack
    elif pack:
        compiled = load_pack(pack)
    else:
        compiled = (registry or bundled_registry()).get(request.agency)
    facts = request.facts
    t = facts.timestamp if at is None else as_of(at, compiled)
    mask = compiled.by_kind[facts.kind](facts, t)
    decision = compiled.decisions.get(mask) or compiled.decision(mask)
    return Recommendation(decision, request, compiled, t)
