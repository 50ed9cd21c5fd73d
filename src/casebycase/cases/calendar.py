"""Open deadlines as an iCalendar feed (RFC 5545), so a supervisor's calendar shows the
clocks. Pure: deadlines in, text out; times are written in UTC (every calendar shows them in
its own zone) with the agency's zone named in each event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Event

PRODUCT = "-//casebycase//deadlines//EN"


@dataclass(frozen=True, slots=True)
class Due:
    """One open deadline as the feed shows it: no names, a case reference and an action."""

    uid: str
    case_ref: str
    action: str
    due_at: dt.datetime
    zone: str
    url: str | None = None


def feed(name: str, deadlines: Iterable[Due], now: dt.datetime) -> bytes:
    """The calendar of open deadlines (each a 15-minute event ending at its deadline, with
    an alarm an hour before)."""
    cal = Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for d in deadlines:
        due = d.due_at.astimezone(dt.UTC)
        event = Event()
        event.add("uid", d.uid)
        event.add("dtstamp", now.astimezone(dt.UTC))
        event.add("dtstart", due - dt.timedelta(minutes=15))
        event.add("dtend", due)
        event.add("summary", f"Due: {d.action.replace('_', ' ')} ({d.case_ref})")
        event.add(
            "description",
            f"Case {d.case_ref}: {d.action} is due at "
            f"{d.due_at.astimezone(_zone(d.zone)).isoformat()} "
            f"({d.zone}).",
        )
        if d.url:
            event.add("url", d.url)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{d.action} due in one hour ({d.case_ref})")
        alarm.add("trigger", dt.timedelta(hours=-1), parameters={"RELATED": "END"})
        event.add_component(alarm)
        cal.add_component(event)
    return bytes(cal.to_ical())


def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
