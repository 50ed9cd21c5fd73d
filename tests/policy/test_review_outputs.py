"""Review findings that change what a reader sees, not outcomes (G3, G6, G8): each test
fails on the packs and outputs as they were before the review."""

from __future__ import annotations

import pytest

from casebycase import evaluate, load_pack, parse_request
from casebycase.policy.load import bundled_ids
from casebycase.policy.texts import OFFICIAL_REQUIRED, is_official

STATUS_CHECK = {
    "agency": "missouri",
    "received_at": "2026-03-02T10:00:00-06:00",
    "requester": {"agency": "ICE", "component": "ERO"},
    "kind": "status_check",
    "purpose": "civil_immigration",
}


@pytest.mark.parametrize("pack_id", bundled_ids())
def test_g6_laws_are_cited_at_their_official_publishers(pack_id: str) -> None:
    for source in load_pack(pack_id).pack.sources.values():
        assert source.authority, source.id
        if source.authority in OFFICIAL_REQUIRED and not source.mirror:
            assert source.url and is_official(source.url), (source.id, source.url)


def test_g3_g8_a_citation_of_1373_carries_its_unconfirmed_constitutional_question() -> None:
    rec = evaluate(parse_request(STATUS_CHECK), load_pack("missouri"))
    cited = [c for c in rec.to_dict()["citations"] if c["source"] == "8 U.S.C. 1373"]
    assert cited, "the status-sharing rule cites 8 U.S.C. 1373"
    marks = " ".join(m for c in cited for m in c["unconfirmed"])
    assert "Murphy" in marks
    assert all(
        c["authority"] == "statute" and c["words"] in ("quote", "gist", "none") for c in cited
    )
