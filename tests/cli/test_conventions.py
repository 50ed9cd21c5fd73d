"""The command line as people expect it: fast start (no heavy imports), readable help,
completion, listings that pipe (--json, plain lines with whole ids), explanations readable at
80 columns, consistent --agency, read-only commands that never create a store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from casebycase.cli import app
from casebycase.policy.load import bundled_ids

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "requests"
EXE = str(Path(sys.executable).parent / "casebycase")
HEAVY = ("sqlalchemy", "alembic", "polars", "fastapi", "uvicorn", "duckdb", "starlette")
runner = CliRunner()

PROBE = """
import json, sys
from casebycase.cli import app
args = json.loads(sys.argv[1])
try:
    if args is not None:
        app(args)
except SystemExit:
    pass
sys.stderr.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""


def _modules(args: list[str] | None) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_import_and_help_load_nothing_heavy() -> None:
    imported = _modules(None)
    assert _heavy(imported) == []
    assert "pydantic" not in imported and "yaml" not in imported
    assert _heavy(_modules(["--help"])) == []


@pytest.mark.parametrize(
    "args",
    [
        ["packs"],
        ["evaluate", str(DEMO / "boone-detainer.json")],
        ["explain", str(DEMO / "boone-detainer.json")],
        ["show", "missouri"],
        ["schema"],
        ["users", "--help"],
        ["replay", "--help"],
        ["agencies", "--help"],
    ],
)
def test_light_commands_load_nothing_heavy(args: list[str]) -> None:
    assert _heavy(_modules(args)) == []


