"""The finite space of requests a pack can tell apart, split into exact cells.

The evaluator depends only on which rules fire, and a rule reads finitely many facts. So,
per request kind, each fact read by a rule that can fire for that kind becomes an *axis*
with finitely many values (:mod:`.axes`; how each fact is split is its
:class:`~casebycase.policy.facts.Axis` in the fact table):

- an enum: each value a condition names, plus one value standing for all the others;
- a yes/no field, and each named element of a set field (documents, 287(g) models);
- a number: the intervals between the thresholds conditions use, plus "unknown";
- offenses: one yes/no per distinct offense pattern named ("some offense is a charged
  felony homicide"), limited to what a list of offenses can realise, and the intervals of
  the offense count (:mod:`.offenses`);
- the date: the intervals between the boundaries of the rules, the sources they cite and
  the agency's 287(g) programs and agreements;
- for a layer pack without an agency profile: the agency's type, jail and 287(g) models.

Each rule's condition becomes a condition over these axes (:mod:`.rules`, :mod:`.cond`).
The space is split one axis at a time, only while some rule's condition is still open, so
each leaf (a :class:`Cell`) is a box of requests on which the firing of every rule is
known (:mod:`.split`). One concrete request per cell is evaluated by the real evaluator,
which must agree. :mod:`.words` tells regions in plain language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from casebycase.policy.compile import CompiledPack, Decision
from casebycase.policy.condition import Node
from casebycase.policy.facts import TABLE
from casebycase.policy.facts import Axis as Split
from casebycase.policy.load import RuleDef
from casebycase.policy.model import AgencyProfile, Program
from casebycase.policy.recommendation import evaluate
from casebycase.policy.space.axes import REFERENCE_DATE, Axis, Mentions, build, mention
from casebycase.policy.space.cond import Folded, all_of
from casebycase.policy.space.offenses import Offenses, offense_model
from casebycase.policy.space.rules import Context, settle, tests_of
from casebycase.policy.space.side import Side
from casebycase.policy.space.split import Box, KindSpace, split
from casebycase.policy.space.words import join_kinds
from casebycase.request import parse_request
from casebycase.vocabulary import KINDS

__all__ = [
    "REFERENCE_DATE",
    "Axis",
    "Box",
    "Cell",
    "KindSpace",
    "Offenses",
    "Side",
    "Space",
    "join_kinds",
]

_FALLBACK: dict[str, Any] = {"date": REFERENCE_DATE, **{f.name: f.default for f in TABLE}}
"""The value of a fact no condition of the kind reads (the request format's defaults)."""


def _flags(holder: str) -> tuple[tuple[str, str], ...]:
    """(fact, key) of each yes/no fact read as ``<holder>.<key>`` (``r`` the request, ``s``
    its subject): true is written as ``key: true`` there."""
    found = (
        (f.name, re.fullmatch(rf"{holder}\.(\w+)", f.read)) for f in TABLE if f.axis is Split.FLAG
    )
    return tuple((name, m[1]) for name, m in found if m)


_REQUEST_KEYS = _flags("r")
_SUBJECT_KEYS = _flags("s")


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

    def __init__(
        self,
        sides: Sequence[Side],
        extra: dict[tuple[str, str], frozenset[str]] | None = None,
        keep: Callable[[RuleDef], bool] | None = None,
    ) -> None:
        """``extra``: values to tell apart for a (kind, enum field) even if no rule names
        them; ``keep``: the rules whose firing matters (default: all)."""
        if len({s.at is None for s in sides}) != 1:
            raise ValueError("either every side has a date or none has")
        self.sides = list(sides)
        self.kept = [
            sum(1 << i for i, rd in enumerate(s.pack.rules) if keep is None or keep(rd))
            for s in sides
        ]
        self.dated = sides[0].at is None
        self.extra = extra or {}
        self.zone = sides[0].pack.zone
        self._variants: dict[tuple[Any, ...], CompiledPack] = {}
        self.kinds = [self._kind_space(k) for k in KINDS]

    # --- building the axes and conditions of one kind ---------------------------------------

    def _kind_space(self, kind: str) -> KindSpace:
        protos: list[tuple[int, int, Node | bool, tuple[dt.date | None, dt.date | None]]] = []
        for s, side in enumerate(self.sides):
            for i, rd in enumerate(side.pack.rules):
                if not self.kept[s] >> i & 1:
                    continue
                node = settle(rd.node, kind)
                if node is False:
                    continue
                protos.append((s, i, node, (rd.start, rd.end)))
        m = Mentions()
        for s, _, node, (start, end) in protos:
            side = self.sides[s]
            if self.dated:
                m.dates.update(d for d in (start, end) if d is not None)
            for test in tests_of(node):
                mention(m, test, side, self.dated)
        for (k, name), values in self.extra.items():
            if k == kind and name in m.enums:
                m.enums[name].update(values)
        axes = build(m, self.dated)
        offenses = offense_model(m, axes)
        conds: list[Folded] = []
        owners: list[tuple[int, int]] = []
        for s, i, node, window in protos:
            ctx = Context(self.sides[s], self.zone, axes, offenses)
            cond = all_of([ctx.window(*window), ctx.compile(node)])
            if cond is not False:
                conds.append(cond)
                owners.append((s, i))
        return KindSpace(kind, axes, conds, owners, offenses)

    # --- splitting ----------------------------------------------------------------------------

    def cells(self) -> Iterator[Cell]:
        """Every cell of every kind, evaluated by the real evaluator."""
        for ks in self.kinds:
            for box, fired, pairs, code in split(ks):
                yield self._cell(ks, box, fired, pairs, code)

    def _cell(
        self,
        ks: KindSpace,
        box: dict[str, Any],
        fired: int,
        pairs: tuple[int, ...],
        code: Box,
        prefer: dict[str, Any] | None = None,
    ) -> Cell:
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
                raise RuntimeError(
                    f"the space of {pack.id} does not match the evaluator for "
                    f"{request}: expected rules {_ids(pack, mask)}, "
                    f"evaluated {_ids(pack, got)}"
                )
            decisions.append(rec.decision)
        return Cell(
            ks.kind,
            dict(box),
            size,
            tuple(masks),
            tuple(decisions),
            request,
            day,
            agency,
            pairs,
            code,
        )

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

    def _realise(
        self, ks: KindSpace, box: dict[str, Any], pairs: tuple[int, ...], prefer: dict[str, Any]
    ) -> tuple[dict[str, Any], dt.date, dict[str, Any] | None, list[CompiledPack]]:
        value = {**_FALLBACK, **ks.defaults, **prefer, **box}
        day = value["date"] if self.dated else self.sides[-1].at
        assert day is not None
        received = dt.datetime.combine(day, dt.time(12), self.zone)
        requester = {"agency": value["requester.agency"]}
        if value["requester.component"] != "none":
            requester["component"] = value["requester.component"]
        request: dict[str, Any] = {
            "agency": self.sides[-1].pack.id,
            "received_at": received.isoformat(),
            "requester": requester,
            "kind": ks.kind,
            "purpose": value["purpose"],
        }
        documents = [d for d, name in ks.documents if value[name]]
        if documents:
            request["documents"] = documents
        for name, key in _REQUEST_KEYS:
            if value[name]:
                request[key] = True
        subject: dict[str, Any] = {}
        for name, key in _SUBJECT_KEYS:
            if value[name]:
                subject[key] = True
        confined = value["subject.confined"]
        if confined is not None and confined != subject.get("in_custody", False):
            subject["confined"] = confined
        for name, key, sign in (
            ("hours_since_booking", "booked_at", -1),
            ("hours_until_release", "release_at", 1),
        ):
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
            agency = {
                "type": value["agency.type"],
                "runs_jail": value["agency.runs_jail"],
                "programs_287g": [m for m, name in ks.models if value[name]],
            }
            packs = [self._variant(s.pack, agency) if s.any_agency else s.pack for s in self.sides]
        return request, day, agency, packs

    def _variant(self, pack: CompiledPack, agency: dict[str, Any]) -> CompiledPack:
        """The pack with an agency profile that has these facts (dates: always in force)."""
        key = (pack.digest, agency["type"], agency["runs_jail"], tuple(agency["programs_287g"]))
        found = self._variants.get(key)
        if found is None:
            profile = AgencyProfile(
                name="Any agency (the pack has no agency profile)",
                type=agency["type"],
                state="US",
                timezone=pack.pack.agency.timezone,
                runs_jail=agency["runs_jail"],
                programs_287g=[Program(model=x) for x in agency["programs_287g"]],
            )
            found = self._variants[key] = CompiledPack(
                dataclasses.replace(pack.pack, agency=profile)
            )
        return found


def _ids(pack: CompiledPack, mask: int) -> list[str]:
    return [r.id for r in pack.fired_rules(mask)]
