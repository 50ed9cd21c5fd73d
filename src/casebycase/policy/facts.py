"""The fact table: every fact a rule may read, declared once.

Each :class:`Fact` says what a rule writes (``name``), its :class:`Shape` and choices, how it
is read from a request (``read``: a Python expression over ``r`` the request, ``s`` its
subject, ``o`` its offenses as (category, level, status, entry) traits and ``ts`` the time it was
received), the attribute of :class:`Facts` and the column of the request frame that hold it
(``attr``), the value a request has when it says nothing (``default``), how the request-space
enumeration splits it (:class:`Axis`), and its words. The interpreter, the generated code,
the columnar engine, the request-space enumeration and the docs' field table all derive from
this table; :func:`facts_of` is generated from it.
"""

from __future__ import annotations

import linecache
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from casebycase.vocabulary import (
    CATEGORIES,
    COMPONENTS,
    DOCUMENTS,
    KINDS,
    LEVELS,
    NATIONAL_ORIGIN_FIELDS,
    NATIONAL_ORIGIN_REASON,
    OFFENSE_STATUSES,
    PURPOSES,
    REQUESTER_AGENCIES,
)

if TYPE_CHECKING:
    from casebycase.request import Request

_PLAIN = re.compile(r"^\(?[rs](\.\w+)+\)?$")
"""A read that is a plain field of the request or its subject: read through, not kept."""

AGENCY_TYPES = ("municipal_police", "sheriff", "state_police", "state_corrections", "other")
MODELS_287G = ("JEM", "TFM", "WSO")


class Shape(StrEnum):
    """What kind of value a fact holds, which decides the operators it takes."""

    ENUM = "enum"
    BOOL = "bool"
    SET = "set"
    NUMBER = "number"


class Axis(StrEnum):
    """How the request-space enumeration tells requests apart on a fact."""

    KIND = "kind"
    """Settled per request kind before anything is split."""
    ENUM = "enum"
    """Each value a condition names, plus one value standing for all the others."""
    FLAG = "flag"
    """False and true."""
    ELEMENTS = "elements"
    """One yes/no axis per element a condition names."""
    NUMBER = "number"
    """The intervals between the thresholds conditions use, plus "unknown"."""
    KNOWN = "known"
    """Whether another fact (``of``) is known: it splits that fact's axis."""
    OFFENSE = "offense"
    """Offense patterns: one yes/no axis per distinct pattern named."""
    COUNT = "count"
    """The offense count, realised by the offense lists."""
    PROFILE = "profile"
    """The agency's profile: constants, or dated entries in force at the decision time."""


@dataclass(frozen=True, slots=True)
class Fact:
    """A readable fact (see the module docstring for each attribute)."""

    name: str
    shape: Shape
    help: str
    axis: Axis
    attr: str
    read: str = ""
    choices: tuple[str, ...] = ()
    default: Any = None
    words: tuple[str, str] = ("", "")
    """For a yes/no fact: how a region reads when it is false, and when it is true."""
    of: str = ""
    """For ``Axis.KNOWN``: the number fact whose being known this fact tells."""

    @property
    def on_request(self) -> bool:
        """Read from the request (not from the agency profile)."""
        return self.axis is not Axis.PROFILE

    @property
    def plain(self) -> bool:
        """Read straight from a field of the request or its subject (nothing computed)."""
        return bool(_PLAIN.match(self.read))

    @property
    def inline(self) -> bool:
        """Computed from the request's own fields alone, with no literal value: cheap
        enough to write in place in generated code."""
        return not re.search(r"\b(ts|o)\b|\(\[|['\"0-9]", self.read)


def _flag(name: str, attr: str, help: str, no: str, yes: str) -> Fact:
    return Fact(
        name, Shape.BOOL, help, Axis.FLAG, attr, f"s.{attr}", default=False, words=(no, yes)
    )


