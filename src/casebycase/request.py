"""The request model (request format v1): strict validation with errors that teach.

Every way into casebycase ends in a :class:`Request`. Unknown fields are refused with the
nearest known name; national-origin fields are refused at any depth with the reason.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

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
DUPLICATE_DOCUMENT = "a document is listed twice; list each paper once"
_EMPTY: frozenset[str] = frozenset()
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$"


def _aware(value: Any) -> datetime:
    """ISO 8601 text or a datetime, with a UTC offset (standard-library time zones: fast)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("datetime_parsing", "not an ISO 8601 datetime") from None
    if not isinstance(value, datetime):
        raise PydanticCustomError("datetime_type", "not a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError("timezone_aware", "datetime has no UTC offset")
    if not 1900 <= value.year <= 2200:
        raise PydanticCustomError("datetime_range", "datetime outside the years 1900-2200")
    return value


AwareDatetime = Annotated[datetime, BeforeValidator(_aware),
                          WithJsonSchema({"type": "string", "format": "date-time"})]


class _Fact:
    """A fact computed on first read and then kept as a plain instance attribute."""

    def __init__(self, compute: Any) -> None:
        self.compute, self.__doc__ = compute, compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.compute(obj)
        return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(_Fact,))


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

    def __getattr__(self, name: str) -> Any:
        """``derived``: (category, level, source), computed on first use."""
        if name != "derived":
            return super().__getattr__(name)  # type: ignore[misc]
        return _derive(self)


def _derive(o: Offense) -> tuple[str, str | None, str]:
    """(category, level, source): the given category wins, then the code, then the text."""
    category: str | None = o.category
    level: str | None = o.level
    derived: tuple[str, str | None, str]
    if category is not None:
        if level is None and (o.code or o.description):
            level = classify(o.code, o.description).level
        derived = (category, level, "given")
    else:
        found = classify(o.code, o.description, level)
        derived = (found.category, level or found.level, found.matched_by or "none")
    o.__dict__["derived"] = derived
    return derived


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

    if TYPE_CHECKING:
        categories: frozenset[str]
        timestamp: float
        levels: frozenset[str]
        statuses: frozenset[str]
        hours_until_release: float | None
        hours_since_booking: float | None
    else:
        @_Fact
        def levels(self) -> frozenset[str]:
            """Offense levels, given or derived."""
            return frozenset([d[1] for o in self.offenses if (d := o.derived)[1]])

        @_Fact
        def statuses(self) -> frozenset[str]:
            """Offense statuses."""
            return frozenset([o.status for o in self.offenses if o.status])

        @_Fact
        def hours_until_release(self) -> float | None:
            """Hours from received_at until subject.release_at."""
            release = self.subject.release_at
            return None if release is None else (release.timestamp() - self.timestamp) / 3600

        @_Fact
        def hours_since_booking(self) -> float | None:
            """Hours from subject.booked_at until received_at."""
            booked = self.subject.booked_at
            return None if booked is None else (self.timestamp - booked.timestamp()) / 3600

    def model_post_init(self, context: Any, /) -> None:
        """Check across fields, then compute once the facts the compiled policy reads."""
        documents = self.documents
        if len(documents) > 1 and len(set(documents)) != len(documents):
            raise ValueError(DUPLICATE_DOCUMENT)
        facts = self.__dict__
        offenses = self.offenses
        facts["categories"] = frozenset([_derive(o)[0] for o in offenses]) if offenses else _EMPTY
        facts["timestamp"] = self.received_at.timestamp()

    def to_dict(self) -> dict[str, Any]:
        """The request as JSON-ready data (request format v1)."""
        return self.model_dump(mode="json", exclude_none=True)


_MODELS: dict[str, type[BaseModel]] = {
    "": Request, "requester": Requester, "subject": Subject, "offenses": Offense,
}


def parse_request(data: Mapping[str, Any]) -> Request:
    """Validate one request; raise :class:`RequestError` naming each bad field."""
    if type(data) is not dict and not isinstance(data, Mapping):
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
    if kind == "datetime_range":
        return Problem(path, "datetime is outside the years 1900-2200",
                       "check the year; requests are dated in the present era")
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
    if message == DUPLICATE_DOCUMENT:
        return Problem("documents", message, "remove the repeated entry")
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
