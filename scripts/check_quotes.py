#!/usr/bin/env python3
"""Check every pack ``quote:`` against the verbatim source library.

Loads ``src/casebycase/sources/*.yaml`` (files starting with ``_`` are not sources;
``_official_hosts.yaml`` is the allow-list of official publishers) and every bundled
``src/casebycase/packs/*/pack.yaml``. For each quote it reports where the words were found:

- ``verbatim``      in an excerpt of a library file that serves the cited source id;
- ``secondary``     only in an excerpt marked ``secondary: true`` (a summary or report of the
                    source, not its own text) of a serving file;
- ``punctuation``   in a serving excerpt once punctuation is ignored (commas dropped etc.);
- ``elsewhere:ID``  verbatim, but in a library file that does not serve the cited source
                    (the words are real, the attribution is not);
- ``not found``.

Comparison normalises Unicode (NFKC), typographic quotes, Markdown bold, whitespace and case,
drops the quote's trailing punctuation, and treats an ellipsis in a quote as a gap (each part
must appear, in order, in the same excerpt).

Usage: check_quotes.py [--root DIR] [--table] [--strict]
  --table   also print one Markdown row per quote (pack, line, owner, source, quote, result)
  --strict  exit 1 if any quote is not verbatim or any source url host is off the allow-list
Needs only Python 3.11 and PyYAML.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

REQUIRED = (
    "id",
    "serves",
    "citation",
    "authority",
    "url",
    "official",
    "read",
    "read_from",
    "excerpts",
    "unconfirmed",
)
AUTHORITIES = {"statute", "regulation", "case", "form", "policy", "agreement", "report", "proposal"}
QUOTE_MARKS = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
    }
)
ELLIPSIS = re.compile(r"\s*(?:\.\s*\.\s*\.|…)\s*")


def normalise(text: str) -> str:
    """Fold the differences a verbatim comparison should ignore."""
    text = unicodedata.normalize("NFKC", text).translate(QUOTE_MARKS).replace("**", "")
    return re.sub(r"\s+", " ", text).strip().casefold()


def strip_punctuation(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()


def contains(haystack: str, quote: str, loose: bool = False) -> bool:
    """True if every ellipsis-separated part of ``quote`` appears in order in ``haystack``."""
    parts = [p for p in ELLIPSIS.split(normalise(quote)) if p]
    parts = [p.rstrip(".,;:") for p in parts]
    hay = normalise(haystack)
    if loose:
        parts = [strip_punctuation(p) for p in parts]
        hay = strip_punctuation(hay)
    pos = 0
    for part in parts:
        found = hay.find(part, pos)
        if found < 0:
            return False
        pos = found + len(part)
    return bool(parts)


@dataclass
class Source:
    path: Path
    data: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.data.get("id"))

    @property
    def serves(self) -> list[str]:
        return list(self.data.get("serves") or [])

    def excerpts(self, secondary: bool | None = None) -> list[str]:
        out = []
        for ex in self.data.get("excerpts") or []:
            if secondary is None or bool(ex.get("secondary")) == secondary:
                out.append(str(ex.get("text", "")))
        return out


@dataclass
class Quote:
    pack: str
    line: int
    owner: str | None
    source: str
    section: str | None
    text: str
    result: str = ""


def load_sources(folder: Path) -> list[Source]:
    sources = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            sources.append(Source(path, {"id": path.stem}, [f"not valid YAML: {exc}"]))
            continue
        src = Source(path, data)
        missing = [k for k in REQUIRED if k not in data]
        if missing:
            src.problems.append(f"missing {', '.join(missing)}")
        if data.get("authority") not in AUTHORITIES:
            src.problems.append(
                f"authority {data.get('authority')!r} not one of {sorted(AUTHORITIES)}"
            )
        if path.stem != data.get("id"):
            src.problems.append(f"file name does not match id {data.get('id')!r}")
        for i, ex in enumerate(data.get("excerpts") or []):
            if not str(ex.get("text", "")).strip() or not ex.get("section"):
                src.problems.append(f"excerpt {i + 1} lacks section or text")
        sources.append(src)
    return sources


def load_hosts(folder: Path) -> set[str]:
    path = folder / "_official_hosts.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {bare(entry["host"]) for entry in (data or {}).get("hosts", [])}


def bare(host: str) -> str:
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def host_of(url: object) -> str | None:
    if not url:
        return None
    return bare(urlparse(str(url)).hostname or "") or None


def walk(node: yaml.Node, owner: str | None, pack: str, out: list[Quote]) -> None:
    if isinstance(node, yaml.MappingNode):
        keys = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        for name in ("id", "code"):
            if isinstance(keys.get(name), yaml.ScalarNode):
                owner = keys[name].value
        if "quote" in keys and "source" in keys:
            section = keys.get("section")
            out.append(
                Quote(
                    pack,
                    keys["quote"].start_mark.line + 1,
                    owner,
                    keys["source"].value,
                    section.value if isinstance(section, yaml.ScalarNode) else None,
                    keys["quote"].value,
                )
            )
        for _, value in node.value:
            walk(value, owner, pack, out)
    elif isinstance(node, yaml.SequenceNode):
        for value in node.value:
            walk(value, owner, pack, out)


def load_packs(folder: Path) -> tuple[list[Quote], dict[str, list[dict[str, Any]]]]:
    quotes: list[Quote] = []
    pack_sources: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*/pack.yaml")):
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        if root is not None:
            walk(root, None, path.parent.name, quotes)
        pack_sources[path.parent.name] = (yaml.safe_load(text) or {}).get("sources") or []
    return quotes, pack_sources


def classify(quote: Quote, serving: list[Source], others: list[Source]) -> str:
    if any(contains(t, quote.text) for s in serving for t in s.excerpts(secondary=False)):
        return "verbatim"
    if any(contains(t, quote.text) for s in serving for t in s.excerpts(secondary=True)):
        return "secondary"
    if any(contains(t, quote.text, loose=True) for s in serving for t in s.excerpts()):
        return "punctuation"
    for s in others:
        if any(contains(t, quote.text) for t in s.excerpts()):
            return f"elsewhere:{s.id}"
    return "not found"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--table", action="store_true")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    lib = args.root / "src" / "casebycase" / "sources"
    sources = load_sources(lib)
    hosts = load_hosts(lib)
    quotes, pack_sources = load_packs(args.root / "src" / "casebycase" / "packs")
    by_id: dict[str, list[Source]] = {}
    for src in sources:
        for sid in src.serves:
            by_id.setdefault(sid, []).append(src)

    bad = 0
    n_excerpts = sum(len(s.excerpts()) for s in sources)
    print(
        f"Source library: {len(sources)} files, {n_excerpts} excerpts; "
        f"allow-list: {len(hosts)} hosts"
    )
    for src in sources:
        if src.problems:
            bad += 1
            print(f"  INVALID {src.path.name}: {'; '.join(src.problems)}")

    print("\nQuotes per pack (verbatim / secondary / punctuation / elsewhere / not found):")
    totals: dict[str, int] = {}
    for pack in sorted({q.pack for q in quotes}):
        counts = {"verbatim": 0, "secondary": 0, "punctuation": 0, "elsewhere": 0, "not found": 0}
        for q in (q for q in quotes if q.pack == pack):
            serving = by_id.get(q.source, [])
            q.result = classify(q, serving, [s for s in sources if s not in serving])
            counts[q.result.split(":")[0]] += 1
        for k, v in counts.items():
            totals[k] = totals.get(k, 0) + v
        print(f"  {pack:24} " + " / ".join(str(v) for v in counts.values()))
        for q in (q for q in quotes if q.pack == pack and q.result != "verbatim"):
            print(f'      l.{q.line:<4} {q.source:28} {q.result:34} "{q.text[:70]}"')
    label = f"TOTAL ({len(quotes)})"
    print(f"  {label:24} " + " / ".join(str(v) for v in totals.values()))
    bad += len(quotes) - totals["verbatim"]

    print("\nLibrary sources: url host on the allow-list?")
    for src in sources:
        host = host_of(src.data.get("url"))
        ok = host in hosts if host else False
        flag = "yes" if ok else ("no url" if not host else "NO")
        note = "" if src.data.get("official") else " (official: false)"
        if src.data.get("official") and not ok:
            bad += 1
            note += " official: true but host not allowed"
        print(f"  {src.id:38} {host or '-':34} {flag}{note}")

    print("\nPack sources: library coverage and url host")
    for pack, entries in pack_sources.items():
        for entry in entries:
            sid = str(entry.get("id"))
            host = host_of(entry.get("url"))
            files = ", ".join(s.id for s in by_id.get(sid, [])) or "NO LIBRARY FILE"
            allowed = "allowed" if host in hosts else ("no url" if not host else "not official")
            print(f"  {pack:24} {sid:36} {allowed:13} -> {files}")

    if args.table:
        print("\n| pack | line | rule/risk | source | section | quote | library result |")
        print("|---|---|---|---|---|---|---|")
        for q in quotes:
            cells = [
                q.pack,
                str(q.line),
                q.owner or "",
                q.source,
                q.section or "",
                q.text.replace("|", "\\|"),
                q.result,
            ]
            print("| " + " | ".join(cells) + " |")
    return 1 if args.strict and bad else 0


if __name__ == "__main__":
    sys.exit(main())
