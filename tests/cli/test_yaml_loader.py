"""Pack YAML is read with libyaml when present; documents and errors are the same as with
the pure-Python parser."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from casebycase.errors import PackError
from casebycase.policy import document
from casebycase.policy.load import bundled_dir

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(bundled_dir().glob("*/*.yaml"))


def test_libyaml_is_used_when_available() -> None:
    assert yaml.__with_libyaml__, "PyYAML without libyaml: packs load ~15x slower"
    assert document.FAST_LOADER is yaml.CSafeLoader  # type: ignore[comparison-overlap]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_data_and_positions_as_the_python_parser(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = document._read(yaml.CSafeLoader, text, "f.yaml")  # type: ignore[arg-type]
    slow = document._read(yaml.SafeLoader, text, "f.yaml")
    assert fast.data == slow.data
    assert fast.positions == slow.positions


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: {c: 1, d: 2\n  e: f: g\n",  # libyaml words this differently
        "a: 1\n  b: 2\n",
        "a: 1\na: 2\n",
        "a: [1, 2\n",
    ],
)
def test_errors_are_the_python_parsers(text: str) -> None:
    with pytest.raises(PackError) as fast:
        document.read_yaml(text, "f.yaml")
    with pytest.raises(PackError) as slow:
        document._read(yaml.SafeLoader, text, "f.yaml")
    assert [str(p) for p in fast.value.problems] == [str(p) for p in slow.value.problems]
