"""The peer engines agree with the reference; the casebycase request mapping and slot."""

from __future__ import annotations

import io
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rich.console import Console

import decisions
import peers

N = 400
SEED = 7


@pytest.fixture(scope="module")
def inputs() -> list[dict[str, Any]]:
    return peers.generate_inputs(N, SEED)


@pytest.fixture(scope="module")
def expected(inputs: list[dict[str, Any]]) -> list[peers.Decision]:
    return [peers.reference(inp) for inp in inputs]


def flat(**changes: Any) -> dict[str, Any]:
    base = {
        "request_type": "info_request",
        "offense_category": "none",
        "has_judicial_warrant": False,
        "immigration_violation_only": False,
        "agency_has_287g": False,
        "subject_in_custody": True,
        "hours_until_release": 24,
    }
    return base | changes


# --- generator and reference -----------------------------------------------------------------


def test_generator_is_seeded() -> None:
    assert peers.generate_inputs(50, 3) == peers.generate_inputs(50, 3)
    assert peers.generate_inputs(50, 3) != peers.generate_inputs(50, 4)


def test_generated_inputs_fire_every_rule(expected: list[peers.Decision]) -> None:
    fired = {rule for _, rules in expected for rule in rules}
    assert fired == {*peers.OUTCOMES, "R99"}


@pytest.mark.parametrize(
    ("changes", "decision"),
    [
        ({}, ("assist", ("R01",))),
        ({"immigration_violation_only": True}, ("assist", ("R01", "R04"))),
        (
            {"request_type": "detainer", "offense_category": "violent_felony"},
            ("notify_only", ("R06", "R07")),
        ),
        ({"request_type": "detainer", "has_judicial_warrant": True}, ("assist", ("R02",))),
        (
            {"request_type": "admin_warrant", "immigration_violation_only": True},
            ("decline", ("R04", "R05")),
        ),
        (
            {
                "request_type": "notification",
                "offense_category": "drug_felony",
                "hours_until_release": 48,
            },
            ("notify_only", ("R08",)),
        ),
        (
            {
                "request_type": "notification",
                "offense_category": "drug_felony",
                "hours_until_release": 49,
            },
            peers.DEFAULT,
        ),
        ({"request_type": "notification", "subject_in_custody": False}, ("decline", ("R09",))),
        (
            {"request_type": "joint_operation", "offense_category": "sex_trafficking"},
            ("assist", ("R03", "R11")),
        ),
        (
            {
                "request_type": "joint_operation",
                "agency_has_287g": True,
                "offense_category": "violent_felony",
            },
            ("assist", ("R10",)),
        ),
        ({"request_type": "transport", "hours_until_release": 0}, ("decline", ("R12",))),
        ({"request_type": "transport", "hours_until_release": 1}, peers.DEFAULT),
        (
            {"request_type": "criminal_investigation", "offense_category": "drug_felony"},
            ("assist", ("R13",)),
        ),
        ({"request_type": "criminal_investigation", "offense_category": "dwi"}, peers.DEFAULT),
    ],
)
def test_reference(changes: dict[str, Any], decision: peers.Decision) -> None:
    assert peers.reference(flat(**changes)) == decision


# --- peers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("peer", peers.PEERS, ids=lambda peer: peer.name)
def test_peer_agrees_with_reference(
    peer: peers.Peer, inputs: list[dict[str, Any]], expected: list[peers.Decision]
) -> None:
    pytest.importorskip(peer.module, reason=f"{peer.name}: {peer.module} is not installed")
    decide = peer.build()
    wrong = [
        (inp, got, want)
        for inp, want in zip(inputs, expected, strict=True)
        if (got := decide(inp)) != want
    ]
    assert wrong[:3] == []


# --- casebycase mapping ----------------------------------------------------------------------


def test_flat_to_request_detainer_287g() -> None:
    inp = flat(
        request_type="detainer",
        offense_category="violent_felony",
        immigration_violation_only=True,
        agency_has_287g=True,
        hours_until_release=30,
    )
    assert peers.flat_to_request(inp) == (
        "peer-bench-287g",
        {
            "agency": "peer-bench-287g",
            "received_at": "2026-03-02T14:00:00-06:00",
            "requester": {"agency": "ICE", "component": "ERO"},
            "kind": "detainer",
            "purpose": "civil_immigration",
            "documents": ["I-247A"],
            "judicial_warrant": False,
            "subject": {
                "ref": "S-1",
                "in_custody": True,
                "release_at": "2026-03-03T20:00:00-06:00",
            },
            "offenses": [{"category": "violent_felony", "level": "felony"}],
        },
    )


def test_flat_to_request_notification_no_offense() -> None:
    inp = flat(
        request_type="notification",
        has_judicial_warrant=True,
        subject_in_custody=False,
        hours_until_release=-5,
    )
    assert peers.flat_to_request(inp) == (
        "peer-bench",
        {
            "agency": "peer-bench",
            "received_at": "2026-03-02T14:00:00-06:00",
            "requester": {"agency": "ICE", "component": "ERO"},
            "kind": "release_notification",
            "purpose": "criminal",
            "documents": [],
            "judicial_warrant": True,
            "subject": {
                "ref": "S-1",
                "in_custody": False,
                "release_at": "2026-03-02T09:00:00-06:00",
            },
            "offenses": [],
        },
    )


