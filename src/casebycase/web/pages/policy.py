"""Pages about policy: the home page, the packs and their scenario tests, an agency's public
page (no sign-in, no case data at all), the dry run anyone may use, and offline API docs."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from casebycase.errors import CaseByCaseError
from casebycase.policy.compile import CompiledPack
from casebycase.policy.diff import Comparison, diff
from casebycase.policy.recommendation import evaluate
from casebycase.policy.registry import Registry
from casebycase.policy.scenarios import Report, run_scenarios
from casebycase.request import parse_request
from casebycase.vocabulary import KINDS
from casebycase.web.inputs import checked
from casebycase.web.pages import intake
from casebycase.web.pages.explain import recommendation, rule_view
from casebycase.web.pages.site import PageError, PageRoute, Visit, posted, render, visit

router = APIRouter(include_in_schema=False, route_class=PageRoute)
Seen = Annotated[Visit, Depends(visit)]
Posted = Annotated[Visit, Depends(posted)]
PACK_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
STATIC = "/static/vendor"


def agency_packs(registry: Registry) -> list[CompiledPack]:
    """The packs of real or example agencies (not the federal and state layers)."""
    packs = [registry.get(pid) for pid in registry.ids()]
    return [
        p
        for p in packs
        if p.pack.chain[-1] == p.id
        and len(p.pack.chain) > 1
        and p.pack.agency.name
        and not p.pack.agency.name.startswith("(")
    ]


def _pack(v: Visit, pack_id: str) -> CompiledPack:
    if not PACK_ID.match(pack_id) or pack_id not in v.registry:
        raise PageError(404, "not found", "no pack has this id", "see the list on /packs")
    return v.registry.get(pack_id)


@router.get("/", response_class=HTMLResponse)
def home(v: Seen) -> Response:
    return render(v, "home.html", packs=agency_packs(v.registry))


# --- the API documentation, served with the app's own copies of its scripts ----------------


@router.get("/docs", response_class=HTMLResponse)
def swagger() -> Response:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="casebycase API",
        swagger_js_url=f"{STATIC}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{STATIC}/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )


@router.get("/redoc", response_class=HTMLResponse)
def redoc() -> Response:
    return get_redoc_html(
        openapi_url="/openapi.json",
        title="casebycase API",
        redoc_js_url=f"{STATIC}/redoc/redoc.standalone.js",
        redoc_favicon_url="/static/favicon.svg",
        with_google_fonts=False,
    )


# --- packs ----------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _scenarios(pack: CompiledPack) -> Report:
    return run_scenarios(pack)


def _today(pack: CompiledPack) -> dt.date:
    return dt.datetime.now(pack.zone).date()


@router.get("/packs", response_class=HTMLResponse)
def packs(v: Seen) -> Response:
    v.signed_in()
    return render(v, "packs.html", packs=[v.registry.get(p) for p in v.registry.ids()])


@router.get("/packs/{pack_id}", response_class=HTMLResponse)
def pack(v: Seen, pack_id: str, since: str = "", until: str = "") -> Response:
    v.signed_in()
    p = _pack(v, pack_id)
    today = _today(p)
    rules = [rule_view(p, rd, today) for rd in p.rules]
    layers = [
        (layer, [r for r in rules if r.layer == layer])
        for layer in dict.fromkeys(r.layer for r in rules)
    ]
    problems: dict[str, str] = {}
    dates = {
        name: _date(text, name, problems)
        for name, text in (("since", since), ("until", until))
        if text
    }
    changes = None
    if not problems and len(dates) == 2:
        changes = _changes(p, dates["since"], dates["until"])
    return render(
        v,
        "pack.html",
        422 if problems else 200,
        pack=p,
        layers=layers,
        today=today,
        sources=list(p.pack.sources.values()),
        report=_scenarios(p),
        since=since[:10],
        until=until[:10],
        problems=problems,
        changes=changes,
    )


def _date(text: str, name: str, problems: dict[str, str]) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = dt.date(1, 1, 1)
    if not 1900 <= day.year < 2200:
        problems[name] = "not a date between 1900 and 2200: write it like 2026-01-31"
    return day


@lru_cache(maxsize=64)
def _changes(pack: CompiledPack, since: dt.date, until: dt.date) -> Comparison:
    return diff(pack, pack, (since, until))


# --- the public page: the agency's policy only --------------------------------------------


@router.get("/public/{agency}", response_class=HTMLResponse)
def public(v: Seen, agency: str) -> Response:
    p = _pack(v, agency)
    if p not in agency_packs(v.registry):
        raise PageError(
            404,
            "not found",
            "this pack is not an agency's policy",
            "choose an agency on the home page",
        )
    today = _today(p)
    rules = [rule_view(p, rd, today) for rd in p.rules]
    in_force = [r for r in rules if r.in_force]
    by_kind = [
        (kind, intake.KIND_TEXT[kind], [r for r in in_force if kind in r.kinds], _baseline(p, kind))
        for kind in KINDS
    ]
    general = [r for r in in_force if not r.kinds]
    return render(
        v,
        "public.html",
        pack=p,
        by_kind=by_kind,
        general=general,
        today=today,
        sources=list(p.pack.sources.values()),
    )


def _baseline(pack: CompiledPack, kind: str) -> str:
    """The outcome for a plain request of this kind from ICE (no papers, nobody in custody):
    what the policy does when nothing else is known."""
    request = parse_request(
        {
            "agency": pack.id,
            "kind": kind,
            "purpose": "civil_immigration",
            "requester": {"agency": "ICE"},
            "received_at": dt.datetime.now(pack.zone).isoformat(),
        }
    )
    return evaluate(request, pack).outcome


# --- the dry run ----------------------------------------------------------------------------


@router.get("/try", response_class=HTMLResponse)
def try_page(v: Seen, kind: str = "") -> Response:
    chosen = intake.known_kind(kind)
    if chosen is None:
        return render(
            v,
            "kind.html",
            kinds=KINDS,
            kind_text=intake.KIND_TEXT,
            unknown=bool(kind),
            action="/try",
            heading="Try a request",
        )
    return render(v, "try.html", **_try_form(chosen), results=None)


def _try_form(kind: str, **context: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "layout": intake.layout(kind),
        "kind_text": intake.KIND_TEXT,
        "doc_text": intake.DOCUMENT_TEXT,
        "choices": intake.CHOICES,
        "rows": range(intake.OFFENSE_ROWS),
        "agencies": [],
        "agency": "",
        "now": intake.local_input(dt.datetime.now(dt.UTC), ZoneInfo("America/Chicago")),
        "values": {},
        "problems": {},
        "unplaced": [],
        **context,
    }


@router.post("/try", response_class=HTMLResponse)
def try_run(v: Posted) -> Response:
    kind = intake.known_kind(v.get("kind"))
    if kind is None:
        raise PageError(
            422, "unknown kind", "this is not a kind of request", "choose the kind on /try"
        )
    results: list[dict[str, Any]] = []
    problems: dict[str, str] = {}
    for p in agency_packs(v.registry):
        try:
            request = parse_request(checked(intake.to_request(v.form, kind, p.id, p.zone)))
        except CaseByCaseError as exc:
            problems = {
                intake.field_of(q.where, v.form): f"{q.why}: {q.hint}" for q in exc.problems
            }
            break
        results.append({"pack": p, "rec": recommendation(evaluate(request, p).to_dict(), p)})
    if problems:
        results = []
    status = 422 if problems else 200
    return render(
        v,
        "try.html",
        status,
        **_try_form(
            kind,
            values=v.form,
            problems=problems,
            unplaced=[
                f"{k}: {w}" if k else w
                for k, w in problems.items()
                if k not in intake.field_names(kind)
            ],
        ),
        results=results,
    )
