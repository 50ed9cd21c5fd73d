"""What ``check`` demands of citations: quotes verbatim, statutes at their official address.

- A ``quote:`` must appear verbatim in the stored text of its source (policy/texts.py),
  compared after normalising whitespace and typographic quotes; words that summarise are a
  ``gist:``. A source with no stored text can be summarised, never quoted.
- A statute, regulation, form or case must give its official publisher's address (the
  documented allow-list, ``casebycase/sources/_official_hosts.yaml``), or say why not in
  ``mirror:``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from casebycase.errors import Problem
from casebycase.policy.document import Document
from casebycase.policy.model import Clause, PackFile, Source
from casebycase.policy.texts import OFFICIAL_REQUIRED, Library, find, is_official, nearest


def check_citations(
    chain: Sequence[tuple[PackFile, Document, Any]], sources: dict[str, Source], library: Library
) -> list[Problem]:
    """Every problem with the sources and quotes of the pack files of one chain."""
    problems: list[Problem] = []
    for pack_file, doc, _ in chain:
        for i, source in enumerate(pack_file.sources):
            problems += _address(source, doc, ("sources", i))
        for path, clause in _clauses(pack_file):
            problems += _quote(clause, sources, library, doc, path)
    return problems


def _clauses(pack_file: PackFile) -> Iterable[tuple[tuple[str | int, ...], Clause]]:
    for i, rule in enumerate(pack_file.rules):
        for j, clause in enumerate(rule.because):
            yield ("rules", i, "because", j), clause
    for i, risk in enumerate(pack_file.risks):
        for j, clause in enumerate(risk.because):
            yield ("risks", i, "because", j), clause
    if pack_file.default is not None:
        for j, clause in enumerate(pack_file.default.because):
            yield ("default", "because", j), clause


def _address(source: Source, doc: Document, path: tuple[str | int, ...]) -> list[Problem]:
    if source.authority not in OFFICIAL_REQUIRED or source.mirror:
        return []
    if source.url is None:
        return [
            Problem(
                doc.where(path),
                f"{source.authority} '{source.id}' has no address",
                "give url: at its official publisher (docs/sources.md), or say why not in mirror:",
            )
        ]
    if is_official(source.url):
        return []
    return [
        Problem(
            doc.where((*path, "url")),
            f"'{source.url}' is not an official publisher of a {source.authority}",
            "cite the official text (e.g. uscode.house.gov, ecfr.gov, revisor.mo.gov, "
            "statutes.capitol.texas.gov, the court's site; docs/sources.md lists them), "
            "or say why not in mirror:",
        )
    ]


def _quote(
    clause: Clause,
    sources: dict[str, Source],
    library: Library,
    doc: Document,
    path: tuple[str | int, ...],
) -> list[Problem]:
    if clause.quote is None or clause.source not in sources:
        return []
    source = sources[clause.source]
    texts = library.texts(source.id, source.text)
    where = doc.where((*path, "quote"))
    if not any(t.own_words() for t in texts):
        return [
            Problem(
                where,
                f"no stored text of '{source.citation}' to check this quote against",
                "add the source's text to the source library (docs/sources.md), or "
                "write these words as gist: (a summary)",
            )
        ]
    if find(clause.quote, texts) is not None:
        return []
    near = nearest(clause.quote, texts)
    hint = f'nearest stored passage: "{near}"' if near else "no stored passage is close"
    return [
        Problem(
            where,
            f"not found verbatim in the stored text of '{source.citation}'",
            hint + "; if these words summarise the source, write them as gist:",
        )
    ]
