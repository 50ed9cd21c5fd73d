"""Turning pydantic's validation errors into problems that teach (file:line:column, why, a
hint), and the agency profile as the condition language reads it."""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, TypeAdapter, ValidationError

from casebycase.errors import PackError, Problem
from casebycase.policy.condition import Dated, Profile
from casebycase.policy.document import Document
from casebycase.policy.model import AgencyProfile, Scenario


def validate(model: Any, data: Any, doc: Document) -> Any:
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(data)
        return model.model_validate(data)
    except ValidationError as exc:
        root = model if isinstance(model, type) else None
        problems = [_problem(err, doc, root) for err in exc.errors()]
        raise PackError(problems, title="invalid pack") from None


def _problem(err: Any, doc: Document, root: type[BaseModel] | None) -> Problem:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
    where, kind = doc.where(loc), err["type"]
    name = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        known = _known_keys(root or Scenario, loc[:-1] if root else loc[1:-1])
        near = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        hint = f"did you mean '{near[0]}'?" if near else f"known keys: {', '.join(known)}"
        return Problem(where, f"unknown key '{name}'", hint)
    if kind == "missing":
        return Problem(where, f"'{name}' is required here", f"add '{name}:'")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ",").split(",")]
        near = difflib.get_close_matches(str(err.get("input")), choices, n=1, cutoff=0.5)
        hint = f"did you mean '{near[0]}'?" if near else f"use one of: {', '.join(choices)}"
        return Problem(where, f"'{err.get('input')}' is not allowed for '{name}'", hint)
    if kind == "string_pattern_mismatch":
        return Problem(
            where,
            f"'{err.get('input')}' is not a valid id for '{name}'",
            "use lower-case letters, digits, '.', '-' and '_'",
        )
    if kind.startswith("date"):
        return Problem(where, f"'{name}' is not a date", "write it as YYYY-MM-DD")
    message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    return Problem(where, message, "see docs/policy-language.md")


def _known_keys(model: Any, loc: tuple[Any, ...]) -> list[str]:
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return []
        current = _inner(fields[part].annotation)
    return sorted(getattr(current, "model_fields", {}))


def _inner(annotation: Any) -> Any:
    while True:
        args = typing.get_args(annotation)
        origin = typing.get_origin(annotation)
        if origin in (list, dict) and args:
            annotation = args[-1]
        elif origin in (typing.Union, types.UnionType) and args:
            annotation = next(a for a in args if a is not type(None))
        else:
            return annotation


def build_profile(agency: AgencyProfile) -> Profile:
    """Agency facts with dates turned into instants in the agency's zone."""
    try:
        zone = ZoneInfo(agency.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")

    def instant(day: dt.date | None, default: float) -> float:
        return default if day is None else dt.datetime.combine(day, dt.time(), zone).timestamp()

    lo, hi = float("-inf"), float("inf")
    return Profile(
        type=agency.type,
        runs_jail=agency.runs_jail,
        programs=tuple(
            Dated(p.model, instant(p.effective, lo), instant(p.expires, hi))
            for p in agency.programs_287g
        ),
        agreements=tuple(
            Dated(a.id, instant(a.effective, lo), instant(a.expires, hi)) for a in agency.agreements
        ),
    )
