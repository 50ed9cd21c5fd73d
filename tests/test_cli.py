"""The command line: thin, exit 2 on invalid input with the error on stderr, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casebycase.cli import app

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo" / "requests"
runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "casebycase"
    return subprocess.run(
        [str(exe), *args], input=stdin, capture_output=True, text=True, check=False, cwd=ROOT
    )


def test_evaluate_json_has_contract_keys() -> None:
    result = run("evaluate", str(DEMO / "hsi-trafficking-sting.json"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "comply"
    assert data["rules"][0] == "cpd.mou.trafficking-support"
    assert data["policy"]["pack"] == "columbia-pd"
    assert {"outcome", "actions", "rules", "citations", "risks", "policy", "explanation"} <= set(
        data
    )


def test_evaluate_human_readable_from_stdin() -> None:
    text = (DEMO / "boone-detainer.json").read_text()
    result = run("evaluate", "-", stdin=text)
    assert result.returncode == 0, result.stderr
    assert "REFER" in result.stdout and "verify_status" in result.stdout


def test_invalid_request_exits_2_without_traceback() -> None:
    result = run("evaluate", str(DEMO / "national-origin.json"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "subject.place_of_birth" in result.stderr and "Parada" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "text,words",
    [
        ("{not json", ["not valid JSON or YAML"]),
        ("[1, 2]", ["expected one object"]),
        ('{"agency": "columbia-pd"}', ["received_at: required field is missing"]),
    ],
)
def test_bad_input_messages(text: str, words: list[str]) -> None:
    result = runner.invoke(app, ["evaluate", "-"], input=text)
    assert result.exit_code == 2
    for word in words:
        assert word in result.stderr


def test_missing_file_and_unknown_pack(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "cannot read the file" in result.stderr
    result = runner.invoke(
        app, ["evaluate", str(DEMO / "boone-detainer.json"), "--pack", "boone-county"]
    )
    assert result.exit_code == 2 and "did you mean 'boone-county-so'" in result.stderr


def test_explain_lists_every_rule_with_conditions() -> None:
    result = runner.invoke(app, ["explain", str(DEMO / "travis-2018-detainer.json")])
    assert result.exit_code == 0, result.output
    assert "overridden" in result.output
    assert "travis.2017.decline-other-detainers" in result.output
    assert "[detainer" in result.output  # bracketed lists are not eaten as markup


def test_packs_show_check_test() -> None:
    assert "columbia-pd" in runner.invoke(app, ["packs"]).output
    shown = runner.invoke(app, ["show", "missouri"]).output
    assert "RSMo 544.472" in shown and "UNCONFIRMED" in shown
    checked = runner.invoke(app, ["check", "federal", "tests/policy/invalid/reads_notes.yaml"])
    assert checked.exit_code == 2 and "no rule may read 'notes'" in checked.stderr
    tested = runner.invoke(app, ["test", "missouri"])
    assert tested.exit_code == 0 and "rule coverage 13/13 (100%)" in tested.output


def test_classify() -> None:
    result = runner.invoke(app, ["classify", "--code", "RSMo 566.209", "--json"])
    assert json.loads(result.output)["category"] == "sex_trafficking"
    assert runner.invoke(app, ["classify"]).exit_code == 2


def test_schema() -> None:
    schema = json.loads(runner.invoke(app, ["schema"]).output)
    assert "place_of_birth" not in json.dumps(schema["properties"])


def test_readme_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```")[1::2]
    names = {
        line.split()[1]
        for block in blocks
        for line in block.splitlines()
        if line.startswith("casebycase ")
    }
    registered = {
        c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands
    }
    registered |= {g.name or "" for g in app.registered_groups}
    assert names and names <= registered, names - registered


def test_request_format_doc_error_example_is_real() -> None:
    doc = (ROOT / "docs" / "request-format.md").read_text(encoding="utf-8")
    bad = {
        "agency": "boone-county-so",
        "recieved_at": "2026-03-05T16:20:00-06:00",
        "requester": {"agency": "ICE"},
        "kind": "detainer",
        "purpose": "civil_immigration",
        "subject": {"ref": "S-1", "place_of_birth": "x"},
    }
    result = runner.invoke(app, ["evaluate", "-"], input=json.dumps(bad))
    assert result.exit_code == 2
    for line in result.stderr.splitlines()[1:]:
        if "place_of_birth" in line or "recieved_at: unknown" in line:
            assert line.strip() in doc, line
