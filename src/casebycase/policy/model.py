"""The policy pack as data: profile, sources, risks, rules and scenario tests."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

from casebycase.policy.texts import Authority

LAYERS = ("federal", "state", "agreement", "agency")
"""Most authoritative first: a binding rule cannot be overridden by a later layer."""

Layer = Literal["federal", "state", "agreement", "agency"]
Outcome = Literal["comply", "partial", "decline", "refer"]
OUTCOMES = ("comply", "partial", "decline", "refer")
Weight = Literal["binding", "persuasive"]

STANDARD_ACTIONS: dict[str, str] = {
    "verify_status": "Check immigration status with DHS's Law Enforcement Support Center",
    "notify_dhs": "Notify DHS",
    "notify_requester_of_release": "Tell the requester when the person will be released",
    "notify_subject": "Give the person a copy of the request and say what the agency will do",
    "notify_dss": "Report an apparent trafficking victim to the Department of Social Services",
    "supervisor_review": "A supervisor reviews the decision",
    "counsel_review": "Agency counsel reviews the decision",
    "record_only": "Record the request; take no other step",
}
ANCHORS = ("received_at", "subject.booked_at", "subject.release_at")
ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$|^R[0-9]+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Dates(_Strict):
    """Effective (inclusive) and expires (exclusive) dates, in the agency's time zone."""

    effective: dt.date | None = None
    expires: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Dates:
        if self.effective and self.expires and self.expires <= self.effective:
            raise ValueError("'expires' must come after 'effective'")
        return self


class Program(Dates):
    """A 287(g) agreement model held by the agency."""

    model: Literal["JEM", "TFM", "WSO"]
    source: str | None = None


class Agreement(Dates):
    """An agreement with a federal agency (MOU, task force, IGSA...)."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    counterparty: str
    scope: list[str] = []
    source: str | None = None


class AgencyProfile(_Strict):
    """Who the pack speaks for."""

    name: str
    type: Literal["municipal_police", "sheriff", "state_police", "state_corrections", "other"]
    state: str = Field(min_length=2, max_length=2)
    timezone: str = "America/Chicago"
    runs_jail: StrictBool = False
    programs_287g: list[Program] = []
    agreements: list[Agreement] = []


class Source(Dates):
    """A law, agreement, order, case or report a rule stands on."""

    id: str = Field(pattern=ID_PATTERN)
    layer: Layer
    citation: str
    title: str
    authority: Authority
    """What kind of source (statute, regulation, case, form, policy, agreement, report,
    proposal): its standing as counsel reads it."""
    weight: Weight = "binding"
    """``persuasive`` for a source that does not bind here (e.g. another circuit's case)."""
    url: str | None = None
    mirror: str | None = None
    """Why ``url`` is not the official publisher's address (statutes, regulations, forms and
    cases must otherwise be on an official host: docs/sources.md)."""
    decided: dt.date | None = None
    """For a case: the date of decision."""
    text: str | None = None
    """The id of its stored text in the source library, when it differs from ``id``."""
    unconfirmed: list[str] = []
    note: str | None = None


class Clause(_Strict):
    """A pointer into a source: its own words (``quote``, checked against the stored text)
    or a summary (``gist``, always shown as one)."""

    source: str
    section: str | None = None
    quote: str | None = None
    gist: str | None = None

    @model_validator(mode="after")
    def _one_kind_of_text(self) -> Clause:
        if self.quote is not None and self.gist is not None:
            raise ValueError(
                "give 'quote' (the source's own words) or 'gist' (a summary), not both"
            )
        return self


Anchor = Literal["received_at", "subject.booked_at", "subject.release_at"]


class Deadline(_Strict):
    """``hours`` or ``days`` after (or before) an anchor, on the calendar or business days."""

    after: Anchor | None = None
    before: Anchor | None = None
    hours: StrictInt | None = Field(default=None, ge=0)
    days: StrictInt | None = Field(default=None, ge=0)
    clock: Literal["calendar", "business"] = "calendar"

    @model_validator(mode="after")
    def _one_amount(self) -> Deadline:
        if (self.hours is None) == (self.days is None):
            raise ValueError("give exactly one of 'hours' or 'days'")
        if self.after is not None and self.before is not None:
            raise ValueError("give 'after' or 'before', not both")
        if self.before is not None and self.clock == "business":
            raise ValueError("business clocks count forward only; use 'after'")
        return self

    @property
    def anchor(self) -> str:
        """The request time the deadline counts from (default: received_at)."""
        return self.before or self.after or "received_at"


class Action(_Strict):
    """Something the recommendation asks a person to do, maybe by a deadline."""

    do: str
    by: Deadline | None = None
    note: str | None = None


class Risk(_Strict):
    """A legal or policy risk a person must weigh."""

    code: str = Field(pattern=r"^[a-z0-9_]+$")
    says: str
    because: list[Clause] = []


class Rule(Dates):
    """One rule: when the conditions hold, an outcome, actions, risks and the clauses."""

    id: str = Field(pattern=ID_PATTERN)
    says: str
    layer: Layer | None = None
    when: dict[str, Any] | None = None
    outcome: Outcome | None = None
    binding: StrictBool = False
    priority: StrictInt = 0
    exception_to: list[str] = []
    if_outcome: list[Outcome] = []
    actions: list[Action] = []
    risks: list[str] = []
    because: list[Clause] = Field(min_length=1)

    @model_validator(mode="after")
    def _meaningful(self) -> Rule:
        if self.outcome is None and not self.actions and not self.risks:
            raise ValueError("a rule needs an outcome, actions or risks to say anything")
        if self.if_outcome and self.outcome is not None:
            raise ValueError("'if_outcome' is for rules without an outcome of their own")
        if self.binding and self.outcome is None:
            raise ValueError("'binding' applies to rules that decide an outcome")
        return self


class Default(_Strict):
    """What happens when no rule decides."""

    id: str = Field(default="default", pattern=ID_PATTERN)
    outcome: Outcome = "refer"
    says: str = "No rule decides this request; a person decides it case by case."
    actions: list[Action] = []
    because: list[Clause] = []


class Expect(_Strict):
    """What a scenario test expects."""

    outcome: Outcome | None = None
    decided_by: str | None = None
    fires: list[str] = []
    not_fires: list[str] = []
    actions: list[str] | None = None
    deadlines: dict[str, dt.datetime | None] = {}
    risks: list[str] = []
    no_risks: list[str] = []
    overridden: list[str] = []


class Scenario(_Strict):
    """One scenario test: a request (pack id filled in) and what to expect."""

    name: str
    at: dt.datetime | None = None
    agency: AgencyProfile | None = None
    request: dict[str, Any]
    expect: Expect


class PackFile(_Strict):
    """One pack file as written (before ``extends`` is resolved)."""

    pack: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str
    title: str
    summary: str | None = None
    extends: str | None = None
    layer: Layer = "agency"
    agency: AgencyProfile | None = None
    sources: list[Source] = []
    actions: dict[str, str] = {}
    risks: list[Risk] = []
    rules: list[Rule] = []
    default: Default | None = None
    tests: list[Scenario] = []
