"""Login abuse benchmark: intake throughput on SQLite while clients send bad logins.

    .venv/bin/python bench/login_abuse.py [--seconds 10] [--attackers 4]

A fresh SQLite store, ``casebycase serve`` as a subprocess (real argon2 settings), one
officer sending intakes one after another for ``--seconds`` undisturbed, then again while
``--attackers`` clients send wrong passwords as fast as they are answered (to an existing
user and to made-up ones). Printed: intakes per second in each phase, the attackers'
answers by status, and the ratio disturbed / undisturbed (the goal: at least 0.8).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import threading
import time
from collections import Counter

import httpx2

from casebycase.cases.model import Actor
from casebycase.cases.users import Users
from casebycase.store.store import Store
from intake import REQUEST, database, server


def intakes(base: str, token: str, seconds: float, prefix: str) -> float:
    """Intakes per second from one closed-loop client."""
    done = 0
    with httpx2.Client(
        base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            r = client.post("/api/cases", json={**REQUEST, "id": f"{prefix}-{done}"})
            done += r.status_code == 201
    return done / seconds


def attack(base: str, stop: threading.Event, n: int, answers: Counter[int]) -> None:
    with httpx2.Client(base_url=base, timeout=30) as client:
        i = 0
        while not stop.is_set():
            name = "bench" if i % 2 else f"guess.{n}.{i}"
            r = client.post("/api/login", json={"username": name, "password": f"wrong {i}"})
            answers[r.status_code] += 1
            i += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--attackers", type=int, default=4)
    args = parser.parse_args()
    with database("sqlite", "") as url:
        store = Store.open(url)
        users = Users(store, lambda: dt.datetime.now(dt.UTC))
        users.add(
            "bench",
            "officer",
            "boone-county-so",
            Actor("bench", "policy_admin", "boone-county-so"),
            "correct horse battery",
        )
        token = users.issue_token("bench")
        store.close()
        with server(url) as base:
            intakes(base, token, 1, "warm")
            calm = intakes(base, token, args.seconds, "calm")
            stop, answers = threading.Event(), Counter[int]()
            threads = [
                threading.Thread(target=attack, args=(base, stop, n, answers))
                for n in range(args.attackers)
            ]
            for t in threads:
                t.start()
            try:
                disturbed = intakes(base, token, args.seconds, "busy")
            finally:
                stop.set()
                for t in threads:
                    t.join(30)
    print(
        json.dumps(
            {
                "backend": "sqlite",
                "attackers": args.attackers,
                "undisturbed_per_s": round(calm, 1),
                "disturbed_per_s": round(disturbed, 1),
                "ratio": round(disturbed / calm, 2) if calm else None,
                "attacker_answers": dict(sorted(answers.items())),
            }
        )
    )


if __name__ == "__main__":
    main()
