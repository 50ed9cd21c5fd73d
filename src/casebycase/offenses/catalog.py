"""The offense catalog: statute citations and charge texts to offense categories.

Precedence (the caller applies the first step; this module the rest):

1. A category written in the request wins; the catalog is not consulted.
2. The statute ``code``: the most specific code pattern of the catalog that covers the
   citation decides (an exact section beats a range, a subsection beats its section).
3. The charge ``description``, when the code is absent, not a citation, not in the
   catalog, or names an entry whose category needs a level nobody gave (then a decided
   description match is used instead).
4. Otherwise ``unknown``: the catalog never guesses a category from the level alone.

Description matching: every entry's regular expressions are searched in the normalized
text. A match lying inside a longer match of another entry is dropped (the more specific
text wins); of the rest, the most serious category by :data:`SEVERITY` wins, so a line such
as ``FOJO - MURDER 2ND, DEL CONT SUBS`` is a homicide. If an offense on the line has an
undecided category that could be more serious than the winner, the result is ``unknown``.

Holds (``ICE DETAINER``, ``US MARSHAL HOLD``, ``P&P HOLD`` ...) are not offenses: they come
back with ``category="unknown"``, ``is_hold=True`` and the hold entry id, and they win over
any offense text on the same line.

Levels: an entry's fixed ``level`` wins; otherwise the caller's level hint, then a level
written inside the text (``(MA)``, ``(F3)``), then the entry's ``default_level`` (not used
for attempts such as ``ATTM POSS CS PG1<1G``, which Texas grades one step lower).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from casebycase.errors import CaseByCaseError, Problem
from casebycase.offenses.categories import CATEGORIES, LEVELS, RANK, SEVERITY, normalize_level
from casebycase.offenses.charge_text import is_attempt, level_marker, normalize_text
from casebycase.offenses.citations import (
    Citation,
    CodePattern,
    normalize_code,
    parse_citation,
    parse_code_pattern,
)
from casebycase.vocabulary import Category, Level

ABBREVIATIONS_FILE = "abbreviations.yaml"
CATALOG_FILES = ("holds.yaml", "federal.yaml", "missouri.yaml", "texas.yaml", "charge-texts.yaml")
"""Bundled catalog files, in catalog order (earlier entries win ties)."""

_TOKEN = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


class CatalogError(CaseByCaseError):
    """The offense catalog cannot be loaded: each problem names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Classification:
    """What the catalog derives from one offense line.

    ``is_hold`` marks lines that are not offenses (detainers, marshal and probation holds,
    writs): ``category`` is then ``unknown`` and ``entry`` names the hold entry, so
    importers can skip the line.
    """

    category: str
    level: str | None
    entry: str | None
    citation: str | None
    title: str | None
    matched_by: str | None
    is_hold: bool = False


UNKNOWN = Classification("unknown", None, None, None, None, None)


@dataclass(frozen=True, slots=True, eq=False)
class Entry:
    """One catalog entry, checked and compiled."""

    id: str
    citation: str
    title: str
    category: str
    level: str | None
    default_level: str | None
    by_level: dict[str, str]
    codes: tuple[CodePattern, ...]
    descriptions: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]
    hold: bool
    note: str | None
    source: str
    order: int
    examples: tuple[str, ...] = ()
    """The entry's codes as written in the catalog (single sections, not ranges)."""

    def resolve(
        self, hint: str | None, marker: str | None, attempt: bool
    ) -> tuple[str, str | None]:
        """(category, level) for this entry given the level evidence of one line."""
        if self.hold:
            return ("unknown", None)
        if self.level is not None:
            level: str | None = self.level
        elif hint is not None:
            level = hint
        elif marker is not None:
            level = marker
        elif self.default_level is not None and not attempt:
            level = self.default_level
        else:
            level = None
        category = self.category
        if level is not None and self.by_level:
            if level in self.by_level:
                category = self.by_level[level]
            elif level == "infraction" and "misdemeanor" in self.by_level:
                category = self.by_level["misdemeanor"]
        return (category, level)

    def possible(self) -> frozenset[str]:
        """Categories this entry could give once its level is known."""
        if self.category != "unknown":
            return frozenset({self.category, *self.by_level.values()})
        if self.by_level:
            return frozenset(self.by_level.values())
        return frozenset(SEVERITY[:-1])


