"""Browser tests: a real server (uvicorn on a free port) with the demo data, driven by the
system's Chromium through Playwright. No browser is ever downloaded: the tests use
/usr/bin/chromium (``apt-get install -y chromium``) and skip with the reason when it is absent.
Screenshots go to test-artifacts/browser/ (git-ignored) or $CASEBYCASE_ARTIFACTS."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from casebycase.cases.model import Actor
from casebycase.demo import DemoUser, seed
from casebycase.settings import Settings
from casebycase.store.store import Store
from casebycase.web.app import create_app

CHROMIUM = Path(os.environ.get("CASEBYCASE_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("CASEBYCASE_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"


@dataclass
class Site:
    """The running server and its accounts."""

    url: str
    users: dict[str, DemoUser]
    store: Store

    def password(self, username: str) -> str:
        return self.users[username].password


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    import uvicorn

    path = tmp_path_factory.mktemp("site") / "pages.sqlite3"
    store = Store.open(f"sqlite:///{path}")

    def clock() -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    made = {u.username: u for u in seed(store, clock, CHEAP)}
    app = create_app(Settings(database_url="unused"), store=store, clock=clock)
    app.state.users.hasher = CHEAP
    users = app.state.users
    admin = Actor("test", "policy_admin", "boone-county-so")
    for name, role in (("sgt.second@boone-county-so", "supervisor"),):
        users.add(name, role, "boone-county-so", admin, PASSWORD)
        made[name] = DemoUser(name, role, "boone-county-so", PASSWORD, "")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    try:
        yield Site(f"http://127.0.0.1:{port}", made, store)
    finally:
        server.should_exit = True
        thread.join(10)
        store.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        why = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


class Tab:
    """A browser context (its own cookies) with one page, refusing any request that leaves
    the server: every asset must be the app's own."""

    def __init__(self, browser: Any, site: Site, size: str = "desktop") -> None:
        width, height = SIZES[size]
        self.site = site
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.errors.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.site.url) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def go(self, path: str) -> Any:
        response = self.page.goto(self.site.url + path)
        assert response is not None
        assert response.status < 500, (path, response.status)
        return response

    def sign_in(self, username: str) -> None:
        self.go("/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(self.site.password(username))
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url("**/cases")

    def axe(self, minor: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """Serious or critical accessibility violations on the page (axe-core); the
        moderate and minor ones are added to ``minor`` when given."""
        self.page.evaluate(AXE)
        found = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        out = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
                "page": self.page.url,
            }
            for v in found
        ]
        if minor is not None:
            minor.extend(v for v in out if v["impact"] not in ("serious", "critical"))
        return [v for v in out if v["impact"] in ("serious", "critical")]

    def shot(self, name: str, size: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}-{size}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}-{size}-first-screen.png"))
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any, site: Site) -> Iterator[Tab]:
    t = Tab(browser, site)
    yield t
    t.close()
    assert not t.outside, f"requests left the server: {t.outside}"


def report(name: str, data: Any) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(data, indent=2, default=str))
