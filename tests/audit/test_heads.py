"""Signed audit heads: deleting the last events or a whole chain is detected."""

from __future__ import annotations

import dataclasses
import datetime as dt

from casebycase.audit.chain import Event, Head, seal, verify_chain
from casebycase.audit.heads import SignedHead, against, new_key, sign, signature_ok

AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _chain(n: int, agency: str = "boone-county-so") -> list[Event]:
    events: list[Event] = []
    head: Head | None = None
    for i in range(n):
        entry = seal(head, agency, "case:opened", "officer-1", AT, f"case-{i}", None, {"i": i})
        events.append(Event(i + 1, *dataclasses.astuple(entry)))
        head = Head(entry.seq, entry.hash)
    return events


def test_a_signed_head_verifies_and_round_trips() -> None:
    private, public = new_key()
    events = _chain(5)
    head = sign("boone-county-so", Head(5, events[-1].hash), AT, private)
    assert signature_ok(head, public)
    assert SignedHead.from_dict(head.to_dict()) == head
    assert against(events, head) is None


def test_a_head_with_a_bad_signature_is_refused() -> None:
    private, public = new_key()
    head = sign("boone-county-so", Head(5, "ab" * 32), AT, private)
    assert not signature_ok(dataclasses.replace(head, seq=4), public)
    assert not signature_ok(head, new_key()[1])


def test_deleting_the_last_events_is_detected() -> None:
    private, _ = new_key()
    events = _chain(50)
    head = sign("boone-county-so", Head(50, events[-1].hash), AT, private)
    for cut in (1, 50 - 1):
        left = events[:-cut]
        assert verify_chain(left) is None  # the links alone cannot see it
        found = against(left, head)
        assert found is not None and "were deleted" in found.why


def test_deleting_a_whole_chain_is_detected() -> None:
    private, _ = new_key()
    events = _chain(3)
    head = sign("boone-county-so", Head(3, events[-1].hash), AT, private)
    found = against(_chain(3, "columbia-pd"), head)
    assert found is not None and "the whole chain is gone" in found.why


def test_a_rewritten_chain_differs_from_its_head() -> None:
    private, _ = new_key()
    events = _chain(3)
    head = sign("boone-county-so", Head(3, events[-1].hash), AT, private)
    rewritten = [*_chain(2), dataclasses.replace(events[2], hash="00" * 32)]
    found = against(rewritten, head)
    assert found is not None and "rewritten" in found.why
