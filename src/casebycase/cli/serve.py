"""``casebycase serve``: the REST API under uvicorn, optionally with demo data."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from casebycase.cli.shell import app, out
from casebycase.cli.shell import errors as _errors
from casebycase.settings import Settings


@app.command()
def serve(
    demo: Annotated[
        bool, typer.Option("--demo", help="A fresh SQLite file with demo users and cases")
    ] = False,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Serve the REST API (database: CASEBYCASE_DATABASE_URL; OpenAPI at /openapi.json)."""
    import uvicorn

    from casebycase.store.store import Store
    from casebycase.web.app import create_app

    settings = Settings.from_env()
    with _errors():
        if demo:
            path = Path(tempfile.mkdtemp(prefix="casebycase-demo-")) / "demo.sqlite3"
            settings = Settings(database_url=f"sqlite:///{path}")
            _seed_demo(settings.database_url)
        store = Store.open(settings.database_url)
    url = f"http://{host}:{port}"
    out.print(
        f"casebycase API at {url}/api (OpenAPI: {url}/openapi.json, docs: {url}/docs)", markup=False
    )
    uvicorn.run(create_app(settings, store=store), host=host, port=port, log_level="warning")


def _seed_demo(url: str) -> None:
    from casebycase.demo import seed
    from casebycase.store.store import Store

    store = Store.open(url)
    try:
        users = seed(store, lambda: dt.datetime.now(dt.UTC))
        with store.transaction() as tx:
            count = tx.count_cases()
    finally:
        store.close()
    out.print(f"demo store: {url} ({count} cases)", markup=False)
    out.print("demo users (username, role, agency, password, token):", markup=False)
    for u in users:
        out.print(
            f"  {u.username:32} {u.role:13} {u.agency:22} {u.password}  {u.token}", markup=False
        )
