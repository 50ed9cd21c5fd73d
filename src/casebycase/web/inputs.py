"""Checks on raw input that every store can hold: no NUL, no lone surrogates, bounded depth."""

from __future__ import annotations

import datetime as dt
from typing import Any

from casebycase.errors import Problem, RequestError
from casebycase.request import parse_request

MAX_DEPTH = 16
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


def text_problem(value: str) -> str | None:
    """Why a string cannot be stored, or None."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired surrogate (not valid UTF-8)"
    return None


def check_text(value: str) -> str:
    """A pydantic after-validator for text fields."""
    why = text_problem(value)
    if why:
        raise ValueError(why)
    return value


def problems_in(value: Any, root: str = "") -> list[Problem]:
    """Every unstorable string (keys included) and any nesting deeper than MAX_DEPTH."""
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(value, root, 0)]
    while stack and len(problems) < 20:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.append(Problem(where or "body", f"nested deeper than {MAX_DEPTH} levels",
                                    "send the request format (docs/request-format.md)"))
            continue
        if isinstance(item, str):
            why = text_problem(item)
            if why:
                problems.append(Problem(where or "body", why, "remove the character"))
        elif isinstance(item, dict):
            for key, sub in item.items():
                path = f"{where}.{key}" if where else str(key)
                why = text_problem(str(key))
                if why:
                    problems.append(Problem(where or "body", f"a field name {why}",
                                            "remove the character"))
                    continue
                stack.append((sub, path, depth + 1))
        elif isinstance(item, list):
            stack.extend((sub, f"{where}[{i}]", depth + 1) for i, sub in enumerate(item))
    return problems


def checked(value: Any) -> Any:
    """A request body itself, or RequestError naming each part no store can hold.

    Beyond the request format: strings without NUL or lone surrogates, bounded nesting, and
    times between 1900 and 2200 (deadlines computed from them must stay representable).
    """
    problems = problems_in(value)
    if problems:
        raise RequestError(problems, title="invalid request")
    request = parse_request(value)
    times = [("received_at", request.received_at),
             ("subject.booked_at", request.subject.booked_at),
             ("subject.release_at", request.subject.release_at)]
    problems = [Problem(where, f"{at.isoformat()} is outside 1900-2200",
                        "check the date")
                for where, at in times if at is not None and not EARLIEST <= at < LATEST]
    if problems:
        raise RequestError(problems, title="invalid request")
    return value


