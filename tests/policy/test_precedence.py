"""Precedence: binding higher law, specificity, exceptions, priority, conflicts, dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from casebycase import evaluate, load_pack, parse_request

HEAD = """pack: p
version: '1'
title: Precedence test
agency: {name: Test agency, type: sheriff, state: MO, runs_jail: true}
sources:
  - {id: fed, layer: federal, authority: policy, citation: Federal, title: F}
  - {id: state, layer: state, authority: policy, citation: State law, title: S,
     effective: 2020-01-01}
  - {id: order, layer: agency, authority: policy, citation: Order 1, title: O}
"""


def _load(tmp_path: Path, rules: str, extra: str = "") -> Any:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "pack.yaml").write_text(HEAD + extra + "rules:\n" + rules, encoding="utf-8")
    return load_pack(folder)


def _request(**changes: Any) -> Any:
    data: dict[str, Any] = {
        "agency": "p",
        "received_at": "2026-03-02T14:05:00-06:00",
        "requester": {"agency": "ICE", "component": "ERO"},
        "kind": "detainer",
        "purpose": "civil_immigration",
        "subject": {"ref": "S-1", "in_custody": True},
    }
    data.update(changes)
    return parse_request(data)


def test_binding_higher_law_overrides_agency_rule(tmp_path: Path) -> None:
    pack = _load(
        tmp_path,
        """
  - {id: st.must, layer: state, says: Must comply., when: {kind: detainer}, outcome: comply,
     binding: true, because: [{source: state}]}
  - {id: ag.decline, says: Decline., when: {kind: detainer}, outcome: decline,
     because: [{source: order}]}
""",
    )
    rec = evaluate(_request(), pack)
    assert rec.outcome == "comply"
    assert rec.rules == ("st.must", "ag.decline")
    d = rec.to_dict()
    assert d["overridden"] == [
        {"rule": "ag.decline", "by": "st.must", "why": "binding higher law decides"}
    ]
    assert "agency_rule_overridden" in [r["code"] for r in d["risks"]]
    assert "overridden" in d["explanation"]


def test_state_rule_not_in_force_before_its_source(tmp_path: Path) -> None:
    pack = _load(
        tmp_path,
        """
  - {id: st.must, layer: state, says: Must comply., when: {kind: detainer}, outcome: comply,
     binding: true, because: [{source: state}]}
  - {id: ag.decline, says: Decline., when: {kind: detainer}, outcome: decline,
     because: [{source: order}]}
""",
    )
    rec = evaluate(_request(received_at="2019-06-01T10:00:00-05:00"), pack)
    assert (rec.outcome, rec.rules) == ("decline", ("ag.decline",))
    # the same request as of a later date (a what-if) meets the state rule
    assert (
        evaluate(
            _request(received_at="2019-06-01T10:00:00-05:00"), pack, at=dt.date(2021, 1, 1)
        ).outcome
        == "comply"
    )


def test_specific_layer_refines_non_binding_default(tmp_path: Path) -> None:
    pack = _load(
        tmp_path,
        """
  - {id: fed.request, layer: federal, says: A request., when: {kind: detainer}, outcome: refer,
     because: [{source: fed}]}
  - {id: ag.decline, says: Decline., when: {kind: detainer}, outcome: decline,
     because: [{source: order}]}
""",
    )
    rec = evaluate(_request(), pack)
    assert rec.outcome == "decline" and rec.rules[0] == "ag.decline"
    assert rec.to_dict()["overridden"] == []


def test_exception_and_priority(tmp_path: Path) -> None:
    pack = _load(
        tmp_path,
        """
  - {id: ag.decline, says: Decline., when: {kind: detainer}, outcome: decline,
     because: [{source: order}]}
  - {id: ag.homicide, says: Comply on homicide., outcome: comply, exception_to: [ag.decline],
     when: {kind: detainer, offense.category: homicide}, because: [{source: order}]}
  - {id: ag.judge, says: Refer when a judge is involved., outcome: refer, priority: 5,
     when: {kind: detainer, documents: {has: court_order}}, because: [{source: order}]}
""",
    )
    assert evaluate(_request(), pack).outcome == "decline"
    homicide = _request(offenses=[{"category": "homicide"}])
    rec = evaluate(homicide, pack)
    assert rec.outcome == "comply"
    assert rec.to_dict()["overridden"][0]["why"] == "an exception applies"
    both = _request(offenses=[{"category": "homicide"}], documents=["court_order"])
    assert evaluate(both, pack).decision.deciding == "ag.judge"


def test_conflict_refers_and_flags(tmp_path: Path) -> None:
    pack = _load(
        tmp_path,
        """
  - {id: ag.a, says: Decline., when: {kind: detainer}, outcome: decline,
     because: [{source: order}]}
  - {id: ag.b, says: Comply on felonies., when: {kind: detainer, offense.level: felony},
     outcome: comply, because: [{source: order}]}
