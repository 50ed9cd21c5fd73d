"""Audit verification under load: intake throughput on SQLite while an auditor verifies a
long chain of the same agency over and over.

    .venv/bin/python bench/verify_load.py [--events 100000] [--seconds 8]

A fresh SQLite store whose agency chain is seeded with ``--events`` events, ``casebycase
serve`` as a subprocess, one officer sending intakes one after another for ``--seconds``
undisturbed, then again while an auditor calls ``GET /api/audit/verify`` in a loop. Printed:
intakes per second in each phase, their ratio, the verifications done and their mean time,
and any 5xx answer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import threading
import time

import httpx2

from casebycase.cases import audit
from casebycase.cases.model import Actor
from casebycase.cases.users import Users
from casebycase.store.store import Store
from intake import database, server
from login_abuse import intakes

AGENCY = "boone-county-so"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    with database("sqlite", "") as url:
        store = Store.open(url)
        now = dt.datetime.now(dt.UTC)
        with store.transaction() as tx:
            for i in range(args.events):
                audit.append(
                    tx,
                    AGENCY,
                    "user:account:disabled",
                    "bench:bench",
                    now,
                    None,
                    None,
                    {"user": f"u{i}"},
                )
        users = Users(store, lambda: dt.datetime.now(dt.UTC))
        admin = Actor("bench", "policy_admin", AGENCY)
        users.add("bench", "officer", AGENCY, admin)
        users.add("auditor", "auditor", AGENCY, admin)
        officer, auditor = users.issue_token("bench"), users.issue_token("auditor")
        store.close()
        with server(url) as base:
            intakes(base, officer, 1, "warm")
            calm = intakes(base, officer, args.seconds, "calm")
            stop, times, bad = threading.Event(), [], []

            def verify() -> None:
                with httpx2.Client(
                    base_url=base, timeout=300, headers={"Authorization": f"Bearer {auditor}"}
                ) as client:
                    while not stop.is_set():
                        t0 = time.perf_counter()
                        r = client.get("/api/audit/verify")
                        times.append(time.perf_counter() - t0)
                        if r.status_code >= 500 or not r.json().get("ok"):
                            bad.append(r.status_code)

            checker = threading.Thread(target=verify)
            checker.start()
            try:
                busy = intakes(base, officer, args.seconds, "busy")
            finally:
                stop.set()
                checker.join(300)
    print(
        json.dumps(
            {
                "backend": "sqlite",
                "chain_events": args.events,
                "undisturbed_per_s": round(calm, 1),
                "during_verify_per_s": round(busy, 1),
                "ratio": round(busy / calm, 2) if calm else None,
                "verifications": len(times),
                "verify_mean_s": round(sum(times) / len(times), 2) if times else None,
                "bad_answers": bad,
            }
        )
    )


if __name__ == "__main__":
    main()
