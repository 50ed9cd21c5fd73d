"""verify: one broken pack per finding kind, the bundled packs come out clean, and the
space is exact (random requests fall in a cell that decides them the same way)."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from casebycase import evaluate, load_pack, parse_request
from casebycase.cli import app
from casebycase.policy.compile import CompiledPack
from casebycase.policy.condition import read
from casebycase.policy.load import bundled_ids
from casebycase.policy.recommendation import Recommendation
from casebycase.policy.space import KindSpace, Side, Space
from casebycase.policy.space.offenses import matches
from casebycase.policy.verify import Finding, verify
from casebycase.request import (
    CATEGORIES,
    COMPONENTS,
    DOCUMENTS,
    KINDS,
    LEVELS,
    OFFENSE_STATUSES,
    PURPOSES,
    REQUESTER_AGENCIES,
)

BROKEN = Path(__file__).parent / "verify"


def _only(name: str) -> tuple[CompiledPack, Finding]:
    pack = load_pack(BROKEN / name)
    report = verify(pack)
    assert len(report.findings) == 1, report.findings
    return pack, report.findings[0]


def _replay(pack: CompiledPack, finding: Finding) -> Recommendation:
    """Evaluate the finding's example request, on its date, with the real evaluator."""
    assert finding.example is not None
    request = parse_request(finding.example["request"])
    assert request.received_at.date().isoformat() == finding.example["date"]
    return evaluate(request, pack)


def test_gap_when_no_default_is_declared() -> None:
    pack, f = _only("gap.yaml")
    assert (f.kind, f.rules, f.region) == ("gap", (), ("detainers not from ICE",))
    rec = _replay(pack, f)
    assert not any(pack.rules[pack.index[r]].rule.outcome for r in rec.rules[1:])
    assert rec.decision.deciding == pack.pack.default.id == "default"
    assert verify(pack).default_declared is False


def test_conflict_between_rules_of_equal_standing() -> None:
    pack, f = _only("conflict.yaml")
    assert f.kind == "conflict"
    assert f.rules == ("conflict.decline-without-warrant", "conflict.honor-in-custody")
    assert f.region == ("detainers without a judge-signed warrant; for a subject in custody",)
    rec = _replay(pack, f)
    assert sorted(rec.decision.conflict) == list(f.rules)
    assert rec.outcome == "refer"
    assert "policy_conflict" in [r["code"] for r in rec.risks]


def test_dead_rules() -> None:
    pack = load_pack(BROKEN / "dead.yaml")
    findings = verify(pack).findings
    assert [(f.kind, f.rules) for f in findings] == [
        ("dead_rule", ("dead.never",)),
        ("dead_rule", ("dead.outranked",)),
        ("dead_rule", ("dead.review-if-honored",)),
    ]
    never, outranked, review = findings
    assert never.example is None and "never fires" in never.says
    rec = _replay(pack, outranked)  # it fires, but another rule decides
    assert "dead.outranked" in rec.rules
    assert rec.decision.deciding == "dead.decline-detainers"
    assert "dead.outranked" not in rec.decision.contributing
    rec = _replay(pack, review)  # it matches, but only applies to an outcome never reached
    assert rec.decision_mask() >> pack.index["dead.review-if-honored"] & 1
    assert "dead.review-if-honored" not in rec.rules
    assert outranked.region == review.region == ("detainers",)


def test_rule_overridden_everywhere() -> None:
    pack, f = _only("overridden.yaml")
    assert (f.kind, f.rules) == (
        "overridden_everywhere",
        ("ovr.decline-ice-detainers", "st.detainer-mandate"),
    )
    assert f.region == ("detainers from ICE; for a subject in custody; on dates from 2017-10-01",)
    rec = _replay(pack, f)
    assert [(o.rule, o.by, o.why) for o in rec.decision.overridden] == [
        ("ovr.decline-ice-detainers", "st.detainer-mandate", "binding higher law decides")
    ]


def test_rule_restricting_status_communication_even_when_overridden() -> None:
    pack = load_pack(BROKEN / "status.yaml")
    findings = verify(pack).findings
    assert [(f.kind, f.rules, f.region) for f in findings] == [
        ("restricts_status_communication", ("sts.no-status-checks",), ("status checks from ICE",)),
        (
            "restricts_status_communication",
            ("sts.no-status-checks",),
            ("status checks from internal",),
        ),
    ]
    dhs, officer = findings
    rec = _replay(pack, dhs)
    assert rec.request.kind == "status_check"
    assert rec.request.requester.agency in ("ICE", "CBP", "USCIS")
    assert "sts.no-status-checks" in [o.rule for o in rec.decision.overridden]
    rec = _replay(pack, officer)
    assert (rec.request.requester.agency, rec.outcome) == ("internal", "decline")
    assert rec.decision.deciding == "sts.no-status-checks"


