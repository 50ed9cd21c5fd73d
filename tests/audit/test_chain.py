"""The pure audit chain: sealing events keeps the hash format; verification reads it back."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from casebycase.audit.chain import GENESIS, Event, Head, seal, verify_chain

AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
PAYLOAD = {"outcome": "decline", "rules": ["r1"], "ü": 1}

# Hashes of the format in docs/audit.md, fixed when the hashing moved into the core.
FIRST = "d4680b274edc1dfef4ae98bfdf8ac07df313ce9b84ca76c4ab0355b51c71f686"
SECOND = "dcd1b32e678823d6961b31c62c36b156916db335b5c09300698482ad3c4bc86a"


def test_seal_keeps_the_hash_format() -> None:
    first = seal(
        None,
        "boone-county-so",
        "case:recommendation:issued",
        "officer:u1",
        AT,
        "c1",
        "abc",
        PAYLOAD,
    )
    assert (first.seq, first.prev_hash, first.at) == (1, GENESIS, "2026-03-02T15:30:00+00:00")
    assert first.payload_hash == (
        "7f518387b17f09a8f98a47759e5efb9ac24fac3e8f5946df55d04ef821587672"
    )
    assert first.hash == FIRST
    second = seal(
        Head(first.seq, first.hash),
        "boone-county-so",
        "case:case:closed",
        "officer:u1",
        AT,
        None,
        None,
        {},
    )
    assert (second.seq, second.prev_hash, second.hash) == (2, FIRST, SECOND)


def test_sealed_events_verify() -> None:
    head, events = None, []
    for i in range(3):
        entry = seal(
            head, "columbia-pd", "case:case:closed", "officer:u1", AT, f"c{i}", None, {"i": i}
        )
        events.append(Event(id=10 + i, **asdict(entry)))
        head = Head(entry.seq, entry.hash)
    assert verify_chain(events) is None
    broken = verify_chain([events[0], events[2]])
    assert broken is not None and broken.seq == 3 and "deleted" in broken.why
