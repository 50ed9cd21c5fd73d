"""Layers that only point down: every module's imports checked against one table.

Layers (the first matching prefix of a module's name decides):

- **core**: the public API (``casebycase``), ``errors``, ``request``, ``offenses``,
  ``policy``, ``packs`` and ``audit`` (the audit chain's hashing and canonical JSON). Values
  in, values out: no framework, driver, environment, logging or clock.
- **services**: ``cases``: the case and user services, the storage Protocol
  (``cases.storage``) they depend on, the life cycle and the closed list of audit tags.
- **store**: ``store``: the SQLAlchemy store and its migrations. It satisfies
  ``cases.storage`` structurally (mypy checks this where a shell hands a ``Store`` to a
  service), so it never imports ``cases``: the types both sides share (``Head``, ``Entry``,
  ``Event``) live in the core ``audit.chain``, and rows are plain dicts.
- **replay**: analytics over historical data sets; uses the core only.
- **settings**: the table of ``CASEBYCASE_*`` settings and their defaults; imports nothing
  of the package, and only the shells read it.
- **shells**: ``cli``, ``web``, ``demo``: translate input, call a service or the core,
  render; they may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "casebycase"

LAYERS: dict[str, str] = {
    "casebycase": "core",
    "casebycase.errors": "core",
    "casebycase.request": "core",
    "casebycase.offenses": "core",
    "casebycase.policy": "core",
    "casebycase.packs": "core",
    "casebycase.audit": "core",
    "casebycase.cases": "services",
    "casebycase.store": "store",
    "casebycase.replay": "replay",
    "casebycase.settings": "settings",
    "casebycase.cli": "shells",
    "casebycase.web": "shells",
    "casebycase.demo": "shells",
}
"""Module prefix -> layer; the longest matching prefix wins."""

ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "services": {"core", "services"},
    "store": {"core", "store"},
    "replay": {"core", "replay"},
    "settings": {"settings"},
    "shells": {"core", "services", "store", "replay", "settings", "shells"},
}
"""Layer -> the layers its modules may import."""

FRAMEWORKS = {"typer", "click", "rich", "fastapi", "starlette", "uvicorn"}
DRIVERS = {"sqlalchemy", "alembic", "psycopg", "sqlite3"}
IO = {"requests", "httpx", "logging", "os", "subprocess", "socket"}
FORBIDDEN: dict[str, set[str]] = {
    "core": FRAMEWORKS | DRIVERS | IO,
    "services": FRAMEWORKS | DRIVERS | IO,
    "store": FRAMEWORKS,
    "replay": FRAMEWORKS | DRIVERS,
    "settings": FRAMEWORKS | DRIVERS,
    "shells": set(),
}
"""Layer -> third-party or standard modules it must not import."""


def _module(path: Path) -> str:
    parts = ["casebycase", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str | None:
    prefixes = [p for p in LAYERS if module == p or module.startswith(p + ".")]
    return LAYERS[max(prefixes, key=len)] if prefixes else None


def _imports(source: str, module: str, package: bool) -> list[tuple[int, str]]:
    """(line, absolute module) for every import, at any depth (including lazy ones)."""
    here = module.split(".") if package else module.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            parts = here[: len(here) - node.level + 1] if node.level else []
            base = ".".join([*parts, node.module] if node.module else parts)
            if base == "casebycase":  # from casebycase import policy: name the submodule
                found += [(node.lineno, f"casebycase.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, base))
    return found


def _violations(where: str, source: str, module: str, package: bool) -> list[str]:
    """Each import of ``module`` that the table does not allow, named with file:line."""
    layer = _layer(module)
    assert layer is not None, f"{where}: add {module} to LAYERS"
    bad = []
    for line, imported in _imports(source, module, package):
        top = imported.split(".")[0]
        if top == "casebycase":
            target = _layer(imported)
            if target not in ALLOWED[layer]:
                bad.append(
                    f"{where}:{line} imports {imported} ({layer} -> {target}; "
                    f"{layer} may import {', '.join(sorted(ALLOWED[layer]))})"
                )
        elif top in FORBIDDEN[layer]:
            bad.append(f"{where}:{line} imports {imported} (the {layer} layer imports no {top})")
    return bad


MODULES = sorted(SRC.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    missing = [str(p.relative_to(SRC)) for p in MODULES if _layer(_module(p)) is None]
    assert not missing, f"add these modules to LAYERS in {Path(__file__).name}: {missing}"


def test_layers_only_point_down() -> None:
    bad = [
        v
        for path in MODULES
        for v in _violations(
            f"src/casebycase/{path.relative_to(SRC)}",
            path.read_text(encoding="utf-8"),
            _module(path),
            path.name == "__init__.py",
        )
    ]
    assert not bad, "imports against the layers:\n" + "\n".join(bad)


def test_the_checker_names_the_module_and_import() -> None:
    source = (
        "from casebycase.audit.chain import seal\n"
        "from ..store.store import Store\n"
        "def f() -> None:\n"
        "    import sqlalchemy\n"
    )
    found = _violations("src/casebycase/cases/x.py", source, "casebycase.cases.x", False)
    assert found == [
        "src/casebycase/cases/x.py:2 imports casebycase.store.store (services -> store; "
        "services may import core, services)",
        "src/casebycase/cases/x.py:4 imports sqlalchemy (the services layer imports no sqlalchemy)",
    ]
    assert _violations("s.py", "from . import cli\n", "casebycase", True) == [
        "s.py:1 imports casebycase.cli (core -> shells; core may import core)"
    ]
    assert (
        _violations("w.py", "from casebycase import cases, store\n", "casebycase.web.w", False)
        == []
    )


def test_core_reads_no_clock() -> None:
    for path in MODULES:
        if _layer(_module(path)) != "core":
            continue
        text = path.read_text(encoding="utf-8")
        for call in ("datetime.now(", "dt.datetime.now(", "date.today(", "time.time("):
            assert call not in text, f"{path.relative_to(SRC)} calls {call}"


def test_no_grab_bag_modules() -> None:
    names = {p.stem for p in SRC.rglob("*.py")}
    assert not names & {"utils", "helpers", "manager", "misc", "common"}
