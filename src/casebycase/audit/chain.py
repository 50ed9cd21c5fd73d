"""The audit chain: events hash-chained per agency; verification names the first bad event.

Each event's hash covers its agency, sequence number, tag, actor, time, case reference,
policy digest, the hash of its payload and the previous event's hash. Payloads hold only
references and decision facts, never personal details; an expunged payload is removed but
its hash stays, so the chain still verifies (docs/audit.md).

Pure: values in, values out. The service seals an event onto the chain's head with
``seal``; the store only persists the result and reads it back as ``Event``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Stable JSON text for hashing."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def payload_hash(payload: Any) -> str:
    return hashlib.sha256(canonical(payload).encode()).hexdigest()


def event_hash(
    agency: str,
    seq: int,
    tag: str,
    actor: str,
    at: str,
    case_id: str | None,
    policy_digest: str | None,
    payload_digest: str,
    prev: str,
) -> str:
    fields = [agency, seq, tag, actor, at, case_id, policy_digest, payload_digest, prev]
    return hashlib.sha256(canonical(fields).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Head:
    """The last event of one agency's chain: its sequence number and hash."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A new event sealed onto its agency's chain, ready to store (the store gives the id)."""

    agency: str
    seq: int
    tag: str
    actor: str
    at: str
    case_id: str | None
    policy_digest: str | None
    payload: Any
    payload_hash: str
    prev_hash: str
    hash: str


def seal(
    head: Head | None,
    agency: str,
    tag: str,
    actor: str,
    at: dt.datetime,
    case_id: str | None,
    policy_digest: str | None,
    payload: Any,
) -> Entry:
    """The event that follows ``head`` (None: the chain is empty) in ``agency``'s chain."""
    seq, prev = (head.seq + 1, head.hash) if head else (1, GENESIS)
    stamp = at.astimezone(dt.UTC).isoformat()
    digest = payload_hash(payload)
    hashed = event_hash(agency, seq, tag, actor, stamp, case_id, policy_digest, digest, prev)
    return Entry(
        agency, seq, tag, actor, stamp, case_id, policy_digest, payload, digest, prev, hashed
    )


@dataclass(frozen=True, slots=True)
class Event:
    """One stored audit event as verification reads it."""

    id: int
    agency: str
    seq: int
    tag: str
    actor: str
    at: str
    case_id: str | None
    policy_digest: str | None
    payload: Any
    payload_hash: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Break:
    """The first event where the chain of one agency does not verify, and why."""

    agency: str
    seq: int
    event_id: int | None
    why: str


class ChainCheck:
    """Verify one agency's chain event by event, in (seq, id) order, in constant memory."""

    def __init__(self) -> None:
        self.prev, self.expected_seq, self.last_id = GENESIS, 1, 0

    def add(self, e: Event) -> Break | None:
        """The break at ``e``, or None when it follows the events before it."""
        where = (e.agency, e.seq, e.id)
        if e.seq != self.expected_seq:
            why = (
                f"sequence jumps from {self.expected_seq - 1} to {e.seq}: an event was deleted"
                if e.seq > self.expected_seq
                else f"sequence number {e.seq} repeats: an event was inserted"
            )
            return Break(*where, why)
        if e.id <= self.last_id:
            return Break(*where, "events are stored out of order: the chain was reordered")
        if e.prev_hash != self.prev:
            return Break(
                *where,
                "does not link to the previous event: an event was "
                "inserted, deleted or reordered before it",
            )
        if e.payload is not None and payload_hash(e.payload) != e.payload_hash:
            return Break(*where, "its payload was altered")
        if (
            event_hash(
                e.agency,
                e.seq,
                e.tag,
                e.actor,
                e.at,
                e.case_id,
                e.policy_digest,
                e.payload_hash,
                e.prev_hash,
            )
            != e.hash
        ):
            return Break(*where, "its recorded fields were altered")
        self.prev, self.expected_seq, self.last_id = e.hash, self.expected_seq + 1, e.id
        return None


def verify_chain(events: list[Event]) -> Break | None:
    """Check one agency's events (in storage order); None when the chain is intact."""
    check = ChainCheck()
    for e in sorted(events, key=lambda e: (e.seq, e.id)):
        found = check.add(e)
        if found is not None:
            return found
    return None
