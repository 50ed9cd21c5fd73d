"""Checks on raw input that every store can hold: no NUL, no lone surrogates, bounded depth."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from casebycase.errors import Problem, RequestError
from casebycase.request import parse_request
from casebycase.vocabulary import NATIONAL_ORIGIN_FIELDS, NATIONAL_ORIGIN_REASON

LOOKALIKES = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "һ": "h",
        "ԁ": "d",
        "ɡ": "g",
        "ո": "n",
        "ı": "i",
        "ℓ": "l",
        "α": "a",
        "ο": "o",
        "ν": "v",
        "τ": "t",
        "ι": "i",
        "κ": "k",
        "ρ": "p",
    }
)
"""Letters that look like Latin ones (Cyrillic, Greek, ...), mapped to them."""


def _folded(name: str) -> str:
    """A field name as a reader sees it: compatibility forms, case, look-alike letters and
    separators folded away (``countryOfBirth``, ``Nаtionality`` with a Cyrillic a)."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(LOOKALIKES)
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


NATIONAL_ORIGIN_NAMES = frozenset(_folded(f) for f in NATIONAL_ORIGIN_FIELDS) | {
    "citizenship",
    "countryoforigin",
    "countryofcitizenship",
    "birthcountry",
    "nativecountry",
    "nativelanguage",
    "placeofbirth",
}
"""Folded names of national-origin fields, refused at any depth under any spelling."""

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
            problems.append(
                Problem(
                    where or "body",
                    f"nested deeper than {MAX_DEPTH} levels",
                    "send the request format (docs/request-format.md)",
                )
            )
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
                    problems.append(
                        Problem(where or "body", f"a field name {why}", "remove the character")
                    )
                    continue
                stack.append((sub, path, depth + 1))
        elif isinstance(item, list):
            stack.extend((sub, f"{where}[{i}]", depth + 1) for i, sub in enumerate(item))
    return problems


def national_origin_problems(value: Any, root: str = "") -> list[Problem]:
    """Every field whose name, folded, names national origin."""
    found: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(value, root, 0)]
    while stack and len(found) < 20:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(item, dict):
            for key, sub in item.items():
                path = f"{where}.{key}" if where else str(key)
                if _folded(str(key)) in NATIONAL_ORIGIN_NAMES:
                    found.append(
                        Problem(
                            path,
                            f"'{key}' is refused: {NATIONAL_ORIGIN_REASON}",
                            "remove the field; no rule may use it",
                        )
                    )
                else:
                    stack.append((sub, path, depth + 1))
        elif isinstance(item, list):
            stack.extend((sub, f"{where}[{i}]", depth + 1) for i, sub in enumerate(item))
    return found


def checked(value: Any) -> Any:
    """A request body itself, or RequestError naming each part no store can hold.

    Beyond the request format: strings without NUL or lone surrogates, bounded nesting, and
    times between 1900 and 2200 (deadlines computed from them must stay representable).
    """
    problems = problems_in(value) or national_origin_problems(value)
    if problems:
        raise RequestError(problems, title="invalid request")
    request = parse_request(value)
    times = [
        ("received_at", request.received_at),
        ("subject.booked_at", request.subject.booked_at),
        ("subject.release_at", request.subject.release_at),
    ]
    problems = [
        Problem(where, f"{at.isoformat()} is outside 1900-2200", "check the date")
        for where, at in times
        if at is not None and not EARLIEST <= at < LATEST
    ]
    if problems:
        raise RequestError(problems, title="invalid request")
    return value
