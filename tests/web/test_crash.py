"""A server killed with SIGKILL mid-stream loses no intake it acknowledged, and its audit
chains still verify (SQLite file and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2

from casebycase.cases.model import Actor
from casebycase.cases.users import Users
from casebycase.store.store import Store

from .conftest import CHEAP, DETAINER

EXE = Path(sys.executable).parent / "casebycase"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CASEBYCASE_DATABASE_URL": url}
    server = subprocess.Popen(
        [str(EXE), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                return server
        except httpx2.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")


def test_sigkill_loses_no_acknowledged_intake(store_url: str) -> None:
    url = store_url
    store = Store.open(url)
    users = Users(store, lambda: dt.datetime.now(dt.UTC), CHEAP)
    users.add(
        "dep.ames", "officer", "boone-county-so", Actor("test", "policy_admin", "boone-county-so")
    )
    token = users.issue_token("dep.ames")
    store.close()
    port = _free_port()
    server = _start(url, port)
    acknowledged: list[str] = []
    stop = threading.Event()

    def send() -> None:
        with httpx2.Client(
            base_url=f"http://127.0.0.1:{port}",
            timeout=5,
            headers={"Authorization": f"Bearer {token}"},
        ) as client:
            for i in range(2000):
                if stop.is_set():
                    return
                try:
                    r = client.post("/api/cases", json={**DETAINER, "id": f"CRASH-{i}"})
                except httpx2.HTTPError:
                    return
                if r.status_code == 201:
                    acknowledged.append(r.json()["id"])

    sender = threading.Thread(target=send)
    sender.start()
    try:
        deadline = time.monotonic() + 30
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
    finally:
        stop.set()
        sender.join(10)
        if server.poll() is None:
            server.kill()
    assert len(acknowledged) >= 20
    server = _start(url, port)
    try:
        with httpx2.Client(
            base_url=f"http://127.0.0.1:{port}",
            timeout=5,
            headers={"Authorization": f"Bearer {token}"},
        ) as client:
            missing = [
                cid for cid in acknowledged if client.get(f"/api/cases/{cid}").status_code != 200
            ]
            verify = client.get("/api/audit/verify").json()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    assert missing == []
    assert verify == {"ok": True, "breaks": []}
    store = Store.open(url)
    try:
        with store.transaction() as tx:
            stored = tx.count_cases()
    finally:
        store.close()
    assert stored >= len(acknowledged)
