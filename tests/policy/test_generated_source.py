"""Generated code: no literal values, readable in tracebacks, shown by `show --source`."""

from __future__ import annotations

import io
import tokenize
import traceback

import pytest
from typer.testing import CliRunner

from casebycase import load_pack
from casebycase.cli import app
from casebycase.policy.load import bundled_ids


@pytest.mark.parametrize("pack_id", bundled_ids())
def test_generated_source_binds_every_value_by_name(pack_id: str) -> None:
    pack = load_pack(pack_id)
    tokens = list(tokenize.generate_tokens(io.StringIO(pack.source_code).readline))
    strings = [t.string for t in tokens if t.type == tokenize.STRING]
    numbers = {t.string for t in tokens if t.type == tokenize.NUMBER}
    assert strings == [], strings
    # the empty mask, positions in an offense's traits (category, level, status, entry)
    assert numbers <= {"0", "1", "2", "3"}, numbers
    for name in pack.constants:
        assert name in pack.source_code


class _Broken:
    """Facts whose every read fails, to see where a traceback points."""

    def __getattr__(self, name: str) -> object:
        raise RuntimeError(f"cannot read {name}")


def test_a_traceback_shows_the_generated_line() -> None:
    pack = load_pack("columbia-pd")
    with pytest.raises(RuntimeError) as caught:
        pack.by_kind["detainer"](_Broken(), 0.0)
    text = "".join(traceback.format_exception(caught.value))
    assert f'File "<pack {pack.id}>", line' in text
    assert "f_judicial_warrant = " in text or "r = f.r" in text


def test_show_source_prints_the_generated_module() -> None:
    result = CliRunner().invoke(app, ["show", "travis-county-so-2017", "--source"])
    assert result.exit_code == 0, result.output
    assert "def fired_detainer(f, t):" in result.output
    assert "#   _k0 = " in result.output
