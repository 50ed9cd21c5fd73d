"""The request model (request format v1): strict validation with errors that teach.

Every way into casebycase ends in a :class:`Request`. Unknown fields are refused with the
nearest known name; national-origin fields are refused at any depth with the reason.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
)

from casebycase.errors import Problem, RequestError
from casebycase.offenses import classify

RequesterAgency = Literal[
    "ICE", "CBP", "USCIS", "USMS", "FBI", "other_federal", "victim_or_counsel", "internal"
]
Component = Literal["ERO", "HSI", "OPLA", "USBP", "OFO", "other", "unknown"]
Kind = Literal[
    "detainer",
    "release_notification",
    "transfer",
    "status_check",
    "records",
    "jail_access",
    "warrant_service",
    "enforcement_support",
    "investigation_support",
    "task_force",
    "victim_certification",
    "custody_review",
]
Purpose = Literal["criminal", "civil_immigration", "unknown"]
Document = Literal[
    "I-247A", "I-247", "I-247D", "I-247N", "I-247X", "I-200", "I-205", "I-203",
    "judicial_warrant", "court_order", "subpoena", "I-918B", "I-914B",
]
Category = Literal[
    "human_trafficking", "sex_trafficking", "child_exploitation", "homicide",
    "sexual_assault", "violent_felony", "drug_felony", "other_felony", "dwi",
    "misdemeanor", "immigration_crime", "ordinance", "unknown",
]
Level = Literal["felony", "misdemeanor", "infraction"]
OffenseStatus = Literal["suspected", "charged", "convicted"]

NATIONAL_ORIGIN_FIELDS = frozenset({
    "place_of_birth", "country_of_birth", "birthplace", "nationality",
    "national_origin", "race", "ethnicity", "religion", "language",
})
NATIONAL_ORIGIN_REASON = (
    "national origin may never be a factor in a decision (Parada v. Anoka County, "
    "8th Cir. 2022), so requests carrying it are refused"
)
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Requester(_Strict):
    """Who is asking."""

    agency: RequesterAgency
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


class Offense(_Strict):
    """A charge or conviction tied to the subject or the investigation."""

    code: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=500)
    category: Category | None = None
    level: Level | None = None
    status: OffenseStatus | None = None

    if TYPE_CHECKING:
        derived: tuple[str, str | None, str]

    def model_post_init(self, context: Any, /) -> None:
        """Derive (category, level, source): the given category wins, then code, then text."""
        derived: tuple[str, str | None, str]
        if self.category is not None:
            level: str | None = self.level
            if level is None and (self.code or self.description):
                level = classify(self.code, self.description).level
            derived = (self.category, level, "given")
        else:
            found = classify(self.code, self.description, self.level)
            derived = (found.category, self.level or found.level, found.matched_by or "none")
        self.__dict__["derived"] = derived


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

    @field_validator("documents")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a document is listed twice; list each paper once")
        return value

    if TYPE_CHECKING:
        categories: frozenset[str]
        levels: frozenset[str]
        statuses: frozenset[str]
        timestamp: float
        hours_until_release: float | None
        hours_since_booking: float | None

    def model_post_init(self, context: Any, /) -> None:
        """Compute once the facts the compiled policy reads (plain attributes, fast)."""
        facts = self.__dict__
        offenses = self.offenses
        facts["categories"] = frozenset(o.derived[0] for o in offenses)
        facts["levels"] = frozenset(o.derived[1] for o in offenses if o.derived[1])
        facts["statuses"] = frozenset(o.status for o in offenses if o.status)
        received, subject = self.received_at, self.subject
        facts["timestamp"] = received.timestamp()
        release, booked = subject.release_at, subject.booked_at
        facts["hours_until_release"] = (
            None if release is None else (release - received).total_seconds() / 3600.0)
        facts["hours_since_booking"] = (
            None if booked is None else (received - booked).total_seconds() / 3600.0)

    def to_dict(self) -> dict[str, Any]:
        """The request as JSON-ready data (request format v1)."""
        return self.model_dump(mode="json", exclude_none=True)


_MODELS: dict[str, type[BaseModel]] = {
    "": Request, "requester": Requester, "subject": Subject, "offenses": Offense,
}


def parse_request(data: Mapping[str, Any]) -> Request:
    """Validate one request; raise :class:`RequestError` naming each bad field."""
    if not isinstance(data, Mapping):
        raise RequestError(
            [Problem("request", f"expected an object, got {type(data).__name__}",
                     "send one JSON object per request")],
            title="invalid request",
        )
    try:
        request = Request.model_validate(data)
    except ValidationError as exc:
        raise RequestError(_problems(exc, data), title="invalid request") from None
    return request


def _problems(exc: ValidationError, data: Mapping[str, Any]) -> list[Problem]:
    problems = [
        Problem(path, f"'{path.rsplit('.', 1)[-1]}' is refused: {NATIONAL_ORIGIN_REASON}",
                "remove the field; no rule may use it")
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
        near = difflib.get_close_matches(str(got), choices, n=1, cutoff=0.5)
        hint = f"did you mean '{near[0]}'?" if near else f"use one of: {', '.join(choices)}"
        return Problem(path, f"'{got}' is not an allowed value", hint)
    if kind == "timezone_aware":
        return Problem(path, "datetime has no UTC offset",
                       "write it with an offset, e.g. 2026-03-02T14:05:00-06:00")
    if kind.startswith("datetime"):
        return Problem(path, "not a valid ISO 8601 datetime",
                       "write it like 2026-03-02T14:05:00-06:00")
    if kind == "string_pattern_mismatch" and name == "ref":
        return Problem(path, "a subject reference must be a short code without spaces",
                       "use a pseudonymous reference such as S-0042, never a name")
    if kind == "bool_type":
        return Problem(path, f"expected true or false, got {err.get('input')!r}",
                       "write true or false")
    message = str(err.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    return Problem(path, message, "see docs/request-format.md")


def _choices(err: Any) -> list[str]:
    expected = err.get("ctx", {}).get("expected", "")
    return [c.strip().strip("'") for c in expected.replace(" or ", ",").split(",") if c.strip()]


def request_schema() -> dict[str, Any]:
    """The JSON Schema of the request format."""
    schema = Request.model_json_schema()
    schema["$id"] = "https://casebycase.example/schema/request-v1.json"
    schema["title"] = "casebycase request (format v1)"
    return schema


KINDS: tuple[str, ...] = get_args(Kind)
PURPOSES: tuple[str, ...] = get_args(Purpose)
DOCUMENTS: tuple[str, ...] = get_args(Document)
REQUESTER_AGENCIES: tuple[str, ...] = get_args(RequesterAgency)
COMPONENTS: tuple[str, ...] = get_args(Component)
CATEGORIES: tuple[str, ...] = get_args(Category)
LEVELS: tuple[str, ...] = get_args(Level)
OFFENSE_STATUSES: tuple[str, ...] = get_args(OffenseStatus)
