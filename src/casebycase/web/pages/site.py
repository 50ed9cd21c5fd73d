"""What every page shares: the signed-in user from the session cookie, CSRF tokens, forms,
templates and the headers that keep a page's scripts the app's own."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from casebycase.cases.model import Actor
from casebycase.cases.users import Unauthorized, Users
from casebycase.errors import CaseByCaseError, PackNotFound, Problem
from casebycase.policy.registry import Registry
from casebycase.web.errors import status_of

SESSION = "cbc_session"
"""The cookie holding the same bearer token the API takes."""
CSRF = "cbc_csrf"
"""The double-submit cookie; every form carries its value in the hidden field ``csrf``."""
MAX_FORM = 64_000
"""Largest form body a page reads (bytes)."""
WEB = Path(__file__).resolve().parent.parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
"""Only the app's own scripts run, so stored text can never become a script."""
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class PageError(Exception):
    """A page cannot be shown: answered with the error page (or a redirect to sign in)."""

    def __init__(self, status: int, title: str, why: str, hint: str = "") -> None:
        super().__init__(why)
        self.status, self.title, self.why, self.hint = status, title, why, hint


class SignInNeeded(PageError):
    """The page needs a signed-in user: answered with a redirect to /login."""


@dataclass
class Visit:
    """One page request: who is signed in (if anyone) and the CSRF token of the browser."""

    request: Request
    actor: Actor | None
    csrf: str
    fresh_csrf: bool
    username: str | None = None
    form: dict[str, list[str]] = field(default_factory=dict)

    @property
    def registry(self) -> Registry:
        registry: Registry = self.request.app.state.registry
        return registry

    def signed_in(self) -> Actor:
        if self.actor is None:
            raise SignInNeeded(401, "sign in", "this page needs you to sign in")
        return self.actor

    def get(self, name: str, default: str = "") -> str:
        """The first value of a form field."""
        values = self.form.get(name)
        return values[0] if values else default

    def zone(self, agency: str) -> ZoneInfo:
        """The time zone of an agency's pack (UTC when it has none)."""
        try:
            return self.registry.get(agency).zone
        except (PackNotFound, ValueError, KeyError):
            return ZoneInfo("UTC")


def visit(request: Request) -> Visit:
    """The current visit: the session cookie's user, when its token is still good."""
    actor, username = None, None
    token = request.cookies.get(SESSION)
    if token:
        users: Users = request.app.state.users
        try:
            actor = users.authenticate(token)
        except Unauthorized:
            actor = None
        else:
            username = _username(request, actor)
    csrf = request.cookies.get(CSRF, "")
    fresh = not (40 <= len(csrf) <= 60 and csrf.replace("-", "").replace("_", "").isalnum())
    return Visit(request, actor, secrets.token_urlsafe(32) if fresh else csrf, fresh, username)


def _username(request: Request, actor: Actor) -> str:
    users: Users = request.app.state.users
    with users.store.transaction() as tx:
        for row in tx.users(frozenset({actor.agency})):
            if row["id"] == actor.user:
                return str(row["username"])
    return actor.user


async def posted(request: Request) -> Visit:
    """A visit with its posted form, refused unless the form's CSRF token matches."""
    v = visit(request)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise PageError(
                413,
                "form too large",
                f"the form is over {MAX_FORM} bytes",
                "shorten the text fields",
            )
    try:
        v.form = parse_qs(
            body.decode("ascii", "replace"),
            keep_blank_values=True,
            max_num_fields=300,
            errors="replace",
        )
    except ValueError as exc:
        raise PageError(400, "bad form", str(exc), "send the form from its page") from None
    sent = v.get("csrf")
    if v.fresh_csrf or not secrets.compare_digest(sent.encode(), v.csrf.encode()):
        raise PageError(
            403,
            "form expired",
            "the form's security token does not match this browser's",
            "reload the page and send the form again (over plain HTTP, browsers "
            "keep the page's secure cookies only for localhost: use HTTPS)",
        )
    return v


ENV = Environment(
    loader=FileSystemLoader(WEB / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def local(value: Any, zone: ZoneInfo | None = None) -> str:
    """An ISO datetime as a local time people read: 'Thu 5 Mar 2026, 16:20 CST'."""
    if not value:
        return "—"
    try:
        when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if zone is not None:
        when = when.astimezone(zone)
    return f"{when:%a} {when.day} {when:%b %Y, %H:%M %Z}".strip()


def words(value: Any) -> str:
    """A vocabulary term in words: 'civil_immigration' -> 'civil immigration'."""
    return str(value).replace("_", " ")


ENV.filters.update(local=local, words=words)


def render(v: Visit, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from its template, with the CSRF cookie set when it is new."""
    html = ENV.get_template(template).render(
        visit=v, actor=v.actor, username=v.username, csrf=v.csrf, path=v.request.url.path, **context
    )
    response = HTMLResponse(html, status_code=status, headers=HEADERS)
    if v.fresh_csrf:
        response.set_cookie(CSRF, v.csrf, httponly=True, secure=True, samesite="strict", path="/")
    return response


def redirect(to: str) -> Response:
    return RedirectResponse(to, status_code=303, headers={"Cache-Control": "no-store"})


def problems_by_field(exc: CaseByCaseError) -> dict[str, str]:
    """``where`` -> 'why (hint)', as the API reports each problem."""
    out: dict[str, str] = {}
    for p in exc.problems:
        text = f"{p.why}: {p.hint}" if p.hint else p.why
        out[p.where] = f"{out[p.where]}; {text}" if p.where in out else text
    return out


def problem_list(exc: CaseByCaseError) -> list[Problem]:
    return list(exc.problems)


def error_page(request: Request, exc: PageError) -> Response:
    """The error page (or, for a page that needs a user, the way to sign in)."""
    if isinstance(exc, SignInNeeded):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(f"/login?next={quote(target, safe='')}")
    return render(visit(request), "error.html", exc.status, error=exc)


class PageRoute(APIRoute):
    """A page route: library errors and page errors answer with the error page, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except PageError as exc:
                return error_page(request, exc)
            except CaseByCaseError as exc:
                status = status_of(exc)
                first = exc.problems[0] if exc.problems else Problem("", exc.title)
                return error_page(request, PageError(status, exc.title, first.why, first.hint))

        return page
