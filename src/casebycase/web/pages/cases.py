"""Pages for signed-in staff: sign in and out, the queue, the deadline board, a new request
with its live recommendation, and the case page (decide, review, close, reopen, audit)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from casebycase.cases.model import Actor
from casebycase.cases.service import CaseService
from casebycase.cases.users import Throttled, Unauthorized, Users
from casebycase.errors import CaseByCaseError, PackNotFound, Problem, RequestError
from casebycase.policy.recommendation import evaluate
from casebycase.request import parse_request
from casebycase.vocabulary import KINDS
from casebycase.web.errors import status_of
from casebycase.web.inputs import checked, text_problem
from casebycase.web.pages import intake
from casebycase.web.pages.explain import recommendation
from casebycase.web.pages.site import (
    SESSION,
    PageError,
    PageRoute,
    Visit,
    posted,
    problems_by_field,
    redirect,
    render,
    visit,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)
Seen = Annotated[Visit, Depends(visit)]
Posted = Annotated[Visit, Depends(posted)]
CASE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
STATES = ("received", "recommended", "decided", "reviewed", "closed")
OUTCOMES = ("comply", "partial", "decline", "refer")
NOTE_MAX = 5000


def _service(v: Visit) -> CaseService:
    service: CaseService = v.request.app.state.service
    return service


# --- signing in and out ---------------------------------------------------------------------


def _next(target: str) -> str:
    return (
        target
        if target.startswith("/") and not target.startswith("//") and "\\" not in target
        else "/cases"
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(v: Seen, next: str = "/cases") -> Response:
    return render(v, "login.html", next=_next(next), problems={})


@router.post("/login", response_class=HTMLResponse)
def login(v: Posted) -> Response:
    users: Users = v.request.app.state.users
    username, password, target = v.get("username").strip(), v.get("password"), v.get("next")
    problems: dict[str, str] = {}
    if not username:
        problems["username"] = "required field is missing: add 'username'"
    if not password:
        problems["password"] = "required field is missing: add 'password'"
    for name, value in (("username", username), ("password", password)):
        why = text_problem(value) or ("longer than 1000 characters" if len(value) > 1000 else None)
        if why:
            problems[name] = why
    if problems:
        return render(
            v,
            "login.html",
            422,
            next=_next(target),
            problems=problems,
            username_value=username[:100],
        )
    try:
        token, expires = users.login(username, password)
    except (Unauthorized, Throttled) as exc:
        status = 429 if isinstance(exc, Throttled) else 401
        return render(
            v,
            "login.html",
            status,
            next=_next(target),
            problems={},
            failure=exc.problems[0].why
            if isinstance(exc, Throttled)
            else "The username or password is wrong.",
            username_value=username[:100],
        )
    role = users.authenticate(token).role
    staff = role != "public"
    response = redirect(_next(target) if staff or target.startswith("/public/") else "/")
    age = max(1, int((expires - dt.datetime.now(dt.UTC)).total_seconds()))
    response.set_cookie(
        SESSION, token, max_age=age, httponly=True, secure=True, samesite="strict", path="/"
    )
    return response


@router.post("/logout")
def logout(v: Posted) -> Response:
    response = redirect("/login")
    response.delete_cookie(SESSION, path="/", secure=True, httponly=True, samesite="strict")
    return response


# --- the queue and the deadline board -------------------------------------------------------


@router.get("/cases", response_class=HTMLResponse)
def queue(v: Seen, kind: str = "", outcome: str = "", state: str = "open") -> Response:
    who = v.signed_in()
    kind = kind if kind in KINDS else ""
    outcome = outcome if outcome in OUTCOMES else ""
    state = state if state in (*STATES, "open", "all") else "open"
    service = _service(v)
    cases = service.find(who, state if state in STATES else None, kind or None, 500)
    if state == "open":
        cases = [c for c in cases if c["state"] != "closed"]
    if outcome:
        cases = [c for c in cases if c["recommended_outcome"] == outcome]
    next_due: dict[str, Any] = {}
    for d in service.due(who, dt.timedelta(days=3660)):
        next_due.setdefault(d.case_id, d)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)

    def order(c: dict[str, Any]) -> tuple[bool, dt.datetime, str]:
        d = next_due.get(c["id"])
        return (not (d and d.overdue), (d.due_at or far) if d else far, c["received_at"])

    cases.sort(key=order)
    rows = [{**c, "due": next_due.get(c["id"]), "zone": v.zone(c["agency"])} for c in cases]
    return render(
        v,
        "queue.html",
        rows=rows,
        kinds=KINDS,
        outcomes=OUTCOMES,
        states=STATES,
        kind=kind,
        outcome=outcome,
        state=state,
    )


@router.get("/deadlines", response_class=HTMLResponse)
def deadlines(v: Seen, days: str = "14") -> Response:
    who = v.signed_in()
    span = int(days) if days.isdigit() and 0 < int(days) <= 3660 else 14
    rows = _service(v).due(who, dt.timedelta(days=span))
    cases = {c["id"]: c for c in _service(v).find(who, None, None, 500)}
    return render(v, "deadlines.html", rows=rows, days=span, zone=v.zone(who.agency), cases=cases)


# --- a new request --------------------------------------------------------------------------


def _agencies(who: Actor) -> list[str]:
    return sorted(who.agencies | {who.agency})


def _form(v: Visit, kind: str, **context: Any) -> dict[str, Any]:
    who = v.signed_in()
    agency = context.pop("agency", who.agency)
    zone = v.zone(agency)
    return {
        "kind": kind,
        "layout": intake.layout(kind),
        "agencies": _agencies(who),
        "agency": agency,
        "kind_text": intake.KIND_TEXT,
        "doc_text": intake.DOCUMENT_TEXT,
        "choices": intake.CHOICES,
        "rows": range(intake.OFFENSE_ROWS),
        "now": intake.local_input(dt.datetime.now(dt.UTC), zone),
        "zone": zone,
        "values": {},
        "problems": {},
        "unplaced": [],
        **context,
    }


@router.get("/cases/new", response_class=HTMLResponse)
def new_case(v: Seen, kind: str = "") -> Response:
    v.signed_in()
    chosen = intake.known_kind(kind)
    if chosen is None:
        return render(
            v,
            "kind.html",
            kinds=KINDS,
            kind_text=intake.KIND_TEXT,
            unknown=bool(kind),
            action="/cases/new",
            heading="New request",
        )
    return render(v, "new.html", **_form(v, chosen))


def _request_of(v: Visit) -> tuple[str, str, dict[str, Any]]:
    who = v.signed_in()
    kind = intake.known_kind(v.get("kind"))
    if kind is None:
        raise PageError(
            422,
            "unknown kind",
            f"'{v.get('kind')[:40]}' is not a kind of request",
            "choose the kind on /cases/new",
        )
    agency = v.get("agency") or who.agency
    if agency not in _agencies(who):
        raise RequestError(
            [
                Problem(
                    "agency",
                    f"you may not open cases for '{agency[:100]}'",
                    "open cases for your own agency",
                )
            ],
            title="forbidden",
        )
    return kind, agency, intake.to_request(v.form, kind, agency, v.zone(agency))


@router.post("/cases/preview", response_class=HTMLResponse)
def preview(v: Posted) -> Response:
    """The recommendation for the form as it stands, stored nowhere (a page fragment)."""
    try:
        _, agency, data = _request_of(v)
        request = parse_request(checked(data))
        rec = evaluate(request, v.registry.get(agency)).to_dict()
    except CaseByCaseError as exc:
        found = [Problem(intake.field_of(p.where, v.form), p.why, p.hint) for p in exc.problems]
        return render(v, "_preview.html", problems=found, rec=None)
    return render(v, "_preview.html", problems=[], rec=recommendation(rec, v.registry.get(agency)))


@router.post("/cases/new", response_class=HTMLResponse)
def save_case(v: Posted) -> Response:
    kind = intake.known_kind(v.get("kind")) or "detainer"
    agency = v.get("agency") or v.signed_in().agency
    try:
        kind, agency, data = _request_of(v)
        case = _service(v).intake(checked(data), v.signed_in())
    except CaseByCaseError as exc:
        problems = {intake.field_of(k, v.form): why for k, why in problems_by_field(exc).items()}
        known = intake.field_names(kind)
        unplaced = [f"{k}: {why}" if k else why for k, why in problems.items() if k not in known]
        return render(
            v,
            "new.html",
            422,
            **_form(v, kind, agency=agency, values=v.form, problems=problems, unplaced=unplaced),
        )
    return redirect(f"/cases/{case['id']}")


# --- the case page --------------------------------------------------------------------------


def _case_id(case_id: str) -> str:
    if not CASE_ID.match(case_id):
        raise PageError(404, "not found", "no such case", "check the case id")
    return case_id


def _case_page(v: Visit, case_id: str, status: int = 200, **context: Any) -> Response:
    who = v.signed_in()
    service = _service(v)
    case = service.get(case_id, who)
    try:
        pack = v.registry.get(case["pack"])
    except PackNotFound:
        pack = None
    zone = v.zone(case["agency"])
    decisions = case.get("decisions", [])
    chain = (
        [b for b in service.verify_audit() if b.agency == case["agency"]]
        if who.role != "public"
        else []
    )
    last = decisions[-1] if decisions else None
    may = {
        "decide": who.role in ("officer", "supervisor") and case["state"] == "recommended",
        "review": who.role == "supervisor"
        and case["state"] == "decided"
        and last is not None
        and last["actor"] != who.user,
        "own_decision": who.role == "supervisor"
        and case["state"] == "decided"
        and last is not None
        and last["actor"] == who.user,
        "close": who.role in ("officer", "supervisor")
        and (
            case["state"] == "reviewed" or (case["state"] == "decided" and not case["needs_review"])
        ),
        "reopen": who.role in ("supervisor", "counsel") and case["state"] == "closed",
    }
    rec = case.get("recommendation") or {}
    form = context.get("form", "")
    shown = {"decision": may["decide"], "review": may["review"], "reopen": may["reopen"]}
    return render(
        v,
        "case.html",
        status,
        case=case,
        zone=zone,
        may=may,
        chain=chain,
        alert=not shown.get(form, False),
        rec=recommendation(rec, pack) if rec else None,
        outcomes=OUTCOMES,
        form=context.pop("form", ""),
        problems=context.pop("problems", {}),
        values=context.pop("values", {}),
        **context,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(v: Seen, case_id: str) -> Response:
    return _case_page(v, _case_id(case_id))


def _note(v: Visit, name: str, problems: dict[str, str]) -> str | None:
    value = v.get(name).strip()
    why = text_problem(value) or (
        f"longer than {NOTE_MAX} characters" if len(value) > NOTE_MAX else None
    )
    if why:
        problems[name] = why
    return value or None


def _act(v: Visit, case_id: str, form: str, step: Any) -> Response:
    """Run one step of the case's life; on a problem, show the case page with it."""
    problems: dict[str, str] = {}
    status = 422
    try:
        step(problems)
    except CaseByCaseError as exc:
        problems.update(problems_by_field(exc))
        status = status_of(exc)
    if problems:
        return _case_page(v, case_id, status, form=form, problems=problems, values=v.form)
    return redirect(f"/cases/{case_id}")


