"""Bounded input before any parsing: a body-size limit per request (larger for batch
intake), answered 413 without reading past the limit, and JSON objects with a repeated
key refused (422) — both in the one error shape (web/errors.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casebycase.web.errors import send_error


class _Repeated(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Repeated(key)
        seen[key] = value
    return seen


def repeated_key(data: bytes) -> str | None:
    """The first key repeated within one JSON object of ``data``, or None (also when
    ``data`` is not JSON: the schema check reports that)."""
    try:
        json.loads(data, object_pairs_hook=_no_repeats)
    except _Repeated as exc:
        return exc.key
    except (ValueError, RecursionError):
        return None
    return None


class BodyLimit:
    """Refuse bodies over ``limit`` bytes (``larger`` per path) before the app reads them."""

    def __init__(self, app: ASGIApp, limit: int, larger: Mapping[str, int]) -> None:
        self.app, self.limit, self.larger = app, limit, dict(larger)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.limit)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        chunks, total = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                await _too_large(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and b"json" in headers.get(b"content-type", b"json"):
            key = repeated_key(body)
            if key is not None:
                await send_error(
                    send,
                    422,
                    "invalid input",
                    "body",
                    f"the key '{key}' appears twice in one object",
                    "send each key once",
                )
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    await send_error(
        send,
        413,
        "request too large",
        "body",
        f"the body is larger than {limit} bytes",
        "send less at once (split a batch); the limit is a server setting",
        close=True,
    )
