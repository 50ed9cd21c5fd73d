"""The pure core imports no framework, driver, CLI library, clock or environment."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "casebycase"
CORE = [SRC / "errors.py", SRC / "request.py", *sorted((SRC / "policy").glob("*.py")),
        *sorted((SRC / "offenses").glob("*.py"))]
FORBIDDEN = {"typer", "click", "rich", "fastapi", "starlette", "sqlalchemy", "psycopg",
             "sqlite3", "requests", "httpx", "logging", "os", "subprocess", "socket"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_io_framework() -> None:
    for path in CORE:
        bad = _imports(path) & FORBIDDEN
        assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"


def test_core_reads_no_clock() -> None:
    for path in CORE:
        text = path.read_text(encoding="utf-8")
        for call in ("datetime.now(", "dt.datetime.now(", "date.today(", "time.time("):
            assert call not in text, f"{path.relative_to(SRC)} calls {call}"


def test_no_grab_bag_modules() -> None:
    names = {p.stem for p in SRC.rglob("*.py")}
    assert not names & {"utils", "helpers", "manager", "misc", "common"}
