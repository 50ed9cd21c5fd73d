"""Compiling a pack: one generated Python function finds the rules that fire, and a
memo from each set of fired rules to its resolved :class:`Decision`.

Resolution (docs/policy-language.md, "Precedence"):

1. Rules without an outcome only add actions and risks.
2. If a *binding* rule fired, the contest is held in the most authoritative layer with a
   binding rule; otherwise in the most specific layer with a rule that fired.
3. Within that layer, a rule named in another fired rule's ``exception_to`` steps aside,
   then the highest ``priority`` wins. Winners that disagree are a conflict: ``refer``.
4. Fired rules of less authoritative layers that disagree with a binding decision are
   reported as overridden.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any

from casebycase.errors import PackNotFound, Problem
from casebycase.policy.conditions import Emitter
from casebycase.policy.load import Pack, RuleDef, bundled_ids, read_pack
from casebycase.policy.model import Action, Clause
from casebycase.request import KINDS

BUILTIN_RISKS: dict[str, str] = {
    "agency_rule_overridden": (
        "A rule of a later layer (the agency's own orders or its agreements) matched but "
        "is overridden by binding higher law; the higher law decides."),
    "policy_conflict": (
        "Rules of equal standing disagree on this request; a person decides and counsel "
        "should resolve the conflict in the policy."),
    "offense_unclassified": (
        "An offense could not be classified from its code or description; a person must "
        "classify it before relying on this recommendation."),
}


@dataclass(frozen=True, slots=True)
class Override:
    """A fired rule set aside, by which rule, and why."""

    rule: str
    by: str
    why: str


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
    citations: tuple[dict[str, str | None], ...]
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
        self.source_code, self.fired, self.by_kind = self._generate()
        self.decisions: dict[int, Decision] = {}

    def _generate(self) -> tuple[str, Any, dict[str, Any]]:
        """One function per request kind holding only the rules that can fire for it."""
        emitter = Emitter(self.pack.profile)
        lines: list[str] = []
        table: list[str] = []
        for kind in KINDS:
            emitter.kind = kind
            body = []
            for i, rd in enumerate(self.rules):
                lo = self.pack.instant(rd.start, float("-inf"))
                hi = self.pack.instant(rd.end, float("inf"))
                cond = emitter.emit(rd.node)
                if cond == "False":
                    continue
                parts = [p for p in (_window(lo, hi), cond) if p != "True"]
                body.append(f"    if {' and '.join(parts) or 'True'}:  # {rd.id}")
                body.append(f"        m |= {1 << i}")
            text = "\n".join(body)
            name = f"fired_{kind}"
            prelude = [f"def {name}(r, t):"]
            for local, expr in reversed(LOCALS):  # a later local may need an earlier one
                if re.search(rf"\b{local}\b", text):
                    prelude.insert(1, f"    {local} = {expr}")
                    text += "\n" + expr
            lines += [*prelude, "    m = 0", *body, "    return m", ""]
            table.append(f"{kind!r}: {name}")
        lines.append("_BY_KIND = {" + ", ".join(table) + "}")
        lines += ["def fired(r, t):", "    return _BY_KIND[r.kind](r, t)"]
        source = "\n".join(lines) + "\n"
        namespace: dict[str, Any] = dict(emitter.constants)
        exec(compile(source, f"<pack {self.id}>", "exec"), namespace)
        return source, namespace["fired"], namespace["_BY_KIND"]

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
        deciders = [r for r in fired if r.rule.outcome is not None]
        overridden: list[Override] = []
        conflict: tuple[str, ...] = ()
        deciding: RuleDef | None = None
        outcome: str
        if not deciders:
            outcome = self.pack.default.outcome
        else:
            binding = [r for r in deciders if r.rule.binding]
            layer = min(r.rank for r in binding) if binding else max(r.rank for r in deciders)
            contest = [r for r in deciders if r.rank == layer]
            excepted = {x: r.id for r in contest for x in r.rule.exception_to}
            standing = [r for r in contest if r.id not in excepted] or contest
            top = max(r.rule.priority for r in standing)
            best = [r for r in standing if r.rule.priority == top]
            outcomes = {str(r.rule.outcome) for r in best}
            if len(outcomes) == 1:
                deciding = best[0]
                outcome = str(deciding.rule.outcome)
            else:
                outcome, conflict = "refer", tuple(r.id for r in best)
            by = deciding.id if deciding else "conflict"
            for r in contest:
                if r.rule.outcome != outcome and r.id in excepted:
                    overridden.append(Override(r.id, excepted[r.id], "an exception applies"))
                elif r.rule.outcome != outcome and r not in best:
                    overridden.append(Override(r.id, by, "a rule of higher priority applies"))
            if binding:
                overridden += [Override(r.id, by, "binding higher law decides")
                               for r in deciders if r.rank > layer and r.rule.outcome != outcome]
        # rules without an outcome of their own apply only with the outcomes they name
        fired = [r for r in fired if r.rule.outcome is not None or not r.rule.if_outcome
                 or outcome in r.rule.if_outcome]
        contributing = [r for r in fired
                        if (r.rule.outcome == outcome and not (conflict and r.id not in conflict))
                        or r.rule.outcome is None]
        if deciding is not None:
            contributing.remove(deciding)
            contributing.insert(0, deciding)
        head = deciding.id if deciding else ("conflict" if conflict else self.pack.default.id)
        ids = [head] + [r.id for r in fired if r.id != head]
        return Decision(
            outcome=outcome, deciding=head, rules=tuple(ids),
            contributing=tuple(r.id for r in contributing),
            actions=self._actions(contributing, deciding is None and not conflict),
            risks=self._risks(fired, overridden, conflict),
            overridden=tuple(overridden), conflict=conflict,
            citations=self._citations(fired, deciding is None and not conflict),
            explanation=self._explain(outcome, deciding, contributing, overridden, conflict),
        )

    def _actions(self, rules: list[RuleDef], default: bool
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

    def _risks(self, rules: list[RuleDef], overridden: list[Override],
               conflict: tuple[str, ...]) -> tuple[str, ...]:
        codes = [c for r in rules for c in r.rule.risks]
        if any(o.why.startswith("binding") for o in overridden):
            codes.append("agency_rule_overridden")
        if conflict:
            codes.append("policy_conflict")
        return tuple(dict.fromkeys(codes))

    def _citations(self, fired: list[RuleDef], default: bool
                   ) -> tuple[dict[str, str | None], ...]:
        clauses = [c for r in fired for c in r.rule.because]
        if default:
            clauses = list(self.pack.default.because) + clauses
        seen: dict[tuple[str, str | None], dict[str, str | None]] = {}
        for c in clauses:
            seen.setdefault((c.source, c.section), self.citation(c))
        return tuple(seen.values())

    def citation(self, clause: Clause) -> dict[str, str | None]:
        """A clause as the recommendation shows it."""
        src = self.pack.sources[clause.source]
        return {"source": src.citation, "section": clause.section, "text": clause.quote,
                "url": src.url}

    def _explain(self, outcome: str, deciding: RuleDef | None, contributing: list[RuleDef],
                 overridden: list[Override], conflict: tuple[str, ...]) -> str:
        verb = {"comply": "do what is asked", "partial": "do part of what is asked",
                "decline": "decline the request", "refer": "have a person decide"}[outcome]
        parts = [f"Recommendation: {verb} ({outcome})."]
        if conflict:
            parts.append("Rules of equal standing disagree (" + ", ".join(conflict)
                         + "), so a person decides.")
        elif deciding is None:
            parts.append(self.pack.default.says)
        for r in contributing:
            parts.append(_sentence(r.rule.says))
        layers = {r.id: r.layer for r in self.rules}
        for o in overridden:
            if o.why.startswith("binding"):
                parts.append(f"Rule {o.rule} ({layers[o.rule]} layer) matched but is "
                             f"overridden: {o.why} ({o.by}).")
        parts.append("This is a recommendation; a person makes the decision, and a decision "
                     "that departs from it needs a reason.")
        return " ".join(parts)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _window(lo: float, hi: float) -> str:
    if lo == float("-inf") and hi == float("inf"):
        return "True"
    if lo == float("-inf"):
        return f"t < {hi!r}"
    if hi == float("inf"):
        return f"{lo!r} <= t"
    return f"{lo!r} <= t < {hi!r}"


LOCALS = (
    ("s", "r.subject"), ("c", "r.categories"), ("p", "r.purpose"),
    ("ra", "r.requester.agency"), ("d", "r.documents"), ("jw", "r.judicial_warrant"),
    ("cf", "(s.in_custody if s.confined is None else s.confined)"),
)
"""Request facts the generated code reads, bound once per call when a rule uses them."""

_COMPILED: dict[str, CompiledPack] = {}


def compile_pack(pack: Pack) -> CompiledPack:
    """Compile once per content digest."""
    found = _COMPILED.get(pack.digest)
    if found is None:
        found = _COMPILED[pack.digest] = CompiledPack(pack)
    return found


def load_pack(id_or_path: str | Any) -> CompiledPack:
    """Load, check and compile a bundled pack (by id) or a pack folder or file."""
    if isinstance(id_or_path, CompiledPack):
        return id_or_path
    return compile_pack(read_pack(id_or_path))


def load_bundled(pack_id: str) -> CompiledPack:
    """A bundled pack by id only (never a path): for ids that come from request data."""
    known = bundled_ids()
    if pack_id not in known:
        near = difflib.get_close_matches(pack_id, known, n=1, cutoff=0.5)
        hint = f"did you mean '{near[0]}'?" if near else f"bundled packs: {', '.join(known)}"
        raise PackNotFound([Problem(pack_id, "no bundled pack has this id", hint)],
                           title="pack not found")
    return load_pack(pack_id)


def as_of(day: dt.date | dt.datetime, pack: CompiledPack) -> float:
    """The instant used for 'rules in force on this date': local noon of that day."""
    if isinstance(day, dt.datetime):
        return day.timestamp()
    return dt.datetime.combine(day, dt.time(12), pack.zone).timestamp()