""",
    )
    rec = evaluate(_request(offenses=[{"category": "other_felony", "level": "felony"}]), pack)
    assert rec.outcome == "refer"
    assert rec.rules[0] == "conflict"
    assert rec.decision.conflict == ("ag.a", "ag.b")
    assert "policy_conflict" in [r["code"] for r in rec.risks]


def test_action_only_rules_and_if_outcome(tmp_path: Path) -> None:
    pack = _load(
        tmp_path,
        """
  - {id: ag.comply, says: Comply on homicide., outcome: comply,
     when: {kind: detainer, offense.category: homicide}, because: [{source: order}]}
  - id: ag.hold
    says: Release if not collected.
    when: {kind: detainer}
    if_outcome: [comply]
    actions:
      - {do: release_if_not_collected, by: {hours: 48, after: subject.release_at}}
      - {do: release_if_not_collected, by: {hours: 48, after: subject.release_at, clock: business}}
    because: [{source: fed}]
  - id: ag.review
    says: A supervisor reviews every detainer.
    when: {kind: detainer}
    actions: [{do: supervisor_review}]
    because: [{source: order}]
""",
        extra="actions: {release_if_not_collected: Release the person}\n",
    )
    friday = {"ref": "S-1", "in_custody": True, "release_at": "2026-11-27T09:00:00-06:00"}
    rec = evaluate(_request(offenses=[{"category": "homicide"}], subject=friday), pack)
    assert rec.outcome == "comply"
    got = [(a["do"], a["by"], a.get("clock")) for a in rec.actions]
    assert got == [
        ("release_if_not_collected", "2026-11-29T09:00:00-06:00", "calendar"),
        ("release_if_not_collected", "2026-12-01T09:00:00-06:00", "business"),
        ("supervisor_review", None, None),
    ]
    declined = evaluate(_request(subject=friday), pack)
    assert declined.outcome == "refer"
    assert [a["do"] for a in declined.actions] == ["supervisor_review"]


def test_missing_anchor_gives_null_deadline(tmp_path: Path) -> None:
    pack = _load(
        tmp_path,
        """
  - id: ag.verify
    says: Verify within 48 hours of booking.
    when: {subject.in_custody: true}
    actions: [{do: verify_status, by: {hours: 48, after: subject.booked_at}}]
    because: [{source: order}]
""",
    )
    rec = evaluate(_request(), pack)
    assert rec.actions == [
        {"do": "verify_status", "by": None, "because": ["ag.verify"], "clock": "calendar"}
    ]
    assert rec.outcome == "refer" and rec.rules == ("default", "ag.verify")


def test_recommendation_has_the_contract_keys(tmp_path: Path) -> None:
    pack = _load(
        tmp_path,
        """
  - {id: ag.decline, says: Decline., when: {kind: detainer}, outcome: decline,
     because: [{source: order, section: "3", gist: "no holds"}]}
""",
    )
    d = evaluate(_request(), pack).to_dict(trace=True)
    assert {"outcome", "actions", "rules", "citations", "risks", "policy", "explanation"} <= set(d)
    assert d["citations"] == [
        {
            "source": "Order 1",
            "section": "3",
            "text": "no holds",
            "words": "gist",
            "url": None,
            "authority": "policy",
            "weight": "binding",
            "unconfirmed": [],
            "decided": None,
        }
    ]
    assert d["policy"]["pack"] == "p" and len(d["policy"]["digest"]) == 64
    assert [t["role"] for t in d["trace"]] == ["decided"]


def test_unclassified_offense_is_flagged(tmp_path: Path) -> None:
    pack = _load(
        tmp_path,
        """
  - {id: ag.decline, says: Decline., when: {kind: detainer}, outcome: decline,
     because: [{source: order}]}
""",
    )
    rec = evaluate(_request(offenses=[{"description": "ZZZ QQQ 123"}]), pack)
    assert "offense_unclassified" in [r["code"] for r in rec.risks]
    assert "could not be classified" in rec.explanation


def test_digest_changes_with_content_and_compiles_once(tmp_path: Path) -> None:
    rules = """
  - {id: ag.decline, says: Decline., when: {kind: detainer}, outcome: decline,
     because: [{source: order}]}
"""
    first = _load(tmp_path, rules)
    again = load_pack(tmp_path / "p")
    assert again is first
    (tmp_path / "p" / "pack.yaml").write_text(
        HEAD + "rules:\n" + rules.replace("Decline.", "Decline now."), encoding="utf-8"
    )
    assert load_pack(tmp_path / "p").digest != first.digest


def test_deadline_before_an_anchor(tmp_path: Path) -> None:
    pack = _load(
        tmp_path,
        """
  - id: ag.notify
    says: Tell DHS 48 hours before release.
    when: {kind: release_notification}
    outcome: comply
    actions: [{do: notify_requester_of_release, by: {hours: 48, before: subject.release_at}}]
    because: [{source: order}]
""",
    )
    subject = {"ref": "S-1", "in_custody": True, "release_at": "2026-03-05T10:00:00-06:00"}
    rec = evaluate(_request(kind="release_notification", subject=subject), pack)
    assert rec.actions[0]["by"] == "2026-03-03T10:00:00-06:00"


def test_confined_defaults_to_in_custody(tmp_path: Path) -> None:
    pack = _load(
        tmp_path,
        """
  - {id: ag.jail, says: Confined., when: {subject.confined: true}, outcome: comply,
     because: [{source: order}]}
""",
    )
    held_here = _request(subject={"in_custody": True})
    held_elsewhere = _request(subject={"in_custody": False, "confined": True})
    released = _request(subject={"in_custody": False})
    assert [evaluate(r, pack).outcome for r in (held_here, held_elsewhere, released)] == [
        "comply",
        "comply",
        "refer",
    ]
