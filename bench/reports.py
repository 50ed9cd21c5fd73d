"""Reports benchmark: every store report over N generated cases (default 1,000,000).

    .venv/bin/python bench/reports.py [--n 1000000] [--seed 7] [--db PATH]

1. Creates a SQLite case store (migrated schema) and bulk-inserts N cases of one agency
   received in 2026 (every kind, requester, purpose; 70% decided, a fifth of those against
   the recommendation with a reason; one deadline for each detainer and notification, most
   done), straight through SQLAlchemy: the case service is not what is measured. Not timed
   beyond a line saying how long it took.
2. Times one read of the store (all cases of the agency in 2026) into DuckDB, then for
   each store definition times ``build`` on it (DuckDB counts, linked suppression) and the
   HTML rendering, and prints both; finally one ``build`` that reads the store itself.
3. Prints the process's peak resident memory (ru_maxrss), generation included.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import insert

from casebycase.reports.compute import build
from casebycase.reports.definition import definitions
from casebycase.reports.period import parse_period
from casebycase.reports.render import render
from casebycase.reports.source import load_store
from casebycase.store.store import Store
from casebycase.store.tables import cases, deadlines, decisions

AGENCY = "bench-county-so"
KINDS = [
    "detainer",
    "release_notification",
    "transfer",
    "jail_access",
    "records",
    "status_check",
    "enforcement_support",
    "task_force",
    "victim_certification",
    "warrant_service",
    "investigation_support",
    "custody_review",
]
REQUESTERS = [
    ("ICE", "ERO"),
    ("ICE", "HSI"),
    ("CBP", "USBP"),
    ("USCIS", None),
    ("victim_or_counsel", None),
]
OUTCOMES = ["comply", "partial", "decline", "refer"]
DOCS = {"detainer": ["I-247A", "I-200"], "victim_certification": ["I-918B"], "transfer": ["I-203"]}
REASONS = [
    "counsel advised",
    "no judicial warrant",
    "officer safety",
    "witness in a case",
    "form unsigned",
    "already released",
]


def generate(store: Store, n: int, seed: int) -> None:
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    chunk = 50_000
    for base in range(0, n, chunk):
        rows, decs, dls = [], [], []
        for _ in range(min(chunk, n - base)):
            cid = str(uuid.UUID(int=rng.getrandbits(128)))
            kind = rng.choice(KINDS)
            requester, component = rng.choice(REQUESTERS)
            at = start + dt.timedelta(seconds=rng.randrange(365 * 86400))
            rec = rng.choice(OUTCOMES)
            decided = None
            if rng.random() < 0.7:
                departs = rng.random() < 0.2
                decided = rng.choice([o for o in OUTCOMES if o != rec]) if departs else rec
                decs.append(
                    {
                        "case_id": cid,
                        "actor": "bench",
                        "at": at,
                        "outcome": decided,
                        "actions_taken": [],
                        "departs": departs,
                        "reason": rng.choice(REASONS) if departs else None,
                    }
                )
            request = {
                "kind": kind,
                "purpose": rng.choice(["criminal", "civil_immigration"]),
                "requester": {"agency": requester, "component": component},
                "documents": DOCS.get(kind, []),
                "judicial_warrant": False,
                "subject": {"release_at": (at + dt.timedelta(days=2)).isoformat()},
            }
            rows.append(
                {
                    "id": cid,
                    "agency": AGENCY,
                    "reference": None,
                    "kind": kind,
                    "received_at": at,
                    "state": "decided" if decided else "recommended",
                    "request": request,
                    "recommendation": {},
                    "recommended_outcome": rec,
                    "pack": "bench-pack",
                    "pack_version": "1",
                    "pack_digest": "0" * 64,
                    "decided_outcome": decided,
                    "needs_review": False,
                    "created_at": at,
                    "updated_at": at,
                }
            )
            if kind in ("detainer", "release_notification"):
                due = at + dt.timedelta(hours=48)
                done = (
                    due + dt.timedelta(hours=rng.choice([-5, -1, 3]))
                    if rng.random() < 0.9
                    else None
                )
                dls.append(
                    {
                        "case_id": cid,
                        "agency": AGENCY,
                        "action": "notify_subject",
                        "due_at": due,
                        "clock": "calendar",
                        "done_at": done,
                    }
                )
        with store.engine.begin() as conn:
            conn.execute(insert(cases), rows)
            if decs:
                conn.execute(insert(decisions), decs)
            if dls:
                conn.execute(insert(deadlines), dls)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.sqlite3"
        store = Store.open(f"sqlite:///{path}")
        t0 = time.perf_counter()
        generate(store, args.n, args.seed)
        print(f"generated {args.n:,} cases in {time.perf_counter() - t0:.1f} s (not measured)")
        now = dt.datetime(2027, 1, 10, tzinfo=dt.UTC)
        year = parse_period("2026", "year")
        t0 = time.perf_counter()
        loaded = load_store(store.engine, [AGENCY], year.start, year.end, now)
        read = time.perf_counter() - t0
        print(f"read the store into DuckDB {read:6.2f} s", flush=True)
        results: dict[str, object] = {"read_s": round(read, 2)}
        for d in definitions().values():
            if d.source != "store":
                continue
            t0 = time.perf_counter()
            report = build(d, store.engine, [AGENCY], year, now, loaded=loaded)
            built = time.perf_counter() - t0
            t0 = time.perf_counter()
            page = render(report, "html")
            rendered = time.perf_counter() - t0
            results[d.id] = {
                "build_s": round(built, 2),
                "html_s": round(rendered, 2),
                "html_bytes": len(page),
            }
            print(f"{d.id:22} build {built:6.2f} s   html {rendered:5.2f} s", flush=True)
        loaded.close()
        t0 = time.perf_counter()
        build(definitions()["truth-forum"], store.engine, [AGENCY], year, now)
        whole = time.perf_counter() - t0
        results["truth_forum_with_read_s"] = round(whole, 2)
        print(f"truth-forum with its own read {whole:6.2f} s")
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:,.0f} MiB")
    print(json.dumps({"n": args.n, "reports": results, "peak_mib": round(peak)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
