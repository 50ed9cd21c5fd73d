"""A pack's sources as counsel reads them before signing: each source with its standing,
address, dates, UNCONFIRMED marks and the rules resting on it, and every quote or summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casebycase.policy.compile import CompiledPack
from casebycase.policy.texts import OFFICIAL_REQUIRED, is_official, library


@dataclass
class Citing:
    """One clause that cites the source."""

    where: str
    """The rule id, ``risk <code>`` or ``default``."""
    section: str | None
    words: str
    """``quote`` (verified against the stored text) or ``gist`` (a summary) or ``none``."""
    text: str | None


@dataclass
class SourceEntry:
    """One source of the pack, and what rests on it."""

    id: str
    citation: str
    authority: str
    weight: str
    layer: str
    url: str | None
    address: str
    """``official`` (an official publisher), ``mirror: <reason>``, ``report`` or ``none``."""
    effective: str | None
    expires: str | None
    decided: str | None
    unconfirmed: list[str]
    stored_text: str | None
    """Where the stored text was read, and when (None: no stored text)."""
    rules: list[str] = field(default_factory=list)
    citing: list[Citing] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["citing"] = [c.__dict__ for c in self.citing]
        return out


def sources_report(pack: CompiledPack) -> list[SourceEntry]:
    """Every source of the pack (and of the packs it extends), in pack order."""
    lib = library(pack.pack.folders)
    entries: dict[str, SourceEntry] = {}
    for s in pack.pack.sources.values():
        texts = lib.texts(s.id, s.text)
        own = [t for t in texts if t.own_words()]
        where = " ".join(str(own[0].read_from or own[0].url or own[0].id).split()) if own else ""
        stored = f"{where} (read {own[0].read})" if own else None
        if s.mirror:
            address = f"mirror: {s.mirror}"
        elif s.url and is_official(s.url):
            address = "official"
        elif s.url:
            address = "not official" if s.authority in OFFICIAL_REQUIRED else s.authority
        else:
            address = "none"
        entries[s.id] = SourceEntry(
            s.id,
            s.citation,
            s.authority,
            s.weight,
            s.layer,
            s.url,
            address,
            _date(s.effective),
            _date(s.expires),
            _date(s.decided),
            list(s.unconfirmed),
            stored,
        )
    for rd in pack.rules:
        for c in rd.rule.because:
            _cite(entries, c, rd.id)
            if rd.id not in entries[c.source].rules:
                entries[c.source].rules.append(rd.id)
    for risk in pack.pack.risks.values():
        for c in risk.because:
            _cite(entries, c, f"risk {risk.code}")
    for c in pack.pack.default.because:
        _cite(entries, c, "default")
    return list(entries.values())


def _cite(entries: dict[str, SourceEntry], clause: Any, where: str) -> None:
    words = "quote" if clause.quote is not None else "gist" if clause.gist else "none"
    entries[clause.source].citing.append(
        Citing(where, clause.section, words, clause.quote if clause.quote else clause.gist)
    )


def _date(day: Any) -> str | None:
    return day.isoformat() if day else None
