"""The REST API: a thin shell over the case service and the user accounts.

``create_app(settings)`` builds the application; OpenAPI is at ``/openapi.json``. Every
failure answers ``{"error", "problems": [{"where", "why", "hint"}]}`` (see web/errors.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import Body, Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool
from starlette.exceptions import HTTPException

from casebycase.cases.model import Actor
from casebycase.cases.service import CaseService, Forbidden
from casebycase.cases.users import Unauthorized, Users
from casebycase.errors import CaseByCaseError, Problem
from casebycase.policy.compile import CompiledPack
from casebycase.policy.recommendation import evaluate
from casebycase.policy.registry import Registry
from casebycase.request import parse_request, request_schema
from casebycase.settings import Settings
from casebycase.store.store import Store
from casebycase.web import errors, pages
from casebycase.web.inputs import check_text, checked
from casebycase.web.limits import BodyLimit

CASE_ID = Path(
    pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    description="The case id (a UUID)",
)
PACK_ID = Path(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$", description="A bundled pack id")
MAX_BATCH = 500


Short = Annotated[str, Field(max_length=100), AfterValidator(check_text)]
"""A name the store can hold (no NUL, no lone surrogate)."""
Secret = Annotated[str, Field(max_length=1000), AfterValidator(check_text)]
Note = Annotated[str, Field(max_length=5000), AfterValidator(check_text)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Login(_Body):
    username: Short
    password: Secret


class Decision(_Body):
    outcome: Literal["comply", "partial", "decline", "refer"]
    actions_taken: list[Short] = Field(default_factory=list, max_length=50)
    reason: Note | None = Field(
        None,
        description="Required (non-blank) when the outcome "
        "departs from the recommendation; such a decision then needs "
        "another user's review",
    )


class Review(_Body):
    approve: StrictBool
    note: Note | None = None


class Reopen(_Body):
    reason: Note


class Batch(_Body):
    requests: list[Any] = Field(
        min_length=1, max_length=MAX_BATCH, description="Request objects (format v1)"
    )


class ErrorBody(BaseModel):
    """The one error shape."""

    error: str
    problems: list[dict[str, str]]


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": title}
    for code, title in [
        (400, "bad request"),
        (401, "unauthorized"),
        (403, "forbidden"),
        (404, "not found"),
        (409, "illegal transition, or a concurrent change came first"),
        (413, "request too large (body over the server's limit)"),
        (422, "invalid input (also: a JSON key repeated in one object)"),
        (429, "too many failed logins (see Retry-After)"),
        (500, "unexpected failure (the answer names a correlation id)"),
    ]
}
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[\x21-\x7e]{1,200}$",
        description="The same key (per agency) answers the first intake again instead of "
        "opening a second case; without it the request's own id serves as the key",
    ),
]


BEARER = HTTPBearer(auto_error=False, description="An API token or a session token")


def actor(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
) -> Actor:
    """Who is calling, from ``Authorization: Bearer <token>``."""
    if credentials is None:
        raise Unauthorized(
            [Problem("Authorization", "no bearer token", "send 'Authorization: Bearer <token>'")],
            title="unauthorized",
        )
    users: Users = request.app.state.users
    return users.authenticate(credentials.credentials)


Who = Annotated[Actor, Depends(actor)]
CaseId = Annotated[str, CASE_ID]


def create_app(
    settings: Settings,
    store: Store | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    registry: Registry | None = None,
) -> FastAPI:
    """The API over the store at ``settings.database_url`` (or the given store), serving the
    packs of ``registry`` (default: the bundled packs; pack ids come from the network and
    are never read as paths)."""
    store = store or Store.open(settings.database_url)
    clock = clock or (lambda: dt.datetime.now(dt.UTC))
    registry = registry or Registry()
    bundled_pack = registry.get
    service = CaseService(store, clock, registry.get)
    accounts = Users(store, clock)
    app = FastAPI(
        title="casebycase",
        version="0.1.0",
        responses=ERRORS,
        description="Decide each federal immigration request case by case.",
    )
    errors.install(app)
    app.add_middleware(
        BodyLimit, limit=settings.max_body, larger={"/api/cases/batch": settings.max_batch_body}
    )
    app.add_middleware(errors.Correlation)
    app.state.store, app.state.service, app.state.users = store, service, accounts
    pages.install(app, registry)

    @app.post("/api/login", tags=["auth"])
    def login(body: Login, request: Request, response: Response) -> dict[str, Any]:
        """Exchange a username and password for a session token (throttled per account and
        per client address with exponential back-off; unknown users answer the same)."""
        client = request.client.host if request.client else None
        token, expires = accounts.login(body.username, body.password, client)
        response.headers.update(NO_STORE)
        return {"token": token, "token_type": "bearer", "expires_at": expires.isoformat()}

    @app.post("/api/logout", tags=["auth"], status_code=204)
    def logout(
        who: Who, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
    ) -> Response:
        """End the session (or revoke the API token) used for this call."""
        assert credentials is not None  # ``who`` required one
        accounts.logout(credentials.credentials)
        return Response(status_code=204, headers=NO_STORE)

    @app.get("/api/me", tags=["auth"])
    def me(who: Who) -> dict[str, Any]:
        """Who the token belongs to."""
        return {
            "user": who.user,
            "role": who.role,
            "agency": who.agency,
            "agencies": sorted(who.agencies),
        }

    @app.post(
        "/api/cases",
        status_code=201,
        tags=["cases"],
        responses={
            200: {"description": "The case first opened under this Idempotency-Key or request id"}
        },
    )
    def intake(
        who: Who,
        response: Response,
        key: IdempotencyKey = None,
        request: Annotated[
            dict[str, Any], Body(description="One request (format v1; see GET /api/schema)")
        ] = ...,  # type: ignore[assignment]
    ) -> dict[str, Any]:
        """Open a case: validate, recommend under the rules in force, store. Idempotent per
        agency by ``Idempotency-Key`` and by the request's own ``id``."""
        case, created = service.intake_once(checked(request), who, key)
        if not created:
            response.status_code = 200
            response.headers["Idempotent-Replayed"] = "true"
        return case

    @app.post("/api/cases/batch", tags=["cases"])
    def intake_batch(who: Who, body: Batch, key: IdempotencyKey = None) -> dict[str, Any]:
        """Open many cases; each item succeeds or fails on its own, and each is idempotent
        (by its own ``id``, and by ``Idempotency-Key`` + ``:`` + its index): a retried
        batch answers 200 for the items already opened."""
        results: list[dict[str, Any]] = []
        for i, item in enumerate(body.requests):
            try:
                case, fresh = service.intake_once(checked(item), who, f"{key}:{i}" if key else None)
            except CaseByCaseError as exc:
                results.append(
                    {"index": i, "status": errors.status_of(exc), **errors.library_body(exc)}
                )
            else:
                results.append(
                    {
                        "index": i,
                        "status": 201 if fresh else 200,
                        "id": case["id"],
                        "recommended_outcome": case["recommended_outcome"],
                    }
                )
        created = sum(r["status"] == 201 for r in results)
        replayed = sum(r["status"] == 200 for r in results)
        return {
            "created": created,
            "replayed": replayed,
            "failed": len(results) - created - replayed,
            "results": results,
        }

    @app.get("/api/cases/batch", include_in_schema=False)
    def batch_is_post_only() -> None:
        raise HTTPException(405, "batch intake takes POST only", headers={"Allow": "POST"})

    @app.get("/api/cases", tags=["cases"])
    def find(
        who: Who,
        state: Literal["received", "recommended", "decided", "reviewed", "closed"] | None = None,
        kind: Annotated[str | None, Query(pattern=r"^[a-z_]{1,40}$")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> list[dict[str, Any]]:
        """Cases the user may see, newest first (without request and recommendation)."""
        return [_summary(c) for c in service.find(who, state, kind, limit, offset)]

    @app.get("/api/cases/{case_id}", tags=["cases"])
    def get(who: Who, case_id: CaseId) -> dict[str, Any]:
        """A case with its request, recommendation, decisions, reviews, deadlines, audit."""
        return service.get(case_id, who)

    @app.post("/api/cases/{case_id}/decision", tags=["cases"])
    def decide(who: Who, case_id: CaseId, body: Decision) -> dict[str, Any]:
        """Record a person's decision; a departure from the recommendation needs a reason."""
        return service.decide(case_id, who, body.outcome, body.actions_taken, body.reason)

    @app.post("/api/cases/{case_id}/review", tags=["cases"])
    def review(who: Who, case_id: CaseId, body: Review) -> dict[str, Any]:
        """A supervisor approves the decision or returns it."""
        return service.review(case_id, who, body.approve, body.note)

    @app.post("/api/cases/{case_id}/close", tags=["cases"])
    def close(who: Who, case_id: CaseId) -> dict[str, Any]:
        """Close a decided (and, when needed, reviewed) case."""
        return service.close(case_id, who)

    @app.post("/api/cases/{case_id}/reopen", tags=["cases"])
    def reopen(who: Who, case_id: CaseId, body: Reopen) -> dict[str, Any]:
        """Reopen a closed case for a new decision, with a reason."""
        return service.reopen(case_id, who, body.reason)

    @app.post("/api/cases/{case_id}/expunge", tags=["cases"])
    def expunge(who: Who, case_id: CaseId) -> dict[str, Any]:
        """Counsel: remove every free text and reference of a case; the audit chain keeps
        only hashes and still verifies."""
        return {"case_id": case_id, "payloads_removed": service.expunge(case_id, who)}

    @app.get("/api/deadlines", tags=["cases"])
    def due(
        who: Who, within_hours: Annotated[float, Query(ge=0, le=24 * 366)] = 24
    ) -> list[dict[str, Any]]:
        """Open deadlines due within the given hours, overdue first."""
        return [
            {
                "case_id": d.case_id,
                "action": d.action,
                "clock": d.clock,
                "due_at": d.due_at.isoformat() if d.due_at else None,
                "overdue": d.overdue,
            }
            for d in service.due(who, dt.timedelta(hours=within_hours))
        ]

    @app.post("/api/evaluate", tags=["policy"])
    def dry_run(
        who: Who,
        request: Annotated[dict[str, Any], Body()],
        pack: Annotated[
            str | None, Query(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$", description="What-if pack")
        ] = None,
    ) -> dict[str, Any]:
        """The recommendation for a request, stored nowhere."""
        parsed = parse_request(checked(request))
        return evaluate(parsed, bundled_pack(pack or parsed.agency)).to_dict()

    @app.get("/api/packs", tags=["policy"])
    def packs(who: Who) -> list[dict[str, Any]]:
        """The bundled packs."""
        return [_pack_summary(bundled_pack(pid)) for pid in registry.ids()]

    @app.get("/api/packs/{pack_id}", tags=["policy"])
    def pack(who: Who, pack_id: Annotated[str, PACK_ID]) -> dict[str, Any]:
        """A pack's profile, sources and rules."""
        p = bundled_pack(pack_id)
        return {
            **_pack_summary(p),
            "summary": p.pack.summary,
            "agency": p.pack.agency.model_dump(mode="json"),
            "sources": {k: s.model_dump(mode="json") for k, s in p.pack.sources.items()},
            "rules": [
                {**r.rule.model_dump(mode="json"), "layer": r.layer, "pack": r.pack}
                for r in p.rules
            ],
        }

    @app.get("/api/schema", tags=["policy"])
    def schema(who: Who) -> dict[str, Any]:
        """The JSON Schema of the request format."""
        return request_schema()

    @app.get("/api/audit/verify", tags=["audit"])
    def verify(who: Who) -> dict[str, Any]:
        """Recompute the audit chains of the user's agencies (only theirs, in a read
        snapshot); the first bad event of each."""
        if who.role == "public":
            raise Forbidden(
                [Problem("role", "a public user may not read the audit trail", "ask an auditor")],
                title="forbidden",
            )
        breaks = service.verify_for(who)
        return {
            "ok": not breaks,
            "breaks": [
                {"agency": b.agency, "seq": b.seq, "event_id": b.event_id, "why": b.why}
                for b in breaks
            ],
        }

    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _with_request_schema(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _with_request_schema(spec: dict[str, Any]) -> dict[str, Any]:
    """Describe the request bodies of intake and evaluate with the request format's schema."""
    text = json.dumps(request_schema()).replace("#/$defs/", "#/components/schemas/Request_")
    schema = json.loads(text)
    schema.pop("$id", None)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.update({f"Request_{k}": v for k, v in schema.pop("$defs", {}).items()})
    schemas["Request"] = schema
    for path in ("/api/cases", "/api/evaluate"):
        body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        body["schema"] = {"$ref": "#/components/schemas/Request"}
    return spec


def _summary(case: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in case.items() if k not in ("request", "recommendation")}


def _pack_summary(p: CompiledPack) -> dict[str, Any]:
    return {
        "id": p.id,
        "version": p.version,
        "digest": p.digest,
        "title": p.pack.title,
        "chain": list(p.pack.chain),
        "rules": len(p.rules),
    }
