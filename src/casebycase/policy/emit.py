"""Writing a pack's conditions as Python source: one function per request kind.

The source holds no literal values: every operand, bound and bit is a constant bound by
name (``_k0``, ``_k1``...), so a value never has to survive ``repr``. Facts are read from the
:class:`~casebycase.policy.facts.Facts` object ``f``; ``t`` is the decision time.
"""

from __future__ import annotations

import linecache
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, assert_never

from casebycase.policy.condition import (
    AllOf,
    AnyOf,
    Node,
    NotOf,
    OffenseTest,
    Op,
    Profile,
    Test,
    compare,
    conj,
    disj,
    neg,
)
from casebycase.policy.facts import BY_ATTR, FACTS, OFFENSE_INDEX

Code = str | bool
"""An expression, or a constant once folded."""


def _and(parts: list[str]) -> str:
    return "(" + " and ".join(parts) + ")"


def _or(parts: list[str]) -> str:
    return "(" + " or ".join(parts) + ")"


def _not(part: str) -> str:
    return f"(not {part})"


@dataclass
class Emitter:
    """Writes conditions as Python expressions over ``f`` (the facts) and ``t``."""

    profile: Profile
    constants: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None
    """When set, the request kind is known and kind tests fold to constants."""

    def const(self, value: Any) -> str:
        """The name bound to ``value`` in the generated module."""
        for name, known in self.constants.items():
            if type(known) is type(value) and known == value:
                return name
        name = f"_k{len(self.constants)}"
        self.constants[name] = value
        return name

    def emit(self, node: Node) -> Code:
        match node:
            case AllOf(items):
                return conj((self.emit(n) for n in items), _and)
            case AnyOf(items):
                return disj((self.emit(n) for n in items), _or)
            case NotOf(item):
                return neg(self.emit(item), _not)
            case OffenseTest(attrs):
                parts = [self.op(a.op, f"x[{OFFENSE_INDEX[a.attr]}]", a.values) for a in attrs]
                matched = conj(parts, _and)
                if matched is False:
                    return False
                return f"any({'True' if matched is True else matched} for x in f.offenses)"
            case Test(name, op, values):
                return self.test(name, op, values)
            case _:
                assert_never(node)

    def test(self, name: str, op: Op, values: Any) -> Code:
        fact = FACTS[name]
        if name == "kind" and self.kind is not None:
            return compare(op, self.kind, values)
        if fact.on_request:
            return self.op(op, f"f.{fact.attr}", values)
        if name in ("agency.type", "agency.runs_jail"):
            return compare(op, self.profile.read(name, 0.0), values)
        return self.dated(name, op, values)

    def op(self, op: Op, x: str, v: Any) -> Code:
        """``x op v`` as an expression (``v`` bound as a constant)."""
        match op:
            case Op.IS:
                return x if v else f"(not {x})"
            case Op.IN:
                return (
                    f"{x} == {self.const(next(iter(v)))}"
                    if len(v) == 1
                    else (f"{x} in {self.const(v)}" if v else False)
                )
            case Op.NOT_IN:
                return (
                    f"{x} != {self.const(next(iter(v)))}"
                    if len(v) == 1
                    else (f"{x} not in {self.const(v)}" if v else True)
                )
            case Op.HAS_ANY:
                return f"(not {self.const(v)}.isdisjoint({x}))" if v else False
            case Op.HAS_ALL:
                return f"{self.const(v)}.issubset({x})" if v else True
            case Op.HAS_NONE:
                return f"{self.const(v)}.isdisjoint({x})" if v else True
            case Op.PRESENT:
                return f"({x} is {'not ' if v else ''}None)"
            case Op.AT_LEAST | Op.AT_MOST | Op.MORE_THAN | Op.LESS_THAN:
                return f"({x} is not None and {x} {op.value} {self.const(v)})"
            case _:
                assert_never(op)

    def dated(self, name: str, op: Op, values: Any) -> Code:
        """A set of dated profile entries (287(g) models, agreements) at time ``t``."""

        def present(item: str) -> Code:
            spans = [d for d in self.profile.dated(name) if d.name == item]
            return disj((self.window(d.start, d.end) for d in spans), _or)

        found = [present(v) for v in sorted(values)]
        match op:
            case Op.HAS_ALL:
                return conj(found, _and)
            case Op.HAS_ANY:
                return disj(found, _or)
            case Op.HAS_NONE:
                anyone: str | bool = disj(found, _or)
                return neg(anyone, _not)
            case (
                Op.IS
                | Op.IN
                | Op.NOT_IN
                | Op.PRESENT
                | Op.AT_LEAST
                | Op.AT_MOST
                | Op.MORE_THAN
                | Op.LESS_THAN
            ):
                raise ValueError(f"'{name}' is a set; '{op}' does not apply")
            case _:
                assert_never(op)

    def window(self, lo: float, hi: float) -> Code:
        """``lo <= t < hi`` (an infinite bound is no bound)."""
        parts: list[Code] = []
        if lo != float("-inf"):
            parts.append(f"{self.const(lo)} <= t")
        if hi != float("inf"):
            parts.append(f"t < {self.const(hi)}")
        return conj(parts, _and)