@pytest.mark.parametrize(
    ("request_type", "kind", "documents"),
    [
        ("detainer", "detainer", ["I-247A"]),
        ("notification", "release_notification", []),
        ("admin_warrant", "warrant_service", ["I-200"]),
        ("judicial_warrant", "warrant_service", ["judicial_warrant"]),
        ("info_request", "status_check", []),
        ("joint_operation", "enforcement_support", []),
        ("criminal_investigation", "investigation_support", []),
        ("transport", "transfer", []),
    ],
)
def test_flat_to_request_kind(request_type: str, kind: str, documents: list[str]) -> None:
    _, request = peers.flat_to_request(flat(request_type=request_type))
    assert (request["kind"], request["documents"]) == (kind, documents)


@pytest.mark.parametrize(
    ("category", "level"),
    [
        ("human_trafficking", "felony"),
        ("sex_trafficking", "felony"),
        ("violent_felony", "felony"),
        ("drug_felony", "felony"),
        ("dwi", "misdemeanor"),
        ("misdemeanor", "misdemeanor"),
    ],
)
def test_flat_to_request_offense_level(category: str, level: str) -> None:
    _, request = peers.flat_to_request(flat(offense_category=category))
    assert request["offenses"] == [{"category": category, "level": level}]


# --- casebycase slot -------------------------------------------------------------------------


def _fake_casebycase(*, broken: bool = False) -> SimpleNamespace:
    """A stand-in that recovers the flat input from the request and applies the reference."""
    kinds = {}
    for request_type in peers.REQUEST_TYPES:
        _, request = peers.flat_to_request(flat(request_type=request_type))
        kinds[request["kind"], tuple(request["documents"])] = request_type

    def evaluate(request: dict[str, Any], pack: dict[str, bool]) -> SimpleNamespace:
        hours = datetime.fromisoformat(request["subject"]["release_at"]) - datetime.fromisoformat(
            request["received_at"]
        )
        offenses = request["offenses"]
        outcome, fired = peers.reference(
            {
                "request_type": kinds[request["kind"], tuple(request["documents"])],
                "offense_category": offenses[0]["category"] if offenses else "none",
                "has_judicial_warrant": request["judicial_warrant"],
                "immigration_violation_only": request["purpose"] == "civil_immigration",
                "agency_has_287g": pack["has_287g"],
                "subject_in_custody": request["subject"]["in_custody"],
                "hours_until_release": int(hours.total_seconds() // 3600),
            }
        )
        outcome = "refer" if broken else peers.TO_CASEBYCASE[outcome]
        return SimpleNamespace(outcome=outcome, rules=tuple(reversed(fired)))

    return SimpleNamespace(
        load_pack=lambda path: {"has_287g": Path(path).name.endswith("-287g")},
        parse_request=dict,
        evaluate=evaluate,
    )


def _bench_casebycase(
    inputs: list[dict[str, Any]], expected: list[peers.Decision]
) -> tuple[list[decisions.Row], bool, str]:
    args = decisions.parse_args(["--n", str(N), "--batch", "100", "--rounds", "2"])
    console = Console(file=io.StringIO())
    return decisions.bench_casebycase(inputs, expected, args, console)


def test_casebycase_slot_without_packs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "casebycase", _fake_casebycase())
    monkeypatch.setattr(peers, "PACK_DIR", tmp_path)
    assert "no pack directory" in (peers.casebycase_missing() or "")
    assert peers.casebycase_engine() is None


def test_casebycase_slot_without_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "casebycase", SimpleNamespace(evaluate=None))
    assert peers.casebycase_missing() == "casebycase lacks load_pack, parse_request"


def test_casebycase_slot_with_fake_engine(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    inputs: list[dict[str, Any]],
    expected: list[peers.Decision],
) -> None:
    for pack_id in peers.PACK_IDS:
        (tmp_path / pack_id).mkdir()
    monkeypatch.setattr(peers, "PACK_DIR", tmp_path)
    monkeypatch.setitem(sys.modules, "casebycase", _fake_casebycase())
    rows, ok, _ = _bench_casebycase(inputs, expected)
    assert ok
    assert [row.name for row in rows] == [
        "casebycase evaluate (parsed request)",
        "casebycase parse+evaluate (from dict)",
    ]
    monkeypatch.setitem(sys.modules, "casebycase", _fake_casebycase(broken=True))
    rows, ok, reason = _bench_casebycase(inputs, expected)
    assert (rows, ok, reason) == ([], False, "disagrees with the reference")


def test_casebycase_agrees_with_reference(
    inputs: list[dict[str, Any]], expected: list[peers.Decision]
) -> None:
    reason = peers.casebycase_missing()
    if reason is not None:
        pytest.skip(f"casebycase not available: {reason}")
    engine = peers.casebycase_engine()
    assert engine is not None
    parse = engine.module.parse_request
    wrong = []
    for (pack, request), (outcome, fired) in zip(engine.requests(inputs), expected, strict=True):
        got_outcome, rules = engine.evaluate(pack, parse(request))
        if (got_outcome, set(rules)) != (peers.TO_CASEBYCASE[outcome], set(fired)):
            wrong.append((request, (got_outcome, rules), (outcome, fired)))
    assert wrong[:3] == []
