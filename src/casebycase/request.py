"""The request model (request format v1): strict validation with errors that teach.

Every way into casebycase ends in a :class:`Request`. Unknown fields are refused with the
nearest known name; national-origin fields are refused at any depth with the reason.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from casebycase.errors import Problem, RequestError
from casebycase.offenses import classify
from casebycase.policy.facts import Facts, Traits, facts_of
from casebycase.vocabulary import (
    CATEGORIES,
    COMPONENTS,
    DOCUMENTS,
    KINDS,
    LEVELS,
    NATIONAL_ORIGIN_FIELDS,
    NATIONAL_ORIGIN_REASON,
    OFFENSE_STATUSES,
    PURPOSES,
    REQUESTER_AGENCIES,
    Category,
    Component,
    Document,
    Kind,
    Level,
    OffenseStatus,
    Purpose,
    RequesterAgency,
)

__all__ = [
    "CATEGORIES",
    "COMPONENTS",
    "DOCUMENTS",
    "KINDS",
    "LEVELS",
    "NATIONAL_ORIGIN_FIELDS",
    "NATIONAL_ORIGIN_REASON",
    "OFFENSE_STATUSES",
    "PURPOSES",
    "REQUESTER_AGENCIES",
    "Offense",
    "Request",
    "Requester",
    "Subject",
    "parse_request",
    "request_schema",
]

DUPLICATE_DOCUMENT = "a document is listed twice; list each paper once"
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$"


class Instant(datetime):
    """A datetime with a UTC offset whose POSIX time ``ts`` is computed once, when parsed
    (rules compare times often; arithmetic on an instant gives a plain value without ``ts``)."""

    __slots__ = ("ts",)
    ts: float


def _aware(value: Any) -> datetime:
    """ISO 8601 text or a datetime, with a UTC offset (standard-library time zones: fast)."""
    if isinstance(value, str):
        try:
            value = Instant.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("datetime_parsing", "not an ISO 8601 datetime") from None
    elif isinstance(value, datetime) and type(value) is not Instant:
        value = Instant.combine(value.date(), value.timetz(), value.tzinfo)
    if not isinstance(value, datetime):
        raise PydanticCustomError("datetime_type", "not a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError("timezone_aware", "datetime has no UTC offset")
    if not 1900 <= value.year <= 2200:
        raise PydanticCustomError("datetime_range", "datetime outside the years 1900-2200")
    value.ts = value.timestamp()  # type: ignore[attr-defined]
    return value


AwareDatetime = Annotated[
    datetime, BeforeValidator(_aware), WithJsonSchema({"type": "string", "format": "date-time"})
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_AGENCIES_BY_CASE = {name.casefold(): name for name in REQUESTER_AGENCIES}


def _agency_name(value: Any) -> Any:
    """A requester agency in any letter case ("ice") as its canonical name ("ICE")."""
    if isinstance(value, str):
        return _AGENCIES_BY_CASE.get(value.casefold(), value)
    return value


class Requester(_Strict):
    """Who is asking."""

    agency: Annotated[RequesterAgency, BeforeValidator(_agency_name)]
    component: Component | None = None
    office: str | None = Field(default=None, max_length=200)


class Subject(_Strict):
    """The person the request is about, by pseudonymous reference only."""

    ref: str | None = Field(default=None, pattern=REF_PATTERN)
    in_custody: StrictBool = False
    confined: StrictBool | None = None
    charged: StrictBool = False
    booked_at: AwareDatetime | None = None
    release_at: AwareDatetime | None = None
    status_established: StrictBool = False
    unlawfully_present: StrictBool = False
    juvenile: StrictBool = False
    victim_or_witness: StrictBool = False
    witness_only: StrictBool = False
    proof_of_status: StrictBool = False


class Offense(_Strict):
    """A charge or conviction tied to the subject or the investigation."""

    code: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=500)
    category: Category | None = None
    level: Level | None = None
    status: OffenseStatus | None = None

    @property
    def derived(self) -> tuple[str, str | None, str]:
        """(category, level, how the category was found): the given category wins, then
        the code, then the text (classification results are cached)."""
        return _derive(self.code, self.description, self.category, self.level)[:3]

    @property
    def traits(self) -> Traits:
        """What a rule reads of this offense: (category, level, status, catalog entry)."""
        d = _derive(self.code, self.description, self.category, self.level)
        return (d[0], d[1], self.status, d[3])


Derived = tuple[str, str | None, str, str | None]
_DERIVED: dict[tuple[str | None, str | None, str | None, str | None], Derived] = {}


def _derive(
    code: str | None, description: str | None, category: str | None, level: str | None
) -> Derived:
    """(category, level, how found, catalog entry): a given category wins; the entry is the
    one the code or text names, whether or not the category was given."""
    key = (code, description, category, level)
    found = _DERIVED.get(key)
    if found is not None:
        return found
    if category is not None:
        entry = None
        if code or description:  # the catalog still names the statute, if it knows it
            hit = classify(code, description, level)
            level = level or hit.level
            entry = None if hit.is_hold else hit.entry
        found = (category, level, "given", entry)
    else:
        hit = classify(code, description, level)
        entry = None if hit.is_hold else hit.entry
        found = (hit.category, level or hit.level, hit.matched_by or "none", entry)
    if len(_DERIVED) < 65536:
        _DERIVED[key] = found
    return found


class Request(_Strict):
    """One thing a local agency is asked to do."""

    id: str | None = Field(default=None, max_length=200)
    agency: str = Field(min_length=1, max_length=100)
    received_at: AwareDatetime
    requester: Requester
    kind: Kind
    purpose: Purpose
    documents: tuple[Document, ...] = ()
    judicial_warrant: StrictBool = False
    subject: Subject = Field(default_factory=Subject)
    offenses: tuple[Offense, ...] = ()
    notes: str | None = Field(default=None, max_length=10_000)

    _facts: Facts = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        """Check across fields; attach the view of the facts rules read."""
        documents = self.documents
        if len(documents) > 1 and len(set(documents)) != len(documents):
            raise ValueError(DUPLICATE_DOCUMENT)
        self.__pydantic_private__["_facts"] = facts_of(self)  # type: ignore[index]

    @property
    def facts(self) -> Facts:
        """The facts rules read (the fact table, policy/facts.py), each computed when first
        read and then kept."""
        return self.__pydantic_private__["_facts"]  # type: ignore[index,no-any-return]

    @property
    def timestamp(self) -> float:
        """``received_at`` in POSIX seconds."""
        return self.facts.timestamp  # type: ignore[no-any-return]

    @property
    def categories(self) -> frozenset[str]:
        """Offense categories, given or derived."""
        return self.facts.categories  # type: ignore[no-any-return]

    @property
    def levels(self) -> frozenset[str]:
        """Offense levels, given or derived."""
        return self.facts.levels  # type: ignore[no-any-return]

    @property
    def statuses(self) -> frozenset[str]:
        """Offense statuses."""
        return self.facts.statuses  # type: ignore[no-any-return]

    @property
    def hours_until_release(self) -> float | None:
        """Hours from received_at until subject.release_at."""
        return self.facts.hours_until_release  # type: ignore[no-any-return]

    @property
    def hours_since_booking(self) -> float | None:
        """Hours from subject.booked_at until received_at."""
        return self.facts.hours_since_booking  # type: ignore[no-any-return]

    def to_dict(self) -> dict[str, Any]:
        """The request as JSON-ready data (request format v1)."""
        return self.model_dump(mode="json", exclude_none=True)


_MODELS: dict[str, type[BaseModel]] = {
    "": Request,
    "requester": Requester,
    "subject": Subject,
    "offenses": Offense,
}


def parse_request(data: Mapping[str, Any]) -> Request:
    """Validate one request; raise :class:`RequestError` naming each bad field."""
    if type(data) is not dict and not isinstance(data, Mapping):
        raise RequestError(
            [
                Problem(
                    "request",
                    f"expected an object, got {type(data).__name__}",
                    "send one JSON object per request",
                )
            ],
            title="invalid request",
        )
    try:
        request = Request.model_validate(data)
    except ValidationError as exc:
        raise RequestError(_problems(exc, data), title="invalid request") from None
    return request


def _problems(exc: ValidationError, data: Mapping[str, Any]) -> list[Problem]:
    problems = [
        Problem(
            path,
            f"'{path.rsplit('.', 1)[-1]}' is refused: {NATIONAL_ORIGIN_REASON}",
            "remove the field; no rule may use it",
        )
        for path in _national_origin_paths(data, "")
    ]
    flagged = {p.where for p in problems}
    for err in exc.errors():
        path = _dotted(err["loc"])
        if path in flagged or any(path.startswith(f + ".") for f in flagged):
            continue
        problems.append(_problem(err, path))
    return problems


def _national_origin_paths(value: Any, prefix: str) -> list[str]:
    found: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if str(key).lower() in NATIONAL_ORIGIN_FIELDS:
                found.append(path)
            else:
                found.extend(_national_origin_paths(item, path))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found.extend(_national_origin_paths(item, f"{prefix}[{i}]"))
    return found


def _dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "request"


def _problem(err: Any, path: str) -> Problem:
    kind, loc = err["type"], err["loc"]
    name = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        parent = "".join(str(p) for p in loc[:-1] if isinstance(p, str))
        model = _MODELS.get(parent.rsplit(".", 1)[-1] if parent else "", Request)
        known = sorted(model.model_fields)
        near = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        hint = f"did you mean '{near[0]}'?" if near else f"known fields: {', '.join(known)}"
        return Problem(path, f"unknown field '{name}'", hint)
    if kind == "missing":
        return Problem(path, "required field is missing", f"add '{name}'")
    if kind == "literal_error":
        choices = _choices(err)
        got = err.get("input")
        meant = nearest(str(got), choices)
        hint = f"did you mean '{meant}'?" if meant else f"use one of: {', '.join(choices)}"
        return Problem(path, f"'{got}' is not an allowed value", hint)
    if kind == "datetime_range":
        return Problem(
            path,
            "datetime is outside the years 1900-2200",
            "check the year; requests are dated in the present era",
        )
    if kind == "timezone_aware":
        return Problem(
            path,
            "datetime has no UTC offset",
            "write it with an offset, e.g. 2026-03-02T14:05:00-06:00",
        )
    if kind.startswith("datetime"):
        return Problem(
            path, "not a valid ISO 8601 datetime", "write it like 2026-03-02T14:05:00-06:00"
        )
    if kind == "string_pattern_mismatch" and name == "ref":
        return Problem(
            path,
            "a subject reference must be a short code without spaces",
            "use a pseudonymous reference such as S-0042, never a name",
        )
    if kind == "bool_type":
        return Problem(
            path, f"expected true or false, got {err.get('input')!r}", "write true or false"
        )
    message = str(err.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    if message == DUPLICATE_DOCUMENT:
        return Problem("documents", message, "remove the repeated entry")
    return Problem(path, message, "see docs/request-format.md")


def nearest(got: str, choices: list[str]) -> str | None:
    """The allowed value ``got`` most likely means: the same in another letter case, then
    one it begins (``civil`` -> ``civil_immigration``), one it contains or that contains it,
    then the closest spelling."""
    text = got.strip().casefold()
    if not text:
        return None
    folded = {c.casefold(): c for c in choices}
    for test in (
        lambda c: c == text,
        lambda c: c.startswith(text),
        lambda c: any(w.startswith(text) for w in c.split("_")),
        lambda c: text.startswith(c) or c in text,
        lambda c: text in c,
    ):
        found = [c for c in folded if test(c)]
        if len(found) == 1 or (found and len(text) >= 3):
            return folded[found[0]]
    near = difflib.get_close_matches(text, list(folded), n=1, cutoff=0.5)
    return folded[near[0]] if near else None


def _choices(err: Any) -> list[str]:
    expected = err.get("ctx", {}).get("expected", "")
    return [c.strip().strip("'") for c in expected.replace(" or ", ",").split(",") if c.strip()]


def request_schema() -> dict[str, Any]:
    """The JSON Schema of the request format."""
    schema = Request.model_json_schema()
    schema["$id"] = "https://casebycase.example/schema/request-v1.json"
    schema["title"] = "casebycase request (format v1)"
    return schema
