"""Deadlines: calendar hours, or hours that skip Saturdays, Sundays and holidays."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from casebycase.policy.model import Deadline


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[dt.date]:
    calendar = holidays.country_holidays("US", years=year, categories=("public",))
    return frozenset(calendar.keys())


def is_business_day(day: dt.date) -> bool:
    """Not a Saturday, Sunday or U.S. federal holiday."""
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def deadline(anchor: dt.datetime, rule: Deadline, zone: ZoneInfo) -> dt.datetime:
    """The instant ``rule`` after (or before) ``anchor``, in the agency's zone.

    Business time is counted in the agency's zone: hours falling on a Saturday, Sunday or
    federal holiday do not count (8 CFR 287.7(d) reading of the 48-hour limit).
    """
    amount = dt.timedelta(hours=rule.hours or 0, days=rule.days or 0)
    if rule.before is not None:
        return (anchor - amount).astimezone(zone)
    if rule.clock == "calendar":
        return (anchor + amount).astimezone(zone)
    local = anchor.astimezone(zone)
    left = amount
    cursor = local
    while True:
        next_midnight = dt.datetime.combine(cursor.date() + dt.timedelta(days=1), dt.time(), zone)
        if is_business_day(cursor.date()):
            span = next_midnight.astimezone(dt.UTC) - cursor.astimezone(dt.UTC)
            if span >= left:
                return (cursor.astimezone(dt.UTC) + left).astimezone(zone)
            left -= span
        cursor = next_midnight
