"""Reading packs: find, parse, validate, resolve ``extends``, check every reference.

Every problem is reported with file:line:column, why, and a hint; all problems of a file
are collected before raising, so an author fixes them in one pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import TypeAdapter

from casebycase.errors import PackError, PackNotFound, Problem
from casebycase.policy.condition import TRUE, Node, Profile
from casebycase.policy.document import Document, read_yaml
from casebycase.policy.model import (
    LAYERS,
    STANDARD_ACTIONS,
    AgencyProfile,
    Agreement,
    Clause,
    Default,
    PackFile,
    Program,
    Risk,
    Rule,
    Scenario,
    Source,
)
from casebycase.policy.parse import Locate, Parser
from casebycase.policy.quotes import check_citations
from casebycase.policy.texts import library
from casebycase.policy.validation import build_profile, validate

PACK_FILE = "pack.yaml"
TESTS_FILE = "tests.yaml"
NO_AGENCY = AgencyProfile(name="(no agency: a layer pack)", type="other", state="US")


@dataclass(frozen=True, slots=True)
class RuleDef:
    """A checked rule: the written rule plus its layer, condition tree and dates."""

    rule: Rule
    layer: str
    node: Node
    start: dt.date | None
    end: dt.date | None
    pack: str
    where: str

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def rank(self) -> int:
        """0 for federal ... 3 for agency: lower ranks are more authoritative."""
        return LAYERS.index(self.layer)

    @property
    def outcome(self) -> str | None:
        return self.rule.outcome

    @property
    def binding(self) -> bool:
        return self.rule.binding

    @property
    def priority(self) -> int:
        return self.rule.priority

    @property
    def exception_to(self) -> list[str]:
        return self.rule.exception_to


@dataclass(frozen=True, slots=True)
class TestDef:
    """A scenario test and where it is written."""

    scenario: Scenario
    where: str
    pack: str


@dataclass
class Pack:
    """A fully resolved, checked pack (not yet compiled)."""

    id: str
    version: str
    title: str
    summary: str | None
    chain: tuple[str, ...]
    agency: AgencyProfile
    sources: dict[str, Source]
    risks: dict[str, Risk]
    actions: dict[str, str]
    rules: list[RuleDef]
    default: Default
    written_tests: list[TestDef]
    digest: str
    path: str
    warnings: tuple[Problem, ...] = ()
    """What ``check`` reports without refusing the pack (e.g. a narrow category)."""
    folders: tuple[Path, ...] = ()
    """The folders of the pack files read (each may hold a ``sources/`` folder of texts)."""
    tests_file: Path | None = None
    profile: Profile = field(init=False)
    _file_tests: list[TestDef] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.profile = build_profile(self.agency)

    @property
    def tests(self) -> list[TestDef]:
        """Scenario tests: those in the pack file, then its tests.yaml (read on first use)."""
        if self._file_tests is None:
            self._file_tests = _read_tests(self.tests_file, self.id) if self.tests_file else []
        return [*self.written_tests, *self._file_tests]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.agency.timezone)

    def instant(self, day: dt.date | None, default: float) -> float:
        """Local midnight of ``day`` in the agency's zone, as POSIX seconds."""
        if day is None:
            return default
        return dt.datetime.combine(day, dt.time(), self.zone).timestamp()


def bundled_dir() -> Path:
    """The folder of the packs that ship with casebycase."""
    return Path(str(resources.files("casebycase") / "packs"))


def bundled_ids() -> list[str]:
    """Ids of the bundled packs, sorted."""
    return sorted(p.parent.name for p in bundled_dir().glob(f"*/{PACK_FILE}"))


def locate(id_or_path: str | Path) -> Path:
    """The pack file for a bundled id, a pack folder or a pack file."""
    text = str(id_or_path)
    candidate = Path(text)
    if candidate.is_dir() and (candidate / PACK_FILE).is_file():
        return candidate / PACK_FILE
    if candidate.is_file():
        return candidate
    bundled = bundled_dir() / text / PACK_FILE
    if "/" not in text and bundled.is_file():
        return bundled
    near = difflib.get_close_matches(text, bundled_ids(), n=1, cutoff=0.5)
    hint = f"did you mean '{near[0]}'?" if near else f"bundled packs: {', '.join(bundled_ids())}"
    raise PackNotFound(
        [Problem(text, "no bundled pack has this id and no pack file is there", hint)],
        title="pack not found",
    )


_READ: dict[Path, tuple[tuple[tuple[Path, int], ...], Pack]] = {}


def _stamps(paths: list[Path]) -> tuple[tuple[Path, int], ...]:
    return tuple((p, p.stat().st_mtime_ns) for p in paths if p.exists())


