"""One broken pack per error kind, and the words each message must contain."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebycase import PackError, load_pack

INVALID = Path(__file__).parent / "invalid"

# file -> (line:column or None, words the message must contain)
CASES: dict[str, tuple[str | None, list[str]]] = {
    "yaml_syntax.yaml": ("10:12", ["YAML syntax", "indentation"]),
    "duplicate_key.yaml": ("11:5", ["duplicate key 'outcome'"]),
    "unknown_top_key.yaml": ("6:1", ["unknown key 'rulez'", "did you mean 'rules'"]),
    "unknown_rule_key.yaml": ("10:5", ["unknown key 'outcom'", "did you mean 'outcome'"]),
    "bad_outcome.yaml": ("10:5", ["'declin'", "did you mean 'decline'"]),
    "unknown_field.yaml": ("9:12", ["unknown field 'knd'", "did you mean 'kind'"]),
    "unknown_value.yaml": ("9:12", ["'detainr' is not a value of 'kind'", "'detainer'"]),
    "reads_notes.yaml": ("9:28", ["no rule may read 'notes'"]),
    "national_origin.yaml": ("11:7", ["place_of_birth", "Parada"]),
    "unknown_source.yaml": ("7:5", ["unknown source 'order-2'", "did you mean 'order-1'"]),
    "unknown_risk.yaml": ("11:5", ["unknown risk 'hold_risk'", "risks:"]),
    "unknown_action.yaml": ("11:5", ["unknown action 'notify_dsh'", "'notify_dss'"]),
    "unknown_exception.yaml": ("11:5", ["'r2' is not a rule", "'r1'"]),
    "duplicate_rule_id.yaml": ("12:5", ["'r1' is used twice", "7:5"]),
    "bad_date.yaml": ("11:16", ["2026-13-01", "YYYY-MM-DD"]),
    "expires_before_effective.yaml": ("7:5", ["'expires' must come after 'effective'"]),
    "missing_because.yaml": ("7:5", ["'because' is required"]),
    "wrong_operator.yaml": ("9:28", ["'subject.in_custody' is true or false"]),
    "rule_says_nothing.yaml": ("7:5", ["needs an outcome, actions or risks"]),
    "bad_timezone.yaml": ("6:45", ["unknown time zone", "America/Chicago"]),
    "deadline_two_amounts.yaml": ("10:39", ["exactly one of 'hours' or 'days'"]),
    "unknown_extends.yaml": ("6:1", ["missouri-state", "did you mean 'missouri'"]),
    "empty.yaml": (None, ["the file is empty"]),
    "infinite_number.yaml": ("9:7", ["'at_most' needs a finite number, got inf"]),
    "not_a_number.yaml": ("9:7", ["'less_than' needs a finite number, got nan"]),
}


def test_every_invalid_file_has_a_case() -> None:
    assert sorted(p.name for p in INVALID.glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_invalid_pack_message(name: str) -> None:
    position, words = CASES[name]
    with pytest.raises(PackError) as caught:
        load_pack(INVALID / name)
    message = str(caught.value)
    assert f"invalid/{name}" in message
    if position is not None:
        assert f"{name}:{position}:" in message, message
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def _pack(tmp_path: Path, name: str, body: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "pack.yaml").write_text(body, encoding="utf-8")
    return folder


def test_extends_cycle_is_reported(tmp_path: Path) -> None:
    _pack(tmp_path, "a", "pack: a\nversion: '1'\ntitle: A\nextends: ../b\n")
    _pack(tmp_path, "b", "pack: b\nversion: '1'\ntitle: B\nextends: ../a\n")
    with pytest.raises(PackError, match="makes a cycle: a -> b -> a"):
        load_pack(tmp_path / "a")


def test_exception_across_layers_is_refused(tmp_path: Path) -> None:
    body = """pack: x
version: '1'
title: X
sources: [{id: s, layer: agency, authority: policy, citation: S, title: S}]
rules:
  - {id: a, layer: state, says: A., when: {kind: detainer}, outcome: refer, because: [{source: s}]}
  - {id: b, says: B., when: {kind: detainer}, outcome: decline, exception_to: [a],
     because: [{source: s}]}
"""
    with pytest.raises(PackError, match="'a' is in layer 'state', not 'agency'"):
        load_pack(_pack(tmp_path, "x", body))


def test_all_problems_of_a_file_are_reported_together(tmp_path: Path) -> None:
    body = """pack: x
version: '1'
title: X
sources: [{id: s, layer: agency, authority: policy, citation: S, title: S}]
rules:
  - {id: a, says: A., when: {kind: detainr}, outcome: refer, because: [{source: t}]}
  - {id: b, says: B., when: {notes: x}, outcome: decline, because: [{source: s}]}
"""
    with pytest.raises(PackError) as caught:
        load_pack(_pack(tmp_path, "x", body))
    assert len(caught.value.problems) == 3
