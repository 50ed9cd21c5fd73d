"""One error shape for every failure, mapped in one place.

Every error answer is ``{"error": title, "problems": [{"where", "why", "hint"}]}``, with at
most ``MAX_PROBLEMS`` problems. Every answer carries an ``X-Correlation-Id``; an unexpected
failure answers 500 in the same shape naming that id, and the log line carries the id, the
error's type and where it arose — never SQL parameters, the message or the request.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casebycase.cases.service import DecisionError, Forbidden, IllegalTransition, NotFound
from casebycase.cases.users import Throttled, Unauthorized, UserError
from casebycase.errors import CaseByCaseError, PackError, PackNotFound, RequestError


class TooLarge(CaseByCaseError):
    """A request holds more than the server accepts at once."""


STATUS: list[tuple[type[CaseByCaseError], int]] = [
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (PackNotFound, 404),
    (IllegalTransition, 409),
    (TooLarge, 413),
    (Throttled, 429),
    (RequestError, 422),
    (DecisionError, 422),
    (UserError, 422),
    (PackError, 422),
]
"""Error class -> HTTP status; any other library error is bad input (422)."""

TITLES = {
    400: "bad request",
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    409: "conflict",
    413: "request too large",
    415: "unsupported media type",
    422: "invalid input",
    429: "too many requests",
}


MAX_PROBLEMS = 50
CORRELATION = "X-Correlation-Id"
SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = logging.getLogger("casebycase.web")


def bounded(problems: list[dict[str, str]], total: int | None = None) -> list[dict[str, str]]:
    """At most MAX_PROBLEMS problems (of ``total``, default all given); the last one says
    how many more were left out."""
    total = len(problems) if total is None else total
    if total <= MAX_PROBLEMS:
        return problems
    more = total - MAX_PROBLEMS + 1
    return [
        *problems[: MAX_PROBLEMS - 1],
        {"where": "", "why": f"and {more} more problems", "hint": "fix these first"},
    ]


def library_body(exc: CaseByCaseError) -> dict[str, Any]:
    shown = [p.to_dict() for p in exc.problems[:MAX_PROBLEMS]]
    return {"error": exc.title, "problems": bounded(shown, len(exc.problems))}


def status_of(exc: CaseByCaseError) -> int:
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 422)


def body(title: str, problems: list[dict[str, str]]) -> dict[str, Any]:
    return {"error": title, "problems": bounded(problems)}


async def send_error(
    send: Send, status: int, title: str, where: str, why: str, hint: str, close: bool = False
) -> None:
    """Answer an error in the one shape straight from ASGI middleware."""
    data = json.dumps(body(title, [{"where": where, "why": why, "hint": hint}])).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


class Correlation:
    """Give every request a correlation id (or keep a sane ``X-Correlation-Id`` it sent);
    turn any unexpected failure into a 500 in the error shape, logged without details."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(CORRELATION.lower().encode(), b"")
        cid = (
            given.decode("latin-1")
            if SANE_ID.match(given.decode("latin-1"))
            else (uuid.uuid4().hex[:16])
        )
        started = False

        async def tagged(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (CORRELATION.lower().encode(), cid.encode()),
                    ],
                }
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        except Exception as exc:  # the one place that answers the unexpected
            frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            at = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else "?"
            log.error(
                "unexpected %s at %s (correlation id %s) on %s %s",
                type(exc).__name__,
                at,
                cid,
                scope.get("method"),
                scope.get("path"),
            )
            if started:
                raise
            await send_error(
                tagged,
                500,
                "internal error",
                "",
                f"an unexpected error occurred (correlation id {cid})",
                "retry later; if it persists, report the correlation id",
            )


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "problems"],
    "properties": {
        "error": {"type": "string"},
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["where", "why", "hint"],
                "properties": {k: {"type": "string"} for k in ("where", "why", "hint")},
            },
        },
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
        return JSONResponse(library_body(exc), status_code=status_of(exc), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        found = exc.errors()
        problems = [
            {
                "where": _where(e.get("loc", ()), e.get("type") == "json_invalid"),
                "why": str(e.get("msg", "invalid")),
                "hint": _hint(e),
            }
            for e in found[:MAX_PROBLEMS]
        ]
        return JSONResponse(
            {"error": "invalid input", "problems": bounded(problems, len(found))}, status_code=422
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        title = TITLES.get(exc.status_code, "error")
        why = exc.detail if isinstance(exc.detail, str) else title
        return JSONResponse(
            body(title, [{"where": "", "why": why, "hint": ""}]),
            status_code=exc.status_code,
            headers=exc.headers,
        )


def _hint(error: Any) -> str:
    kind = str(error.get("type", ""))
    if kind == "missing":
        return "add this field"
    if kind == "extra_forbidden":
        return "remove this field"
    if kind == "json_invalid":
        return "send valid JSON"
    return "see /openapi.json"
