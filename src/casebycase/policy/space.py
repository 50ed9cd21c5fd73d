"""The finite space of requests a pack can tell apart, split into exact cells.

The evaluator depends only on which rules fire, and a rule reads finitely many facts. So,
per request kind, each fact read by a rule that can fire for that kind becomes an *axis*
with finitely many values:

- an enum: each value a condition names, plus one value standing for all the others;
- a yes/no field, and each named element of a set field (documents, 287(g) models);
- a number: the intervals between the thresholds conditions use, plus "unknown";
- offenses: one yes/no per distinct offense pattern named ("some offense is a charged
  felony homicide"), limited to what a list of offenses can realise, and the intervals of
  the offense count;
- the date: the intervals between the boundaries of the rules, the sources they cite and
  the agency's 287(g) programs and agreements;
- for a layer pack without an agency profile: the agency's type, jail and 287(g) models.

The space is split one axis at a time, only while some rule's condition is still open, so
each leaf (a :class:`Cell`) is a box of requests on which the firing of every rule is
known. One concrete request per cell is evaluated by the real evaluator, which must agree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from casebycase.policy.compile import CompiledPack, Decision, as_of
from casebycase.policy.condition import AllOf, Node, NotOf, OffenseTest, Op, Test, compare
from casebycase.policy.facts import FACTS as FIELDS
from casebycase.policy.load import NO_AGENCY, RuleDef
from casebycase.policy.model import AgencyProfile, Program
from casebycase.policy.recommendation import evaluate
from casebycase.request import CATEGORIES, DOCUMENTS, KINDS, LEVELS, OFFENSE_STATUSES, parse_request

Cond = Any
"""``True``, ``False``, ``("atom", axis, values)``, ``("and"|"or", items)`` or ``("not", c)``."""
Pattern = tuple[tuple[str, str, frozenset[str]], ...]
"""What one offense must match: (attribute, "in" | "not_in", values) for each attribute."""

REFERENCE_DATE = dt.date(2026, 1, 1)
"""The date used when no rule, source or agreement of the pack has a date."""
SUBJECT_FLAGS = ("subject.in_custody", "subject.confined", "subject.charged",
                 "subject.status_established", "subject.unlawfully_present",
                 "subject.juvenile", "subject.victim_or_witness")
KIND_NAMES = {
    "detainer": "detainers", "release_notification": "release notifications",
    "transfer": "transfers", "status_check": "status checks", "records": "records requests",
    "jail_access": "jail access requests", "warrant_service": "warrant service requests",
    "enforcement_support": "enforcement support requests",
    "investigation_support": "investigation support requests",
    "task_force": "task force requests", "victim_certification": "victim certifications",
    "custody_review": "custody reviews",
}
_FLAG_WORDS = {
    "judicial_warrant": ("without a judge-signed warrant", "with a judge-signed warrant"),
    "subject.in_custody": ("not in custody", "in custody"),
    "subject.confined": ("not confined in a jail", "confined in a jail"),
    "subject.charged": ("not charged", "charged"),
    "subject.status_established": ("whose status is not established",
                                   "whose status is established"),
    "subject.unlawfully_present": ("not found unlawfully present", "found unlawfully present"),
    "subject.juvenile": ("18 or older", "under 18"),
    "subject.victim_or_witness": ("who is not a victim or witness", "who is a victim or witness"),
    "agency.runs_jail": ("the agency runs no jail", "the agency runs a jail"),
}
_ENUM_WORDS = {"requester.agency": ("from {}", "not from {}"),
               "purpose": ("for a {} purpose", "for a purpose other than {}"),
               "requester.component": ("component {}", "component other than {}"),
               "agency.type": ("agency type {}", "agency type other than {}")}
_FALLBACK: dict[str, Any] = {
    "date": REFERENCE_DATE, "requester.agency": "ICE", "requester.component": "none",
    "purpose": "criminal", "judicial_warrant": False, **dict.fromkeys(SUBJECT_FLAGS, False),
    "subject.confined": None, "hours_since_booking": None, "hours_until_release": None,
    "agency.type": NO_AGENCY.type, "agency.runs_jail": False,
}
"""The value of a fact no condition of the kind reads (the request format's defaults)."""
_NUMBER_WORDS = {
    "hours_until_release": ("due for release in {} hours", "with a known release time",
                            "with no known release time"),
    "hours_since_booking": ("booked {} hours before the request", "booked", "not booked"),
    "offense_count": ("with {} offenses", "with any number of offenses", ""),
}
_ORDER = ("requester.agency", "requester.component", "purpose", "judicial_warrant",
          "documents:", *SUBJECT_FLAGS, "hours_since_booking", "hours_until_release",
          "offense:", "offense_count", "agency.type", "agency.runs_jail", "agency.287g:", "date")
_GROUPS = tuple(_ORDER.index(first) for first in ("subject.in_custody", "offense:",
                                                  "agency.type", "date"))
"""Where the subject, offense, agency and date clauses of a description begin in _ORDER."""


@dataclass(frozen=True, slots=True)
class Side:
    """One pack as compared: at a fixed date, or over the date axis when ``at`` is None."""

    pack: CompiledPack
    at: dt.date | None = None

    @property
    def any_agency(self) -> bool:
        """A layer pack without an agency profile: the agency's facts are axes too."""
        return self.pack.pack.agency is NO_AGENCY

    @property
    def label(self) -> str:
        return self.pack.id + (f" at {self.at}" if self.at else "")


@dataclass(frozen=True, slots=True)
class Axis:
    """One fact a rule reads, as the finite set of values that tell requests apart."""

    name: str
    shape: str
    values: tuple[Any, ...]
    free: Any
    info: Any = None

    def rank(self) -> int:
        for i, prefix in enumerate(_ORDER):
            if self.name == prefix or (prefix.endswith(":") and self.name.startswith(prefix)):
                return i
        return len(_ORDER)

    def words(self, allowed: frozenset[Any]) -> str:
        """The constraint "this axis takes one of ``allowed``" in plain language."""
        if self.shape == "enum":
            mentioned = self.info
            yes, no = _ENUM_WORDS[self.name]
            if all(v in mentioned for v in allowed):
                return yes.format(_words([_shown(v) for v in self.values if v in allowed]))
            return no.format(_words([_shown(v) for v in mentioned if v not in allowed]))
        if self.shape == "flag":
            return _FLAG_WORDS[self.name][True in allowed]
        if self.shape == "offense":
            return f"with {'some' if True in allowed else 'no'} {self.info}"
        if self.shape == "model":
            model = self.name.split(":", 1)[1]
            return f"{'with' if True in allowed else 'without'} a 287(g) {model} agreement"
        if self.shape == "time":
            return _date_runs(self.info, sorted(self.values.index(v) for v in allowed))
        return _number_runs(self, allowed)


@dataclass
class Offenses:
    """Offense patterns as yes/no axes, and the offense lists that realise them."""

    triples: list[tuple[str, str | None, str | None]]
    exists: list[frozenset[int]]
    labels: list[str]
    axis_of: dict[Pattern, int | None]
    pairs: list[tuple[int, int | None, tuple[int, ...]]] = field(default_factory=list)
    """(which patterns hold as a bit mask, offense count or None, offenses as triples)."""

    def offenses(self, pair: tuple[int, int | None, tuple[int, ...]]) -> list[dict[str, str]]:
        out = []
        for i in pair[2]:
            cat, level, status = self.triples[i]
            item = {"category": cat}
            if level:
                item["level"] = level
            if status:
                item["status"] = status
            out.append(item)
        return out


Box = tuple[int, ...]
"""A region of one kind: per axis (in the kind's axis order) a bit mask of allowed values."""


@dataclass
class KindSpace:
    """The axes and rule conditions of one request kind."""

    kind: str
    axes: dict[str, Axis]
    conds: list[Cond]
    owners: list[tuple[int, int]]
    offenses: Offenses

    def __post_init__(self) -> None:
        self.names = list(self.axes)
        self.full: Box = tuple((1 << len(a.values)) - 1 for a in self.axes.values())
        self.defaults = {n: a.free for n, a in self.axes.items()}
        self.documents = [(n.split(":", 1)[1], n) for n in self.names if n.startswith("doc")]
        self.models = [(n.split(":", 1)[1], n) for n in self.names if n.startswith("agency.2")]
        self.sizes = {n: len(a.values) for n, a in self.axes.items() if not _is_offense(n)}
        self.plain = 1
        for size in self.sizes.values():
            self.plain *= size

    @property
    def combinations(self) -> int:
        return len(self.offenses.pairs) * self.plain

    def phrases(self, regions: list[Box]) -> list[tuple[str, list[Box]]]:
        """Regions in plain language, without the kind; regions alike but for which one of
        several documents is present are told together ("with document I-200 or I-205")."""
        docs = [i for i, n in enumerate(self.names) if self.axes[n].shape == "doc"]
        groups: dict[Box, list[tuple[int, Box]]] = {}
        for b in regions:
            for i in docs:
                if b[i] == 0b10:  # the document is present
                    groups.setdefault((*b[:i], self.full[i], *b[i + 1:]), []).append((i, b))
        told: dict[Box, tuple[str, list[Box]]] = {}
        for key, members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            members = [(i, b) for i, b in members if b not in told]
            if len(members) > 1:
                names = [self.names[i].split(":", 1)[1] for i, _ in members]
                item = (self.clauses(key, names), [b for _, b in members])
                told.update(dict.fromkeys(item[1], item))
        out = [told.get(b) or (self.clauses(b), [b]) for b in regions]
        return list({id(item): item for item in out}.values())

    def clauses(self, box: Box, either: Sequence[str] = ()) -> str:
        """A region in plain language without its kind: request, subject, offense, agency
        and date clauses (``either``: documents one of which is present)."""
        chosen = sorted(((self.axes[n], m) for n, m, f in zip(self.names, box, self.full,
                                                               strict=True) if m != f),
                        key=lambda am: (am[0].rank(), am[0].name))
        # request, subject, offense count, agency, date; then one clause per offense pattern
        clauses: list[list[str]] = [[] for _ in range(len(_GROUPS) + 1)]
        docs: dict[bool, list[str]] = {True: [], False: []}
        for a, mask in chosen:
            allowed = frozenset(v for k, v in enumerate(a.values) if mask >> k & 1)
            group = sum(a.rank() >= g for g in _GROUPS)
            if a.shape == "doc":
                docs[True in allowed].append(a.name.split(":", 1)[1])
            elif a.shape == "offense":
                clauses.append([a.words(allowed)])
            else:
                clauses[group].append(a.words(allowed))
        clauses[0] += _doc_words(docs)
        if either:
            clauses[0].append(f"with document {_words(sorted(either))}")
        if clauses[1]:
            clauses[1][0] = "for a subject " + clauses[1][0]
        return "; ".join(", ".join(c) for c in [clauses[0], clauses[1], *clauses[5:],
                                                  *clauses[2:5]] if c)

    def merge(self, boxes: list[Box]) -> list[Box]:
        """Join boxes that differ on one axis only, until none do (an exact union)."""
        boxes = list(dict.fromkeys(boxes))
        changed = True
        while changed:
            changed = False
            for i in range(len(self.full)):
                groups: dict[Box, int] = {}
                for b in boxes:
                    key = b[:i] + b[i + 1:]
                    groups[key] = groups.get(key, 0) | b[i]
                if len(groups) < len(boxes):
                    boxes = [(*k[:i], m, *k[i:]) for k, m in groups.items()]
                    changed = True
        return boxes

    def cover(self, on: list[Box], off: list[Box]) -> list[Box]:
        """Few, large boxes whose union holds every box of ``on`` and meets none of ``off``.

        Each merged box of ``on`` grows axis by axis (details first) by every value that
        keeps it clear of ``off``; the regions may overlap. Boxes in neither list are free
        to be covered or not.
        """
        on = self.merge(on)
        order = sorted(range(len(self.full)),
                       key=lambda i: (self.axes[self.names[i]].rank(), self.names[i]),
                       reverse=True)
        out: list[Box] = []
        for box in sorted(on, key=lambda b: sum(m != f for m, f in zip(b, self.full,
                                                                           strict=True))):
            if any(all(m & r == m for m, r in zip(box, region, strict=True)) for region in out):
                continue
            grown = list(box)
            # per box of off: a bit per axis on which it does not meet the grown box
            apart = [sum(1 << i for i, (g, o) in enumerate(zip(grown, b, strict=True))
                         if not g & o) for b in off]
            for i in order:
                only = 1 << i
                blocked = 0
                for b, a in zip(off, apart, strict=True):
                    if a == only:
                        blocked |= b[i]
                wider = self.full[i] & ~blocked
                if wider & ~grown[i]:
                    grown[i] |= wider
                    apart = [a & ~only if a & only and b[i] & grown[i] else a
                             for b, a in zip(off, apart, strict=True)]
            out.append(tuple(grown))
        return out


@dataclass(frozen=True)
class Cell:
    """A box of requests on which every rule's firing is known, with one concrete request."""

    kind: str
    box: dict[str, Any]
    size: int
    masks: tuple[int, ...]
    decisions: tuple[Decision, ...]
    request: dict[str, Any]
    date: dt.date
    agency: dict[str, Any] | None
    pairs: tuple[int, ...]
    code: Box

    def within(self, region: Box) -> bool:
        return all(m & r == m for m, r in zip(self.code, region, strict=True))

    def example(self) -> dict[str, Any]:
        """The concrete request, the date whose rules applied and any agency profile used."""
        out: dict[str, Any] = {"request": self.request, "date": self.date.isoformat()}
        if self.agency is not None:
            out["agency_profile"] = self.agency
        return out


class Space:
    """The request space of one or more packs (sides), split into cells per request kind."""

    def __init__(self, sides: Sequence[Side],
                 extra: dict[tuple[str, str], frozenset[str]] | None = None,
                 keep: Callable[[RuleDef], bool] | None = None) -> None:
        """``extra``: values to tell apart for a (kind, enum field) even if no rule names
        them; ``keep``: the rules whose firing matters (default: all)."""
        if len({s.at is None for s in sides}) != 1:
            raise ValueError("either every side has a date or none has")
        self.sides = list(sides)
        self.kept = [sum(1 << i for i, rd in enumerate(s.pack.rules) if keep is None or keep(rd))
                     for s in sides]
        self.dated = sides[0].at is None
        self.extra = extra or {}
        self.zone = sides[0].pack.zone
        self._variants: dict[tuple[Any, ...], CompiledPack] = {}
        self.kinds = [self._kind_space(k) for k in KINDS]

    # --- building the axes and conditions of one kind ---------------------------------------

    def _kind_space(self, kind: str) -> KindSpace:
        protos: list[tuple[int, int, Any, Any]] = []
        for s, side in enumerate(self.sides):
            for i, rd in enumerate(side.pack.rules):
                if not self.kept[s] >> i & 1:
                    continue
                node = _proto(rd.node, kind)
                if node is False:
                    continue
                protos.append((s, i, node, (rd.start, rd.end)))
        m = _Mentions()
        for s, _, node, (start, end) in protos:
            side = self.sides[s]
            if self.dated:
                m.dates.update(d for d in (start, end) if d is not None)
            for test in _tests(node):
                self._mention(m, test, side)
        for (k, name), values in self.extra.items():
            if k == kind and name in m.enums:
                m.enums[name].update(values)
        axes = self._axes(m)
        offenses = _offense_model(m, axes)
        conds, owners = [], []
        for s, i, node, window in protos:
            ctx = _Context(self, self.sides[s], axes, offenses)
            cond = _and([ctx.window(*window), ctx.compile(node)])
            if cond is not False:
                conds.append(cond)
                owners.append((s, i))
        return KindSpace(kind, axes, conds, owners, offenses)

    def _mention(self, m: _Mentions, test: Test | OffenseTest, side: Side) -> None:
        if isinstance(test, OffenseTest):
            m.patterns.append(_pattern(test))
            return
        name, values = test.field, test.values
        if name.startswith("offense."):
            attr = name.split(".", 1)[1]
            if test.op == "has_all":
                m.patterns += [((attr, "in", frozenset([v])),) for v in values]
            else:
                m.patterns.append(((attr, "in", values),))
        elif name in ("agency.287g", "agency.agreements"):
            if side.any_agency:
                m.models.update(values if name == "agency.287g" else ())
            elif self.dated:
                agency = side.pack.pack.agency
                items = agency.programs_287g if name == "agency.287g" else agency.agreements
                m.dates.update(d for it in items for d in (it.effective, it.expires) if d)
        elif name in ("agency.type", "agency.runs_jail") and not side.any_agency:
            return
        elif FIELDS[name].shape == "enum":
            m.enums.setdefault(name, set()).update(values)
        elif name == "subject.booked":
            m.numbers.setdefault("hours_since_booking", set())
        elif FIELDS[name].shape == "bool":
            m.flags.add(name)
        elif FIELDS[name].shape == "number":
            found = m.numbers.setdefault(name, set())
            if test.op != "present":
                found.add(float(values))
        elif name == "documents":
            m.docs.update(values)

    def _axes(self, m: _Mentions) -> dict[str, Axis]:
        axes: list[Axis] = []
        for name, mentioned in m.enums.items():
            choices = FIELDS[name].choices
            named = tuple(c for c in choices if c in mentioned)
            others = [c for c in choices if c not in mentioned]
            if name == "requester.component" and "none" in others:
                others = ["none"]
            values = named + tuple(others[:1])
            free = "none" if "none" in values else values[0]
            axes.append(Axis(name, "enum", values, free, named))
        axes += [Axis(f, "flag", (False, True), False) for f in sorted(m.flags)]
        axes += [Axis(f"documents:{d}", "doc", (False, True), False)
                 for d in DOCUMENTS if d in m.docs]
        axes += [Axis(f"agency.287g:{x}", "model", (False, True), False)
                 for x in sorted(m.models)]
        for name, cuts in m.numbers.items():
            if name == "offense_count":
                continue
            reps, pieces = _number_values(cuts, whole=False)
            if not cuts:
                reps, pieces = [24.0 if name == "hours_until_release" else 1.0], [0]
            axes.append(Axis(name, "number", (None, *reps), None, (tuple(sorted(cuts)), pieces)))
        if self.dated:
            bounds = sorted(m.dates)
            reps = [bounds[0] - dt.timedelta(days=1), *bounds] if bounds else [REFERENCE_DATE]
            axes.append(Axis("date", "time", tuple(reps), reps[-1], tuple(bounds)))
        return {a.name: a for a in axes}

    # --- splitting ----------------------------------------------------------------------------

    def cells(self) -> Iterator[Cell]:
        """Every cell of every kind, evaluated by the real evaluator."""
        for ks in self.kinds:
            for box, fired, pairs, code in _split(ks):
                yield self._cell(ks, box, fired, pairs, code)

    def _cell(self, ks: KindSpace, box: dict[str, Any], fired: int, pairs: tuple[int, ...],
              code: Box, prefer: dict[str, Any] | None = None) -> Cell:
        masks = [0] * len(self.sides)
        j = 0
        while fired:
            if fired & 1:
                s, i = ks.owners[j]
                masks[s] |= 1 << i
            fired >>= 1
            j += 1
        size = len(pairs) * ks.plain
        for name in box:
            size //= ks.sizes.get(name, 1)
        request, day, agency, packs = self._realise(ks, box, pairs, prefer or {})
        decisions = []
        parsed = parse_request(request)
        for side, pack, mask, kept in zip(self.sides, packs, masks, self.kept, strict=True):
            rec = evaluate(parsed, pack, at=side.at)
            got = rec.decision_mask() & kept
            if got != mask:
                raise RuntimeError(f"the space of {pack.id} does not match the evaluator for "
                                   f"{request}: expected rules {_ids(pack, mask)}, "
                                   f"evaluated {_ids(pack, got)}")
            decisions.append(rec.decision)
        return Cell(ks.kind, dict(box), size, tuple(masks), tuple(decisions), request, day,
                    agency, pairs, code)

    def again(self, cell: Cell, prefer: dict[str, Any]) -> Cell:
        """The same cell with another concrete request (``prefer`` sets open axes)."""
        ks = next(k for k in self.kinds if k.kind == cell.kind)
        fired = 0
        for j, (s, i) in enumerate(ks.owners):
            if cell.masks[s] >> i & 1:
                fired |= 1 << j
        return self._cell(ks, cell.box, fired, cell.pairs, cell.code, prefer)

    def space(self, kind: str) -> KindSpace:
        return next(k for k in self.kinds if k.kind == kind)

    # --- concrete requests --------------------------------------------------------------------

    def _realise(self, ks: KindSpace, box: dict[str, Any], pairs: tuple[int, ...],
                 prefer: dict[str, Any]) -> tuple[dict[str, Any], dt.date, dict[str, Any] | None,
                                                  list[CompiledPack]]:
        value = {**_FALLBACK, **ks.defaults, **prefer, **box}
        day = value["date"] if self.dated else self.sides[-1].at
        assert day is not None
        received = dt.datetime.combine(day, dt.time(12), self.zone)
        requester = {"agency": value["requester.agency"]}
        if value["requester.component"] != "none":
            requester["component"] = value["requester.component"]
        request: dict[str, Any] = {
            "agency": self.sides[-1].pack.id, "received_at": received.isoformat(),
            "requester": requester, "kind": ks.kind, "purpose": value["purpose"],
        }
        documents = [d for d, name in ks.documents if value[name]]
        if documents:
            request["documents"] = documents
        if value["judicial_warrant"]:
            request["judicial_warrant"] = True
        subject: dict[str, Any] = {}
        for flag in SUBJECT_FLAGS:
            if flag != "subject.confined" and value[flag]:
                subject[flag.split(".", 1)[1]] = True
        confined = value["subject.confined"]
        if confined is not None and confined != subject.get("in_custody", False):
            subject["confined"] = confined
        for name, key, sign in (("hours_since_booking", "booked_at", -1),
                                ("hours_until_release", "release_at", 1)):
            hours = value[name]
            if hours is not None:
                at = received.astimezone(dt.UTC) + sign * dt.timedelta(hours=hours)
                subject[key] = at.astimezone(self.zone).isoformat()
        if subject:
            request["subject"] = subject
        model = ks.offenses
        offenses = model.offenses(model.pairs[pairs[0]])
        if offenses:
            request["offenses"] = offenses
        agency: dict[str, Any] | None = None
        packs = [s.pack for s in self.sides]
        if any(s.any_agency for s in self.sides):
            agency = {"type": value["agency.type"], "runs_jail": value["agency.runs_jail"],
                      "programs_287g": [m for m, name in ks.models if value[name]]}
            packs = [self._variant(s.pack, agency) if s.any_agency else s.pack
                     for s in self.sides]
        return request, day, agency, packs

    def _variant(self, pack: CompiledPack, agency: dict[str, Any]) -> CompiledPack:
        """The pack with an agency profile that has these facts (dates: always in force)."""
        key = (pack.digest, agency["type"], agency["runs_jail"], tuple(agency["programs_287g"]))
        found = self._variants.get(key)
        if found is None:
            profile = AgencyProfile(
                name="Any agency (the pack has no agency profile)", type=agency["type"],
                state="US", timezone=pack.pack.agency.timezone, runs_jail=agency["runs_jail"],
                programs_287g=[Program(model=x) for x in agency["programs_287g"]])
            found = self._variants[key] = CompiledPack(
                dataclasses.replace(pack.pack, agency=profile))
        return found


# --- mentions, offenses, compilation -------------------------------------------------------


@dataclass
class _Mentions:
    enums: dict[str, set[str]] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    docs: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)
    numbers: dict[str, set[float]] = field(default_factory=dict)
    patterns: list[Pattern] = field(default_factory=list)
    dates: set[dt.date] = field(default_factory=set)