def read_pack(id_or_path: str | Path) -> Pack:
    """Load and check a pack and the packs it extends (re-read only when a file changed)."""
    top = locate(id_or_path).resolve()
    known = _READ.get(top)
    if known is not None and _stamps([p for p, _ in known[0]]) == known[0]:
        return known[1]
    read: list[Path] = []
    pack = _read_chain(top, read)
    _READ[top] = (_stamps(read), pack)
    return pack


def _read_chain(top: Path, read: list[Path]) -> Pack:
    files: list[tuple[PackFile, Document, list[TestDef]]] = []
    path = top
    seen: list[str] = []
    while True:
        read += [path, path.parent / TESTS_FILE]
        pack_file, doc, tests = _read_file(path)
        if pack_file.pack in seen:
            cycle = " -> ".join([*seen, pack_file.pack])
            raise PackError(
                [
                    Problem(
                        doc.where(("extends",)),
                        f"'extends' makes a cycle: {cycle}",
                        "a pack may not extend itself",
                    )
                ],
                title="invalid pack",
            )
        seen.append(pack_file.pack)
        files.append((pack_file, doc, tests))
        if pack_file.extends is None:
            break
        base = pack_file.extends
        relative = path.parent / base
        try:
            path = locate(relative if (relative.exists() and "/" in base) else base)
        except PackNotFound as exc:
            problem = exc.problems[0]
            raise PackError(
                [
                    Problem(
                        doc.where(("extends",)), f"'extends: {base}': {problem.why}", problem.hint
                    )
                ],
                title="invalid pack",
            ) from None
    return _merge(list(reversed(files)), top, tuple(dict.fromkeys(p.parent for p in read)))


def _read_file(path: Path) -> tuple[PackFile, Document, list[TestDef]]:
    shown = _shown(path)
    doc = read_yaml(path.read_text(encoding="utf-8"), shown)
    if not isinstance(doc.data, dict):
        raise PackError(
            [Problem(doc.where(()), "a pack file is a mapping", "start with 'pack: my-agency'")],
            title="invalid pack",
        )
    pack_file = validate(PackFile, doc.data, doc)
    tests = [
        TestDef(s, doc.where(("tests", i)), pack_file.pack) for i, s in enumerate(pack_file.tests)
    ]
    return pack_file, doc, tests


def _read_tests(tests_path: Path, pack: str) -> list[TestDef]:
    """The scenarios of a pack's tests.yaml (read only when tests are asked for)."""
    tdoc = read_yaml(tests_path.read_text(encoding="utf-8"), _shown(tests_path))
    scenarios = validate(TypeAdapter(list[Scenario]), tdoc.data, tdoc)
    return [TestDef(s, tdoc.where((i,)), pack) for i, s in enumerate(scenarios)]


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(bundled_dir().parent.parent.parent))
    except ValueError:
        return str(path)


def _merge(
    chain: list[tuple[PackFile, Document, list[TestDef]]], top: Path, folders: tuple[Path, ...] = ()
) -> Pack:
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    risks: dict[str, Risk] = {}
    actions = dict(STANDARD_ACTIONS)
    raw_rules: list[tuple[Rule, str, Document, int, str]] = []
    default: Default | None = None
    agency: AgencyProfile | None = None
    digest = hashlib.sha256()
    for pack_file, doc, _tests in chain:
        digest.update(pack_file.model_dump_json(exclude={"tests"}).encode())
        for i, s in enumerate(pack_file.sources):
            if s.id in sources:
                problems.append(
                    Problem(
                        doc.where(("sources", i, "id")),
                        f"source '{s.id}' is already defined in a base pack",
                        "give it another id or cite the existing one",
                    )
                )
            sources[s.id] = s
        for i, r in enumerate(pack_file.risks):
            if r.code in risks:
                problems.append(
                    Problem(
                        doc.where(("risks", i, "code")),
                        f"risk '{r.code}' is already defined",
                        "rename it",
                    )
                )
            risks[r.code] = r
        actions.update(pack_file.actions)
        raw_rules += [
            (r, r.layer or pack_file.layer, doc, i, pack_file.pack)
            for i, r in enumerate(pack_file.rules)
        ]
        default = pack_file.default or default
        agency = pack_file.agency or agency
    last, last_doc, tests = chain[-1]
    profile = agency or NO_AGENCY
    _check_profile(profile, sources, last_doc, problems)
    warnings: list[Problem] = []
    rules = _check_rules(raw_rules, sources, risks, actions, profile, problems, warnings)
    for r, where in [(r, last_doc.where(("risks", i))) for i, r in enumerate(last.risks)]:
        _check_clauses(r.because, sources, where, problems)
    final_default = default or Default()
    for a in final_default.actions:
        if a.do not in actions:
            problems.append(
                Problem(
                    last_doc.where(("default",)),
                    f"unknown action '{a.do}'",
                    _did_you_mean(a.do, actions),
                )
            )
    problems += check_citations(chain, sources, library(folders))
    if problems:
        raise PackError(problems, title="invalid pack")
    return Pack(
        id=last.pack,
        version=last.version,
        title=last.title,
        summary=last.summary,
        chain=tuple(p.pack for p, _, _ in chain),
        agency=profile,
        sources=sources,
        risks=risks,
        actions=actions,
        rules=rules,
        default=final_default,
        written_tests=tests,
        digest=digest.hexdigest(),
        path=str(top),
        warnings=tuple(warnings),
        folders=folders,
        tests_file=_tests_file(top),
    )


