"""The deadline feed parses back with the right times and time zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar

from casebycase.cases.calendar import Due, feed

CHICAGO = ZoneInfo("America/Chicago")


def test_the_feed_parses_back_with_the_deadlines_times() -> None:
    due = dt.datetime(2026, 3, 7, 9, 0, tzinfo=CHICAGO)  # 15:00 UTC
    text = feed(
        "Boone County SO deadlines",
        [
            Due(
                "d-1@casebycase",
                "BCSO-2026-0031",
                "release_if_not_collected",
                due,
                "America/Chicago",
            ),
            Due(
                "d-2@casebycase",
                "BCSO-2026-0032",
                "notify_subject",
                dt.datetime(2026, 11, 2, 1, 30, tzinfo=CHICAGO),
                "America/Chicago",
            ),
        ],
        now=dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC),
    )
    cal = Calendar.from_ical(text)
    events = list(cal.walk("VEVENT"))
    assert [str(e["uid"]) for e in events] == ["d-1@casebycase", "d-2@casebycase"]
    first = events[0]
    assert first.decoded("dtend") == due
    assert first.decoded("dtend").utcoffset() == dt.timedelta(0)
    assert first.decoded("dtend").astimezone(CHICAGO).hour == 9
    assert "BCSO-2026-0031" in str(first["summary"])
    # the day after daylight saving time ends in Chicago (2026-11-01): 01:30 CST is 07:30 UTC
    assert events[1].decoded("dtend") == dt.datetime(2026, 11, 2, 7, 30, tzinfo=dt.UTC)
    assert str(cal["x-wr-calname"]) == "Boone County SO deadlines"
