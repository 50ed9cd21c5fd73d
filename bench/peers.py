"""Peer engines for the decision benchmark.

The benchmark policy (13 rules, see ``/work/shared/bench/peer-policy.yaml``) decides on a flat
input dict. This module holds the seeded input generator, the hand-written Python reference,
one adapter per peer engine (each built once, then ``decide(inp) -> (outcome, fired)``), the
mapping of a flat input to a casebycase request, and the casebycase adapter.

Semantics: every rule is evaluated; ``fired`` is the ids of all rules that hold, ascending;
the outcome is that of the lowest id; nothing fired gives ``("refer", ("R99",))``.
"""

from __future__ import annotations

import importlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
POLICY_DIR = BENCH_DIR / "peers"
PACK_DIR = BENCH_DIR / "packs"

Decision = tuple[str, tuple[str, ...]]
Decide = Callable[[dict[str, Any]], Decision]

REQUEST_TYPES = (
    "detainer",
    "notification",
    "admin_warrant",
    "judicial_warrant",
    "info_request",
    "joint_operation",
    "criminal_investigation",
    "transport",
)
OFFENSE_CATEGORIES = (
    "human_trafficking",
    "sex_trafficking",
    "violent_felony",
    "drug_felony",
    "dwi",
    "misdemeanor",
    "none",
)
HOURS_MIN, HOURS_MAX = -24, 120

DEFAULT: Decision = ("refer", ("R99",))
OUTCOMES = {
    "R01": "assist",
    "R02": "assist",
    "R03": "assist",
    "R04": "decline",
    "R05": "decline",
    "R06": "notify_only",
    "R07": "decline",
    "R08": "notify_only",
    "R09": "decline",
    "R10": "assist",
    "R11": "decline",
    "R12": "decline",
    "R13": "assist",
}


# --- inputs ----------------------------------------------------------------------------------