TABLE: tuple[Fact, ...] = (
    Fact("kind", Shape.ENUM, "what is asked", Axis.KIND, "kind", "r.kind", KINDS),
    Fact(
        "purpose",
        Shape.ENUM,
        "criminal, civil_immigration or unknown",
        Axis.ENUM,
        "purpose",
        "r.purpose",
        PURPOSES,
        "criminal",
        words=("for a {} purpose", "for a purpose other than {}"),
    ),
    Fact(
        "requester.agency",
        Shape.ENUM,
        "who asks",
        Axis.ENUM,
        "requester_agency",
        "r.requester.agency",
        REQUESTER_AGENCIES,
        "ICE",
        words=("from {}", "not from {}"),
    ),
    Fact(
        "requester.component",
        Shape.ENUM,
        "which part of the requester ('none' when not given)",
        Axis.ENUM,
        "requester_component",
        "(r.requester.component or 'none')",
        (*COMPONENTS, "none"),
        "none",
        words=("component {}", "component other than {}"),
    ),
    Fact(
        "documents",
        Shape.SET,
        "papers that came with the request",
        Axis.ELEMENTS,
        "documents",
        "r.documents",
        DOCUMENTS,
        frozenset(),
    ),
    Fact(
        "judicial_warrant",
        Shape.BOOL,
        "a judge-signed warrant or order",
        Axis.FLAG,
        "judicial_warrant",
        "r.judicial_warrant",
        default=False,
        words=("without a judge-signed warrant", "with a judge-signed warrant"),
    ),
    _flag(
        "subject.in_custody",
        "in_custody",
        "held by this agency now",
        "not in custody",
        "in custody",
    ),
    Fact(
        "subject.confined",
        Shape.BOOL,
        "confined in a jail on a charge, this agency's or another's (default: in_custody)",
        Axis.FLAG,
        "confined",
        "(s.in_custody if s.confined is None else s.confined)",
        default=None,
        words=("not confined in a jail", "confined in a jail"),
    ),
    _flag(
        "subject.charged",
        "charged",
        "charged with a state or local offense",
        "not charged",
        "charged",
    ),
    Fact(
        "subject.booked",
        Shape.BOOL,
        "a booking time is known",
        Axis.KNOWN,
        "booked",
        "(s.booked_at is not None)",
        default=False,
        of="hours_since_booking",
    ),
    _flag(
        "subject.status_established",
        "status_established",
        "lawful presence or citizenship established",
        "whose status is not established",
        "whose status is established",
    ),
    _flag(
        "subject.unlawfully_present",
        "unlawfully_present",
        "a status verification returned unlawful presence",
        "not found unlawfully present",
        "found unlawfully present",
    ),
    _flag("subject.juvenile", "juvenile", "under 18", "18 or older", "under 18"),
    _flag(
        "subject.victim_or_witness",
        "victim_or_witness",
        "a victim or witness",
        "who is not a victim or witness",
        "who is a victim or witness",
    ),
    _flag(
        "subject.witness_only",
        "witness_only",
        "a witness who is not (or not apparently) a victim",
        "who may be a victim",
        "who is only a witness",
    ),
    _flag(
        "subject.proof_of_status",
        "proof_of_status",
        "the person provided proof of citizenship or lawful status (e.g. a driver's license)",
        "who has not provided proof of status",
        "who has provided proof of status",
    ),
    Fact(
        "hours_until_release",
        Shape.NUMBER,
        "hours from received_at to subject.release_at (absent when release_at is unknown)",
        Axis.NUMBER,
        "hours_until_release",
        "(None if s.release_at is None else (s.release_at.ts - ts) / 3600)",
    ),
    Fact(
        "hours_since_booking",
        Shape.NUMBER,
        "hours from subject.booked_at to received_at (absent when booked_at is unknown)",
        Axis.NUMBER,
        "hours_since_booking",
        "(None if s.booked_at is None else (ts - s.booked_at.ts) / 3600)",
    ),
    Fact(
        "offense.category",
        Shape.SET,
        "categories of the offenses",
        Axis.OFFENSE,
        "categories",
        "(frozenset([x[0] for x in o]) if o else _EMPTY)",
        CATEGORIES,
        frozenset(),
    ),
    Fact(
        "offense.level",
        Shape.SET,
        "levels of the offenses",
        Axis.OFFENSE,
        "levels",
        "(frozenset([x[1] for x in o if x[1]]) if o else _EMPTY)",
        LEVELS,
        frozenset(),
    ),
    Fact(
        "offense.status",
        Shape.SET,
        "statuses of the offenses",
        Axis.OFFENSE,
        "statuses",
        "(frozenset([x[2] for x in o if x[2]]) if o else _EMPTY)",
        OFFENSE_STATUSES,
        frozenset(),
    ),
    Fact(
        "offense.entry",
        Shape.SET,
        "offense catalog entries (statute sections, e.g. tx:pc-19.02) the offenses' codes or "
        "charge texts name; none for an offense given by category alone",
        Axis.OFFENSE,
        "entries",
        "(frozenset([x[3] for x in o if x[3]]) if o else _EMPTY)",
    ),
    Fact(
        "offense_count",
        Shape.NUMBER,
        "how many offenses are listed",
        Axis.COUNT,
        "offense_count",
        "len(o)",
        default=0,
    ),
    Fact(
        "agency.type",
        Shape.ENUM,
        "the agency profile's type",
        Axis.PROFILE,
        "agency_type",
        choices=AGENCY_TYPES,
        default="other",
        words=("agency type {}", "agency type other than {}"),
    ),
    Fact(
        "agency.runs_jail",
        Shape.BOOL,
        "the agency runs a jail",
        Axis.PROFILE,
        "agency_runs_jail",
        default=False,
        words=("the agency runs no jail", "the agency runs a jail"),
    ),
    Fact(
        "agency.287g",
        Shape.SET,
        "287(g) models in force on the decision date",
        Axis.PROFILE,
        "agency_287g",
        choices=MODELS_287G,
        default=frozenset(),
    ),
    Fact(
        "agency.agreements",
        Shape.SET,
        "agreement ids in force on the decision date",
        Axis.PROFILE,
        "agency_agreements",
        default=frozenset(),
    ),
)