class _EntryModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*:[A-Za-z0-9][A-Za-z0-9.()\-]*$")
    citation: str = Field(min_length=1)
    title: str = Field(min_length=1)
    category: Category | None = None
    level: Level | None = None
    default_level: Level | None = None
    by_level: dict[Level, Category] = Field(default_factory=dict)
    codes: list[str] = Field(default_factory=list)
    descriptions: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    hold: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> _EntryModel:
        if not self.codes and not self.descriptions:
            raise ValueError("an entry needs 'codes' or 'descriptions' (or both)")
        if self.category is None and not self.by_level and not self.hold:
            raise ValueError("'category' is required (or 'by_level' for level-split entries)")
        if self.level is not None and (self.default_level is not None or self.by_level):
            raise ValueError("a fixed 'level' excludes 'default_level' and 'by_level'")
        if self.hold and (
            self.category not in (None, "unknown")
            or self.level
            or self.by_level
            or self.default_level
        ):
            raise ValueError("a hold entry has no category or level (it is not an offense)")
        if self.exclude and not self.descriptions:
            raise ValueError("'exclude' only filters 'descriptions'; this entry has none")
        return self


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    catalog: str = Field(min_length=1)
    jurisdiction: str = Field(min_length=1)
    entries: list[dict[str, Any]]


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML loader that refuses duplicate keys."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key '{key}' (first at line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


class _FastStrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same with libyaml's parser when present; errors are re-read with the first."""


_FastStrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _parse(loader_class: type[yaml.SafeLoader], text: str) -> tuple[Any, yaml.Node | None]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def _read_yaml(path: Path | Traversable, name: str) -> tuple[Any, list[int]]:
    """Parse one file; return the data and the line of each item of its ``entries`` list."""
    text = path.read_text(encoding="utf-8")
    try:
        try:
            data, node = _parse(_FastStrictLoader, text)
        except yaml.YAMLError:
            data, node = _parse(_StrictLoader, text)  # its messages are the documented ones
    except yaml.YAMLError as exc:
        where, why = name, str(exc)
        if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
            mark = exc.problem_mark
            where = f"{name}:{mark.line + 1}:{mark.column + 1}"
            why = exc.problem or why
        raise CatalogError(
            [
                Problem(
                    where,
                    f"not valid YAML: {why}",
                    "check the indentation and quoting at that line",
                )
            ],
            "offense catalog cannot be loaded",
        ) from None
    lines: list[int] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == "entries" and isinstance(value_node, yaml.SequenceNode):
                lines = [item.start_mark.line + 1 for item in value_node.value]
    return data, lines


def _error_text(exc: ValidationError, keys: Sequence[str]) -> list[tuple[str, str]]:
    """(why, hint) pairs from a pydantic error, phrased for catalog authors."""
    out: list[tuple[str, str]] = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"])
        kind = err["type"]
        value = err.get("input")
        if loc.startswith("category") or (
            loc.startswith("by_level") and kind == "literal_error" and loc.count(".") >= 1
        ):
            near = difflib.get_close_matches(str(value), CATEGORIES, n=1)
            hint = f"did you mean '{near[0]}'?" if near else "use one of: " + ", ".join(CATEGORIES)
            out.append((f"unknown category '{value}'", hint))
        elif loc.startswith(("level", "default_level", "by_level")) and kind == "literal_error":
            out.append((f"unknown level '{value}' in '{loc}'", "use one of: " + ", ".join(LEVELS)))
        elif kind == "extra_forbidden":
            near = difflib.get_close_matches(loc, list(keys), n=1)
            hint = f"did you mean '{near[0]}'?" if near else "known keys: " + ", ".join(keys)
            out.append((f"unknown key '{loc}'", hint))
        elif loc == "id" and kind == "string_pattern_mismatch":
            out.append(
                (
                    f"id {value!r} is not of the form 'prefix:name'",
                    "e.g. 'mo:566.209' or 'tx-text:agg-assault-deadly-weapon'",
                )
            )
        elif kind == "missing":
            out.append((f"'{loc}' is required", "known keys: " + ", ".join(keys)))
        elif kind == "value_error":
            out.append((str(err["msg"]).removeprefix("Value error, "), "see docs/offenses.md"))
        else:
            out.append((f"{loc or 'entry'}: {err['msg']}", "see docs/offenses.md"))
    return out


