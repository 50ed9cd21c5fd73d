"""Regions of the request space in plain language: the order of clauses, request kinds,
runs of number intervals and of dates, lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from casebycase.policy.facts import TABLE
from casebycase.policy.facts import Axis as Split
from casebycase.vocabulary import KINDS

KIND_NAMES = {
    "detainer": "detainers",
    "release_notification": "release notifications",
    "transfer": "transfers",
    "status_check": "status checks",
    "records": "records requests",
    "jail_access": "jail access requests",
    "warrant_service": "warrant service requests",
    "enforcement_support": "enforcement support requests",
    "investigation_support": "investigation support requests",
    "task_force": "task force requests",
    "victim_certification": "victim certifications",
    "custody_review": "custody reviews",
}
NUMBER_WORDS = {
    "hours_until_release": (
        "due for release in {} hours",
        "with a known release time",
        "with no known release time",
    ),
    "hours_since_booking": ("booked {} hours before the request", "booked", "not booked"),
    "offense_count": ("with {} offenses", "with any number of offenses", ""),
}
"""Per number axis: some intervals ({} the ranges), any known value, and unknown."""
_SUBJECT_FLAGS = tuple(
    f.name for f in TABLE if f.axis is Split.FLAG and f.name.startswith("subject.")
)
ORDER = (
    "requester.agency",
    "requester.component",
    "purpose",
    "judicial_warrant",
    "documents:",
    *_SUBJECT_FLAGS,
    "hours_since_booking",
    "hours_until_release",
    "offense:",
    "offense_count",
    "agency.type",
    "agency.runs_jail",
    "agency.287g:",
    "date",
)
"""The order of clauses in a description (a name ending in ":" stands for a prefix)."""
GROUPS = tuple(
    ORDER.index(first) for first in ("subject.in_custody", "offense:", "agency.type", "date")
)
"""Where the subject, offense, agency and date clauses of a description begin in ORDER."""


def rank(name: str) -> int:
    """The place of an axis's clause in a description (see :data:`ORDER`)."""
    for i, prefix in enumerate(ORDER):
        if name == prefix or (prefix.endswith(":") and name.startswith(prefix)):
            return i
    return len(ORDER)


def number_runs(name: str, values: tuple[Any, ...], info: Any, allowed: frozenset[Any]) -> str:
    """A number axis (``info``: thresholds and interval indices) taking one of ``allowed``."""
    cuts, pieces = info
    known = [v for v in values if v is not None]
    chosen = sorted(pieces[known.index(v)] for v in allowed if v is not None)
    ranges = []
    for run in runs(chosen, set(pieces)):
        lo, hi = run[0], run[-1]
        if lo == hi and lo % 2:
            ranges.append(f"exactly {num(cuts[lo // 2])}")
            continue
        words = []
        if lo > 0:
            words.append(("at least " if lo % 2 else "more than ") + num(cuts[(lo - 1) // 2]))
        if hi < 2 * len(cuts):
            words.append(("at most " if hi % 2 else "less than ") + num(cuts[hi // 2]))
        ranges.append(" and ".join(words))
    some, any_known, unknown = NUMBER_WORDS[name]
    texts = [some.format(" or ".join(ranges)) if any(ranges) else any_known] if ranges else []
    if None in allowed:
        texts.append(unknown)
    return " or ".join(texts)


def runs(chosen: list[int], present: set[int]) -> list[list[int]]:
    """Group interval indices into runs with no present interval left out between them."""
    found: list[list[int]] = []
    for k in chosen:
        if found and all(j not in present for j in range(found[-1][-1] + 1, k)):
            found[-1].append(k)
        else:
            found.append([k])
    return found


def date_runs(bounds: tuple[dt.date, ...], chosen: list[int]) -> str:
    """The date intervals ``chosen`` (indices between ``bounds``) as date ranges."""
    texts = []
    for run in runs(chosen, set(range(len(bounds) + 1))):
        lo, hi = run[0], run[-1]
        start = bounds[lo - 1] if lo > 0 else None
        end = bounds[hi] if hi < len(bounds) else None
        if start and end:
            texts.append(f"from {start} to {end - dt.timedelta(days=1)}")
        elif start:
            texts.append(f"from {start}")
        elif end:
            texts.append(f"before {end}")
    return "on dates " + " or ".join(texts) if texts else "on any date"


def join_kinds(kinds: Sequence[str], clauses: str) -> str:
    """Request kinds and the clauses they share, e.g. "detainers and transfers from ICE"."""
    missing = [KIND_NAMES[k] for k in KINDS if k not in kinds]
    if not missing:
        names = "requests of every kind"
    elif len(missing) <= 3 < len(KINDS) - len(missing):
        names = f"requests of every kind but {listing(missing, 'and')}"
    else:
        names = listing([KIND_NAMES[k] for k in KINDS if k in kinds], "and")
    return names + (" " + clauses if clauses else "")


def doc_words(docs: dict[bool, list[str]]) -> list[str]:
    """Documents present (``docs[True]``) and absent (``docs[False]``) as clauses."""
    out = []
    if docs[True]:
        plural = "s" if len(docs[True]) > 1 else ""
        out.append(f"with document{plural} {listing(docs[True], 'and')}")
    if docs[False]:
        out.append(f"with no {listing(docs[False])} document")
    return out


def listing(items: Sequence[str], last: str = "or") -> str:
    """ "a", "a or b", "a, b or c"."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def shown(value: str) -> str:
    return "none given" if value == "none" else value


def num(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)
