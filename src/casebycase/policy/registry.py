"""The packs a shell serves, by id: read and compiled once, then looked up in memory.

Each shell (CLI, server, replay) builds one :class:`Registry` and passes it down; evaluating
a request by its agency id is then a dictionary look-up, with no file-system access.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterable
from pathlib import Path

from casebycase.errors import PackNotFound, Problem
from casebycase.policy.compile import CompiledPack, compile_pack
from casebycase.policy.load import PACK_FILE, bundled_dir, read_pack


class Registry:
    """Pack ids -> compiled packs, from the bundled packs and any packs folders.

    A pack is read and compiled the first time its id is asked for, then kept; a later
    folder's pack replaces a bundled pack of the same id.
    """

    def __init__(self, folders: Iterable[Path | str] = (), bundled: bool = True) -> None:
        self._paths: dict[str, Path] = {}
        for folder in ([bundled_dir()] if bundled else []) + [Path(f) for f in folders]:
            for pack_file in sorted(Path(folder).glob(f"*/{PACK_FILE}")):
                self._paths[pack_file.parent.name] = pack_file
        self._compiled: dict[str, CompiledPack] = {}
        self._lock = threading.Lock()

    def ids(self) -> list[str]:
        """Every pack id this registry serves, sorted."""
        return sorted(self._paths)

    def __contains__(self, pack_id: object) -> bool:
        return pack_id in self._paths

    def add(self, pack: CompiledPack) -> None:
        """Serve an already compiled pack under its id."""
        with self._lock:
            self._compiled[pack.id] = pack
            self._paths.setdefault(pack.id, Path(pack.pack.path))

    def get(self, pack_id: str) -> CompiledPack:
        """The compiled pack with this id (read and compiled on first use)."""
        found = self._compiled.get(pack_id)
        if found is not None:
            return found
        path = self._paths.get(pack_id)
        if path is None:
            near = difflib.get_close_matches(pack_id, self.ids(), n=1, cutoff=0.5)
            hint = f"did you mean '{near[0]}'?" if near else f"packs: {', '.join(self.ids())}"
            raise PackNotFound(
                [Problem(pack_id, "no pack has this id", hint)], title="pack not found"
            )
        with self._lock:
            found = self._compiled.get(pack_id)
            if found is None:
                found = self._compiled[pack_id] = compile_pack(read_pack(path))
        return found


_DEFAULT: Registry | None = None


def bundled_registry() -> Registry:
    """The registry of the bundled packs only (built on first use, then shared)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Registry()
    return _DEFAULT
