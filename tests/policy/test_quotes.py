"""What `check` demands of citations: quotes verbatim in stored text, official addresses."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebycase import PackError, evaluate, load_pack, parse_request
from casebycase.policy.load import bundled_ids
from casebycase.policy.texts import find, library, normalise

RULE = """\
pack: quoting
version: "1"
title: A pack that quotes its sources
sources:
  - id: usc-8-1373
    layer: federal
    citation: 8 U.S.C. 1373
    authority: statute
    title: Communication with the INS
    url: {url}
rules:
  - id: r1
    says: Answer status requests.
    when: {{kind: status_check}}
    outcome: comply
    because:
      - source: usc-8-1373
        section: "(a)"
        {words}
"""
VERBATIM = (
    'quote: "may not prohibit, or in any way restrict, any government entity or '
    "official from sending to, or receiving from, the Immigration and Naturalization "
    'Service information regarding the citizenship or immigration status"'
)
OFFICIAL = "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title8-section1373"


def _write(tmp_path: Path, url: str = OFFICIAL, words: str = VERBATIM) -> Path:
    folder = tmp_path / "quoting"
    folder.mkdir(exist_ok=True)
    (folder / "pack.yaml").write_text(RULE.format(url=url, words=words), encoding="utf-8")
    return folder


def _problems(folder: Path) -> str:
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    return str(caught.value)


def test_a_verbatim_quote_passes_and_is_shown_as_a_quote(tmp_path: Path) -> None:
    pack = load_pack(_write(tmp_path))
    request = parse_request(
        {
            "agency": "x",
            "received_at": "2026-03-02T10:00:00-06:00",
            "requester": {"agency": "ICE"},
            "kind": "status_check",
            "purpose": "criminal",
        }
    )
    (citation,) = evaluate(request, pack).to_dict()["citations"]
    assert citation["words"] == "quote" and citation["authority"] == "statute"


def test_words_not_in_the_stored_text_are_refused_with_the_nearest_passage(tmp_path: Path) -> None:
    message = _problems(_write(tmp_path, words='quote: "does not cover release dates"'))
    assert "pack.yaml:19:" in message
    assert "not found verbatim in the stored text of '8 U.S.C. 1373'" in message
    assert "nearest stored passage" in message and "gist:" in message


def test_a_summary_is_a_gist_and_is_shown_as_one(tmp_path: Path) -> None:
    pack = load_pack(_write(tmp_path, words='gist: "does not cover release dates"'))
    (citation,) = pack.decision(1).citations
    assert citation["words"] == "gist" and citation["text"] == "does not cover release dates"


def test_a_statute_must_be_cited_at_its_official_publisher(tmp_path: Path) -> None:
    message = _problems(_write(tmp_path, url="https://instalawyer.io/laws/us-code/1373"))
    assert "pack.yaml:10:" in message
    assert "is not an official publisher of a statute" in message and "mirror:" in message


def test_a_mirror_with_a_reason_is_accepted(tmp_path: Path) -> None:
    pack_text = RULE.format(url="https://example.org/1373", words=VERBATIM).replace(
        "    url: https://example.org/1373",
        "    url: https://example.org/1373\n    mirror: the official site was down when read",
    )
    folder = tmp_path / "mirrored"
    folder.mkdir()
    (folder / "pack.yaml").write_text(pack_text, encoding="utf-8")
    assert load_pack(folder).id == "quoting"


def test_a_pack_can_bring_the_text_of_its_own_sources(tmp_path: Path) -> None:
    folder = tmp_path / "own"
    (folder / "sources").mkdir(parents=True)
    (folder / "pack.yaml").write_text(
        """\
pack: own
version: "1"
title: A pack with its own order
sources:
  - {id: order-7, layer: agency, authority: policy, citation: General Order 7, title: Holds}
rules:
  - id: r1
    says: No holds.
    outcome: decline
    because: [{source: order-7, quote: "No member shall hold a person"}]
""",
        encoding="utf-8",
    )
    (folder / "sources" / "order-7.yaml").write_text(
        """\
id: order-7
citation: General Order 7
authority: policy
read: 2026-11-30
read_from: the signed order, page 2
excerpts:
  - section: "3"
    text: |
      No member shall hold a person
      on an immigration detainer alone.
""",
        encoding="utf-8",
    )
    assert load_pack(folder).id == "own"


def test_quotes_compare_after_normalising_whitespace_and_typographic_quotes() -> None:
    assert normalise("\u201cno\u00a0 holds\u201d") == '"no holds"'
    texts = library().texts("usc-8-1373")
    assert find("any  government entity or\nofficial from sending to", texts) is not None


@pytest.mark.parametrize("pack_id", bundled_ids())
def test_every_bundled_quote_is_verified(pack_id: str) -> None:
    pack = load_pack(pack_id)  # loading verifies every quote and every address
    quotes = [c for r in pack.rules for c in r.rule.because if c.quote is not None]
    for c in quotes:
        source = pack.pack.sources[c.source]
        assert find(c.quote or "", library().texts(source.id, source.text)) is not None
