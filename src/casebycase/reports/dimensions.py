"""The closed catalog of breakdowns a report definition may name.

Each dimension is an SQL expression over one unit (``cases``: one row per case;
``deadlines``: one row per deadline) and, where the categories are known in advance, their
fixed list, so that a category nobody fell in is published as 0 rather than left out (a
missing row would tell as much as a zero, and the table's shape would vary with the data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from casebycase.request import KINDS as REQUEST_KINDS
from casebycase.request import REQUESTER_AGENCIES

Unit = Literal["cases", "deadlines", "replay"]
OUTCOMES = ("comply", "partial", "decline", "refer")


@dataclass(frozen=True, slots=True)
class Dimension:
    """A breakdown: its label, SQL over the unit's facts, and its categories (None: seen)."""

    name: str
    label: str
    sql: str
    categories: tuple[str, ...] | None
    units: tuple[Unit, ...] = ("cases", "deadlines")


def _case(column: str, mapping: dict[str, str], default: str) -> str:
    whens = " ".join(f"WHEN {column} = '{k}' THEN '{v}'" for k, v in mapping.items())
    return f"CASE {whens} ELSE '{default}' END"


KINDS = tuple(REQUEST_KINDS)
CHANNELS = {
    "detainer": "hold",
    "release_notification": "notification",
    "transfer": "transfer",
    "jail_access": "interview",
}
HANDLING = {
    "comply": "assisted",
    "partial": "assisted in part",
    "decline": "declined",
    "refer": "referred for review",
}
RANK = "CASE {c} WHEN 'comply' THEN 3 WHEN 'partial' THEN 2 WHEN 'decline' THEN 1 END"


def catalog(reasons: list[tuple[str, list[str]]]) -> dict[str, Dimension]:
    """Every dimension; ``reasons`` are the departure-reason categories and their words."""
    reason_sql = (
        "CASE WHEN NOT coalesce(departs, false) THEN 'not a departure' "
        + " ".join(
            f"WHEN regexp_matches(lower(coalesce(reason, '')), '{_pattern(words)}') THEN '{name}'"
            for name, words in reasons
        )
        + " ELSE 'other' END"
    )
    rec, dec = RANK.format(c="recommended"), RANK.format(c="decided")
    dims = [
        Dimension("kind", "kind of request", "kind", KINDS),
        Dimension(
            "channel",
            "channel",
            _case("kind", CHANNELS, "other"),
            ("hold", "notification", "transfer", "interview", "other"),
        ),
        Dimension("recommended", "recommendation", "recommended", OUTCOMES, ("cases",)),
        Dimension(
            "decided",
            "decision",
            "coalesce(decided, 'undecided')",
            (*OUTCOMES, "undecided"),
            ("cases",),
        ),
        Dimension(
            "handling",
            "how it was handled",
            _case("decided", HANDLING, "pending"),
            (*HANDLING.values(), "pending"),
            ("cases",),
        ),
        Dimension(
            "agreement",
            "decision against recommendation",
            "CASE WHEN decided IS NULL THEN 'undecided' WHEN departs THEN 'departed' "
            "ELSE 'followed' END",
            ("followed", "departed", "undecided"),
            ("cases",),
        ),
        Dimension(
            "direction",
            "direction of the departure",
            f"CASE WHEN decided IS NULL OR NOT departs THEN 'no departure' "
            f"WHEN decided = 'refer' THEN 'referred instead' "
            f"WHEN recommended = 'refer' THEN 'decided instead of referring' "
            f"WHEN {dec} > {rec} THEN 'more cooperation than recommended' "
            f"ELSE 'less cooperation than recommended' END",
            (
                "more cooperation than recommended",
                "less cooperation than recommended",
                "referred instead",
                "decided instead of referring",
                "no departure",
            ),
            ("cases",),
        ),
        Dimension(
            "departure_reason",
            "reason for departing",
            reason_sql,
            (*[n for n, _ in reasons], "other", "not a departure"),
            ("cases",),
        ),
        Dimension("requester", "requesting agency", "requester", tuple(REQUESTER_AGENCIES)),
        Dimension(
            "component",
            "requesting component",
            "coalesce(component, 'not given')",
            ("ERO", "HSI", "OPLA", "USBP", "OFO", "other", "unknown", "not given"),
        ),
        Dimension("purpose", "purpose", "purpose", ("criminal", "civil_immigration", "unknown")),
        Dimension(
            "quarter",
            "quarter received",
            "'Q' || CAST(quarter(received_at) AS VARCHAR)",
            ("Q1", "Q2", "Q3", "Q4"),
            ("cases", "deadlines", "replay"),
        ),
        Dimension(
            "certification_form",
            "certification form",
            "CASE WHEN documents LIKE '%I-918B%' THEN 'U visa (I-918 Supplement B)' "
            "WHEN documents LIKE '%I-914B%' THEN 'T visa (I-914 Supplement B)' "
            "ELSE 'form not given' END",
            ("U visa (I-918 Supplement B)", "T visa (I-914 Supplement B)", "form not given"),
            ("cases",),
        ),
        Dimension(
            "deadline",
            "deadline",
            "CASE WHEN due_at IS NULL THEN 'no time limit' "
            "WHEN done_at IS NOT NULL AND done_at <= due_at THEN 'met' "
            "WHEN done_at IS NOT NULL OR due_at < as_of THEN 'missed' ELSE 'open' END",
            ("met", "missed", "open", "no time limit"),
            ("deadlines",),
        ),
        Dimension("action", "action", "action", None, ("deadlines",)),
        Dimension(
            "detainer_or_warrant",
            "detainer or civil immigration warrant",
            "CASE WHEN kind = 'detainer' OR ((documents LIKE '%I-200%' OR documents LIKE "
            "'%I-205%') AND NOT coalesce(jw, false)) THEN 'yes' ELSE 'no' END",
            ("yes", "no"),
        ),
        Dimension("scenario", "policy scenario", "scenario", None, ("replay",)),
        Dimension("outcome", "recommended outcome", "outcome", OUTCOMES, ("replay",)),
        Dimension(
            "actual", "what was done", "coalesce(actual, '(not recorded)')", None, ("replay",)
        ),
        Dimension("total", "all", "'all'", ("all",), ("cases", "deadlines", "replay")),
    ]
    return {d.name: d for d in dims}


def _pattern(words: list[str]) -> str:
    return "|".join(re.escape(w.lower()).replace("'", "''") for w in words)
