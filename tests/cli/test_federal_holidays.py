"""Business-day deadlines use federal holidays computed without the ``holidays`` package
(whose import cost more than the rest of a command-line evaluation): the same days."""

from __future__ import annotations

import holidays

from casebycase.policy.clock import RULES_SINCE, federal_holidays


def test_same_days_as_the_holidays_package() -> None:
    for year in range(RULES_SINCE - 3, 2101):
        expected = holidays.country_holidays("US", years=year, categories=("public",))
        assert federal_holidays(year) == frozenset(expected.keys()), year
