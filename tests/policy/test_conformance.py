"""One conformance test: on generated packs and generated requests, every backend gives the
same legal reading of every rule.

Hypothesis writes packs (conditions over every fact of the fact table with every operator,
layers, binding rules, priorities, exceptions, dates, an agency profile with dated 287(g)
models) and requests. For each pack:

- the interpreter (``condition.holds``, used by ``explain``), the generated code and the
  columnar engine agree on which rules fire, and ``explain``'s trace agrees too;
- the columnar engine resolves to the same outcome and deciding rule as ``evaluate``;
- the request-space enumeration realises a request for every cell and the evaluator agrees
  with the cell's firing (``Space`` raises otherwise), and every generated request falls in
  a cell with the same fired rules.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebycase import evaluate, load_pack, parse_request
from casebycase.offenses import load_catalog
from casebycase.policy.compile import CompiledPack
from casebycase.policy.condition import holds
from casebycase.policy.facts import MODELS_287G, TABLE, Shape
from casebycase.policy.parse import ENUM_OPS, NUMBER_OPS, SET_OPS
from casebycase.policy.space import Side, Space
from casebycase.replay.columnar import compile_columnar, frame_of
from casebycase.request import CATEGORIES, DOCUMENTS, KINDS, LEVELS, OFFENSE_STATUSES

ZONE = dt.timezone(dt.timedelta(hours=-6))
DAYS = [dt.date(2015, 1, 1), dt.date(2017, 6, 1), dt.date(2020, 3, 1), dt.date(2024, 1, 1)]
LAYERS = ("federal", "state", "agreement", "agency")
OUTCOMES = ("comply", "partial", "decline", "refer")
READABLE = [f for f in TABLE if f.name not in ("agency.agreements",)]
STATUTES = load_catalog().statutes
ENTRIES = ("tx:pc-19.02", "tx:pc-19.04", "tx:pc-22.021", "tx:pc-20a.02", "tx:pc-31.03")
OFFENSE_VALUES = {
    "category": CATEGORIES,
    "level": LEVELS,
    "status": OFFENSE_STATUSES,
    "entry": tuple(e for e in ENTRIES if e in STATUTES),
}


def _values(choices: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(choices), min_size=1, max_size=3, unique=True)


@st.composite
def leaves(draw: st.DrawFn) -> dict[str, Any]:
    """One test of one fact with an operator its shape takes."""
    if draw(st.integers(0, 6)) == 0:
        attrs = draw(
            st.lists(st.sampled_from(list(OFFENSE_VALUES)), min_size=1, max_size=2, unique=True)
        )
        spec: dict[str, Any] = {}
        for attr in attrs:
            values = draw(_values(OFFENSE_VALUES[attr]))
            spec[attr] = {"not": values} if draw(st.booleans()) else values
        return {"offense": spec}
    fact = draw(st.sampled_from(READABLE))
    name = fact.name
    if name == "offense.entry":
        op = draw(st.sampled_from(sorted(SET_OPS)))
        return {name: {op: draw(_values(OFFENSE_VALUES["entry"]))}}
    match fact.shape:
        case Shape.BOOL:
            return {name: draw(st.booleans())}
        case Shape.ENUM:
            return {name: {draw(st.sampled_from(sorted(ENUM_OPS))): draw(_values(fact.choices))}}
        case Shape.SET:
            return {name: {draw(st.sampled_from(sorted(SET_OPS))): draw(_values(fact.choices))}}
        case Shape.NUMBER:
            op = draw(st.sampled_from(sorted(NUMBER_OPS)))
            if op == "present":
                return {name: {op: draw(st.booleans())}}
            top = 4 if name == "offense_count" else 96
            return {name: {op: draw(st.integers(0, top) | st.sampled_from([0.5, 47.5]))}}


def conditions(depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    if depth == 0:
        return leaves()
    inner = conditions(depth - 1)
    return st.one_of(
        leaves(),
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    )


@st.composite
def packs(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 4))
    ids = [f"r{i}" for i in range(n)]
    rules = []
    for rid in ids:
        rule: dict[str, Any] = {
            "id": rid,
            "says": f"Rule {rid}.",
            "layer": draw(st.sampled_from(LAYERS)),
            "because": [{"source": "s1"}],
        }
        if draw(st.integers(0, 3)):
            rule["when"] = draw(conditions())
        outcome = draw(st.sampled_from((*OUTCOMES, None)))
        if outcome is None:
            rule["actions"] = [{"do": "record_only"}]
        else:
            rule["outcome"] = outcome
            rule["binding"] = draw(st.booleans())
            rule["priority"] = draw(st.integers(0, 1))
            same = [o for o in ids if o != rid]
            if same and draw(st.integers(0, 3)) == 0:
                rule["exception_to"] = [draw(st.sampled_from(same))]
        if draw(st.integers(0, 2)) == 0:
            rule["effective"] = draw(st.sampled_from(DAYS)).isoformat()
        rules.append(rule)
    # exceptions work within one layer
    layer = {r["id"]: r["layer"] for r in rules}
    for r in rules:
        if "exception_to" in r and layer[r["exception_to"][0]] != r["layer"]:
            del r["exception_to"]
    programs = [
        {"model": m, "effective": draw(st.sampled_from(DAYS)).isoformat()}
        for m in draw(st.lists(st.sampled_from(MODELS_287G), max_size=2, unique=True))
    ]
    return {
        "pack": "generated",
        "version": "1",
        "title": "A generated pack",
        "layer": "agency",
        "agency": {
            "name": "Generated agency",
            "state": "MO",
            "type": draw(st.sampled_from(["sheriff", "municipal_police"])),
            "runs_jail": draw(st.booleans()),
            "programs_287g": programs,
        },
        "sources": [
            {
                "id": "s1",
                "layer": "agency",
                "authority": "policy",
                "citation": "Order 1",
                "title": "Order 1",
            }
        ],
        "rules": rules,
    }


moments = st.datetimes(
    min_value=dt.datetime(2014, 1, 1), max_value=dt.datetime(2025, 12, 31), timezones=st.just(ZONE)
)
offense = st.fixed_dictionaries(
    {},
    optional={
        "category": st.sampled_from(CATEGORIES),
        "level": st.sampled_from(LEVELS),
        "status": st.sampled_from(OFFENSE_STATUSES),
        "code": st.sampled_from([STATUTES[e] for e in OFFENSE_VALUES["entry"]] + ["TX PC 49.04"]),
    },
)
requests = st.fixed_dictionaries(
    {
        "agency": st.just("generated"),
        "received_at": moments,
        "requester": st.fixed_dictionaries(
            {"agency": st.sampled_from(["ICE", "CBP", "internal"])},
            optional={"component": st.sampled_from(["ERO", "HSI"])},
        ),
        "kind": st.sampled_from(KINDS),
        "purpose": st.sampled_from(["criminal", "civil_immigration", "unknown"]),
        "documents": st.lists(st.sampled_from(DOCUMENTS), unique=True, max_size=3),
        "judicial_warrant": st.booleans(),
        "subject": st.fixed_dictionaries(
            {
                "in_custody": st.booleans(),
                "charged": st.booleans(),
                "status_established": st.booleans(),
                "unlawfully_present": st.booleans(),
                "juvenile": st.booleans(),
                "victim_or_witness": st.booleans(),
            },
            optional={"booked_at": moments, "release_at": moments, "confined": st.booleans()},
        ),
        "offenses": st.lists(offense, max_size=3),
    }
)


def _load(pack: dict[str, Any]) -> CompiledPack:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pack.yaml"
        path.write_text(yaml.safe_dump(pack, sort_keys=False), encoding="utf-8")
        return load_pack(path)


def _parse(data: dict[str, Any]) -> Any:
    subject = {
        k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in data["subject"].items()
    }
    return parse_request(
        {**data, "received_at": data["received_at"].isoformat(), "subject": subject}
    )


EXAMPLES = int(os.environ.get("CASEBYCASE_CONFORMANCE_EXAMPLES", "60"))
"""Generated packs per run (a longer run: CASEBYCASE_CONFORMANCE_EXAMPLES=2000)."""


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pack=packs(), batch=st.lists(requests, min_size=1, max_size=8))
def test_every_backend_reads_every_rule_alike(
    pack: dict[str, Any], batch: list[dict[str, Any]]
) -> None:
    compiled = _load(pack)
    parsed = [_parse(d) for d in batch]
    profile = compiled.pack.profile
    columnar = compile_columnar(compiled)
    frame = frame_of(parsed)
    fired = columnar.fired_columns(frame)
    decided = columnar.decide(frame)
    space = Space([Side(compiled)])
    cells: dict[str, list[Any]] = {}
    for cell in space.cells():
        cells.setdefault(cell.kind, []).append(cell)
    for row, request in enumerate(parsed):
        rec = evaluate(request, compiled)
        mask = rec.decision_mask()
        trace = {t["rule"]: t["matched"] for t in rec.trace()}
        for i, rd in enumerate(compiled.rules):
            lo = compiled.pack.instant(rd.start, float("-inf"))
            hi = compiled.pack.instant(rd.end, float("inf"))
            interpreted = lo <= rec.t < hi and holds(rd.node, request.facts, rec.t, profile)
            assert bool(mask >> i & 1) == interpreted, (rd.id, "generated code")
            assert fired[rd.id][row] == interpreted, (rd.id, "columnar")
            assert trace[rd.id] == interpreted, (rd.id, "explain trace")
        assert decided["outcome"][row] == rec.outcome
        assert decided["deciding"][row] == rec.decision.deciding
        # the enumeration has a cell whose firing is this request's
        masks = {c.masks[0] for c in cells.get(request.kind, [])}
        assert mask in masks, "no cell of the request space fires these rules"
