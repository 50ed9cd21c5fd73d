"""The closed list of facts a rule may read, and the fields no rule may ever read."""

from __future__ import annotations

from dataclasses import dataclass

from casebycase.request import (
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
)

AGENCY_TYPES = ("municipal_police", "sheriff", "state_police", "state_corrections", "other")
MODELS_287G = ("JEM", "TFM", "WSO")


@dataclass(frozen=True, slots=True)
class Field:
    """A readable fact: its shape (enum, bool, set, number) and its allowed values."""

    name: str
    shape: str
    choices: tuple[str, ...] = ()
    expr: str = ""
    help: str = ""


def _f(name: str, shape: str, choices: tuple[str, ...] = (), expr: str = "", h: str = "") -> Field:
    return Field(name, shape, choices, expr, h)


FIELDS: dict[str, Field] = {f.name: f for f in (
    _f("kind", "enum", KINDS, "k", "what is asked"),
    _f("purpose", "enum", PURPOSES, "p", "criminal, civil_immigration or unknown"),
    _f("requester.agency", "enum", REQUESTER_AGENCIES, "ra", "who asks"),
    _f("requester.component", "enum", (*COMPONENTS, "none"), "(r.requester.component or 'none')",
       "which part of the requester ('none' when not given)"),
    _f("documents", "set", DOCUMENTS, "d", "papers that came with the request"),
    _f("judicial_warrant", "bool", (), "jw", "a judge-signed warrant or order"),
    _f("subject.in_custody", "bool", (), "s.in_custody", "held by this agency now"),
    _f("subject.confined", "bool", (), "cf",
       "confined in a jail on a charge, this agency's or another's (default: in_custody)"),
    _f("subject.charged", "bool", (), "s.charged", "charged with a state or local offense"),
    _f("subject.booked", "bool", (), "(s.booked_at is not None)", "a booking time is known"),
    _f("subject.status_established", "bool", (), "s.status_established",
       "lawful presence or citizenship established"),
    _f("subject.unlawfully_present", "bool", (), "s.unlawfully_present",
       "a status verification returned unlawful presence"),
    _f("subject.juvenile", "bool", (), "s.juvenile", "under 18"),
    _f("subject.victim_or_witness", "bool", (), "s.victim_or_witness", "a victim or witness"),
    _f("hours_until_release", "number", (), "r.hours_until_release",
       "hours from received_at to subject.release_at (absent when release_at is unknown)"),
    _f("hours_since_booking", "number", (), "r.hours_since_booking",
       "hours from subject.booked_at to received_at (absent when booked_at is unknown)"),
    _f("offense.category", "set", CATEGORIES, "c", "categories of the offenses"),
    _f("offense.level", "set", LEVELS, "r.levels", "levels of the offenses"),
    _f("offense.status", "set", OFFENSE_STATUSES, "r.statuses", "statuses of the offenses"),
    _f("offense_count", "number", (), "len(r.offenses)", "how many offenses are listed"),
    _f("agency.type", "enum", AGENCY_TYPES, "", "the agency profile's type"),
    _f("agency.runs_jail", "bool", (), "", "the agency runs a jail"),
    _f("agency.287g", "set", MODELS_287G, "", "287(g) models in force on the decision date"),
    _f("agency.agreements", "set", (), "", "agreement ids in force on the decision date"),
)}

OFFENSE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES, "level": LEVELS, "status": OFFENSE_STATUSES,
}

UNREADABLE: dict[str, str] = {
    "notes": "free text is for people, never for rules",
    "id": "the agency's reference number carries no meaning for a decision",
    "subject.ref": "a pseudonymous reference must never drive a decision",
    "agency": "the pack is the agency; compare agency facts with agency.* instead",
    **{name: NATIONAL_ORIGIN_REASON for name in NATIONAL_ORIGIN_FIELDS},
    **{f"subject.{name}": NATIONAL_ORIGIN_REASON for name in NATIONAL_ORIGIN_FIELDS},
}
