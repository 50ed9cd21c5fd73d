"""The failure path of scenario tests: every kind of expectation reports when it is not met."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from casebycase import load_pack
from casebycase.cli import app
from casebycase.policy.scenarios import run_scenarios

PACK = """\
pack: wrong-expectations
version: "1"
title: A pack whose scenarios expect the wrong things
sources: [{id: order-1, layer: agency, authority: policy, citation: Order 1, title: Order 1}]
risks: [{code: hold_risk, says: Holding may be unlawful.}]
rules:
  - id: decline-detainers
    says: Decline detainers.
    when: {kind: detainer}
    outcome: decline
    actions: [{do: notify_subject, by: {hours: 24}}]
    risks: [hold_risk]
    because: [{source: order-1}]
  - id: comply-with-warrants
    says: Comply with judicial warrants.
    when: {kind: detainer, judicial_warrant: true}
    outcome: comply
    priority: 1
    because: [{source: order-1}]
"""

TESTS = """\
- name: everything expected wrongly
  request:
    received_at: "2026-03-02T10:00:00-06:00"
    requester: {agency: ICE}
    kind: detainer
    purpose: civil_immigration
  expect:
    outcome: comply
    decided_by: comply-with-warrants
    fires: [comply-with-warrants]
    not_fires: [decline-detainers]
    actions: [verify_status]
    deadlines: {notify_subject: "2026-03-02T11:00:00-06:00", notify_dhs: null}
    risks: [policy_conflict]
    no_risks: [hold_risk]
    overridden: [decline-detainers]
"""


def _pack(tmp_path: Path) -> Path:
    folder = tmp_path / "wrong-expectations"
    folder.mkdir()
    (folder / "pack.yaml").write_text(PACK, encoding="utf-8")
    (folder / "tests.yaml").write_text(TESTS, encoding="utf-8")
    return folder


def test_every_unmet_expectation_is_reported(tmp_path: Path) -> None:
    report = run_scenarios(load_pack(_pack(tmp_path)))
    assert not report.passed
    (result,) = report.results
    assert list(result.failures) == [
        "outcome: expected comply, got decline (decided by decline-detainers)",
        "decided_by: expected comply-with-warrants, got decline-detainers",
        "expected rule comply-with-warrants to fire",
        "expected rule decline-detainers not to fire",
        "actions: expected ['verify_status'], got ['notify_subject']",
        "deadline of notify_subject: expected 2026-03-02T17:00:00+00:00, got "
        "['2026-03-03T10:00:00-06:00']",
        "deadline: no action 'notify_dhs'",
        "expected risk policy_conflict",
        "did not expect risk hold_risk",
        "expected decline-detainers to be overridden",
    ]


def test_casebycase_test_fails_and_says_why(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["test", str(_pack(tmp_path))])
    assert result.exit_code == 1
    assert "FAIL" in result.output and "everything expected wrongly" in result.output
    assert "outcome: expected comply, got decline" in result.output
    assert "0/1 scenarios passed" in result.output
