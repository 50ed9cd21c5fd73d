"""Page benchmark: how long each web page takes to answer, p50 and p95, on this machine.

    .venv/bin/python bench/pages.py [--n 100]

A real server (uvicorn on a free port, in this process) over a temporary SQLite store with
the demo data (a few dozen cases); one signed-in officer; each page is fetched ``--n`` times
one after another over HTTP, and its latency measured from send to last byte. The live
recommendation (POST /cases/preview) counts as a page. Target: p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2
import uvicorn
from argon2 import PasswordHasher

from casebycase.demo import seed
from casebycase.settings import Settings
from casebycase.store.store import Store
from casebycase.web.app import create_app

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _keep(client: httpx2.Client, response: httpx2.Response) -> None:
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="fetches per page")
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")

        def clock() -> dt.datetime:
            return dt.datetime.now(dt.UTC)

        users = {u.username: u for u in seed(store, clock, CHEAP)}
        app = create_app(Settings(database_url="unused"), store=store, clock=clock)
        app.state.users.hasher = CHEAP
        port = _port()
        server = uvicorn.Server(
            uvicorn.Config(
                app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off"
            )
        )
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        officer = users["officer@boone-county-so"]
        with httpx2.Client(base_url=base) as client:
            # the cookies are Secure: over plain HTTP the client is given them by hand
            page = client.get("/login")
            _keep(client, page)
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf is not None
            token = csrf.group(1)
            r = client.post(
                "/login",
                data={"csrf": token, "username": officer.username, "password": officer.password},
                follow_redirects=False,
            )
            assert r.status_code == 303, "sign-in failed"
            _keep(client, r)
            case = client.get(
                "/api/cases", headers={"Authorization": f"Bearer {officer.token}"}
            ).json()[0]["id"]
            now = dt.datetime.now().strftime("%Y-%m-%dT%H:%M")
            form = {
                "csrf": token,
                "kind": "detainer",
                "received_at": now,
                "requester.agency": "ICE",
                "purpose": "civil_immigration",
                "subject.in_custody": "true",
            }
            pages: list[tuple[str, str]] = [
                ("GET", p)
                for p in (
                    "/",
                    "/login",
                    "/cases",
                    "/deadlines",
                    "/cases/new?kind=detainer",
                    f"/cases/{case}",
                    "/packs",
                    "/packs/boone-county-so",
                    "/public/boone-county-so",
                    "/try?kind=detainer",
                    "/docs",
                )
            ]
            pages.append(("POST", "/cases/preview"))
            print(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8}")
            worst = 0.0
            for method, path in pages:
                times = []
                for _ in range(n + 3):
                    t = time.perf_counter()
                    r = client.request(method, path, data=form if method == "POST" else None)
                    times.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, (path, r.status_code)
                times = sorted(times[3:])
                p95 = times[int(0.95 * (len(times) - 1))]
                worst = max(worst, p95)
                label = f"{method} {path.replace(case, '{id}')}"
                print(f"{label:40} {statistics.median(times):8.1f} {p95:8.1f}")
            print(f"worst p95: {worst:.1f} ms (target < 100 ms): {'ok' if worst < 100 else 'SLOW'}")
        server.should_exit = True
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
