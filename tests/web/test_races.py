"""Concurrent changes of one case have exactly one winner, on SQLite and PostgreSQL: real
threads against a real server; the losers get 409 in the error shape."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from casebycase.store.store import Store

from .conftest import DETAINER, problems
from .live_server import Live, call, live_server

CASES = 5
"""Cases raced per race and database."""

NO_REVIEW = {**DETAINER, "kind": "status_check"}
"""Recommended 'comply' without a supervisor's review (closes straight after a decision)."""


@pytest.fixture
def live(store: Store) -> Iterator[Live]:
    with live_server(store) as running:
        for i in range(5):
            running.add(f"dep.{i}", "officer")
            running.add(f"sgt.{i}", "supervisor")
            running.add(f"counsel.{i}", "counsel")
        yield running


def _at_once(
    live: Live, calls: list[tuple[str, str, dict[str, Any] | None]]
) -> list[httpx2.Response]:
    """Send the calls (user, path, body) at the same moment, one thread each."""
    barrier = threading.Barrier(len(calls))
    answers: list[httpx2.Response | None] = [None] * len(calls)

    def send(i: int, user: str, path: str, body: dict[str, Any] | None) -> None:
        with httpx2.Client(base_url=live.base, timeout=60) as client:
            barrier.wait()
            answers[i] = client.post(path, headers=live.tokens[user], json=body)

    threads = [threading.Thread(target=send, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def _case(live: Live, request: dict[str, Any], n: int, steps: list[tuple[str, str, Any]]) -> str:
    r = call(live, "POST", "/api/cases", "dep.0", json={**request, "id": f"RACE-{n}"})
    assert r.status_code == 201, r.text
    cid = str(r.json()["id"])
    for user, step, body in steps:
        r = call(live, "POST", f"/api/cases/{cid}/{step}", user, json=body)
        assert r.status_code == 200, r.text
    return cid


def _decided(live: Live, n: int) -> str:
    return _case(live, NO_REVIEW, n, [("dep.0", "decision", {"outcome": "comply"})])


RACES: dict[
    str,
    tuple[
        Callable[[Live, int], str],
        Callable[[str], list[tuple[str, str, dict[str, Any] | None]]],
        str,
    ],
] = {
    "two decisions": (
        lambda live, n: _case(live, DETAINER, n, []),
        lambda cid: [
            (f"dep.{i}", f"/api/cases/{cid}/decision", {"outcome": "refer"}) for i in range(2)
        ],
        "decisions",
    ),
    "five decisions": (
        lambda live, n: _case(live, DETAINER, n, []),
        lambda cid: [
            (f"dep.{i}", f"/api/cases/{cid}/decision", {"outcome": "refer"}) for i in range(5)
        ],
        "decisions",
    ),
    "close and return": (
        _decided,
        lambda cid: [
            ("dep.1", f"/api/cases/{cid}/close", None),
            ("sgt.1", f"/api/cases/{cid}/review", {"approve": False}),
        ],
        "events",
    ),
    "approve and return": (
        _decided,
        lambda cid: [
            ("sgt.1", f"/api/cases/{cid}/review", {"approve": True}),
            ("sgt.2", f"/api/cases/{cid}/review", {"approve": False}),
        ],
        "reviews",
    ),
    "two reopens": (
        lambda live, n: _case(
            live,
            NO_REVIEW,
            n,
            [("dep.0", "decision", {"outcome": "comply"}), ("dep.0", "close", None)],
        ),
        lambda cid: [
            (f"counsel.{i}", f"/api/cases/{cid}/reopen", {"reason": "new facts"}) for i in range(2)
        ],
        "reopenings",
    ),
}


@pytest.mark.parametrize("race", list(RACES))
def test_one_winner(race: str, live: Live) -> None:
    prepare, contenders, table = RACES[race]
    winners = []
    for n in range(CASES):
        cid = prepare(live, n)
        before = call(live, "GET", f"/api/cases/{cid}", "sgt.0").json()
        answers = _at_once(live, contenders(cid))
        codes = sorted(a.status_code for a in answers)
        assert codes == [200] + [409] * (len(answers) - 1), (race, codes, [a.text for a in answers])
        for a in answers:
            if a.status_code == 409:
                problems(a)
        after = call(live, "GET", f"/api/cases/{cid}", "sgt.0").json()
        assert len(after[table]) - len(before[table]) == 1
        winners.append(codes.count(200))
    assert winners == [1] * CASES
    r = call(live, "GET", "/api/audit/verify", "sgt.0")
    assert r.json() == {"ok": True, "breaks": []}


def test_the_same_intake_at_once_opens_one_case(live: Live, store: Store) -> None:
    for n in range(CASES):
        request = {**DETAINER, "id": f"TWICE-{n}"}
        answers = _at_once(
            live,
            [
                ("dep.0", "/api/cases", request),
                ("dep.1", "/api/cases", request),
                ("dep.2", "/api/cases", request),
            ],
        )
        assert sorted(a.status_code for a in answers) == [200, 200, 201]
        assert len({a.json()["id"] for a in answers}) == 1
    with store.read() as tx:
        assert tx.count_cases() == CASES