def test_evaluate_reads_no_scenario_tests() -> None:
    code = (
        "import builtins, pathlib, sys; seen = []\n"
        "orig = pathlib.Path.read_text\n"
        "def spy(self, *a, **k):\n    seen.append(self.name); return orig(self, *a, **k)\n"
        "pathlib.Path.read_text = spy\n"
        "from casebycase.cli import app\n"
        "try:\n    app(['evaluate', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('READ ' + ' '.join(seen))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(DEMO / "boone-detainer.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    read = done.stderr.rsplit("READ ", 1)[1].split()
    assert "pack.yaml" in read and "tests.yaml" not in read


def _commands(group: typer.Typer, prefix: list[str]) -> list[list[str]]:
    found = [
        [*prefix, c.name or (c.callback.__name__ if c.callback else "")]
        for c in group.registered_commands
    ]
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        found += _commands(sub.typer_instance, [*prefix, sub.name or ""])
    return found


@pytest.mark.parametrize("command", [[], *_commands(app, [])], ids=" ".join)
def test_help_shows_placeholders_not_python_types(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    for python_type in ("<bool>", "<str>", "<int>", "<list", "<Path>", "{"):
        assert python_type not in result.output, (command, python_type)


def test_help_placeholders() -> None:
    evaluate = runner.invoke(app, ["evaluate", "--help"], env={"COLUMNS": "100"}).output
    assert "FILE" in evaluate and "PACK" in evaluate
    diff = runner.invoke(app, ["diff", "--help"], env={"COLUMNS": "100"}).output
    assert "DATE" in diff


def test_shell_completion_is_offered() -> None:
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "100"}).output
    assert "--install-completion" in top and "--show-completion" in top
    done = subprocess.run(
        [EXE, "--show-completion", "bash"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "_casebycase_completion" in done.stdout


def test_packs_json_and_piped_lines_keep_whole_ids() -> None:
    listed = json.loads(runner.invoke(app, ["packs", "--json"]).output)
    assert [p["pack"] for p in listed] == bundled_ids()
    boone = next(p for p in listed if p["pack"] == "boone-county-so")
    assert boone["extends"] == ["missouri", "federal"] and boone["rules"] > 0
    piped = subprocess.run(
        [EXE, "packs"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "40"},
    )
    lines = piped.stdout.splitlines()
    assert lines[0].split("\t") == ["pack", "version", "title", "rules", "extends"]
    assert [line.split("\t")[0] for line in lines[1:]] == bundled_ids()


def test_packs_listing_agrees_with_loading_every_pack() -> None:
    from casebycase.policy.catalog import pack_headers
    from casebycase.policy.compile import load_pack

    for h in pack_headers():
        p = load_pack(h.id)
        assert (h.id, h.version, h.title, h.rules) == (p.id, p.version, p.pack.title, len(p.rules))
        assert h.bases == tuple(reversed(p.pack.chain[:-1]))


def _at_80(*args: str) -> list[str]:
    done = subprocess.run(
        [EXE, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_evaluate_is_compact_and_fits_80_columns() -> None:
    lines = _at_80("evaluate", str(DEMO / "boone-detainer.json"))
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert lines[0].startswith("REFER")
    assert not any(line.startswith("Every rule checked (") for line in lines)
    assert len(lines) < 200  # notes, citations and UNCONFIRMED marks included; no rule table


def test_trace_and_explain_fit_80_columns() -> None:
    traced = _at_80("evaluate", str(DEMO / "boone-detainer.json"), "--trace")
    explained = _at_80("explain", str(DEMO / "boone-detainer.json"))
    assert traced == explained
    assert any(line.startswith("Every rule checked (") for line in explained)
    assert all(len(line) <= 80 for line in explained), max(explained, key=len)
    data = json.loads(
        runner.invoke(app, ["explain", str(DEMO / "boone-detainer.json"), "--json"]).output
    )
    assert data["outcome"] == "refer" and len(data["trace"]) > 10


def _store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cases.sqlite3'}"


@pytest.mark.parametrize(
    "command",
    [
        ["users", "list", "--agency", "boone-county-so"],
        ["audit", "verify"],
    ],
)
def test_read_only_commands_never_create_a_store(tmp_path: Path, command: list[str]) -> None:
    url = _store(tmp_path)
    result = runner.invoke(app, [*command, "--database", url])
    assert result.exit_code == 2
    assert "no case store" in result.stderr and "never creates one" in result.stderr
    assert list(tmp_path.iterdir()) == []
    env = {k: v for k, v in os.environ.items() if k != "CASEBYCASE_DATABASE_URL"}
    done = subprocess.run(
        [EXE, *command], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and list(tmp_path.iterdir()) == []


def test_users_list_json_and_token_agency(tmp_path: Path) -> None:
    url = _store(tmp_path)
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "clerk-1",
            "--role",
            "officer",
            "--agency",
            "boone-county-so",
            "--database",
            url,
        ],
    )
    assert added.exit_code == 0, added.output
    listed = json.loads(
        runner.invoke(
            app, ["users", "list", "--agency", "boone-county-so", "--json", "--database", url]
        ).output
    )
    assert [(u["username"], u["role"], u["agency"]) for u in listed] == [
        ("clerk-1", "officer", "boone-county-so")
    ]
    piped = runner.invoke(
        app, ["users", "list", "--agency", "boone-county-so", "--database", url]
    ).output.splitlines()
    assert piped[1].split("\t")[:3] == ["clerk-1", "officer", "boone-county-so"]
    missing = runner.invoke(app, ["users", "token", "clerk-1", "--database", url])
    assert missing.exit_code == 2 and "--agency" in missing.output
    wrong = runner.invoke(
        app, ["users", "token", "clerk-1", "--agency", "columbia-pd", "--database", url]
    )
    assert wrong.exit_code == 2 and "no user 'clerk-1' in agency 'columbia-pd'" in wrong.stderr
    issued = runner.invoke(
        app, ["users", "token", "clerk-1", "--agency", "boone-county-so", "--database", url]
    )
    assert issued.exit_code == 0 and len(issued.stdout.strip()) > 20


def test_broken_scenario_tests_still_reported_by_check_and_test(tmp_path: Path) -> None:
    from casebycase.policy.compile import load_pack
    from casebycase.policy.load import bundled_dir

    folder = tmp_path / "missouri-copy"
    folder.mkdir()
    text = (bundled_dir() / "missouri" / "pack.yaml").read_text(encoding="utf-8")
    # another version: compiled packs are shared by content digest, which tests are not part of
    (folder / "pack.yaml").write_text(
        text.replace('version: "2026.1"', 'version: "copy"', 1), encoding="utf-8"
    )
    (folder / "tests.yaml").write_text(
        "- name: x\n  request: {}\n  expect: {outcme: comply}\n", encoding="utf-8"
    )
    assert load_pack(folder).id == "missouri"  # loading alone does not read tests.yaml
    for command in ("check", "test"):
        result = runner.invoke(app, [command, str(folder)])
        assert result.exit_code == 2, (command, result.output)
        assert "tests.yaml:3" in result.stderr and "outcme" in result.stderr