def generate_inputs(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Return ``n`` flat inputs drawn uniformly from the policy's input domains."""
    rng = random.Random(seed)
    choice, randint = rng.choice, rng.randint
    bools = (False, True)
    return [
        {
            "request_type": choice(REQUEST_TYPES),
            "offense_category": choice(OFFENSE_CATEGORIES),
            "has_judicial_warrant": choice(bools),
            "immigration_violation_only": choice(bools),
            "agency_has_287g": choice(bools),
            "subject_in_custody": choice(bools),
            "hours_until_release": randint(HOURS_MIN, HOURS_MAX),
        }
        for _ in range(n)
    ]


# --- reference -------------------------------------------------------------------------------

_HOLD_TYPES = frozenset({"detainer", "judicial_warrant", "transport"})
_MOU_TYPES = frozenset({"criminal_investigation", "joint_operation"})
_TRAFFICKING = frozenset({"human_trafficking", "sex_trafficking"})
_FELONIES = frozenset({"violent_felony", "drug_felony"})
_NOTIFIABLE = _FELONIES | _TRAFFICKING


def reference(inp: dict[str, Any]) -> Decision:
    """Decide with the 13 rules written as plain Python: ``(outcome, fired ids ascending)``."""
    rt = inp["request_type"]
    oc = inp["offense_category"]
    warrant = inp["has_judicial_warrant"]
    custody = inp["subject_in_custody"]
    hours = inp["hours_until_release"]
    fired = []
    if rt == "info_request":
        fired.append("R01")
    if warrant and rt in _HOLD_TYPES:
        fired.append("R02")
    if rt in _MOU_TYPES and oc in _TRAFFICKING:
        fired.append("R03")
    if inp["immigration_violation_only"] and not warrant:
        fired.append("R04")
    if rt == "admin_warrant":
        fired.append("R05")
    if rt == "detainer" and not warrant and oc == "violent_felony":
        fired.append("R06")
    if rt == "detainer" and not warrant:
        fired.append("R07")
    if rt == "notification" and custody and hours <= 48 and oc in _NOTIFIABLE:
        fired.append("R08")
    if rt == "notification" and not custody:
        fired.append("R09")
    if rt == "joint_operation" and inp["agency_has_287g"] and oc in _FELONIES:
        fired.append("R10")
    if rt == "joint_operation" and not inp["agency_has_287g"]:
        fired.append("R11")
    if rt == "transport" and not warrant and (not custody or hours <= 0):
        fired.append("R12")
    if rt == "criminal_investigation" and oc in _FELONIES:
        fired.append("R13")
    if not fired:
        return DEFAULT
    return OUTCOMES[fired[0]], tuple(fired)


# --- peer engines ----------------------------------------------------------------------------


def _policy(name: str) -> str:
    return (POLICY_DIR / name).read_text(encoding="utf-8")


def zen_engine() -> Decide:
    """ZEN decision table (``policy.jdm.json``, ``collect`` hit policy).

    The decision is served by a ``ZenEngine`` with a static loader: in zen-engine 2.x,
    ``ZenEngine.evaluate(key, ...)`` is about 10x faster than ``ZenDecision.evaluate`` on a
    decision from ``create_decision`` (or from a callback loader).
    """
    import zen

    content = {"policy": json.loads(_policy("policy.jdm.json"))}
    engine = zen.ZenEngine({"loader": {"type": "static", "content": content}})
    evaluate = engine.evaluate

    def decide(inp: dict[str, Any]) -> Decision:
        result = evaluate("policy", inp)["result"]
        return result["outcome"], tuple(result["fired"])

    return decide


def cel_engine() -> Decide:
    """CEL expression (``policy.cel``), compiled once, executed with the input as variables."""
    import cel

    execute = cel.compile(_policy("policy.cel")).execute

    def decide(inp: dict[str, Any]) -> Decision:
        result = execute(inp)
        return result["outcome"], tuple(result["fired"])

    return decide


def cedar_engine() -> Decide:
    """Cedar permits (``policy.cedar``); outcome of the lowest satisfied ``@id``.

    Policies and (empty) entities are parsed once into handles. Cedar reports the satisfied
    permits as positional policy ids (``policy0``...); their ``@id`` annotations come back in
    ``id_annotations_by_reason``, in no particular order. ``@outcome`` is read once from the
    parsed policy set.
    """
    import cedarpy

    policies = cedarpy.PolicySet.from_str(_policy("policy.cedar"))
    outcomes = {
        p.annotations["id"]: p.annotations["outcome"]
        for p in policies.to_pst().static_policies.values()
    }
    entities = cedarpy.Entities.from_json_str("[]")
    is_authorized = cedarpy.is_authorized
    principal = {"type": "Agency", "id": "local"}
    action = {"type": "Action", "id": "decide"}
    resource = {"type": "Request", "id": "r"}

    def decide(inp: dict[str, Any]) -> Decision:
        request = {"principal": principal, "action": action, "resource": resource, "context": inp}
        diagnostics = is_authorized(request, policies, entities).diagnostics
        if diagnostics.errors:
            raise RuntimeError(f"cedar: {diagnostics.errors}")
        fired = tuple(sorted(diagnostics.id_annotations_by_reason.values()))
        if not fired:
            return DEFAULT
        return outcomes[fired[0]], fired

    return decide


REGO_ENTRYPOINT = "peerbench/immigration/decision"


def rego_engine() -> Decide:
    """Rego v1 (``policy.rego``) compiled once into a bundle; ``data.peerbench.immigration``.

    The bundle is built with the entrypoint ``peerbench/immigration/decision`` and queried per
    decision after ``set_input``. ``Interpreter.query(...)`` recompiles on every call
    (milliseconds per decision); a bundle built once avoids that.
    """
    import regopy

    builder = regopy.Interpreter()
    builder.add_module("policy.rego", _policy("policy.rego"))
    bundle = builder.build(None, [REGO_ENTRYPOINT])
    if not bundle.ok():
        raise RuntimeError("rego: bundle build failed")
    interpreter = regopy.Interpreter()
    set_input = interpreter.set_input
    query = interpreter.query_bundle_entrypoint

    def decide(inp: dict[str, Any]) -> Decision:
        set_input(inp)
        output = query(bundle, REGO_ENTRYPOINT)
        if not output.results:
            raise RuntimeError(f"rego: {output}")
        result = output.results[0].expressions[0]
        return result["outcome"], tuple(result["fired"])

    return decide


@dataclass(frozen=True)
class Peer:
    """A peer engine: display name, module it needs, and its adapter factory."""

    name: str
    module: str
    build: Callable[[], Decide]


PEERS = (
    Peer("zen", "zen", zen_engine),
    Peer("cel", "cel", cel_engine),
    Peer("cedar", "cedarpy", cedar_engine),
    Peer("rego", "regopy", rego_engine),
)


# --- casebycase ------------------------------------------------------------------------------

RECEIVED_AT = datetime.fromisoformat("2026-03-02T14:00:00-06:00")
PACK_IDS = ("peer-bench", "peer-bench-287g")
API = ("load_pack", "parse_request", "evaluate")
TO_CASEBYCASE = {
    "assist": "comply",
    "notify_only": "partial",
    "decline": "decline",
    "refer": "refer",
}
_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "detainer": ("detainer", ("I-247A",)),
    "notification": ("release_notification", ()),
    "admin_warrant": ("warrant_service", ("I-200",)),
    "judicial_warrant": ("warrant_service", ("judicial_warrant",)),
    "info_request": ("status_check", ()),
    "joint_operation": ("enforcement_support", ()),
    "criminal_investigation": ("investigation_support", ()),
    "transport": ("transfer", ()),
}