FACTS: dict[str, Fact] = {f.name: f for f in TABLE}
"""Every readable fact by the name rules use."""

OFFENSE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "level": LEVELS,
    "status": OFFENSE_STATUSES,
    "entry": (),
}
"""What one offense tells a rule (``offense: {category: ..., level: ..., status: ...,
entry: ...}``): the position in an offense's traits is the order of this table. Entries are
the offense catalog's (:func:`choices_of`)."""
OFFENSE_INDEX = {attr: i for i, attr in enumerate(OFFENSE_ATTRIBUTES)}

UNREADABLE: dict[str, str] = {
    "notes": "free text is for people, never for rules",
    "id": "the agency's reference number carries no meaning for a decision",
    "subject.ref": "a pseudonymous reference must never drive a decision",
    "agency": "the pack is the agency; compare agency facts with agency.* instead",
    **{name: NATIONAL_ORIGIN_REASON for name in NATIONAL_ORIGIN_FIELDS},
    **{f"subject.{name}": NATIONAL_ORIGIN_REASON for name in NATIONAL_ORIGIN_FIELDS},
}
"""Fields of a request no rule may read, and why."""

REQUEST_FACTS = tuple(f for f in TABLE if f.on_request)
_BASE = (
    ("timestamp", "r.received_at.ts"),
    ("offenses", "tuple([x.traits for x in r.offenses]) if r.offenses else ()"),
)
"""What every fact may build on: the decision-free time of the request and its offenses
as (category, level, status, entry) traits."""
FIELD_NAMES = (*(name for name, _ in _BASE), *(f.attr for f in REQUEST_FACTS))

Traits = tuple[str, str | None, str | None, str | None]
"""What a rule reads of one offense: (category, level, status, catalog entry)."""