@dataclass
class _Builder:
    """Collects checked entries and problems across files."""

    abbreviations: dict[str, str]
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)

    def expand(self, pattern: str) -> str:
        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in self.abbreviations:
                raise KeyError(name)
            return self.abbreviations[name]

        return _TOKEN.sub(sub, pattern)

    def compile(self, where: str, what: str, patterns: list[str]) -> tuple[re.Pattern[str], ...]:
        out: list[re.Pattern[str]] = []
        for pattern in patterns:
            try:
                out.append(re.compile(self.expand(pattern), re.IGNORECASE))
            except KeyError as exc:
                near = difflib.get_close_matches(str(exc.args[0]), list(self.abbreviations), n=1)
                hint = (
                    f"did you mean '{{{near[0]}}}'?"
                    if near
                    else f"define it in {ABBREVIATIONS_FILE}"
                )
                self.problems.append(
                    Problem(
                        where,
                        f"{what} pattern '{pattern}' uses unknown abbreviation '{{{exc.args[0]}}}'",
                        hint,
                    )
                )
            except re.error as exc:
                self.problems.append(
                    Problem(
                        where,
                        f"{what} pattern '{pattern}' is not a valid regular expression: {exc}",
                        "check brackets, escapes (\\( for a literal parenthesis) and quantifiers",
                    )
                )
        return tuple(out)

    def add_file(self, name: str, data: Any, lines: Sequence[int]) -> None:
        if data is None:
            self.problems.append(
                Problem(
                    name,
                    "the file is empty",
                    "a catalog file has 'catalog', 'jurisdiction' and 'entries'",
                )
            )
            return
        try:
            parsed = _FileModel.model_validate(data)
        except ValidationError as exc:
            for why, hint in _error_text(exc, list(_FileModel.model_fields)):
                self.problems.append(Problem(name, why, hint))
            return
        for index, raw in enumerate(parsed.entries):
            line = lines[index] if index < len(lines) else 0
            self.add_entry(name, line, raw)

    def add_entry(self, name: str, line: int, raw: Any) -> None:
        ident = raw.get("id") if isinstance(raw, dict) else None
        where = f"{name}:{line}: entry '{ident}'" if ident else f"{name}:{line}: entry"
        try:
            model = _EntryModel.model_validate(raw)
        except ValidationError as exc:
            for why, hint in _error_text(exc, list(_EntryModel.model_fields)):
                self.problems.append(Problem(where, why, hint))
            return
        if model.id in self.seen:
            self.problems.append(
                Problem(
                    where,
                    f"duplicate entry id '{model.id}' (first defined at {self.seen[model.id]})",
                    "give each entry its own id",
                )
            )
            return
        self.seen[model.id] = f"{name}:{line}"
        codes: list[CodePattern] = []
        for code in model.codes:
            try:
                codes.append(parse_code_pattern(code))
            except ValueError as exc:
                self.problems.append(
                    Problem(
                        where,
                        f"bad code pattern '{code}': {exc}",
                        "see the citation forms in docs/offenses.md",
                    )
                )
        descriptions = self.compile(where, "description", model.descriptions)
        exclude = self.compile(where, "exclude", model.exclude)
        category = model.category or "unknown"
        self.entries.append(
            Entry(
                id=model.id,
                citation=model.citation,
                title=model.title,
                category=category,
                level=model.level,
                default_level=model.default_level,
                by_level={str(k): str(v) for k, v in model.by_level.items()},
                codes=tuple(codes),
                descriptions=descriptions,
                exclude=exclude,
                hold=model.hold,
                note=model.note,
                source=f"{name}:{line}",
                order=len(self.entries),
                examples=tuple(
                    c for c, p in zip(model.codes, codes, strict=False) if not p.is_range
                ),
            )
        )