def _offense_level(category: str) -> str:
    return "felony" if category.endswith("felony") or category in _TRAFFICKING else "misdemeanor"


def flat_to_request(inp: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Map a flat input to ``(agency pack id, request dict)``; see ``bench/MAPPING.md``."""
    kind, documents = _KINDS[inp["request_type"]]
    category = inp["offense_category"]
    release_at = RECEIVED_AT + timedelta(hours=inp["hours_until_release"])
    agency = PACK_IDS[1] if inp["agency_has_287g"] else PACK_IDS[0]
    request = {
        "agency": agency,
        "received_at": RECEIVED_AT.isoformat(),
        "requester": {"agency": "ICE", "component": "ERO"},
        "kind": kind,
        "purpose": "civil_immigration" if inp["immigration_violation_only"] else "criminal",
        "documents": list(documents),
        "judicial_warrant": inp["has_judicial_warrant"],
        "subject": {
            "ref": "S-1",
            "in_custody": inp["subject_in_custody"],
            "release_at": release_at.isoformat(),
        },
        "offenses": (
            []
            if category == "none"
            else [{"category": category, "level": _offense_level(category)}]
        ),
    }
    return agency, request


@dataclass(frozen=True)
class CasebycaseEngine:
    """casebycase with the two benchmark packs loaded."""

    module: Any
    packs: dict[str, Any]

    def requests(self, inputs: Sequence[dict[str, Any]]) -> list[tuple[Any, dict[str, Any]]]:
        """``(pack, request dict)`` per input."""
        pairs = (flat_to_request(inp) for inp in inputs)
        return [(self.packs[agency], request) for agency, request in pairs]

    def parsed(self, requests: Sequence[tuple[Any, dict[str, Any]]]) -> list[tuple[Any, Any]]:
        """``(pack, parsed request)`` per ``(pack, request dict)``."""
        parse = self.module.parse_request
        return [(pack, parse(request)) for pack, request in requests]

    def evaluate(self, pack: Any, request: Any) -> tuple[str, tuple[str, ...]]:
        """``(outcome, rules)`` of a parsed request, in casebycase terms."""
        rec = self.module.evaluate(request, pack=pack)
        return rec.outcome, tuple(rec.rules)


def casebycase_missing() -> str | None:
    """Why casebycase cannot be benchmarked, or None when it can."""
    try:
        module = importlib.import_module("casebycase")
    except Exception as exc:
        return f"import casebycase failed: {type(exc).__name__}: {exc}"
    absent = [name for name in API if not hasattr(module, name)]
    if absent:
        return f"casebycase lacks {', '.join(absent)}"
    for pack_id in PACK_IDS:
        if not (PACK_DIR / pack_id).is_dir():
            return f"no pack directory {PACK_DIR / pack_id}"
    return None


def casebycase_engine() -> CasebycaseEngine | None:
    """Load both benchmark packs, or return None when casebycase is not ready."""
    if casebycase_missing() is not None:
        return None
    import casebycase

    packs = {pack_id: casebycase.load_pack(PACK_DIR / pack_id) for pack_id in PACK_IDS}
    return CasebycaseEngine(casebycase, packs)
