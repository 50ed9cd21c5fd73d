"""Server-rendered pages for officers, supervisors, counsel and the public (docs/web.md)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from casebycase.policy.registry import Registry

STATIC = Path(__file__).resolve().parent.parent / "static"
DOC_PATHS = {"/docs", "/docs/oauth2-redirect", "/redoc"}


def install(app: FastAPI, registry: Registry) -> None:
    """Add the pages, their static files and offline API docs to the API's app."""
    from casebycase.web.pages import cases, policy

    app.state.registry = registry
    app.router.routes[:] = [
        r for r in app.router.routes if getattr(r, "path", None) not in DOC_PATHS
    ]
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(policy.router)
    app.include_router(cases.router)
