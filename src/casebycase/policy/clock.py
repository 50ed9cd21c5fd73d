"""Deadlines: calendar hours, or hours that skip Saturdays, Sundays and holidays."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from casebycase.policy.model import Deadline

RULES_SINCE = 1971
"""From this year the federal holidays follow today's rules (the Uniform Monday Holiday Act),
computed here; for earlier years the ``holidays`` package is asked (its import costs more
than the rest of a command-line evaluation)."""


def _nth(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th ``weekday`` (0 = Monday) of a month; n = -1 for the last."""
    if n < 0:
        last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _with_observed(day: dt.date) -> set[dt.date]:
    """A fixed-date holiday and, on a weekend, the Friday before or the Monday after."""
    shift = {5: -1, 6: 1}.get(day.weekday())
    return {day} if shift is None else {day, day + dt.timedelta(days=shift)}


def federal_holidays(year: int) -> frozenset[dt.date]:
    """U.S. federal holidays (5 U.S.C. 6103) of one year, with their observed days."""
    if year < RULES_SINCE:
        import holidays

        calendar = holidays.country_holidays("US", years=year, categories=("public",))
        return frozenset(calendar.keys())
    days: set[dt.date] = set()
    fixed = [(1, 1), (7, 4), (12, 25)] + ([(6, 19)] if year >= 2021 else [])
    if not 1971 <= year <= 1977:
        fixed.append((11, 11))
    for month, day in fixed:
        days |= _with_observed(dt.date(year, month, day))
    days = {d for d in days if d.year == year}
    if dt.date(year + 1, 1, 1).weekday() == 5:  # next New Year's Day observed on Dec 31
        days.add(dt.date(year, 12, 31))
    days |= {
        _nth(year, 2, 0, 3),
        _nth(year, 5, 0, -1),
        _nth(year, 9, 0, 1),
        _nth(year, 10, 0, 2),
        _nth(year, 11, 3, 4),
    }
    if year >= 1986:
        days.add(_nth(year, 1, 0, 3))
    if 1971 <= year <= 1977:
        days.add(_nth(year, 10, 0, 4))  # Veterans Day on the fourth Monday of October
    return frozenset(days)


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[dt.date]:
    return federal_holidays(year)


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