def _tests_file(top: Path) -> Path | None:
    path = top.parent / TESTS_FILE
    return path if top.name == PACK_FILE and path.is_file() else None


def _check_profile(
    profile: AgencyProfile, sources: dict[str, Source], doc: Document, problems: list[Problem]
) -> None:
    try:
        ZoneInfo(profile.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            Problem(
                doc.where(("agency", "timezone")),
                f"unknown time zone '{profile.timezone}'",
                "use an IANA name such as America/Chicago",
            )
        )
    items: list[Program | Agreement] = [*profile.programs_287g, *profile.agreements]
    for i, item in enumerate(items):
        if item.source and item.source not in sources:
            problems.append(
                Problem(
                    doc.where(("agency",)),
                    f"agency entry {i + 1} cites unknown source '{item.source}'",
                    _did_you_mean(item.source, sources),
                )
            )


def _check_rules(
    raw: list[tuple[Rule, str, Document, int, str]],
    sources: dict[str, Source],
    risks: dict[str, Risk],
    actions: dict[str, str],
    profile: AgencyProfile,
    problems: list[Problem],
    warnings: list[Problem],
) -> list[RuleDef]:
    ids: dict[str, str] = {}
    out: list[RuleDef] = []
    agreement_ids = tuple(a.id for a in profile.agreements)
    by_id = {r.id: layer for r, layer, _, _, _ in raw}
    for rule, layer, doc, i, pack in raw:
        path: tuple[str | int, ...] = ("rules", i)
        where = doc.where(path)
        if rule.id in ids:
            problems.append(
                Problem(
                    doc.where((*path, "id")),
                    f"rule id '{rule.id}' is used twice (first at {ids[rule.id]})",
                    "give each rule its own id",
                )
            )
        ids.setdefault(rule.id, where)
        _check_clauses(rule.because, sources, where, problems)
        for code in rule.risks:
            if code not in risks:
                problems.append(
                    Problem(
                        doc.where((*path, "risks")),
                        f"unknown risk '{code}'",
                        _did_you_mean(code, risks, "define it under 'risks:'"),
                    )
                )
        for a in rule.actions:
            if a.do not in actions:
                problems.append(
                    Problem(
                        doc.where((*path, "actions")),
                        f"unknown action '{a.do}'",
                        _did_you_mean(a.do, actions) + "; or declare it under 'actions:'",
                    )
                )
        for other in rule.exception_to:
            if other not in by_id:
                problems.append(
                    Problem(
                        doc.where((*path, "exception_to")),
                        f"'{other}' is not a rule",
                        _did_you_mean(other, by_id),
                    )
                )
            elif by_id[other] != layer:
                problems.append(
                    Problem(
                        doc.where((*path, "exception_to")),
                        f"'{other}' is in layer '{by_id[other]}', not '{layer}'",
                        "an exception works within one layer; higher law is handled by 'binding'",
                    )
                )
        node: Node = TRUE
        if rule.when is not None:
            parser = Parser(_locator(doc, path), agreement_ids)
            node = parser.parse(rule.when, ())
            problems += parser.problems
            warnings += parser.warnings
        start, end = _window(rule, sources)
        out.append(RuleDef(rule, layer, node, start, end, pack, where))
    return out


def _locator(doc: Document, base: tuple[str | int, ...]) -> Locate:
    def where(path: tuple[str | int, ...]) -> str:
        return doc.where((*base, "when", *path))

    return where


def _window(rule: Rule, sources: dict[str, Source]) -> tuple[dt.date | None, dt.date | None]:
    starts = [
        d
        for d in [
            rule.effective,
            *(sources[c.source].effective for c in rule.because if c.source in sources),
        ]
        if d
    ]
    ends = [
        d
        for d in [
            rule.expires,
            *(sources[c.source].expires for c in rule.because if c.source in sources),
        ]
        if d
    ]
    return (max(starts) if starts else None, min(ends) if ends else None)


def _check_clauses(
    clauses: list[Clause], sources: dict[str, Source], where: str, problems: list[Problem]
) -> None:
    for c in clauses:
        if c.source not in sources:
            problems.append(
                Problem(
                    where,
                    f"'because' cites unknown source '{c.source}'",
                    _did_you_mean(c.source, sources),
                )
            )


def _did_you_mean(name: str, known: Any, otherwise: str = "check the spelling") -> str:
    near = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return f"did you mean '{near[0]}'?" if near else otherwise
