"""The bundled packs at a glance: id, version, title, rule count and bases, read from the
pack files' YAML alone (no validation, no compiling), for listings that must start fast.

A pack file this cannot read plainly is read in full by ``policy.compile.load_pack``, so
a listing never shows less than loading would (and reports the same errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from casebycase.policy.document import FAST_LOADER

PACK_FILE = "pack.yaml"


@dataclass(frozen=True, slots=True)
class PackHeader:
    """What a listing shows of a pack."""

    id: str
    version: str
    title: str
    rules: int
    bases: tuple[str, ...]
    """The packs it extends, nearest first."""


def packs_dir() -> Path:
    """The folder of the packs that ship with casebycase."""
    return Path(str(resources.files("casebycase") / "packs"))


def pack_headers() -> list[PackHeader]:
    """Headers of every bundled pack, sorted by id."""
    folder = packs_dir()
    read: dict[Path, dict[str, Any] | None] = {}
    return [header(path, read) for path in sorted(folder.glob(f"*/{PACK_FILE}"))]


def header(path: Path, read: dict[Path, dict[str, Any] | None] | None = None) -> PackHeader:
    """The header of one pack file and the packs it extends (``read``: files already read)."""
    found = _plain_header(path, {} if read is None else read)
    if found is not None:
        return found
    from casebycase.policy.compile import load_pack

    p = load_pack(path)
    return PackHeader(
        p.id, p.version, p.pack.title, len(p.rules), tuple(reversed(p.pack.chain[:-1]))
    )


def _plain_header(top: Path, read: dict[Path, dict[str, Any] | None]) -> PackHeader | None:
    files: list[dict[str, Any]] = []
    path: Path | None = top
    while path is not None:
        key = path.resolve()
        if key not in read:
            read[key] = _read(path)
        data = read[key]
        if data is None or len(files) > 20:
            return None
        files.append(data)
        base = data.get("extends")
        if base is None:
            path = None
        elif not isinstance(base, str):
            return None
        else:
            near = path.parent / base
            path = packs_dir() / base / PACK_FILE
            if "/" in base:
                path = near / PACK_FILE if near.is_dir() else near
            if not path.is_file():
                return None
    first = files[0]
    return PackHeader(
        first["pack"],
        first["version"],
        first["title"],
        sum(len(f.get("rules") or []) for f in files),
        tuple(f["pack"] for f in files[1:]),
    )


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    except (OSError, yaml.YAMLError):
        return None
    ok = (
        isinstance(data, dict)
        and all(isinstance(data.get(k), str) for k in ("pack", "title", "version"))
        and isinstance(data.get("rules") or [], list)
    )
    return data if ok else None