@dataclass(frozen=True, slots=True)
class Generated:
    """The generated module: its source, the constants it binds, and its functions."""

    source: str
    constants: dict[str, Any]
    by_kind: dict[str, Callable[[Any, float], int]]


def generate(
    name: str,
    kinds: Sequence[str],
    profile: Profile,
    rules: Sequence[tuple[str, Node, float, float]],
) -> Generated:
    """One function per kind, ``fired_<kind>(f, t) -> mask`` (bit i: rule i fired).

    ``rules``: (id, condition, start, end) in rule order. The source is registered with
    :mod:`linecache` under ``<pack NAME>`` so tracebacks show it.
    """
    emitter = Emitter(profile)
    lines: list[str] = []
    table: list[str] = []
    for kind in kinds:
        emitter.kind = kind
        body: list[str] = []
        for i, (rid, node, lo, hi) in enumerate(rules):
            cond = conj([emitter.window(lo, hi), emitter.emit(node)], _and)
            if cond is False:
                continue
            body.append(f"    if {cond}:  # {rid}")
            body.append(f"        m |= {emitter.const(1 << i)}")
        function = f"fired_{_identifier(kind)}"
        table.append(f"{emitter.const(kind)}: {function}")
        body, prelude = _locals(body)
        lines += [f"def {function}(f, t):", *prelude, "    m = 0", *body, "    return m", ""]
    lines.append("BY_KIND = {" + ", ".join(table) + "}")
    source = "\n".join(lines) + "\n"
    filename = f"<pack {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = dict(emitter.constants)
    exec(compile(source, filename, "exec"), namespace)
    return Generated(source, dict(emitter.constants), namespace["BY_KIND"])


def _locals(body: list[str]) -> tuple[list[str], list[str]]:
    """Each fact the rules read is read once, into a local named after it: written in place
    when it is computed from the request's own fields (its read expression in the fact
    table), else through the :class:`Facts` object (which keeps it)."""
    used = sorted(set(re.findall(r"\bf\.(\w+)", "\n".join(body))))
    body = [re.sub(r"\bf\.(\w+)", r"f_\1", line) for line in body]
    reads = {
        name: BY_ATTR[name].read if name in BY_ATTR and BY_ATTR[name].inline else f"f.{name}"
        for name in used
    }
    prelude = []
    if any(re.search(r"\b[rs]\.", expr) for expr in reads.values()):
        prelude.append("    r = f.r")
    if any(re.search(r"\bs\.", expr) for expr in reads.values()):
        prelude.append("    s = r.subject")
    prelude += [f"    f_{name} = {expr}" for name, expr in reads.items()]
    return body, prelude


def _identifier(text: str) -> str:
    return re.sub(r"\W", "_", text)
