"""A recommendation and a pack in the words a page shows: actions with local deadlines, the
rules that fired with their citations (quote or summary, UNCONFIRMED marks), sources."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from casebycase.policy.compile import CompiledPack
from casebycase.policy.condition import describe
from casebycase.policy.load import RuleDef
from casebycase.policy.model import Clause, Source
from casebycase.web.pages.site import local, words


@dataclass(frozen=True)
class Citation:
    """One clause a rule or risk rests on: the source's own words (``words == "quote"``) or
    a summary (``"gist"``), with the source's open questions (UNCONFIRMED)."""

    source: str
    title: str
    section: str | None
    text: str | None
    words: str
    url: str | None
    unconfirmed: tuple[str, ...]
    authority: str


def cite(pack: CompiledPack, clause: Clause) -> Citation:
    """A clause as the recommendation shows it (``CompiledPack.citation``), for a page."""
    shown = pack.citation(clause)
    src: Source = pack.pack.sources[clause.source]
    text = shown.get("text")
    words = shown.get("words") or ("quote" if text else "none")
    return Citation(
        str(shown["source"]),
        src.title,
        clause.section,
        str(text) if text else None,
        str(words),
        src.url,
        tuple(src.unconfirmed),
        str(src.authority),
    )


@dataclass(frozen=True)
class RuleView:
    """A rule in plain language."""

    id: str
    says: str
    layer: str
    outcome: str | None
    binding: bool
    when: str
    start: dt.date | None
    end: dt.date | None
    in_force: bool
    citations: tuple[Citation, ...]
    kinds: tuple[str, ...]


def rule_view(pack: CompiledPack, rd: RuleDef, today: dt.date) -> RuleView:
    r = rd.rule
    in_force = (rd.start is None or rd.start <= today) and (rd.end is None or today < rd.end)
    kinds = (r.when or {}).get("kind", ())
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    return RuleView(
        rd.id,
        r.says,
        rd.layer,
        r.outcome,
        r.binding,
        describe(rd.node),
        rd.start,
        rd.end,
        in_force,
        tuple(cite(pack, c) for c in r.because),
        tuple(str(k) for k in kinds),
    )


def recommendation(rec: dict[str, Any], pack: CompiledPack | None) -> dict[str, Any]:
    """The parts of a stored or fresh recommendation a page shows."""
    zone = pack.zone if pack else None
    actions = []
    for a in rec.get("actions", []):
        text = pack.pack.actions.get(a["do"]) if pack else None
        actions.append(
            {
                "do": a["do"],
                "text": text or words(a["do"]).capitalize(),
                "by": local(a["by"], zone) if a.get("by") else None,
                "by_iso": a.get("by"),
                "clock": a.get("clock"),
                "note": a.get("note"),
                "because": a.get("because", []),
            }
        )
    rules: list[RuleView] = []
    if pack is not None:
        today = dt.datetime.now(pack.zone).date()
        rules = [
            rule_view(pack, pack.rules[pack.index[rid]], today)
            for rid in rec.get("rules", [])
            if rid in pack.index
        ]
    return {
        "outcome": rec.get("outcome"),
        "explanation": rec.get("explanation", ""),
        "actions": actions,
        "risks": rec.get("risks", []),
        "rules": rules,
        "citations": rec.get("citations", []),
        "policy": rec.get("policy", {}),
        "overridden": rec.get("overridden", []),
        "evaluated_at": local(rec.get("evaluated_at"), zone),
    }
