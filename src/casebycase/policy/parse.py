"""Parsing a rule's ``when:`` into a condition tree, collecting every problem.

A ``when:`` mapping holds when every entry holds. An entry is ``field: value`` (equals),
``field: [a, b]`` (one of), ``field: {operator: value}``, or a combinator: ``all: [...]``,
``any: [...]``, ``not: {...}``, ``offense: {category: ..., status: ...}`` (some offense
matches all of them). See docs/policy-language.md.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from casebycase.errors import Problem
from casebycase.offenses.categories import GROUPS, NARROW
from casebycase.policy.condition import (
    AllOf,
    AnyOf,
    Node,
    NotOf,
    OffenseAttr,
    OffenseTest,
    Op,
    Test,
)
from casebycase.policy.facts import (
    FACTS,
    OFFENSE_ATTRIBUTES,
    UNREADABLE,
    Fact,
    Shape,
    choices_of,
)

ENUM_OPS = {
    "is": Op.IN,
    "one_of": Op.IN,
    "in": Op.IN,
    "not": Op.NOT_IN,
    "not_one_of": Op.NOT_IN,
    "not_in": Op.NOT_IN,
}
SET_OPS = {
    "has": Op.HAS_ALL,
    "has_all": Op.HAS_ALL,
    "has_any": Op.HAS_ANY,
    "has_none": Op.HAS_NONE,
    "lacks": Op.HAS_NONE,
}
NUMBER_OPS = {
    "at_least": Op.AT_LEAST,
    "at_most": Op.AT_MOST,
    "more_than": Op.MORE_THAN,
    "less_than": Op.LESS_THAN,
    "present": Op.PRESENT,
}
"""The words a pack writes for each operator, by the shape of the fact."""
COMBINATORS = ("all", "any", "not", "offense")

Locate = Callable[[tuple[str | int, ...]], str]


@dataclass
class Parser:
    """Turns raw ``when:`` data into a condition tree, collecting every problem."""

    locate: Locate
    agreements: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    """Conditions that hold but may not say what the author meant."""

    def parse(self, raw: Any, path: tuple[str | int, ...]) -> Node:
        if not isinstance(raw, dict) or not raw:
            self._bad(
                path,
                "a condition must be a non-empty mapping of field: value",
                "e.g. when: {kind: detainer, judicial_warrant: false}",
            )
            return AllOf(())
        return AllOf(tuple(self._entry(k, v, (*path, k)) for k, v in raw.items()))

    def _entry(self, key: str, value: Any, path: tuple[str | int, ...]) -> Node:
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                self._bad(
                    path,
                    f"'{key}' takes a non-empty list of conditions",
                    f"write {key}: [{{...}}, {{...}}]",
                )
                return AllOf(())
            items = tuple(self.parse(v, (*path, i)) for i, v in enumerate(value))
            return AllOf(items) if key == "all" else AnyOf(items)
        if key == "not":
            return NotOf(self.parse(value, path))
        if key == "offense":
            return self._offense(value, path)
        if key.startswith("offense.") and key not in FACTS:
            attr = key.split(".", 1)[1]
            return self._offense({attr: value}, path)
        spec = FACTS.get(key)
        if spec is None:
            return self._unknown(key, path)
        return self._test(spec, value, path)

    def _unknown(self, key: str, path: tuple[str | int, ...]) -> Node:
        if key in UNREADABLE:
            self._bad(path, f"no rule may read '{key}': {UNREADABLE[key]}", "remove this condition")
        else:
            names = [*FACTS, *COMBINATORS]
            near = difflib.get_close_matches(key, names, n=1, cutoff=0.5)
            hint = f"did you mean '{near[0]}'?" if near else "see docs/policy-language.md"
            self._bad(path, f"unknown field '{key}'", hint)
        return AllOf(())

    def _test(self, spec: Fact, value: Any, path: tuple[str | int, ...]) -> Node:
        where = self.locate(path)
        op, operand = "", value
        if isinstance(value, dict):
            if len(value) != 1:
                self._bad(
                    path,
                    "an operator mapping holds exactly one operator",
                    "split it into two conditions under all:",
                )
                return AllOf(())
            ((op, operand),) = value.items()
        if spec.shape is Shape.BOOL:
            if op not in ("", "is") or not isinstance(operand, bool):
                self._bad(path, f"'{spec.name}' is true or false", f"write {spec.name}: true")
                return AllOf(())
            return Test(spec.name, Op.IS, operand, where)
        if spec.shape is Shape.NUMBER:
            return self._number(spec, op, operand, path, where)
        table = ENUM_OPS if spec.shape is Shape.ENUM else SET_OPS
        if op and op not in table:
            near = difflib.get_close_matches(op, list(table), n=1, cutoff=0.4)
            self._bad(
                path,
                f"'{op}' is not an operator for {spec.shape} field '{spec.name}'",
                f"did you mean '{near[0]}'?" if near else f"use one of {sorted(table)}",
            )
            return AllOf(())
        norm = table[op] if op else (Op.IN if spec.shape is Shape.ENUM else Op.HAS_ANY)
        values = self._values(spec, operand, path)
        return Test(spec.name, norm, values, where)

    def _number(
        self, spec: Fact, op: str, operand: Any, path: tuple[str | int, ...], where: str
    ) -> Node:
        if op not in NUMBER_OPS:
            self._bad(
                path,
                f"'{spec.name}' is a number compared with an operator",
                f"write {spec.name}: {{at_most: 48}}; operators: {', '.join(NUMBER_OPS)}",
            )
            return AllOf(())
        if op == "present":
            if not isinstance(operand, bool):
                self._bad(path, "'present' is true or false", "write present: true")
                return AllOf(())
        elif isinstance(operand, bool) or not isinstance(operand, int | float):
            self._bad(path, f"'{op}' needs a number, got {operand!r}", f"write {op}: 48")
            return AllOf(())
        elif not math.isfinite(operand):
            self._bad(
                path,
                f"'{op}' needs a finite number, got {operand!r}",
                f"write a number of hours or a count, e.g. {op}: 48",
            )
            return AllOf(())
        return Test(spec.name, NUMBER_OPS[op], operand, where)

    def _values(self, spec: Fact, operand: Any, path: tuple[str | int, ...]) -> frozenset[str]:
        raw = operand if isinstance(operand, list) else [operand]
        choices = choices_of(spec) or self.agreements
        groups = GROUPS if spec.name == "offense.category" else {}
        out: set[str] = set()
        for item in raw:
            if isinstance(item, str) and item in groups:
                out.update(groups[item])
            elif not isinstance(item, str) or item not in choices:
                near = difflib.get_close_matches(str(item), [*choices, *groups], n=1, cutoff=0.5)
                listed = (
                    ", ".join(choices)
                    if len(choices) <= 20
                    else "the ids `casebycase classify` shows (docs/offenses.md)"
                )
                hint = f"did you mean '{near[0]}'?" if near else f"use one of: {listed}"
                self._bad(path, f"'{item}' is not a value of '{spec.name}'", hint)
            else:
                out.add(item)
        for narrow, left_out in NARROW.items() if groups else ():
            if narrow in out and not out.intersection(left_out):
                self.warnings.append(
                    Problem(
                        self.locate(path),
                        f"'{narrow}' does not include {' or '.join(left_out)}",
                        "name them too, or use the group 'violent' (docs/offenses.md)",
                    )
                )
        return frozenset(out)

    def _offense(self, value: Any, path: tuple[str | int, ...]) -> Node:
        if not isinstance(value, dict) or not value:
            self._bad(
                path,
                "'offense' takes a mapping of category/level/status/entry",
                "e.g. offense: {category: homicide, status: [charged, convicted]}",
            )
            return AllOf(())
        attrs = []
        for attr, operand in value.items():
            choices = OFFENSE_ATTRIBUTES.get(attr)
            if choices is None:
                near = difflib.get_close_matches(attr, list(OFFENSE_ATTRIBUTES), n=1)
                self._bad(
                    (*path, attr),
                    f"offenses have no attribute '{attr}'",
                    f"did you mean '{near[0]}'?"
                    if near
                    else "use category, level, status or entry",
                )
                continue
            spec = FACTS[f"offense.{attr}"]
            op: Op | None = Op.IN
            if isinstance(operand, dict) and len(operand) == 1:
                ((key, operand),) = operand.items()
                op = ENUM_OPS.get(key)
                if op is None:
                    self._bad(
                        (*path, attr), f"'{key}' is not an operator here", "use is, one_of or not"
                    )
                    continue
            if op is not None:
                attrs.append(OffenseAttr(attr, op, self._values(spec, operand, (*path, attr))))
        return OffenseTest(tuple(attrs), self.locate(path))

    def _bad(self, path: tuple[str | int, ...], why: str, hint: str) -> None:
        self.problems.append(Problem(self.locate(path), why, hint))