def test_rules_restricting_officers_own_checks_and_notices() -> None:
    """An officer's own status check or notice (requester internal) is protected too
    (8 U.S.C. 1373(a)-(b), RSMo 650.475.3): declining it is reported; referring it to a
    person, or doing it, is not."""
    pack = load_pack(BROKEN / "officer.yaml")
    findings = verify(pack).findings
    assert [(f.kind, f.rules, f.region) for f in findings] == [
        (
            "restricts_status_communication",
            ("off.no-check-before-arrest",),
            ("status checks from internal; for a subject not charged",),
        ),
        (
            "restricts_status_communication",
            ("off.no-notice-without-arrest",),
            ("custody reviews for a subject not charged",),
        ),
    ]
    check, notice = findings
    assert "officer's own status check or notice" in check.says
    assert "RSMo 650.475.3" in check.says and "1373" in check.says
    for f, kind, rule in (
        (check, "status_check", "off.no-check-before-arrest"),
        (notice, "custody_review", "off.no-notice-without-arrest"),
    ):
        rec = _replay(pack, f)
        assert (rec.request.kind, rec.request.requester.agency) == (kind, "internal")
        assert rec.request.subject.charged is False
        assert (rec.outcome, rec.decision.deciding) == ("decline", rule)


@pytest.mark.parametrize("pack", bundled_ids())
def test_bundled_pack_verifies_clean(pack: str) -> None:
    report = verify(pack)
    assert report.clean, [f.to_dict() for f in report.findings]
    assert sum(report.combinations.values()) >= sum(report.cells.values()) > 0


NUMBERS = """pack: nums
version: "1"
title: Numbers, offense counts and booking times
agency: {name: Test sheriff, type: sheriff, state: MO, runs_jail: true,
         programs_287g: [{model: JEM, effective: 2025-08-18}]}
sources:
  - {id: o, layer: agency, authority: policy, citation: Order, title: O, effective: 2020-01-01}
rules:
  - id: n.hold-short
    says: Honor detainers when release is at most 48 hours away.
    when: {kind: detainer, hours_until_release: {at_most: 48}}
    outcome: comply
    because: [{source: o}]
  - id: n.many-offenses
    says: Refer detainers for people with three or more offenses, one a felony.
    when: {kind: detainer, offense_count: {at_least: 3}, offense: {level: felony}}
    outcome: refer
    priority: 1
    because: [{source: o}]
  - id: n.booked
    says: Verify status within 48 hours of booking.
    when: {subject.booked: true, hours_since_booking: {less_than: 48}}
    actions: [{do: verify_status, by: {hours: 48, after: subject.booked_at}}]
    because: [{source: o}]
  - id: n.jem
    says: JEM officers answer jail access requests.
    when: {kind: jail_access, agency.287g: {has: JEM}, requester.component: [ERO, HSI]}
    outcome: comply
    because: [{source: o}]
default: {id: n.default, outcome: refer}
"""


def _random_request(rng: random.Random, pack: CompiledPack) -> dict[str, Any]:
    received = dt.datetime(2008, 1, 1, 12, tzinfo=pack.zone) + dt.timedelta(
        days=rng.randrange(0, 20 * 365), hours=rng.randrange(0, 24)
    )
    subject: dict[str, Any] = {
        name: rng.random() < 0.5
        for name in (
            "in_custody",
            "charged",
            "status_established",
            "unlawfully_present",
            "juvenile",
            "victim_or_witness",
        )
    }
    if rng.random() < 0.3:
        subject["confined"] = rng.random() < 0.5
    for key, sign in (("booked_at", -1), ("release_at", 1)):
        if rng.random() < 0.6:
            hours = rng.choice([24, 48, 72, rng.uniform(-10, 200)])
            subject[key] = (received + sign * dt.timedelta(hours=hours)).isoformat()
    requester: dict[str, Any] = {"agency": rng.choice(REQUESTER_AGENCIES)}
    if rng.random() < 0.7:
        requester["component"] = rng.choice(COMPONENTS)
    return {
        "agency": pack.id,
        "received_at": received.isoformat(),
        "requester": requester,
        "kind": rng.choice(KINDS),
        "purpose": rng.choice(PURPOSES),
        "documents": rng.sample(DOCUMENTS, rng.choice([0, 0, 1, 1, 2, 3])),
        "judicial_warrant": rng.random() < 0.2,
        "subject": subject,
        "offenses": [
            {
                k: v
                for k, v in (
                    ("category", rng.choice(CATEGORIES)),
                    ("level", rng.choice([*LEVELS, None])),
                    ("status", rng.choice([*OFFENSE_STATUSES, None])),
                )
                if v is not None
            }
            for _ in range(rng.choice([0, 0, 1, 2, 3, 4]))
        ],
    }