@dataclass(frozen=True, slots=True)
class _Match:
    entry: Entry
    start: int
    end: int
    category: str
    level: str | None

    @property
    def length(self) -> int:
        return self.end - self.start


class Catalog:
    """A loaded, checked catalog. Use :meth:`classify`; results are cached per input."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_id = {entry.id: entry for entry in self.entries}
        self._exact: dict[tuple[str, str], list[tuple[CodePattern, Entry]]] = {}
        self._ranges: dict[str, list[tuple[CodePattern, Entry]]] = {}
        for entry in self.entries:
            for pattern in entry.codes:
                if pattern.is_range:
                    self._ranges.setdefault(pattern.system, []).append((pattern, entry))
                else:
                    self._exact.setdefault((pattern.system, pattern.section), []).append(
                        (pattern, entry)
                    )
        self._holds = [entry for entry in self.entries if entry.hold and entry.descriptions]
        self._texts = [entry for entry in self.entries if entry.descriptions and not entry.hold]
        self._cached = functools.lru_cache(maxsize=65536)(self._classify)

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, entry_id: str) -> Entry:
        """The entry with this id (KeyError if none)."""
        return self._by_id[entry_id]

    @functools.cached_property
    def statutes(self) -> dict[str, str]:
        """Entries a rule may name (``offense: {entry: ...}``): offenses with a code that
        the catalog classifies back to them, each with that code (for examples)."""
        out: dict[str, str] = {}
        for entry in self.entries:
            if entry.hold:
                continue
            for code in entry.examples:
                if self.classify(code).entry == entry.id:
                    out[entry.id] = code
                    break
        return out

    def classify(
        self, code: str | None = None, description: str | None = None, level: str | None = None
    ) -> Classification:
        """Classify one offense line: statute ``code``, charge ``description``, level hint."""
        return self._cached(
            normalize_code(code) if code else "",
            normalize_text(description),
            normalize_level(level),
        )

    def cache_info(self) -> Any:
        """Hit and miss counts of the classification cache."""
        return self._cached.cache_info()

    # -- lookups ---------------------------------------------------------------------------

    def by_code(self, citation: Citation) -> Entry | None:
        """The entry whose code patterns cover ``citation`` most specifically."""
        best: tuple[tuple[int, int], int, Entry] | None = None
        candidates = self._exact.get((citation.system, citation.section), []) + self._ranges.get(
            citation.system, []
        )
        for pattern, entry in candidates:
            if pattern.matches(citation):
                rank = (pattern.specificity, -entry.order, entry)
                if best is None or rank[:2] > best[:2]:
                    best = rank
        return best[2] if best else None

    def _matches(self, text: str, hint: str | None, attempt: bool) -> list[_Match]:
        found: list[_Match] = []
        for entry in self._texts:
            span: tuple[int, int] | None = None
            for rx in entry.descriptions:
                m = rx.search(text)
                if m and (span is None or m.end() - m.start() > span[1] - span[0]):
                    span = (m.start(), m.end())
            if span is None or any(rx.search(text) for rx in entry.exclude):
                continue
            # A level marker belongs to the offense it follows, up to the next ", ".
            stop = text.find(", ", span[1])
            marker = level_marker(text[span[0] : stop if stop >= 0 else len(text)])
            category, level = entry.resolve(hint, marker, attempt)
            found.append(_Match(entry, span[0], span[1], category, level))
        # Drop matches inside a longer match of another entry (the more specific text wins).
        found.sort(key=lambda f: (-f.length, f.entry.order))
        kept: list[_Match] = []
        for item in found:
            if not any(k.start <= item.start and item.end <= k.end for k in kept):
                kept.append(item)
        return kept

    # -- the classification ----------------------------------------------------------------

    def _result(self, entry: Entry, category: str, level: str | None, how: str) -> Classification:
        return Classification(
            category, level, entry.id, entry.citation, entry.title, how, entry.hold
        )

    def _describe(self, text: str, hint: str | None) -> Classification | None:
        if not text:
            return None
        for entry in self._holds:
            if any(rx.search(text) for rx in entry.descriptions) and not any(
                rx.search(text) for rx in entry.exclude
            ):
                return self._result(entry, "unknown", None, "description")
        kept = self._matches(text, hint, is_attempt(text))
        if not kept:
            return None
        decided = [m for m in kept if m.category != "unknown"]
        undecided = [m for m in kept if m.category == "unknown"]
        best = min(
            decided, key=lambda m: (RANK[m.category], -m.length, m.entry.order), default=None
        )
        threat = min(
            undecided,
            key=lambda m: (min(RANK[c] for c in m.entry.possible()), -m.length, m.entry.order),
            default=None,
        )
        if best is not None and (
            threat is None or min(RANK[c] for c in threat.entry.possible()) >= RANK[best.category]
        ):
            return self._result(best.entry, best.category, best.level, "description")
        assert threat is not None
        return self._result(threat.entry, "unknown", threat.level, "description")

    def _classify(self, code: str, text: str, hint: str | None) -> Classification:
        from_code: Classification | None = None
        citation = parse_citation(code) if code else None
        if citation is not None:
            entry = self.by_code(citation)
            if entry is not None:
                attempt = is_attempt(text) or (
                    citation.system == "txoc" and citation.section.endswith("A")
                )
                category, level = entry.resolve(hint, level_marker(text), attempt)
                from_code = self._result(entry, category, level, "code")
                if category != "unknown" or entry.hold:
                    return from_code
        from_text = self._describe(text, hint)
        if from_code is not None and (from_text is None or from_text.category == "unknown"):
            return from_code
        return from_text or UNKNOWN


def _abbreviations(path: Path | Traversable, name: str) -> tuple[dict[str, str], list[Problem]]:
    data, _ = _read_yaml(path, name)
    problems: list[Problem] = []
    table = data.get("abbreviations") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        return {}, [
            Problem(
                name, "expected a mapping 'abbreviations: {NAME: regex}'", "see docs/offenses.md"
            )
        ]
    out: dict[str, str] = {}
    for key, value in table.items():
        if not isinstance(key, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
            problems.append(
                Problem(
                    f"{name}: abbreviation {key!r}",
                    "names are upper-case letters, digits and _",
                    "e.g. ASSAULT",
                )
            )
            continue
        if not isinstance(value, str):
            problems.append(
                Problem(
                    f"{name}: abbreviation '{key}'",
                    "the value must be a string",
                    "quote the regular expression",
                )
            )
            continue
        try:
            re.compile(value)
        except re.error as exc:
            problems.append(
                Problem(
                    f"{name}: abbreviation '{key}'",
                    f"not a valid regular expression: {exc}",
                    "check brackets and escapes",
                )
            )
            continue
        out[key] = f"(?:{value})"
    return out, problems


def load_catalog_from(
    paths: Sequence[Path | Traversable], abbreviations: Path | Traversable | None = None
) -> Catalog:
    """Load and check catalog files (in order); raise :class:`CatalogError` listing all problems.

    ``abbreviations`` defaults to the bundled table; ``{NAME}`` in a pattern expands to it.
    """
    abbr_path = abbreviations or _bundled(ABBREVIATIONS_FILE)
    table, problems = _abbreviations(abbr_path, abbr_path.name)
    builder = _Builder(table, problems=problems)
    for path in paths:
        data, lines = _read_yaml(path, path.name)
        builder.add_file(path.name, data, lines)
    if builder.problems:
        raise CatalogError(builder.problems, "offense catalog cannot be loaded")
    return Catalog(builder.entries)


def _bundled(name: str) -> Traversable:
    return resources.files("casebycase.offenses").joinpath("catalog", name)


@functools.cache
def load_catalog() -> Catalog:
    """The bundled catalog (loaded and checked once)."""
    return load_catalog_from([_bundled(name) for name in CATALOG_FILES])


def classify(
    code: str | None = None, description: str | None = None, level: str | None = None
) -> Classification:
    """Classify one offense line with the bundled catalog (see the module docstring)."""
    return load_catalog().classify(code, description, level)
