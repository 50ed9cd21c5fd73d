"""The request form: which fields each kind of request asks for, and the form as a request
(format v1), so the page and the API validate the same data with the same messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from casebycase.vocabulary import (
    CATEGORIES,
    COMPONENTS,
    DOCUMENTS,
    KINDS,
    LEVELS,
    OFFENSE_STATUSES,
    PURPOSES,
    REQUESTER_AGENCIES,
)

OFFENSE_ROWS = 3
CUSTODY_KINDS = frozenset(
    {
        "detainer",
        "release_notification",
        "transfer",
        "custody_review",
        "jail_access",
        "warrant_service",
    }
)
"""Kinds about a person the agency may hold: they ask about custody, booking and release."""

KIND_TEXT = {
    "detainer": "Hold a person past release (ICE detainer, I-247A/I-247D/I-247N/I-247X)",
    "release_notification": "Tell the requester when a person will be released",
    "transfer": "Hand a person over to the requester",
    "status_check": "Answer a question about a person's status",
    "records": "Share records",
    "jail_access": "Let the requester interview a person in the jail",
    "warrant_service": "Serve or act on a warrant",
    "enforcement_support": "Help with an enforcement operation",
    "investigation_support": "Help with a criminal investigation",
    "task_force": "Join or staff a task force",
    "victim_certification": "Certify a victim or witness (U or T visa)",
    "custody_review": "Review a person's custody",
}

KIND_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "detainer": (
        "I-247A",
        "I-247",
        "I-247D",
        "I-247N",
        "I-247X",
        "I-200",
        "I-205",
        "judicial_warrant",
        "court_order",
    ),
    "release_notification": (
        "I-247A",
        "I-247N",
        "I-247D",
        "I-200",
        "I-205",
        "judicial_warrant",
        "court_order",
    ),
    "transfer": ("I-247A", "I-200", "I-203", "I-205", "judicial_warrant", "court_order"),
    "warrant_service": ("I-200", "I-205", "I-203", "judicial_warrant", "court_order"),
    "custody_review": ("I-247A", "I-200", "I-203", "I-205", "judicial_warrant", "court_order"),
    "records": ("subpoena", "court_order", "judicial_warrant"),
    "status_check": ("subpoena", "court_order"),
    "victim_certification": ("I-918B", "I-914B"),
}
"""The papers that come with each kind; any other kind lists every document."""

DOCUMENT_TEXT = {
    "I-247A": "I-247A immigration detainer",
    "I-247": "I-247 detainer (old form)",
    "I-247D": "I-247D detainer (priority enforcement)",
    "I-247N": "I-247N request for notice",
    "I-247X": "I-247X request for transfer",
    "I-200": "I-200 administrative arrest warrant",
    "I-205": "I-205 administrative removal warrant",
    "I-203": "I-203 order to detain",
    "judicial_warrant": "Warrant signed by a judge",
    "court_order": "Court order",
    "subpoena": "Subpoena",
    "I-918B": "I-918 Supplement B (U visa)",
    "I-914B": "I-914 Supplement B (T visa)",
}

CHOICES = {
    "requester.agency": REQUESTER_AGENCIES,
    "requester.component": COMPONENTS,
    "purpose": PURPOSES,
    "category": CATEGORIES,
    "level": LEVELS,
    "status": OFFENSE_STATUSES,
}


@dataclass(frozen=True)
class Layout:
    """What the form shows for one kind of request."""

    kind: str
    custody: bool
    victim: bool
    documents: tuple[str, ...]


def layout(kind: str) -> Layout:
    return Layout(
        kind,
        kind in CUSTODY_KINDS,
        kind == "victim_certification",
        KIND_DOCUMENTS.get(kind, DOCUMENTS),
    )


def known_kind(kind: str) -> str | None:
    return kind if kind in KINDS else None


def local_input(value: dt.datetime, zone: ZoneInfo) -> str:
    """A datetime as the value of an ``<input type=datetime-local>``."""
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def _when(text: str, zone: ZoneInfo) -> str | None:
    """A local time from the form as ISO 8601 with the agency's offset; bad text is passed
    on unchanged so the request format names the field and the fix."""
    text = text.strip()
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.isoformat()


def _flag(form: dict[str, list[str]], name: str) -> bool:
    return (form.get(name) or [""])[0] in ("true", "on", "yes")


def to_request(
    form: dict[str, list[str]], kind: str, agency: str, zone: ZoneInfo
) -> dict[str, Any]:
    """The form as a request (format v1); empty fields are left out."""

    def text(name: str) -> str:
        return (form.get(name) or [""])[0].strip()

    shape = layout(kind)
    data: dict[str, Any] = {"agency": agency, "kind": kind}
    optional = {
        "id": text("id"),
        "purpose": text("purpose"),
        "notes": text("notes"),
        "received_at": _when(text("received_at"), zone),
    }
    data.update({k: v for k, v in optional.items() if v})
    requester = {
        "agency": text("requester.agency"),
        "component": text("requester.component"),
        "office": text("requester.office"),
    }
    data["requester"] = {k: v for k, v in requester.items() if v}
    documents = [d for d in form.get("documents", []) if d]
    if documents:
        data["documents"] = documents
    if _flag(form, "judicial_warrant"):
        data["judicial_warrant"] = True
    subject: dict[str, Any] = {}
    if text("subject.ref"):
        subject["ref"] = text("subject.ref")
    flags = ["status_established", "unlawfully_present", "juvenile"]
    if shape.custody:
        flags += ["in_custody", "charged"]
        for name in ("booked_at", "release_at"):
            when = _when(text(f"subject.{name}"), zone)
            if when:
                subject[name] = when
        confined = text("subject.confined")
        if confined in ("true", "false"):
            subject["confined"] = confined == "true"
    if shape.victim:
        flags.append("victim_or_witness")
    subject.update({f: True for f in flags if _flag(form, f"subject.{f}")})
    if subject:
        data["subject"] = subject
    offenses = [{k: v for k, v in _offense(form, i).items() if v} for i in filled_rows(form)]
    if offenses:
        data["offenses"] = offenses
    return data


def _offense(form: dict[str, list[str]], i: int) -> dict[str, str]:
    return {
        k: (form.get(f"offenses[{i}].{k}") or [""])[0].strip()
        for k in ("code", "description", "category", "level", "status")
    }


def filled_rows(form: dict[str, list[str]]) -> list[int]:
    """The offense rows of the form that say something (the others are left out)."""
    return [
        i
        for i in range(OFFENSE_ROWS)
        if any(_offense(form, i)[k] for k in ("code", "description", "category"))
    ]


def field_of(where: str, form: dict[str, list[str]]) -> str:
    """The form field a request problem names (offense rows renumbered as on the form)."""
    if where.startswith("offenses["):
        head, _, rest = where[len("offenses[") :].partition("]")
        rows = filled_rows(form)
        if head.isdigit() and int(head) < len(rows):
            return f"offenses[{rows[int(head)]}]{rest}"
    return where


def field_names(kind: str) -> set[str]:
    """Every field the form for this kind shows (problems elsewhere are listed on top)."""
    shape = layout(kind)
    names = {
        "id",
        "received_at",
        "requester.agency",
        "requester.component",
        "requester.office",
        "purpose",
        "documents",
        "judicial_warrant",
        "notes",
        "subject.ref",
        "subject.status_established",
        "subject.unlawfully_present",
        "subject.juvenile",
    }
    if shape.victim:
        names.add("subject.victim_or_witness")
    if shape.custody:
        names |= {
            f"subject.{n}" for n in ("in_custody", "charged", "confined", "booked_at", "release_at")
        }
    return names | {
        f"offenses[{i}].{k}"
        for i in range(OFFENSE_ROWS)
        for k in ("code", "description", "category", "level", "status")
    }
