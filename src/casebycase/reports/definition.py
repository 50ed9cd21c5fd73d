"""Report definitions as data: YAML files shipped in ``definitions/``, checked on load.

A report is a kind of period, one or more agencies (given when it is rendered), and
sections: tables (a count of cases or deadlines, filtered, broken down by one or two
dimensions), listings (one line per request, where a statute asks for that) and measures
the case store does not record yet (stated as such, never filled with made-up numbers).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from casebycase.errors import CaseByCaseError, Problem
from casebycase.reports.dimensions import Dimension, Unit, catalog
from casebycase.reports.period import Granularity

LISTING_FIELDS = {
    "date_received": "date received",
    "kind": "kind of request",
    "document": "document",
    "disposition": "released or transferred",
    "disposition_date": "date released or transferred",
    "receiving_agency": "receiving agency",
    "handling": "how it was handled",
}
"""The only fields a listing may show: no reference, case id, name or free text."""


class DefinitionError(CaseByCaseError):
    """A report definition is invalid or unknown."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Table(_Strict):
    """A count of ``unit`` rows that pass ``where``, by ``rows`` and optionally ``columns``."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    explain: str
    unit: Unit = "cases"
    where: dict[str, list[str]] = {}
    rows: str
    columns: str = "total"
    chart: bool = True


class Listing(_Strict):
    """One line per request that passes ``where`` (a statute asks for each)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    explain: str
    where: dict[str, list[str]] = {}
    fields: list[str]
    none_received: str
    """The certification stated when the listing is empty."""


class NotRecorded(_Strict):
    """Measures a statute asks for that the case store does not record yet."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    measures: list[str]
    explain: str


class ReasonCategory(_Strict):
    name: str
    words: list[str]


class Definition(_Strict):
    """One report."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str
    model: str
    """The statute or practice the report follows."""
    description: str
    period: Granularity = "year"
    source: Literal["store", "replay"] = "store"
    definitions: dict[str, str] = {}
    """Terms used in the report, in plain words."""
    tables: list[Table] = []
    listings: list[Listing] = []
    not_recorded: list[NotRecorded] = []

    @model_validator(mode="after")
    def _names(self) -> Definition:
        dims = dimensions()
        problems = []
        for t in self.tables:
            for name in (t.rows, t.columns, *t.where):
                d = dims.get(name)
                if d is None:
                    problems.append(
                        f"table {t.id}: no dimension '{name}' (known: {', '.join(sorted(dims))})"
                    )
                elif t.unit not in d.units:
                    problems.append(f"table {t.id}: '{name}' does not apply to {t.unit}")
            for name, values in t.where.items():
                d = dims.get(name)
                if d and d.categories and (bad := set(values) - set(d.categories)):
                    problems.append(f"table {t.id}: {name} has no {sorted(bad)}")
        for li in self.listings:
            if bad_fields := set(li.fields) - set(LISTING_FIELDS):
                problems.append(
                    f"listing {li.id}: fields {sorted(bad_fields)} may not be "
                    f"published (allowed: {', '.join(LISTING_FIELDS)})"
                )
            for name in li.where:
                if name not in dims:
                    problems.append(f"listing {li.id}: no dimension '{name}'")
        if problems:
            raise ValueError("; ".join(problems))
        return self


@cache
def reasons() -> list[tuple[str, list[str]]]:
    """Departure-reason categories, each with the words that put a reason in it."""
    raw = yaml.safe_load(files(__package__).joinpath("reasons.yaml").read_text("utf-8"))
    return [(c.name, c.words) for c in (ReasonCategory(**r) for r in raw["categories"])]


@cache
def dimensions() -> dict[str, Dimension]:
    return catalog(reasons())


def _folder() -> Any:
    return files(__package__).joinpath("definitions")


@cache
def definitions() -> dict[str, Definition]:
    """Every shipped definition by id."""
    out: dict[str, Definition] = {}
    for entry in sorted(_folder().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            d = parse_definition(entry.read_text("utf-8"), f"definitions/{entry.name}")
            out[d.id] = d
    return out


def parse_definition(text: str, where: str) -> Definition:
    """A definition from YAML text; errors name the file and the field."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise DefinitionError(
            [Problem(f"{where}{line}", "not valid YAML", "check the indentation")]
        ) from None
    try:
        return Definition.model_validate(raw)
    except ValidationError as exc:
        raise DefinitionError(
            [
                Problem(f"{where}: {'.'.join(map(str, e['loc']))}", e["msg"], "see docs/reports.md")
                for e in exc.errors()
            ],
            title="invalid report definition",
        ) from None


def definition(name: str) -> Definition:
    """A shipped definition by id."""
    found = definitions().get(name)
    if found is None:
        raise DefinitionError(
            [
                Problem(
                    "DEFINITION", f"no report '{name}'", f"use one of {', '.join(definitions())}"
                )
            ],
            title="unknown report",
        )
    return found
