"""Every report built from a seeded store (SQLite and PostgreSQL), every count checked
against a direct count over the store's rows in Python."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from casebycase.reports.compute import build, count_table
from casebycase.reports.definition import Table, definition, definitions, reasons
from casebycase.reports.period import PeriodError, parse_period
from casebycase.reports.source import load_store
from casebycase.store.store import Store
from casebycase.store.tables import cases, deadlines, decisions

AFTER = dt.datetime(2027, 1, 10, tzinfo=dt.UTC)
YEAR = parse_period("2026", "year")
AGENCY = ["boone-county-so"]
CHANNEL = {
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
    None: "pending",
}
RANK = {"comply": 3, "partial": 2, "decline": 1}


def _aware(t: Any) -> Any:
    return t.replace(tzinfo=dt.UTC) if t is not None and t.tzinfo is None else t


def _facts(store: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(cases)).mappings()]
        last: dict[str, dict[str, Any]] = {}
        for dec in conn.execute(select(decisions).order_by(decisions.c.id)).mappings():
            last[dec["case_id"]] = dict(dec)
        dls = [dict(r) for r in conn.execute(select(deadlines)).mappings()]
    facts = []
    for row in rows:
        r: dict[str, Any] = dict(row)
        at = _aware(r["received_at"])
        if not (YEAR.start <= at < YEAR.end) or r["agency"] not in AGENCY:
            continue
        req = r["request"] if isinstance(r["request"], dict) else json.loads(r["request"])
        d = last.get(r["id"]) if r["decided_outcome"] else None
        facts.append({**r, "req": req, "at": at, "d": d})
    by_id = {f["id"]: f for f in facts}
    return facts, [{**x, "case": by_id[x["case_id"]]} for x in dls if x["case_id"] in by_id]


def _reason(text: str | None) -> str:
    low = (text or "").lower()
    for name, words in reasons():
        if any(w.lower() in low for w in words):
            return name
    return "other"


def _value(f: dict[str, Any], dim: str) -> str:
    req, d, dec, rec = f["req"], f["d"], f["decided_outcome"], f["recommended_outcome"]
    docs = req.get("documents", [])
    match dim:
        case "kind":
            return str(f["kind"])
        case "channel":
            return CHANNEL.get(f["kind"], "other")
        case "recommended":
            return str(rec)
        case "decided":
            return dec or "undecided"
        case "handling":
            return HANDLING[dec]
        case "agreement":
            return "undecided" if dec is None else ("departed" if d["departs"] else "followed")
        case "direction":
            if dec is None or not d["departs"]:
                return "no departure"
            if dec == "refer":
                return "referred instead"
            if rec == "refer":
                return "decided instead of referring"
            return (
                "more cooperation than recommended"
                if RANK[dec] > RANK[rec]
                else "less cooperation than recommended"
            )
        case "departure_reason":
            return _reason(d["reason"]) if dec and d["departs"] else "not a departure"
        case "requester":
            return str(req["requester"]["agency"])
        case "component":
            return str(req["requester"].get("component") or "not given")
        case "purpose":
            return str(req["purpose"])
        case "quarter":
            return f"Q{(f['at'].month - 1) // 3 + 1}"
        case "certification_form":
            return (
                "U visa (I-918 Supplement B)"
                if "I-918B" in docs
                else "T visa (I-914 Supplement B)"
                if "I-914B" in docs
                else "form not given"
            )
        case "detainer_or_warrant":
            civil = ({"I-200", "I-205"} & set(docs)) and not req.get("judicial_warrant")
            return "yes" if f["kind"] == "detainer" or civil else "no"
        case "total":
            return "all"
    raise AssertionError(dim)


def _deadline_value(x: dict[str, Any], dim: str) -> str:
    if dim == "deadline":
        due, done = _aware(x["due_at"]), _aware(x["done_at"])
        if due is None:
            return "no time limit"
        if done is not None and done <= due:
            return "met"
        return "missed" if done is not None or due < AFTER else "open"
    return _value(x["case"], dim)


def _direct(spec: Table, facts: list[dict[str, Any]], dls: list[dict[str, Any]]) -> Counter[Any]:
    value = _deadline_value if spec.unit == "deadlines" else _value
    units = dls if spec.unit == "deadlines" else facts
    return Counter(
        (value(u, spec.rows), value(u, spec.columns))
        for u in units
        if all(value(u, k) in v for k, v in spec.where.items())
    )


STORE_REPORTS = [d for d in definitions().values() if d.source == "store"]


def test_every_count_matches_a_direct_count(seeded: Store) -> None:
    facts, dls = _facts(seeded)
    assert len(facts) == 60  # the two cases of 2025 are not counted
    db = load_store(seeded.engine, AGENCY, YEAR.start, YEAR.end, AFTER)
    checked = 0
    for d in STORE_REPORTS:
        for spec in d.tables:
            grid = count_table(db, spec)
            direct = _direct(spec, facts, dls)
            got = {
                (r, c): grid.cells[i][j]
                for i, r in enumerate(grid.rows)
                for j, c in enumerate(grid.cols)
                if grid.cells[i][j]
            }
            assert got == dict(direct), f"{d.id}/{spec.id}"
            checked += sum(direct.values())
    assert checked > 100
    db.close()


@pytest.mark.parametrize("name", [d.id for d in STORE_REPORTS])
def test_published_values_are_true_values(seeded: Store, name: str) -> None:
    facts, dls = _facts(seeded)
    report = build(definition(name), seeded.engine, AGENCY, YEAR, AFTER)
    for t in report.tables:
        direct = _direct(t.spec, facts, dls)
        p = t.published
        for i, r in enumerate(p.rows):
            for j, c in enumerate(p.cols):
                cell = p.cells[i][j]
                if cell.status == "shown":
                    assert cell.value == direct[r, c]
                else:
                    assert direct[r, c] > 0
        if p.total.value is not None:
            assert p.total.value == sum(direct.values())
    assert report.packs and report.packs[0]["cases"] == 60
    assert report.audit_heads and len(report.audit_heads[0]["hash"]) == 64


def test_illinois_listing_has_every_detainer(seeded: Store) -> None:
    facts, _ = _facts(seeded)
    report = build(definition("illinois-trust"), seeded.engine, AGENCY, YEAR, AFTER)
    detainers = [f for f in facts if _value(f, "detainer_or_warrant") == "yes"]
    listing = report.listings[0]
    assert len(listing.rows) == len(detainers)
    assert sorted(r[0] for r in listing.rows) == sorted(
        f["at"].strftime("%Y-%m-%d") for f in detainers
    )
    moved = Counter(r[2] for r in listing.rows)
    assert moved["transferred"] == sum(1 for f in detainers if f["decided_outcome"] == "comply")
    assert all(r[4] in ("ICE", "none") for r in listing.rows)
    civil = report.listings[1]
    assert len(civil.rows) == sum(
        1
        for f in facts
        if f["req"]["purpose"] == "civil_immigration"
        and f["kind"]
        in (
            "enforcement_support",
            "investigation_support",
            "warrant_service",
            "task_force",
            "jail_access",
        )
    )


def test_an_empty_year_is_certified_none_received(seeded: Store) -> None:
    report = build(
        definition("illinois-trust"), seeded.engine, AGENCY, parse_period("2024", "year"), AFTER
    )
    assert all(not li.rows for li in report.listings)
    assert all(t.published.total.value == 0 for t in report.tables)


def test_a_period_not_over_is_refused_unless_draft(seeded: Store) -> None:
    june = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    with pytest.raises(PeriodError, match="not over"):
        build(definition("truth-forum"), seeded.engine, AGENCY, YEAR, june)
    assert build(definition("truth-forum"), seeded.engine, AGENCY, YEAR, june, draft=True).draft


def test_a_period_of_another_kind_is_refused() -> None:
    with pytest.raises(PeriodError, match="overlapping"):
        parse_period("2026-Q1", "year")
    q = parse_period("2026-Q4", "quarter")
    assert (q.start.month, q.end.year, q.end.month) == (10, 2027, 1)