class _Lazy:
    """Base of :class:`Facts`: the request it reads and the facts computed so far (a rule
    pays only for the facts it reads; plain fields are read through, others kept)."""

    __slots__ = ("c", "r")
    r: Request
    c: dict[str, Any]

    def __init__(self, r: Request) -> None:
        self.r = r
        self.c = {}

    def __eq__(self, other: object) -> bool:
        """Facts are a function of their request: they never make two requests differ."""
        return type(other) is type(self)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in FIELD_NAMES)
        return f"Facts({shown})"


def _generated() -> tuple[str, type[Any]]:
    lines = [
        "class Facts(_Lazy):",
        '    """The facts of one request, each computed on first read (the fact table)."""',
        "    __slots__ = ()",
    ]
    for name, expr in [*_BASE, *((f.attr, f.read) for f in REQUEST_FACTS)]:
        lines += ["    @property", f"    def {name}(self):"]
        # a plain field is read through; anything computed is kept once read
        if _PLAIN.match(expr):
            lines.append("        r = self.r")
            if re.search(r"\bs\b", expr):
                lines.append("        s = r.subject")
            lines += [f"        return {expr}"]
            continue
        lines += [
            f"        v = self.c.get({name!r}, _UNSET)",
            "        if v is _UNSET:",
            "            r = self.r",
        ]
        if re.search(r"\bs\b", expr):
            lines.append("            s = r.subject")
        if re.search(r"\bts\b", expr):
            lines.append("            ts = self.timestamp")
        if re.search(r"\bo\b", expr):
            lines.append("            o = self.offenses")
        lines += [f"            v = self.c[{name!r}] = {expr}", "        return v"]
    source = "\n".join(lines) + "\n"
    filename = "<casebycase fact table>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {"_Lazy": _Lazy, "_EMPTY": frozenset(), "_UNSET": object()}
    exec(compile(source, filename, "exec"), namespace)
    return source, namespace["Facts"]


if TYPE_CHECKING:

    class Facts(_Lazy):
        """The facts of one request: one attribute per fact's ``attr``, plus ``timestamp``
        (POSIX seconds) and ``offenses`` ((category, level, status, entry) traits)."""

        def __getattr__(self, name: str) -> Any: ...

    FACTS_SOURCE = ""
else:
    FACTS_SOURCE, Facts = _generated()
"""The class is generated from :data:`TABLE` (its source, :data:`FACTS_SOURCE`, is
registered with :mod:`linecache` so tracebacks show it)."""


def facts_of(request: Request) -> Facts:
    """The facts of a request (each computed when first read)."""
    return Facts(request)


BY_ATTR: dict[str, Fact] = {f.attr: f for f in REQUEST_FACTS}
"""Request facts by their attribute of :class:`Facts`."""


def columns() -> dict[str, str]:
    """Each request fact's column in the request frame, by the name rules use."""
    return {f.name: f.attr for f in REQUEST_FACTS}


def choices_of(fact: Fact) -> tuple[str, ...]:
    """The values a condition may name for a fact: its choices, or for ``offense.entry`` the
    catalog entries a rule may name (statute sections the catalog classifies back to)."""
    if fact.name == "offense.entry":
        from casebycase.offenses import load_catalog  # loaded only by packs that need it

        return tuple(load_catalog().statutes)
    return fact.choices


def markdown_table() -> str:
    """The fields table of docs/policy-language.md, written from :data:`TABLE`."""
    rows = ["| field | shape | values | what it is |", "|---|---|---|---|"]
    for f in TABLE:
        values = ", ".join(f"`{c}`" for c in f.choices)
        if f.name == "offense.entry":
            values = "offense catalog ids (`casebycase classify`, docs/offenses.md)"
        if f.shape is Shape.BOOL:
            values = "true, false" + (
                " (absent in the request = false)" if f.default is False and f.on_request else ""
            )
        rows.append(f"| `{f.name}` | {f.shape} | {values} | {f.help} |")
    return "\n".join(rows) + "\n"