@router.post("/cases/{case_id}/decision", response_class=HTMLResponse)
def decide(v: Posted, case_id: str) -> Response:
    case_id, who = _case_id(case_id), v.signed_in()

    def step(problems: dict[str, str]) -> None:
        reason = _note(v, "reason", problems)
        taken = [a for a in v.form.get("actions_taken", []) if a][:50]
        bad = [a for a in taken if len(a) > 100 or text_problem(a)]
        if bad:
            problems["actions_taken"] = "an action name is too long or holds a bad character"
        if not problems:
            _service(v).decide(case_id, who, v.get("outcome"), taken, reason)

    return _act(v, case_id, "decision", step)


@router.post("/cases/{case_id}/review", response_class=HTMLResponse)
def review(v: Posted, case_id: str) -> Response:
    case_id, who = _case_id(case_id), v.signed_in()

    def step(problems: dict[str, str]) -> None:
        note = _note(v, "note", problems)
        verdict = v.get("approve")
        if verdict not in ("true", "false"):
            problems["approve"] = "choose approve or return"
        case = _service(v).get(case_id, who)
        decisions = case.get("decisions", [])
        if decisions and decisions[-1]["actor"] == who.user:
            problems["approve"] = (
                "you made this decision; another supervisor reviews it: ask a colleague"
            )
        if not problems:
            _service(v).review(case_id, who, verdict == "true", note)

    return _act(v, case_id, "review", step)


@router.post("/cases/{case_id}/close", response_class=HTMLResponse)
def close(v: Posted, case_id: str) -> Response:
    case_id, who = _case_id(case_id), v.signed_in()
    return _act(v, case_id, "close", lambda problems: _service(v).close(case_id, who))


@router.post("/cases/{case_id}/reopen", response_class=HTMLResponse)
def reopen(v: Posted, case_id: str) -> Response:
    case_id, who = _case_id(case_id), v.signed_in()

    def step(problems: dict[str, str]) -> None:
        reason = _note(v, "reason", problems)
        if not problems:
            _service(v).reopen(case_id, who, reason or "")

    return _act(v, case_id, "reopen", step)