def _abstract(ks: KindSpace, pack: CompiledPack, request: Any) -> dict[str, Any]:
    """The value each axis of the kind takes for a concrete request."""
    values: dict[str, Any] = {}
    t = request.timestamp
    for name, axis in ks.axes.items():
        if axis.shape == "enum":
            have = read(name, request.facts, t, pack.pack.profile)
            values[name] = have if have in axis.info else axis.values[-1]
        elif axis.shape == "flag":
            values[name] = read(name, request.facts, t, pack.pack.profile)
        elif axis.shape == "doc":
            values[name] = name.split(":", 1)[1] in request.documents
        elif axis.shape in ("number", "count"):
            have = read(name, request.facts, t, pack.pack.profile)
            values[name] = _same_interval(axis, have)
        elif axis.shape == "time":
            day = request.received_at.astimezone(pack.zone).date()
            values[name] = axis.values[sum(b <= day for b in axis.info)]
    model = ks.offenses
    found = 0
    for o in request.offenses:
        traits = o.traits
        for pattern, e in model.axis_of.items():
            if e is not None and matches(pattern, traits):
                found |= 1 << e
    for e in range(len(model.exists)):
        values[f"offense:{e}"] = bool(found >> e & 1)
    return values


def _same_interval(axis: Any, have: float | None) -> Any:
    if have is None:
        return None
    cuts, pieces = axis.info
    k = 0
    for i, c in enumerate(cuts):
        if have > c:
            k = 2 * i + 2
        elif have == c:
            k = 2 * i + 1
            break
        else:
            break
    reps = [v for v in axis.values if v is not None]
    return reps[pieces.index(k)]


@pytest.mark.parametrize("which", ["example-287g-jem", "travis-county-so-2017", "numbers"])
def test_every_request_falls_in_a_cell_that_decides_it_alike(which: str, tmp_path: Path) -> None:
    if which == "numbers":
        (tmp_path / "pack.yaml").write_text(NUMBERS, encoding="utf-8")
        pack = load_pack(tmp_path)
    else:
        pack = load_pack(which)
    space = Space([Side(pack)])
    cells: dict[Any, Any] = {}
    for cell in space.cells():
        cells.setdefault(cell.kind, []).append(cell)
    rng = random.Random(7)
    for _ in range(400):
        request = parse_request(_random_request(rng, pack))
        ks = space.space(request.kind)
        values = _abstract(ks, pack, request)
        (cell,) = [
            c for c in cells[request.kind] if all(values.get(k) == v for k, v in c.box.items())
        ]
        assert evaluate(request, pack).decision_mask() == cell.masks[0], request.to_dict()


runner = CliRunner()


def test_cli_verify_exit_codes_and_json() -> None:
    result = runner.invoke(app, ["verify", "travis-county-so-2017"])
    assert result.exit_code == 0, result.output
    assert "clean travis-county-so-2017" in result.output
    result = runner.invoke(app, ["verify", str(BROKEN / "conflict.yaml")])
    assert result.exit_code == 1
    assert "conflict" in result.output and "e.g." in result.output
    result = runner.invoke(app, ["verify", str(BROKEN / "dead.yaml"), "--json"])
    assert result.exit_code == 1
    (report,) = json.loads(result.stdout)
    assert report["pack"] == "dead" and not report["clean"]
    assert [f["rules"] for f in report["findings"]] == [
        ["dead.never"],
        ["dead.outranked"],
        ["dead.review-if-honored"],
    ]
    assert report["findings"][1]["example"]["request"]["kind"] == "detainer"


def test_cli_verify_invalid_input_exits_2() -> None:
    invalid = Path(__file__).parent / "invalid" / "unknown_value.yaml"
    for target, words in (
        (str(invalid), "'detainr' is not a value of 'kind'"),
        ("boone-county", "did you mean 'boone-county-so'"),
    ):
        result = runner.invoke(app, ["verify", target])
        assert result.exit_code == 2, result.output
        assert words in result.stderr and "Traceback" not in result.stderr
