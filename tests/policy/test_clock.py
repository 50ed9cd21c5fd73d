"""Deadlines on the calendar and on business days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from casebycase.policy.clock import deadline, is_business_day
from casebycase.policy.model import Deadline

CHICAGO = ZoneInfo("America/Chicago")


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_holidays_and_weekends() -> None:
    assert not is_business_day(dt.date(2026, 11, 26))  # Thanksgiving
    assert not is_business_day(dt.date(2026, 11, 28))  # Saturday
    assert is_business_day(dt.date(2026, 11, 30))


def test_calendar_48_hours() -> None:
    rule = Deadline(hours=48, after="subject.release_at")
    assert deadline(_at("2026-11-25T10:00:00-06:00"), rule, CHICAGO) == _at(
        "2026-11-27T10:00:00-06:00"
    )


def test_business_48_hours_skip_thanksgiving_and_weekend() -> None:
    rule = Deadline(hours=48, after="subject.release_at", clock="business")
    # Wed 10:00: 14 h Wed, Thu holiday, Fri 24 h, Sat/Sun skipped, Mon 10 h
    assert deadline(_at("2026-11-25T10:00:00-06:00"), rule, CHICAGO) == _at(
        "2026-11-30T10:00:00-06:00"
    )


def test_business_clock_starting_on_a_weekend() -> None:
    rule = Deadline(hours=48, clock="business")
    assert deadline(_at("2026-11-28T15:00:00-06:00"), rule, CHICAGO) == _at(
        "2026-12-02T00:00:00-06:00"
    )


def test_business_clock_across_daylight_saving_change() -> None:
    rule = Deadline(hours=48, clock="business")
    # Fri 10:00 CST; DST starts Sun Mar 8; 14 + 24 (Mon) + 10 (Tue) = 48 business hours
    assert deadline(_at("2026-03-06T10:00:00-06:00"), rule, CHICAGO) == _at(
        "2026-03-10T10:00:00-05:00"
    )


def test_days() -> None:
    rule = Deadline(days=90)
    assert deadline(_at("2026-01-01T00:00:00+00:00"), rule, CHICAGO) == _at(
        "2026-04-01T00:00:00+00:00"
    )
