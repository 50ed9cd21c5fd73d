"""The plain-text recommendation prints every action's note and each citation's standing."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from casebycase import evaluate, parse_request
from casebycase.cli import app

ROOT = Path(__file__).resolve().parents[2]
DETAINER = ROOT / "demo" / "requests" / "boone-detainer.json"


def test_every_action_note_and_citation_standing_is_printed() -> None:
    result = CliRunner().invoke(app, ["evaluate", str(DETAINER)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    import json

    rec = evaluate(parse_request(json.loads(DETAINER.read_text())))
    for action in rec.actions:
        if action.get("note"):
            assert f"note: {' '.join(action['note'].split())}" in text, action
    for c in rec.decision.citations:
        assert f"[{c['authority']}" in text
        if c["words"] == "quote":
            assert f'"{" ".join(c["text"].split())}" (quoted;' in text
        elif c["words"] == "gist":
            assert f"summary: {' '.join(c['text'].split())}" in text
            assert f'"{" ".join(c["text"].split())}"' not in text
