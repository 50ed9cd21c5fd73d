"""`casebycase sources PACK`: every source, its standing, and every quote's status."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from casebycase.cli import app


def test_sources_lists_standing_addresses_and_quote_status() -> None:
    result = CliRunner().invoke(app, ["sources", "federal"])
    assert result.exit_code == 0, result.output
    assert "8 U.S.C. 1373  [statute; federal layer]" in result.output
    assert "(official)" in result.output
    assert 'quote (verified) "' in result.output and "summary: " in result.output
    assert "rules resting on it: " in result.output


def test_sources_json_carries_every_field() -> None:
    result = CliRunner().invoke(app, ["sources", "missouri", "--json"])
    assert result.exit_code == 0, result.output
    entries = json.loads(result.output)
    first = entries[0]
    assert {
        "id",
        "citation",
        "authority",
        "weight",
        "url",
        "address",
        "effective",
        "decided",
        "unconfirmed",
        "stored_text",
        "rules",
        "citing",
    } <= set(first)
    words = {c["words"] for e in entries for c in e["citing"]}
    assert words <= {"quote", "gist", "none"} and "quote" in words
