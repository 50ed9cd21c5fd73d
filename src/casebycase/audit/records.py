"""What the chain says about the case tables: each state change's event carries the hash of
the record it wrote (``record``), so an edited, deleted or inserted decision, review or
reopening, an edited request or recommendation, or a case state that no event explains,
breaks verification. Free text enters only through these hashes, never as text.

Pure: rows and events in, the first break out. Also the head checks: the chain's last event
against the head the store recorded with each append (and, when given, a published head).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from casebycase.audit.chain import Break, Event, Head, payload_hash

FIELDS: dict[str, tuple[str, ...]] = {
    "request": ("id", "agency", "reference", "kind", "received_at", "request"),
    "recommendation": (
        "id",
        "recommendation",
        "recommended_outcome",
        "pack",
        "pack_version",
        "pack_digest",
        "deadlines",
    ),
    "decision": ("case_id", "actor", "at", "outcome", "actions_taken", "reason", "departs"),
    "review": ("case_id", "actor", "at", "approved", "note"),
    "reopening": ("case_id", "actor", "at", "reason"),
}
"""The columns of each record that its event's hash covers."""

TABLE_OF = {
    "case:decision:recorded": ("decisions", "decision"),
    "case:review:approved": ("reviews", "review"),
    "case:review:returned": ("reviews", "review"),
    "case:case:reopened": ("reopenings", "reopening"),
}

STATE_AFTER = {
    "case:recommendation:issued": "recommended",
    "case:decision:recorded": "decided",
    "case:review:approved": "reviewed",
    "case:review:returned": "recommended",
    "case:case:closed": "closed",
    "case:case:reopened": "recommended",
}

EXPUNGED = "record:subject:expunged"


def slim(event: Event) -> Event:
    """The event with only what the record and head checks need of its payload."""
    payload = event.payload
    if isinstance(payload, dict):
        payload = {"record": payload["record"]} if "record" in payload else {}
    return dataclasses.replace(event, payload=payload)


def record_hash(kind: str, row: Mapping[str, Any]) -> str:
    """The hash of one record's covered columns (times as UTC ISO text)."""
    return payload_hash({"kind": kind, **{f: _plain(row.get(f)) for f in FIELDS[kind]}})


DEADLINE_FIELDS = ("action", "due_at", "clock")


def _plain(value: Any) -> Any:
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return [{f: _plain(d.get(f)) for f in DEADLINE_FIELDS} for d in value]
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    return value


def verify_records(events: list[Event], records: Mapping[str, Mapping[str, Any]]) -> Break | None:
    """Check one agency's case tables against its (already verified) chain.

    ``records``: per case id, ``{"case": row, "decisions": [...], "reviews": [...],
    "reopenings": [...]}`` in insertion order.
    """
    expunged = {e.case_id for e in events if e.tag == EXPUNGED}
    for e in events:
        if e.payload is None and e.case_id not in expunged:
            return Break(e.agency, e.seq, e.id, "its payload was removed without an expunge event")
    by_case: dict[str, list[Event]] = {}
    for e in sorted(events, key=lambda e: e.seq):
        if e.case_id is not None and e.tag.startswith("case:"):
            by_case.setdefault(e.case_id, []).append(e)
    for case_id, trail in by_case.items():
        found = _check_case(trail, records.get(case_id), case_id in expunged)
        if found:
            return found
    for case_id, held in records.items():
        if case_id not in by_case:
            agency = held["case"]["agency"]
            return Break(
                agency,
                0,
                None,
                f"case {case_id} has no events: it was inserted outside the service",
            )
    return None


def _check_case(trail: list[Event], held: Mapping[str, Any] | None, expunged: bool) -> Break | None:
    first = trail[0]
    if held is None:
        return Break(first.agency, first.seq, first.id, f"case {first.case_id} was deleted")
    case = held["case"]
    seen = {"decisions": 0, "reviews": 0, "reopenings": 0}
    state, outcome = "received", None
    for e in trail:
        kind = {
            "case:request:received": "request",
            "case:recommendation:issued": "recommendation",
        }.get(e.tag)
        row: Mapping[str, Any] | None = (
            {**case, "deadlines": held.get("deadlines", [])} if kind else None
        )
        if e.tag in TABLE_OF:
            table, kind = TABLE_OF[e.tag]
            rows = held[table]
            if seen[table] >= len(rows):
                return Break(e.agency, e.seq, e.id, f"its {kind} row was deleted")
            row = rows[seen[table]]
            seen[table] += 1
        recorded = e.payload.get("record") if isinstance(e.payload, dict) else None
        if (
            kind
            and row is not None
            and recorded
            and not expunged
            and record_hash(kind, row) != recorded
        ):
            return Break(e.agency, e.seq, e.id, f"its {kind} record was altered")
        state = STATE_AFTER.get(e.tag, state)
        if e.tag == "case:decision:recorded" and row is not None:
            outcome = row["outcome"]
        elif e.tag == "case:case:reopened":
            outcome = None
    last = trail[-1]
    for table, count in seen.items():
        if len(held[table]) > count:
            return Break(
                last.agency,
                last.seq,
                last.id,
                f"case {last.case_id} has a {table[:-1]} row without an event: it was inserted",
            )
    if (case["state"], case["decided_outcome"]) != (state, outcome):
        return Break(
            last.agency,
            last.seq,
            last.id,
            f"case {last.case_id} is '{case['state']}' "
            f"({case['decided_outcome']}) but its events say '{state}' ({outcome}): "
            "the case row was altered",
        )
    return None


def verify_head(agency: str, events: list[Event], head: Head | None, source: str) -> Break | None:
    """The chain's last event against a head (``source``: where the head comes from)."""
    last = max(events, key=lambda e: e.seq) if events else None
    if head is None:
        if last is None:
            return None
        return Break(agency, last.seq, last.id, f"the {source} head is missing")
    if last is None:
        return Break(
            agency,
            head.seq,
            None,
            f"the whole chain was deleted (the {source} head is event {head.seq})",
        )
    if last.seq < head.seq:
        return Break(
            agency,
            last.seq + 1,
            None,
            f"the chain ends at event {last.seq} but "
            f"the {source} head is event {head.seq}: events were deleted from the "
            "end",
        )
    if last.seq == head.seq and last.hash != head.hash:
        return Break(
            agency,
            last.seq,
            last.id,
            f"the last event does not match the {source} head: the chain was rewritten",
        )
    if source == "recorded" and last.seq > head.seq:
        return Break(
            agency,
            head.seq + 1,
            None,
            f"events after the {source} head (event {head.seq}) were added outside the service",
        )
    if last.seq > head.seq:  # the chain grew since the head was published
        at = next((e for e in events if e.seq == head.seq), None)
        if at is None or at.hash != head.hash:
            return Break(
                agency,
                head.seq,
                at.id if at else None,
                f"event {head.seq} does not match the {source} head: the chain was rewritten",
            )
    return None
