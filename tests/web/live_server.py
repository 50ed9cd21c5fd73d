"""The API under a real uvicorn server in a thread, over a real store, for tests that need
real connections and real concurrency (races, body limits)."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
import uvicorn

from casebycase.cases.model import Actor
from casebycase.cases.users import Users
from casebycase.settings import Settings
from casebycase.store.store import Store
from casebycase.web.app import create_app

from .conftest import CHEAP


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Live:
    """A running server: its base URL and a bearer header per username."""

    def __init__(self, base: str, store: Store) -> None:
        self.base, self.store = base, store
        self.tokens: dict[str, dict[str, str]] = {}

    def add(self, username: str, role: str, agency: str = "boone-county-so") -> dict[str, str]:
        users = Users(self.store, lambda: dt.datetime.now(dt.UTC), CHEAP)
        users.add(username, role, agency, Actor("test", "policy_admin", agency))
        self.tokens[username] = {"Authorization": f"Bearer {users.issue_token(username)}"}
        return self.tokens[username]


@contextmanager
def live_server(store: Store, settings: Settings | None = None) -> Iterator[Live]:
    """Serve ``store`` on a free port until the block ends."""
    app = create_app(settings or Settings(database_url="unused"), store=store)
    app.state.users.hasher = CHEAP
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise AssertionError("the server did not start")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}", store)
    finally:
        server.should_exit = True
        thread.join(10)


def call(live: Live, method: str, path: str, user: str, **kwargs: Any) -> httpx2.Response:
    with httpx2.Client(base_url=live.base, timeout=30) as client:
        return client.request(method, path, headers=live.tokens[user], **kwargs)
