"""Report periods: fixed calendar years, quarters or months (UTC), never arbitrary ranges.

Two published reports over overlapping periods would give away, by their difference, the
counts each hides. So a definition fixes the kind of period it is published for (a year,
say), periods of one kind never overlap, and a period is published only once it has ended.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from casebycase.errors import CaseByCaseError, Problem

Granularity = Literal["year", "quarter", "month"]
_FORMS = {
    "year": (re.compile(r"^(\d{4})$"), "2026"),
    "quarter": (re.compile(r"^(\d{4})-Q([1-4])$"), "2026-Q1"),
    "month": (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), "2026-03"),
}


class PeriodError(CaseByCaseError):
    """A period is malformed, of the wrong kind for the report, or not yet over."""


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar period: ``start`` included, ``end`` excluded, in UTC."""

    label: str
    granularity: Granularity
    start: dt.datetime
    end: dt.datetime

    def ended(self, now: dt.datetime) -> bool:
        return now >= self.end


def parse_period(text: str, granularity: Granularity) -> Period:
    """``2026``, ``2026-Q1`` or ``2026-03``, which must be of the definition's kind."""
    text = text.strip()
    for kind, (pattern, _example) in _FORMS.items():
        m = pattern.match(text)
        if not m:
            continue
        if kind != granularity:
            raise PeriodError(
                [
                    Problem(
                        "--period",
                        f"'{text}' is a {kind}, but this report is published per "
                        f"{granularity} only (overlapping periods would give hidden counts away)",
                        f"give a {granularity}, e.g. {_FORMS[granularity][1]}",
                    )
                ],
                title="invalid period",
            )
        year = int(m.group(1))
        if kind == "year":
            start, end = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
        elif kind == "quarter":
            q = int(m.group(2))
            start = dt.datetime(year, 3 * q - 2, 1)
            end = dt.datetime(year + (q == 4), (3 * q) % 12 + 1, 1)
        else:
            mo = int(m.group(2))
            start = dt.datetime(year, mo, 1)
            end = dt.datetime(year + (mo == 12), mo % 12 + 1, 1)
        return Period(text, kind, start.replace(tzinfo=dt.UTC), end.replace(tzinfo=dt.UTC))
    raise PeriodError(
        [
            Problem(
                "--period",
                f"'{text}' is not a period",
                f"give a {granularity}, e.g. {_FORMS[granularity][1]}",
            )
        ],
        title="invalid period",
    )