def _proto(node: Node, kind: str) -> Any:
    """The condition with its ``kind`` tests settled for this kind (and simplified)."""
    if isinstance(node, Test) and node.field == "kind":
        return (kind in node.values) == (node.op == "in")
    if isinstance(node, Test | OffenseTest):
        return node
    if isinstance(node, NotOf):
        return _not(_proto(node.item, kind))
    items = [_proto(n, kind) for n in node.items]
    return _and(items) if isinstance(node, AllOf) else _or(items)


def _tests(c: Any) -> Iterator[Test | OffenseTest]:
    if isinstance(c, Test | OffenseTest):
        yield c
    elif isinstance(c, tuple):
        for item in (c[1] if c[0] in ("and", "or") else (c[1],)):
            yield from _tests(item)


def _offense_model(m: _Mentions, axes: dict[str, Axis]) -> Offenses:
    named: dict[str, set[str]] = {"category": set(), "level": set(), "status": set()}
    for pattern in m.patterns:
        for attr, _, values in pattern:
            named[attr].update(values)
    cats: list[str | None] = [c for c in CATEGORIES if c in named["category"]]
    spare = sorted((c for c in CATEGORIES if c not in named["category"]),
                   key=lambda c: c == "unknown")  # "unknown" only if nothing else is left
    cats += spare[:1]
    levels: list[str | None] = [x for x in LEVELS if x in named["level"]]
    statuses: list[str | None] = [x for x in OFFENSE_STATUSES if x in named["status"]]
    triples = [(str(c), lv, st) for c, lv, st in itertools.product(cats, [*levels, None],
                                                                     [*statuses, None])]
    exists: list[frozenset[int]] = []
    labels: list[str] = []
    axis_of: dict[Pattern, int | None] = {}
    for pattern in m.patterns:
        key = frozenset(i for i, t in enumerate(triples) if _matches(pattern, t))
        if not key:
            axis_of[pattern] = None
            continue
        if key not in exists:
            exists.append(key)
            labels.append(_pattern_words(pattern))
        axis_of[pattern] = exists.index(key)
    model = Offenses(triples, exists, labels, axis_of)
    for e, label in enumerate(labels):
        axes[f"offense:{e}"] = Axis(f"offense:{e}", "offense", (False, True), False, label)
    vector = [sum(1 << e for e, key in enumerate(exists) if i in key) for i in range(len(triples))]
    first: dict[int, int] = {}
    for i, v in enumerate(vector):
        first.setdefault(v, i)
    best: dict[int, tuple[int, ...]] = {0: ()}
    frontier = [0]
    while frontier:
        step = []
        for have in frontier:
            for v, i in first.items():
                if have | v not in best:
                    best[have | v] = (*best[have], i)
                    step.append(have | v)
        frontier = step
    counts: list[tuple[int | None, float]] = [(None, 0.0)]
    cuts = m.numbers.get("offense_count")
    if cuts:
        reps, pieces = _number_values(cuts, whole=True)
        axes["offense_count"] = Axis("offense_count", "count", tuple(reps), reps[0],
                                     (tuple(sorted(cuts)), pieces))
        bounds = [*sorted(cuts), float("inf")]
        # each count value stands for the whole numbers of its interval: up to (not
        # including) the next threshold, or just itself when it is a threshold
        counts = [(n, n + 1 if k % 2 else bounds[k // 2]) for n, k in zip(reps, pieces,
                                                                              strict=True)]
    for have, real in sorted(best.items(), key=lambda kv: (len(kv[1]), kv[0])):
        for n, below in counts:
            if n is None:
                model.pairs.append((have, None, real))
                continue
            size = max(n, len(real))
            if size < below and (size == len(real) or real or 0 in first):
                missing = size - len(real)
                pad = (real[0] if real else first[0],) * missing if missing else ()
                model.pairs.append((have, n, real + pad))
    return model


def _matches(pattern: Pattern, triple: tuple[str, str | None, str | None]) -> bool:
    where = {"category": triple[0], "level": triple[1], "status": triple[2]}
    return all((where[attr] in values) == (op == "in") for attr, op, values in pattern)


def _pattern_words(pattern: Pattern) -> str:
    """E.g. "charged or convicted felony offense of category homicide or sexual_assault"."""
    before, after = [], []
    for attr, op, values in sorted(pattern, key=lambda p: ("status", "level", "category")
                                   .index(p[0])):
        listed = _words(sorted(values))
        if op == "in" and attr != "category":
            before.append(listed)
        elif op == "in":
            after.append(f"of category {listed}")
        else:
            after.append(f"whose {attr} is not {listed}")
    return " ".join([*before, "offense", *after])


@dataclass
class _Context:
    """Turns one side's kind-settled condition into atoms over the kind's axes."""

    space: Space
    side: Side
    axes: dict[str, Axis]
    offenses: Offenses

    def instant(self, day: dt.date) -> float:
        return dt.datetime.combine(day, dt.time(12), self.space.zone).timestamp()

    def fixed_t(self) -> float:
        assert self.side.at is not None
        return as_of(self.side.at, self.side.pack)

    def window(self, start: dt.date | None, end: dt.date | None) -> Cond:
        lo = self.side.pack.pack.instant(start, float("-inf"))
        hi = self.side.pack.pack.instant(end, float("inf"))
        if self.side.at is not None:
            return lo <= self.fixed_t() < hi
        return self.atom("date", lambda d: lo <= self.instant(d) < hi)

    def atom(self, name: str, test: Callable[[Any], bool]) -> Cond:
        axis = self.axes.get(name)
        if axis is None:
            raise KeyError(name)
        true = frozenset(v for v in axis.values if test(v))
        if not true:
            return False
        if len(true) == len(axis.values):
            return True
        return ("atom", name, true)

    def compile(self, c: Any) -> Cond:
        if isinstance(c, bool):
            return c
        if isinstance(c, tuple):
            if c[0] == "not":
                return _not(self.compile(c[1]))
            items = [self.compile(x) for x in c[1]]
            return _and(items) if c[0] == "and" else _or(items)
        if isinstance(c, OffenseTest):
            return self._exists(_pattern(c))
        return self._test(c)

    def _exists(self, pattern: Pattern) -> Cond:
        e = self.offenses.axis_of[pattern]
        return False if e is None else self.atom(f"offense:{e}", bool)

    def _test(self, t: Test) -> Cond:
        name, op, values = t.field, t.op, t.values
        if name.startswith("offense."):
            attr = name.split(".", 1)[1]
            if op == "has_all":
                return _and([self._exists(((attr, "in", frozenset([v])),)) for v in values])
            found = self._exists(((attr, "in", values),))
            return _not(found) if op == "has_none" else found
        if name in ("agency.287g", "agency.agreements"):
            return self._agency_set(t)
        if name in ("agency.type", "agency.runs_jail") and not self.side.any_agency:
            profile = self.side.pack.pack.profile
            have = profile.type if name == "agency.type" else profile.runs_jail
            return _compare(op, have, values)
        if name == "offense_count" and name not in self.axes:
            return _compare(op, 0, values)
        if name == "subject.booked":
            return self.atom("hours_since_booking", lambda v: (v is not None) is values)
        if name == "documents":
            items = [self.atom(f"documents:{d}", bool) for d in sorted(values)]
            return _set_op(op, items)
        return self.atom(name, lambda v: _compare(op, v, values))

    def _agency_set(self, t: Test) -> Cond:
        if self.side.any_agency and t.field == "agency.agreements":
            return _compare(t.op, frozenset(), t.values)
        if self.side.any_agency:
            return _set_op(t.op, [self.atom(f"agency.287g:{x}", bool) for x in sorted(t.values)])
        profile = self.side.pack.pack.profile

        def holds(instant: float) -> bool:
            return _compare(t.op, profile.in_force(t.field, instant), t.values)

        if self.side.at is not None:
            return holds(self.fixed_t())
        return self.atom("date", lambda d: holds(self.instant(d)))


def _set_op(op: str, items: list[Cond]) -> Cond:
    if op == "has_all":
        return _and(items)
    return _not(_or(items)) if op == "has_none" else _or(items)


def _compare(op: Op, value: Any, operand: Any) -> bool:
    """The interpreter's comparison of a fact with a condition's operand."""
    return compare(op, value, operand)


def _pattern(test: OffenseTest) -> Pattern:
    return tuple((a.attr, str(a.op), a.values) for a in test.attrs)


def _not(c: Cond) -> Cond:
    return (not c) if isinstance(c, bool) else ("not", c)


def _and(items: list[Cond]) -> Cond:
    kept = []
    for c in items:
        if c is False:
            return False
        if c is not True:
            kept.append(c)
    return True if not kept else kept[0] if len(kept) == 1 else ("and", tuple(kept))


def _or(items: list[Cond]) -> Cond:
    kept = []
    for c in items:
        if c is True:
            return True
        if c is not False:
            kept.append(c)
    return False if not kept else kept[0] if len(kept) == 1 else ("or", tuple(kept))


def _restrict(c: Cond, name: str, value: Any) -> Cond:
    """The condition once axis ``name`` takes ``value``."""
    if isinstance(c, bool):
        return c
    tag = c[0]
    if tag == "atom":
        return value in c[2] if c[1] == name else c
    if tag == "not":
        return _not(_restrict(c[1], name, value))
    items = [_restrict(x, name, value) for x in c[1]]
    return _and(items) if tag == "and" else _or(items)


def _refs(c: Cond, found: set[str]) -> None:
    if isinstance(c, bool):
        return
    if c[0] == "atom":
        found.add(c[1])
    elif c[0] == "not":
        _refs(c[1], found)
    else:
        for x in c[1]:
            _refs(x, found)


def _is_offense(name: str) -> bool:
    return name.startswith("offense:") or name == "offense_count"


def _split(ks: KindSpace) -> Iterator[tuple[dict[str, Any], int, tuple[int, ...], Box]]:
    """Leaves of the splitting: (axes fixed, conditions that hold as a bit mask, offense
    lists, the leaf as a box).

    At each step the axis read by the most still-open conditions is split; offense axes
    keep only the offense lists that realise the values chosen so far.
    """
    fired = sum(1 << j for j, c in enumerate(ks.conds) if c is True)
    open_ = [(j, c) for j, c in enumerate(ks.conds) if not isinstance(c, bool)]
    rank = {name: (axis.rank(), name) for name, axis in ks.axes.items()}
    pairs = ks.offenses.pairs
    where = {name: i for i, name in enumerate(ks.names)}
    stack: list[tuple[dict[str, Any], list[tuple[int, Cond]], int, tuple[int, ...], Box]] = [
        ({}, open_, fired, tuple(range(len(pairs))), ks.full)]
    while stack:
        box, pending, mask, left, code = stack.pop()
        if not pending:
            yield box, mask, left, code
            continue
        votes: Counter[str] = Counter()
        for _, c in pending:
            refs: set[str] = set()
            _refs(c, refs)
            votes.update(refs)
        name = min(votes, key=lambda n: (-votes[n], rank[n]))
        axis, i = ks.axes[name], where[name]
        for k in reversed(range(len(axis.values))):
            value, keep = axis.values[k], left
            if name == "offense_count":
                keep = tuple(p for p in left if pairs[p][1] == value)
            elif name.startswith("offense:"):
                bit = 1 << int(name.split(":", 1)[1])
                keep = tuple(p for p in left if bool(pairs[p][0] & bit) == value)
            if not keep:
                continue
            still, more = [], mask
            for j, c in pending:
                r = _restrict(c, name, value)
                if r is True:
                    more |= 1 << j
                elif r is not False:
                    still.append((j, r))
            stack.append(({**box, name: value}, still, more, keep,
                          (*code[:i], 1 << k, *code[i + 1:])))


# --- numbers, dates and words --------------------------------------------------------------


def _number_values(cuts: set[float], whole: bool) -> tuple[list[Any], list[int]]:
    """One value per interval between thresholds (and per threshold), and its interval index.

    Intervals are numbered 0 (below the first threshold), 1 (the first threshold), 2 (between
    the first and the second)...; with ``whole``, only non-negative integers are used.
    """
    points = sorted(cuts)
    reps: list[Any] = []
    pieces: list[int] = []
    bounds = [float("-inf"), *points, float("inf")]
    for k in range(2 * len(points) + 1):
        if k % 2:
            rep: Any = points[k // 2]
            if whole and (rep < 0 or rep != int(rep)):
                continue
        else:
            lo, hi = bounds[k // 2], bounds[k // 2 + 1]
            if whole:
                rep = max(0, int(lo) + 1 if lo != float("-inf") else 0)
                if not rep < hi:
                    continue
            elif lo == float("-inf"):
                rep = hi - 1 if hi != float("inf") else 1.0
            else:
                rep = lo + 1 if hi == float("inf") else (lo + hi) / 2
        reps.append(int(rep) if whole else float(rep))
        pieces.append(k)
    return reps, pieces


def _number_runs(axis: Axis, allowed: frozenset[Any]) -> str:
    cuts, pieces = axis.info
    values = [v for v in axis.values if v is not None]
    chosen = sorted(pieces[values.index(v)] for v in allowed if v is not None)
    ranges = []
    for run in _runs(chosen, set(pieces)):
        lo, hi = run[0], run[-1]
        if lo == hi and lo % 2:
            ranges.append(f"exactly {_num(cuts[lo // 2])}")
            continue
        words = []
        if lo > 0:
            words.append(("at least " if lo % 2 else "more than ") + _num(cuts[(lo - 1) // 2]))
        if hi < 2 * len(cuts):
            words.append(("at most " if hi % 2 else "less than ") + _num(cuts[hi // 2]))
        ranges.append(" and ".join(words))
    some, known, unknown = _NUMBER_WORDS[axis.name]
    texts = [some.format(" or ".join(ranges)) if any(ranges) else known] if ranges else []
    if None in allowed:
        texts.append(unknown)
    return " or ".join(texts)


def _runs(chosen: list[int], present: set[int]) -> list[list[int]]:
    """Group interval indices into runs with no present interval left out between them."""
    runs: list[list[int]] = []
    for k in chosen:
        if runs and all(j not in present for j in range(runs[-1][-1] + 1, k)):
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def _date_runs(bounds: tuple[dt.date, ...], chosen: list[int]) -> str:
    texts = []
    for run in _runs(chosen, set(range(len(bounds) + 1))):
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
        names = f"requests of every kind but {_words(missing, 'and')}"
    else:
        names = _words([KIND_NAMES[k] for k in KINDS if k in kinds], "and")
    return names + (" " + clauses if clauses else "")


def _doc_words(docs: dict[bool, list[str]]) -> list[str]:
    out = []
    if docs[True]:
        plural = "s" if len(docs[True]) > 1 else ""
        out.append(f"with document{plural} {_words(docs[True], 'and')}")
    if docs[False]:
        out.append(f"with no {_words(docs[False])} document")
    return out


def _words(items: Sequence[str], last: str = "or") -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def _shown(value: str) -> str:
    return "none given" if value == "none" else value


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


def _ids(pack: CompiledPack, mask: int) -> list[str]:
    return [r.id for r in pack.fired_rules(mask)]


