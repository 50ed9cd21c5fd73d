"""Conditions: parsed from a rule's ``when:``, then interpreted (for traces) or compiled.

A ``when:`` mapping holds when every entry holds. An entry is ``field: value`` (equals),
``field: [a, b]`` (one of), ``field: {operator: value}``, or a combinator: ``all: [...]``,
``any: [...]``, ``not: {...}``, ``offense: {category: ..., status: ...}`` (some offense
matches all of them). See docs/policy-language.md.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from casebycase.errors import Problem
from casebycase.policy.fields import FIELDS, OFFENSE_ATTRIBUTES, UNREADABLE, Field
from casebycase.request import Request

ENUM_OPS = {"is": "in", "one_of": "in", "in": "in", "not": "not_in", "not_one_of": "not_in",
            "not_in": "not_in"}
SET_OPS = {"has": "has_all", "has_all": "has_all", "has_any": "has_any", "has_none": "has_none",
           "lacks": "has_none"}
NUMBER_OPS = {"at_least": ">=", "at_most": "<=", "more_than": ">", "less_than": "<",
              "present": "present"}
COMBINATORS = ("all", "any", "not", "offense")


@dataclass(frozen=True, slots=True)
class Dated:
    """Something in the agency profile that holds between two instants (POSIX seconds)."""

    name: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Profile:
    """Agency facts conditions may read."""

    type: str
    runs_jail: bool
    programs: tuple[Dated, ...] = ()
    agreements: tuple[Dated, ...] = ()

    def in_force(self, which: str, t: float) -> frozenset[str]:
        items = self.programs if which == "agency.287g" else self.agreements
        return frozenset(d.name for d in items if d.start <= t < d.end)


@dataclass(frozen=True, slots=True)
class Test:
    """``field op values``."""

    field: str
    op: str
    values: Any
    where: str


@dataclass(frozen=True, slots=True)
class OffenseTest:
    """Some offense matches every (attribute, op, values)."""

    attrs: tuple[tuple[str, str, frozenset[str]], ...]
    where: str


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class NotOf:
    item: Node


Node = Test | OffenseTest | AllOf | AnyOf | NotOf
Locate = Callable[[tuple[str | int, ...]], str]


@dataclass
class Parser:
    """Turns raw ``when:`` data into a condition tree, collecting every problem."""

    locate: Locate
    agreements: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)

    def parse(self, raw: Any, path: tuple[str | int, ...]) -> Node:
        if not isinstance(raw, dict) or not raw:
            self._bad(path, "a condition must be a non-empty mapping of field: value",
                      "e.g. when: {kind: detainer, judicial_warrant: false}")
            return AllOf(())
        return AllOf(tuple(self._entry(k, v, (*path, k)) for k, v in raw.items()))

    def _entry(self, key: str, value: Any, path: tuple[str | int, ...]) -> Node:
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                self._bad(path, f"'{key}' takes a non-empty list of conditions",
                          f"write {key}: [{{...}}, {{...}}]")
                return AllOf(())
            items = tuple(self.parse(v, (*path, i)) for i, v in enumerate(value))
            return AllOf(items) if key == "all" else AnyOf(items)
        if key == "not":
            return NotOf(self.parse(value, path))
        if key == "offense":
            return self._offense(value, path)
        if key.startswith("offense.") and key not in FIELDS:
            attr = key.split(".", 1)[1]
            return self._offense({attr: value}, path)
        spec = FIELDS.get(key)
        if spec is None:
            return self._unknown(key, path)
        return self._test(spec, value, path)

    def _unknown(self, key: str, path: tuple[str | int, ...]) -> Node:
        if key in UNREADABLE:
            self._bad(path, f"no rule may read '{key}': {UNREADABLE[key]}",
                      "remove this condition")
        else:
            names = [*FIELDS, *COMBINATORS]
            near = difflib.get_close_matches(key, names, n=1, cutoff=0.5)
            hint = f"did you mean '{near[0]}'?" if near else "see docs/policy-language.md"
            self._bad(path, f"unknown field '{key}'", hint)
        return AllOf(())

    def _test(self, spec: Field, value: Any, path: tuple[str | int, ...]) -> Node:
        where = self.locate(path)
        op, operand = "", value
        if isinstance(value, dict):
            if len(value) != 1:
                self._bad(path, "an operator mapping holds exactly one operator",
                          "split it into two conditions under all:")
                return AllOf(())
            ((op, operand),) = value.items()
        if spec.shape == "bool":
            if op not in ("", "is") or not isinstance(operand, bool):
                self._bad(path, f"'{spec.name}' is true or false", f"write {spec.name}: true")
                return AllOf(())
            return Test(spec.name, "is", operand, where)
        if spec.shape == "number":
            return self._number(spec, op, operand, path, where)
        table = ENUM_OPS if spec.shape == "enum" else SET_OPS
        if op and op not in table:
            near = difflib.get_close_matches(op, list(table), n=1, cutoff=0.4)
            self._bad(path, f"'{op}' is not an operator for {spec.shape} field '{spec.name}'",
                      f"did you mean '{near[0]}'?" if near else f"use one of {sorted(table)}")
            return AllOf(())
        norm = table[op] if op else ("in" if spec.shape == "enum" else "has_any")
        values = self._values(spec, operand, path)
        return Test(spec.name, norm, values, where)

    def _number(self, spec: Field, op: str, operand: Any, path: tuple[str | int, ...],
                where: str) -> Node:
        if op not in NUMBER_OPS:
            self._bad(path, f"'{spec.name}' is a number compared with an operator",
                      f"write {spec.name}: {{at_most: 48}}; operators: {', '.join(NUMBER_OPS)}")
            return AllOf(())
        if op == "present":
            if not isinstance(operand, bool):
                self._bad(path, "'present' is true or false", "write present: true")
                return AllOf(())
        elif isinstance(operand, bool) or not isinstance(operand, int | float):
            self._bad(path, f"'{op}' needs a number, got {operand!r}", f"write {op}: 48")
            return AllOf(())
        return Test(spec.name, NUMBER_OPS[op], operand, where)

    def _values(self, spec: Field, operand: Any, path: tuple[str | int, ...]) -> frozenset[str]:
        raw = operand if isinstance(operand, list) else [operand]
        choices = spec.choices or self.agreements
        out = set()
        for item in raw:
            if not isinstance(item, str) or item not in choices:
                near = difflib.get_close_matches(str(item), list(choices), n=1, cutoff=0.5)
                hint = f"did you mean '{near[0]}'?" if near else f"use one of: {', '.join(choices)}"
                self._bad(path, f"'{item}' is not a value of '{spec.name}'", hint)
            else:
                out.add(item)
        return frozenset(out)

    def _offense(self, value: Any, path: tuple[str | int, ...]) -> Node:
        if not isinstance(value, dict) or not value:
            self._bad(path, "'offense' takes a mapping of category/level/status",
                      "e.g. offense: {category: homicide, status: [charged, convicted]}")
            return AllOf(())
        attrs = []
        for attr, operand in value.items():
            choices = OFFENSE_ATTRIBUTES.get(attr)
            if choices is None:
                near = difflib.get_close_matches(attr, list(OFFENSE_ATTRIBUTES), n=1)
                self._bad((*path, attr), f"offenses have no attribute '{attr}'",
                          f"did you mean '{near[0]}'?" if near else "use category, level, status")
                continue
            spec = FIELDS[f"offense.{attr}"]
            op = "in"
            if isinstance(operand, dict) and len(operand) == 1:
                ((key, operand),) = operand.items()
                op = ENUM_OPS.get(key, "")
                if not op:
                    self._bad((*path, attr), f"'{key}' is not an operator here",
                              "use is, one_of or not")
                    continue
            attrs.append((attr, op, self._values(spec, operand, (*path, attr))))
        return OffenseTest(tuple(attrs), self.locate(path))

    def _bad(self, path: tuple[str | int, ...], why: str, hint: str) -> None:
        self.problems.append(Problem(self.locate(path), why, hint))


# --- interpretation (traces, explain, cross-checks) -------------------------------------


def fact(name: str, r: Request, t: float, profile: Profile) -> Any:
    """The value of one readable fact for a request at time ``t``."""
    if name == "agency.type":
        return profile.type
    if name == "agency.runs_jail":
        return profile.runs_jail
    if name in ("agency.287g", "agency.agreements"):
        return profile.in_force(name, t)
    if name == "requester.component":
        return r.requester.component or "none"
    if name == "subject.booked":
        return r.subject.booked_at is not None
    if name == "subject.confined":
        s = r.subject
        return s.in_custody if s.confined is None else s.confined
    if name == "offense_count":
        return len(r.offenses)
    if name.startswith("offense."):
        return {"category": r.categories, "level": r.levels, "status": r.statuses}[name[8:]]
    obj: Any = r
    for part in name.split("."):
        obj = getattr(obj, part)
    return frozenset(obj) if name == "documents" else obj


def holds(node: Node, r: Request, t: float, profile: Profile) -> bool:
    """Whether the condition holds for this request at time ``t``."""
    if isinstance(node, AllOf):
        return all(holds(n, r, t, profile) for n in node.items)
    if isinstance(node, AnyOf):
        return any(holds(n, r, t, profile) for n in node.items)
    if isinstance(node, NotOf):
        return not holds(node.item, r, t, profile)
    if isinstance(node, OffenseTest):
        return any(all(_offense_attr(o, a) in v if op == "in" else _offense_attr(o, a) not in v
                       for a, op, v in node.attrs) for o in r.offenses)
    return _compare(node.op, fact(node.field, r, t, profile), node.values)


def _offense_attr(o: Any, attr: str) -> str | None:
    if attr == "category":
        return str(o.derived[0])
    if attr == "level":
        return o.derived[1]  # type: ignore[no-any-return]
    return o.status  # type: ignore[no-any-return]


def _compare(op: str, value: Any, operand: Any) -> bool:
    if op == "is":
        return bool(value is operand)
    if op == "in":
        return value in operand
    if op == "not_in":
        return value not in operand
    if op == "has_any":
        return not operand.isdisjoint(value)
    if op == "has_all":
        return bool(operand <= frozenset(value))
    if op == "has_none":
        return bool(operand.isdisjoint(value))
    if op == "present":
        return (value is not None) is operand
    if value is None:
        return False
    results: dict[str, bool] = {">=": value >= operand, "<=": value <= operand,
                                ">": value > operand, "<": value < operand}
    return results[op]


def describe(node: Node) -> str:
    """The condition in words, for `casebycase show` and explanations."""
    if isinstance(node, AllOf):
        return " and ".join(_paren(describe(n), n) for n in node.items) or "always"
    if isinstance(node, AnyOf):
        return " or ".join(_paren(describe(n), n) for n in node.items)
    if isinstance(node, NotOf):
        return f"not ({describe(node.item)})"
    if isinstance(node, OffenseTest):
        parts = [f"{a} {'not ' if op == 'not_in' else ''}in {_list(v)}" for a, op, v in node.attrs]
        return "some offense has " + " and ".join(parts)
    words = {"is": "is", "in": "is one of", "not_in": "is not one of", "has_any": "has any of",
             "has_all": "has all of", "has_none": "has none of", ">=": "is at least",
             "<=": "is at most", ">": "is more than", "<": "is less than"}
    if node.op == "present":
        return f"{node.field} is {'known' if node.values else 'unknown'}"
    if isinstance(node.values, frozenset) and len(node.values) == 1:
        (only,) = node.values
        single = {"in": "is", "not_in": "is not", "has_any": "has", "has_all": "has",
                  "has_none": "does not have"}[node.op]
        return f"{node.field} {single} {only}"
    value = _list(node.values) if isinstance(node.values, frozenset) else str(node.values).lower()
    return f"{node.field} {words[node.op]} {value}"


def _paren(text: str, node: Node) -> str:
    return f"({text})" if isinstance(node, AnyOf | AllOf) and len(node.items) > 1 else text


def _list(values: frozenset[str]) -> str:
    return "[" + ", ".join(sorted(values)) + "]"


# --- compilation to Python source ---------------------------------------------------------


@dataclass
class Emitter:
    """Writes one condition as a Python expression over ``r``, ``s`` and ``t``."""

    profile: Profile
    constants: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None
    """When set, the request kind is known and kind tests fold to constants."""

    def const(self, value: Any) -> str:
        for name, known in self.constants.items():
            if known == value and type(known) is type(value):
                return name
        name = f"_k{len(self.constants)}"
        self.constants[name] = value
        return name

    def emit(self, node: Node) -> str:
        if isinstance(node, AllOf):
            parts = [self.emit(n) for n in node.items]
            if "False" in parts:
                return "False"
            parts = [p for p in parts if p != "True"]
            return "(" + " and ".join(parts) + ")" if parts else "True"
        if isinstance(node, AnyOf):
            parts = [self.emit(n) for n in node.items]
            if "True" in parts:
                return "True"
            parts = [p for p in parts if p != "False"]
            return "(" + " or ".join(parts) + ")" if parts else "False"
        if isinstance(node, NotOf):
            inner = self.emit(node.item)
            return {"True": "False", "False": "True"}.get(inner, f"(not {inner})")
        if isinstance(node, OffenseTest):
            parts = []
            for attr, op, values in node.attrs:
                ref = {"category": "o.derived[0]", "level": "o.derived[1]",
                       "status": "o.status"}[attr]
                parts.append(f"{ref} {'in' if op == 'in' else 'not in'} {self.const(values)}")
            return f"any({' and '.join(parts)} for o in r.offenses)"
        return self._test(node)

    def _test(self, node: Test) -> str:
        if node.field.startswith("agency."):
            return self._agency(node)
        if node.field == "kind" and self.kind is not None and node.op in ("in", "not_in"):
            return repr((self.kind in node.values) == (node.op == "in"))
        spec = FIELDS[node.field]
        x, op, v = spec.expr, node.op, node.values
        if op == "is":
            return x if v else f"(not {x})"
        if op in ("in", "not_in"):
            neg = "not " if op == "not_in" else ""
            if len(v) == 1:
                (only,) = v
                return f"{x} {'!=' if neg else '=='} {only!r}"
            return f"{x} {neg}in {self.const(v)}"
        if op == "has_any":
            if len(v) == 1:
                (only,) = v
                return f"{only!r} in {x}"
            return f"(not {self.const(v)}.isdisjoint({x}))"
        if op == "has_all":
            return "(" + " and ".join(f"{item!r} in {x}" for item in sorted(v)) + ")"
        if op == "has_none":
            return f"{self.const(v)}.isdisjoint({x})"
        if op == "present":
            return f"({x} is {'not ' if v else ''}None)"
        return f"(({x}) is not None and ({x}) {op} {v!r})"

    def _agency(self, node: Test) -> str:
        p = self.profile
        if node.field in ("agency.type", "agency.runs_jail"):
            return repr(holds(node, _NO_REQUEST, 0.0, p))
        items = p.programs if node.field == "agency.287g" else p.agreements

        def present(name: str) -> str:
            spans = [d for d in items if d.name == name]
            if not spans:
                return "False"
            return "(" + " or ".join(_window(d.start, d.end) for d in spans) + ")"

        found = [present(n) for n in sorted(node.values)]
        if node.op == "has_all":
            return "False" if "False" in found else "(" + " and ".join(found) + ")"
        found = [f for f in found if f != "False"]
        anyone = "(" + " or ".join(found) + ")" if found else "False"
        if node.op == "has_any":
            return anyone
        return "True" if anyone == "False" else f"(not {anyone})"


def _window(start: float, end: float) -> str:
    lo = "" if start == float("-inf") else f"{start!r} <= "
    hi = "" if end == float("inf") else f" < {end!r}"
    return f"({lo}t{hi})" if lo or hi else "True"


_NO_REQUEST: Any = None
