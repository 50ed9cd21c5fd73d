"""The stored texts of sources: what a ``quote:`` is checked against, and official hosts.

The bundled library (``casebycase/sources/*.yaml``, one file per source) holds the verbatim
excerpts each source was read from, with the address and the date read; a pack folder may
add its own ``sources/`` folder in the same format (its files win). A quote is verified when
it appears, after normalising whitespace and typographic quotes, in an excerpt of the
source's own words (never in an excerpt marked ``secondary``: a summary or report).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field

from casebycase.errors import PackError, Problem
from casebycase.policy.document import FAST_LOADER

Authority = Literal[
    "statute", "regulation", "case", "form", "policy", "agreement", "report", "proposal"
]
"""What kind of source: its standing, as counsel reads it."""
OFFICIAL_REQUIRED = ("statute", "regulation", "form", "case")
"""Kinds of source whose address must be on an official host (or say why not: ``mirror``)."""
HOSTS_FILE = "_official_hosts.yaml"


class Excerpt(BaseModel):
    """A whole section or paragraph as the source prints it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    section: str = ""
    heading: str | None = None
    text: str
    secondary: bool = False
    """A summary or report of the source, not its own words: never verifies a quote."""
    read_from: str | None = None
    note: str | None = None


class StoredText(BaseModel):
    """One source of the library: where its text was read, when, and the excerpts."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    serves: list[str] = []
    citation: str
    authority: Authority
    title: str = ""
    url: str | None = None
    official: bool = False
    mirror: str | None = None
    effective: dt.date | None = None
    decided: dt.date | None = None
    status: str | None = None
    read: dt.date | None = None
    read_from: str | None = None
    excerpts: list[Excerpt] = []
    unconfirmed: list[str] = Field(default_factory=list)

    def own_words(self) -> list[Excerpt]:
        return [e for e in self.excerpts if not e.secondary]


@dataclass(frozen=True, slots=True)
class Found:
    """Where a quote was found: the stored text and the excerpt."""

    text: StoredText
    excerpt: Excerpt


_QUOTES = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u00a0": " ",
        "\u2013": "-",
        "\u2014": "-",
        "\u00a7": "§",
    }
)


def normalise(text: str) -> str:
    """Whitespace collapsed and typographic quotes and dashes made plain."""
    return " ".join(text.translate(_QUOTES).split())


def find(quote: str, texts: list[StoredText]) -> Found | None:
    """The first excerpt in the source's own words that holds ``quote`` verbatim."""
    wanted = normalise(quote).strip(" .\"'…")
    for stored in texts:
        for excerpt in stored.own_words():
            if wanted and wanted in normalise(excerpt.text):
                return Found(stored, excerpt)
    return None


def nearest(quote: str, texts: list[StoredText]) -> str | None:
    """The stored passage of the quote's length closest to it, word by word (for the hint
    of a failed check)."""
    wanted = normalise(quote).lower().split()
    best: tuple[float, str] | None = None
    for stored in texts:
        for excerpt in stored.own_words():
            words = normalise(excerpt.text).split()
            size = max(1, len(wanted))
            for start in range(max(1, len(words) - size + 1)):
                window = words[start : start + size]
                score = difflib.SequenceMatcher(
                    None, wanted, [w.lower() for w in window], autojunk=False
                ).ratio()
                if best is None or score > best[0]:
                    best = (score, " ".join(window))
    return best[1] if best else None


def host_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


@functools.cache
def official_hosts() -> frozenset[str]:
    """The documented allow-list of official publishers' hosts."""
    raw = _load((_bundled() / HOSTS_FILE).read_text(encoding="utf-8"))
    return frozenset(str(h["host"]).lower().removeprefix("www.") for h in raw["hosts"])


def is_official(url: str) -> bool:
    host = host_of(url)
    return any(host == h or host.endswith("." + h) for h in official_hosts())


def _bundled() -> Path:
    return Path(str(resources.files("casebycase") / "sources"))


def _load(text: str) -> Any:
    """YAML with libyaml when present; a syntax error is re-read with the pure-Python parser,
    whose message is the documented one."""
    try:
        return yaml.load(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(text)


@functools.cache
def _read_folder(folder: Path) -> tuple[StoredText, ...]:
    out = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        try:
            out.append(StoredText.model_validate(_load(path.read_text("utf-8"))))
        except Exception as exc:  # a broken library file is a pack error, with its file
            raise PackError(
                [
                    Problem(
                        str(path),
                        f"not a valid source text: {exc}",
                        "see casebycase/sources/README.md",
                    )
                ],
                title="invalid source text",
            ) from None
    return tuple(out)


class Library:
    """Stored texts by the pack source ids they serve (the bundled library plus a pack's)."""

    def __init__(self, folders: tuple[Path, ...] = ()) -> None:
        self.by_source: dict[str, list[StoredText]] = {}
        self.by_id: dict[str, StoredText] = {}
        for folder in (_bundled(), *folders):
            if not folder.is_dir():
                continue
            for stored in _read_folder(folder):
                self.by_id[stored.id] = stored
                for source_id in stored.serves or [stored.id]:
                    self.by_source.setdefault(source_id, [])
                    self.by_source[source_id] = [
                        t for t in self.by_source[source_id] if t.id != stored.id
                    ] + [stored]

    def texts(self, source_id: str, named: str | None = None) -> list[StoredText]:
        """The stored texts of a pack source (``named``: a library id the source names)."""
        if named is not None:
            return [self.by_id[named]] if named in self.by_id else []
        return self.by_source.get(source_id, [])


@functools.cache
def library(folders: tuple[Path, ...] = ()) -> Library:
    """The library for packs in these folders (each may hold a ``sources/`` folder)."""
    return Library(tuple(f / "sources" for f in folders))
