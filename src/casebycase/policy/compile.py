"""Compiling a pack: generated Python functions find the rules that fire
(``policy/emit.py``), and a memo maps each set of fired rules to its resolved
:class:`Decision` (precedence: ``policy/precedence.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from casebycase.policy.emit import generate
from casebycase.policy.load import Pack, RuleDef, read_pack
from casebycase.policy.model import Action, Clause
from casebycase.policy.precedence import Override, Why, resolve
from casebycase.vocabulary import KINDS

__all__ = [
    "BUILTIN_RISKS",
    "CompiledPack",
    "Decision",
    "Override",
    "as_of",
    "compile_pack",
    "load_pack",
]

BUILTIN_RISKS: dict[str, str] = {
    "agency_rule_overridden": (
        "A rule of a later layer (the agency's own orders or its agreements) matched but "
        "is overridden by binding higher law; the higher law decides."
    ),
    "policy_conflict": (
        "Rules of equal standing disagree on this request; a person decides and counsel "
        "should resolve the conflict in the policy."
    ),
    "offense_unclassified": (
        "An offense could not be classified from its code or description; a person must "
        "classify it before relying on this recommendation."
    ),
}


@dataclass(frozen=True, slots=True)
class Decision:
    """Everything about a recommendation that depends only on which rules fired."""

    outcome: str
    deciding: str
    rules: tuple[str, ...]
    contributing: tuple[str, ...]
    actions: tuple[tuple[Action, tuple[str, ...]], ...]
    risks: tuple[str, ...]
    overridden: tuple[Override, ...]
    conflict: tuple[str, ...]
    citations: tuple[dict[str, Any], ...]
    explanation: str


class CompiledPack:
    """A pack ready to evaluate requests: ``fired(request, t)`` plus resolution memo."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.id, self.version, self.digest = pack.id, pack.version, pack.digest
        self.rules = pack.rules
        self.index = {r.id: i for i, r in enumerate(pack.rules)}
        self.policy = {"pack": pack.id, "version": pack.version, "digest": pack.digest}
        self.zone = pack.zone
        inf = float("inf")
        generated = generate(
            self.id,
            KINDS,
            pack.profile,
            [
                (rd.id, rd.node, pack.instant(rd.start, -inf), pack.instant(rd.end, inf))
                for rd in self.rules
            ],
        )
        self.source_code, self.constants = generated.source, generated.constants
        self.by_kind = generated.by_kind
        self.decisions: dict[int, Decision] = {}

    def fired(self, facts: Any, t: float) -> int:
        """The mask of rules that fire for a request's facts at time ``t``."""
        return self.by_kind[facts.kind](facts, t)

    def decision(self, mask: int) -> Decision:
        """The resolved decision for a set of fired rules (memoised)."""
        found = self.decisions.get(mask)
        if found is None:
            found = self.decisions[mask] = self._resolve(mask)
        return found

    def fired_rules(self, mask: int) -> list[RuleDef]:
        return [r for i, r in enumerate(self.rules) if mask >> i & 1]

    def _resolve(self, mask: int) -> Decision:
        fired = self.fired_rules(mask)
        result = resolve(fired)
        outcome = result.outcome or self.pack.default.outcome
        by_id = {r.id: r for r in fired}
        deciding = by_id[result.deciding] if result.deciding else None
        conflict, overridden = result.conflict, list(result.overridden)
        # rules without an outcome of their own apply only with the outcomes they name
        fired = [
            r
            for r in fired
            if r.rule.outcome is not None or not r.rule.if_outcome or outcome in r.rule.if_outcome
        ]
        contributing = [
            r
            for r in fired
            if (r.rule.outcome == outcome and not (conflict and r.id not in conflict))
            or r.rule.outcome is None
        ]
        if deciding is not None:
            contributing.remove(deciding)
            contributing.insert(0, deciding)
        default = deciding is None and not conflict
        head = deciding.id if deciding else ("conflict" if conflict else self.pack.default.id)
        ids = [head] + [r.id for r in fired if r.id != head]
        return Decision(
            outcome=outcome,
            deciding=head,
            rules=tuple(ids),
            contributing=tuple(r.id for r in contributing),
            actions=self._actions(contributing, default),
            risks=self._risks(fired, overridden, conflict),
            overridden=tuple(overridden),
            conflict=conflict,
            citations=self._citations(fired, default),
            explanation=self._explain(outcome, deciding, contributing, overridden, conflict),
        )

    def _actions(
        self, rules: list[RuleDef], default: bool
    ) -> tuple[tuple[Action, tuple[str, ...]], ...]:
        merged: dict[tuple[str, str], tuple[Action, list[str]]] = {}
        pairs = [(a, self.pack.default.id) for a in self.pack.default.actions] if default else []
        pairs += [(a, r.id) for r in rules for a in r.rule.actions]
        for action, rid in pairs:
            key = (action.do, action.by.model_dump_json() if action.by else "")
            if key in merged:
                merged[key][1].append(rid)
            else:
                merged[key] = (action, [rid])
        return tuple((a, tuple(ids)) for a, ids in merged.values())

    def _risks(
        self, rules: list[RuleDef], overridden: list[Override], conflict: tuple[str, ...]
    ) -> tuple[str, ...]:
        codes = [c for r in rules for c in r.rule.risks]
        if any(o.why is Why.BINDING for o in overridden):
            codes.append("agency_rule_overridden")
        if conflict:
            codes.append("policy_conflict")
        return tuple(dict.fromkeys(codes))

    def _citations(self, fired: list[RuleDef], default: bool) -> tuple[dict[str, Any], ...]:
        clauses = [c for r in fired for c in r.rule.because]
        if default:
            clauses = list(self.pack.default.because) + clauses
        seen: dict[tuple[str, str | None], dict[str, Any]] = {}
        for c in clauses:
            seen.setdefault((c.source, c.section), self.citation(c))
        return tuple(seen.values())

    def citation(self, clause: Clause) -> dict[str, Any]:
        """A clause as the recommendation shows it, with its standing: the source's
        authority and weight, its UNCONFIRMED marks, and whether ``text`` is the source's own
        words checked against its stored text (``quote``) or a summary (``gist``)."""
        src = self.pack.sources[clause.source]
        words = "quote" if clause.quote is not None else "gist" if clause.gist else "none"
        return {
            "source": src.citation,
            "section": clause.section,
            "text": clause.quote if clause.quote is not None else clause.gist,
            "words": words,
            "url": src.url,
            "authority": src.authority,
            "weight": src.weight,
            "unconfirmed": list(src.unconfirmed),
            "decided": src.decided.isoformat() if src.decided else None,
        }

    def _explain(
        self,
        outcome: str,
        deciding: RuleDef | None,
        contributing: list[RuleDef],
        overridden: list[Override],
        conflict: tuple[str, ...],
    ) -> str:
        verb = {
            "comply": "do what is asked",
            "partial": "do part of what is asked",
            "decline": "decline the request",
            "refer": "have a person decide",
        }[outcome]
        parts = [f"Recommendation: {verb} ({outcome})."]
        if conflict:
            parts.append(
                "Rules of equal standing disagree ("
                + ", ".join(conflict)
                + "), so a person decides."
            )
        elif deciding is None:
            parts.append(self.pack.default.says)
        for r in contributing:
            parts.append(_sentence(r.rule.says))
        layers = {r.id: r.layer for r in self.rules}
        for o in overridden:
            if o.why is Why.BINDING:
                parts.append(
                    f"Rule {o.rule} ({layers[o.rule]} layer) matched but is "
                    f"overridden: {o.why} ({o.by})."
                )
        parts.append(
            "This is a recommendation; a person makes the decision, and a decision "
            "that departs from it needs a reason."
        )
        return " ".join(parts)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


_COMPILED: dict[tuple[str, str], CompiledPack] = {}


def compile_pack(pack: Pack) -> CompiledPack:
    """Compile once per content digest and file (two copies of a pack share rules but not
    necessarily their scenario tests)."""
    key = (pack.digest, pack.path)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = CompiledPack(pack)
    return found


def load_pack(id_or_path: str | Any) -> CompiledPack:
    """Load, check and compile a bundled pack (by id) or a pack folder or file."""
    if isinstance(id_or_path, CompiledPack):
        return id_or_path
    return compile_pack(read_pack(id_or_path))


def as_of(day: dt.date | dt.datetime, pack: CompiledPack) -> float:
    """The instant used for 'rules in force on this date': local noon of that day."""
    if isinstance(day, dt.datetime):
        return day.timestamp()
    return dt.datetime.combine(day, dt.time(12), pack.zone).timestamp()
