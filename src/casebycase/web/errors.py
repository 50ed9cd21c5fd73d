"""One error shape for every failure, mapped in one place.

Every error answer is ``{"error": title, "problems": [{"where", "why", "hint"}]}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from casebycase.cases.service import DecisionError, Forbidden, IllegalTransition, NotFound
from casebycase.cases.users import Throttled, Unauthorized, UserError
from casebycase.errors import CaseByCaseError, PackError, PackNotFound, RequestError

STATUS: list[tuple[type[CaseByCaseError], int]] = [
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (PackNotFound, 404),
    (IllegalTransition, 409),
    (Throttled, 429),
    (RequestError, 422),
    (DecisionError, 422),
    (UserError, 422),
    (PackError, 422),
]
"""Error class -> HTTP status; any other library error is bad input (422)."""

TITLES = {400: "bad request", 401: "unauthorized", 403: "forbidden", 404: "not found",
          405: "method not allowed", 409: "conflict", 413: "request too large",
          415: "unsupported media type", 422: "invalid input", 429: "too many requests"}


def status_of(exc: CaseByCaseError) -> int:
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 422)


def body(title: str, problems: list[dict[str, str]]) -> dict[str, Any]:
    return {"error": title, "problems": problems}


ERROR_SCHEMA = {
    "type": "object", "required": ["error", "problems"],
    "properties": {
        "error": {"type": "string"},
        "problems": {"type": "array", "items": {
            "type": "object", "required": ["where", "why", "hint"],
            "properties": {k: {"type": "string"} for k in ("where", "why", "hint")}}},
    },
}


def _where(loc: tuple[Any, ...] | list[Any], json_invalid: bool = False) -> str:
    parts = [str(p) for p in loc]
    if json_invalid:
        return f"body (character {parts[-1]})" if len(parts) > 1 else "body"
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] if len(parts) > 1 else parts
    return ".".join(parts)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the one shape."""

    @app.exception_handler(CaseByCaseError)
    async def _library(_: Request, exc: CaseByCaseError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
        if isinstance(exc, Throttled):
            headers = {"Retry-After": str(exc.retry_after)}
        return JSONResponse(exc.to_dict(), status_code=status_of(exc), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"where": _where(e.get("loc", ()), e.get("type") == "json_invalid"),
                     "why": str(e.get("msg", "invalid")),
                     "hint": _hint(e)} for e in exc.errors()]
        return JSONResponse(body("invalid input", problems), status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        title = TITLES.get(exc.status_code, "error")
        why = exc.detail if isinstance(exc.detail, str) else title
        return JSONResponse(body(title, [{"where": "", "why": why, "hint": ""}]),
                            status_code=exc.status_code, headers=exc.headers)


def _hint(error: Any) -> str:
    kind = str(error.get("type", ""))
    if kind == "missing":
        return "add this field"
    if kind == "extra_forbidden":
        return "remove this field"
    if kind == "json_invalid":
        return "send valid JSON"
    return "see /openapi.json"
