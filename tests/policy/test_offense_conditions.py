"""Conditions on exact offenses (catalog entries) and on groups of categories."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebycase import PackError, evaluate, load_pack, parse_request

PACK = """\
pack: exact
version: "1"
title: Exact offenses
sources: [{{id: o, layer: agency, authority: policy, citation: Order, title: Order}}]
rules:
  - id: r1
    says: Honor detainers for the listed offenses.
    when: {{kind: detainer, offense: {when}}}
    outcome: comply
    because: [{{source: o}}]
"""


def _pack(tmp_path: Path, when: str) -> Path:
    folder = tmp_path / "exact"
    folder.mkdir(exist_ok=True)
    (folder / "pack.yaml").write_text(PACK.format(when=when), encoding="utf-8")
    return folder


def _outcome(pack_path: Path, offense: dict[str, str]) -> str:
    request = parse_request(
        {
            "agency": "x",
            "received_at": "2017-03-02T10:00:00-06:00",
            "requester": {"agency": "ICE"},
            "kind": "detainer",
            "purpose": "civil_immigration",
            "offenses": [offense],
        }
    )
    return evaluate(request, load_pack(pack_path)).outcome


def test_a_rule_can_name_the_exact_statute(tmp_path: Path) -> None:
    path = _pack(tmp_path, "{entry: [tx:pc-19.02, tx:pc-19.03]}")
    assert _outcome(path, {"code": "TX PC 19.02"}) == "comply"  # murder
    assert _outcome(path, {"description": "CAPITAL MURDER"}) == "comply"
    assert _outcome(path, {"code": "TX PC 19.04"}) == "refer"  # manslaughter: not listed
    assert _outcome(path, {"category": "homicide"}) == "refer"  # no entry: category given


def test_an_unknown_entry_is_refused_with_the_nearest(tmp_path: Path) -> None:
    with pytest.raises(PackError) as caught:
        load_pack(_pack(tmp_path, "{entry: tx:pc-19.2}"))
    assert "'tx:pc-19.2' is not a value of 'offense.entry'" in str(caught.value)
    assert "did you mean 'tx:pc-19.02'" in str(caught.value)


def test_a_group_names_its_categories(tmp_path: Path) -> None:
    path = _pack(tmp_path, "{category: violent}")
    for category in ("homicide", "sexual_assault", "violent_felony"):
        assert _outcome(path, {"category": category}) == "comply"
    assert _outcome(path, {"category": "drug_felony"}) == "refer"


def test_a_narrow_category_is_warned_about(tmp_path: Path) -> None:
    pack = load_pack(_pack(tmp_path, "{category: violent_felony}"))
    (warning,) = pack.pack.warnings
    assert "'violent_felony' does not include homicide or sexual_assault" in str(warning)
    assert "group 'violent'" in warning.hint
    assert not load_pack(_pack(tmp_path, "{category: violent}")).pack.warnings
