"""Intake benchmark: the real server on 127.0.0.1 at a fixed offered load, and audit cost.

    .venv/bin/python bench/intake.py [--rate 20] [--seconds 5] [--backends sqlite,postgresql]
                                     [--pg "host=127.0.0.1 port=5432 user=postgres dbname=test"]

For each backend: a fresh store (a temporary SQLite file, or a new PostgreSQL database), one
officer with an API token, and ``casebycase serve`` as a subprocess. Requests
(``POST /api/cases``, the Boone County detainer) are sent open-loop: request i is due at
i / rate seconds, sent by a pool of threads, and its latency is measured from when it was
due (so a slow server cannot hide its queue). Reported: achieved throughput, p50 and p99
latency, errors; and, before that, the median latency of intakes sent one at a time.
Then, in-process, the audit-append cost: the median time of a transaction
that appends one audit event minus that of a transaction that only reads the chain head.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx2
import psycopg
from sqlalchemy import select

from casebycase.cases import audit
from casebycase.cases.model import Actor
from casebycase.cases.users import Users
from casebycase.store.store import Store
from casebycase.store.tables import audit_events

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).parent / "casebycase"
REQUEST = json.loads((ROOT / "demo" / "requests" / "boone-detainer.json").read_text())


@contextmanager
def database(backend: str, pg_admin: str) -> Iterator[str]:
    """A fresh, empty store URL for the backend; removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    name = f"cbc_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    params = dict(p.split("=", 1) for p in pg_admin.split())
    try:
        yield (
            f"postgresql+psycopg://{params.get('user', 'postgres')}@{params['host']}:"
            f"{params.get('port', '5432')}/{name}"
        )
    finally:
        with psycopg.connect(pg_admin, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str) -> Iterator[str]:
    """``casebycase serve`` on a free local port; yields its base URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [str(EXE), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "CASEBYCASE_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def offered_load(base: str, token: str, rate: float, seconds: float) -> dict[str, float]:
    """Send rate*seconds intakes open-loop; latency counted from each request's due time."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    local = threading.local()

    def client() -> httpx2.Client:
        if not hasattr(local, "client"):
            local.client = httpx2.Client(
                base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}
            )
        return local.client  # type: ignore[no-any-return]

    def one(i: int, due: float) -> None:
        nonlocal errors
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        try:
            ok = client().post("/api/cases", json={**REQUEST, "id": f"B-{i}"}).status_code == 201
        except httpx2.HTTPError:
            ok = False
        done = time.perf_counter()
        with lock:
            if ok:
                latencies.append(done - due)
            else:
                errors += 1

    serial = []
    for i in range(20):  # warm up (packs compiled once), then one at a time
        t0 = time.perf_counter()
        client().post("/api/cases", json={**REQUEST, "id": f"S-{i}"})
        serial.append(time.perf_counter() - t0)
    start = time.perf_counter() + 0.2
    with ThreadPoolExecutor(max_workers=32) as pool:
        for i in range(total):
            pool.submit(one, i, start + i / rate)
    elapsed = time.perf_counter() - start
    latencies.sort()
    pick = (
        (lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000)
        if latencies
        else (lambda q: float("nan"))
    )
    return {
        "serial_p50_ms": statistics.median(serial[5:]) * 1000,
        "offered_per_s": rate,
        "sent": total,
        "ok": len(latencies),
        "errors": errors,
        "throughput_per_s": len(latencies) / elapsed,
        "p50_ms": pick(0.50),
        "p99_ms": pick(0.99),
    }


def audit_cost(url: str, n: int = 200) -> dict[str, float]:
    """Median time of a transaction appending one event, minus one only reading the head."""
    store = Store.open(url)
    now = dt.datetime.now(dt.UTC)

    def timed(append: bool) -> float:
        times = []
        for i in range(n):
            t0 = time.perf_counter()
            with store.transaction() as tx:
                if append:
                    audit.append(
                        tx, "bench", "case:case:closed", "bench:bench", now, None, None, {"i": i}
                    )
                else:
                    tx.conn.execute(
                        select(audit_events.c.hash)
                        .where(audit_events.c.agency == "bench")
                        .order_by(audit_events.c.seq.desc())
                        .limit(1)
                    ).first()
            times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1e6

    try:
        read, append = timed(False), timed(True)
    finally:
        store.close()
    return {"read_tx_us": read, "append_tx_us": append, "append_cost_us": append - read}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20, help="offered requests per second")
    parser.add_argument("--seconds", type=float, default=5, help="how long to offer load")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg", default="host=127.0.0.1 port=5432 user=postgres dbname=test")
    args = parser.parse_args()
    if args.rate * args.seconds > 20_000:
        raise SystemExit("at most 20000 requests per run")
    for backend in args.backends.split(","):
        with database(backend, args.pg) as url:
            store = Store.open(url)
            users = Users(store, lambda: dt.datetime.now(dt.UTC))
            users.add(
                "bench",
                "officer",
                "boone-county-so",
                Actor("bench", "policy_admin", "boone-county-so"),
            )
            token = users.issue_token("bench")
            store.close()
            with server(url) as base:
                load = offered_load(base, token, args.rate, args.seconds)
            cost = audit_cost(url)
        print(
            json.dumps(
                {
                    "backend": backend,
                    **{k: round(v, 2) for k, v in load.items()},
                    **{k: round(v, 1) for k, v in cost.items()},
                }
            )
        )


if __name__ == "__main__":
    main()
