"""An imported data set: the requests it yields, what actually happened, and what was refused.

Importers read real files into :class:`Dataset` through :func:`read_rows`: a raw CSV file
when the folder holds it, else the shipped Parquet file of the same stem. Each
:class:`Imported` holds a parsed :class:`~casebycase.request.Request`, the source fields
kept (a whitelist: national-origin columns are never kept), and the outcome the data
records, if any. Rows that cannot be mapped become :class:`Rejected` with ``file:line``
and the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from casebycase.datasets import LINE, shipped_name
from casebycase.errors import RequestError
from casebycase.offenses import Classification, classify
from casebycase.request import NATIONAL_ORIGIN_FIELDS, Request, parse_request

NATIONAL_ORIGIN_COLUMNS = frozenset(
    {
        *NATIONAL_ORIGIN_FIELDS,
        "race",
        "place of birth",
        "state of birth",
        "birth_country",
        "citizenship_country",
        "country_of_citizenship",
        "citizenship",
    }
)
"""Source columns that carry national origin (lower-cased): dropped on read, never mapped."""


@dataclass(frozen=True, slots=True)
class Imported:
    """One request built from the data, with its source fields and the recorded outcome."""

    request: Request
    source: Mapping[str, Any]
    actual: str | None
    where: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row that could not be mapped: ``file:line`` and why."""

    where: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.why}"


@dataclass
class ChargeStats:
    """How the offense catalog fared on the charges imported (hold lines excluded)."""

    charges: int = 0
    unclassified: int = 0
    holds: int = 0
    unclassified_texts: Counter[str] = field(default_factory=Counter)

    def add(self, text: str, found: Classification) -> None:
        if found.is_hold:
            self.holds += 1
            return
        self.charges += 1
        if found.category == "unknown":
            self.unclassified += 1
            self.unclassified_texts[text] += 1

    @property
    def share_unclassified(self) -> float:
        return self.unclassified / self.charges if self.charges else 0.0


@dataclass
class Dataset:
    """What an importer returns."""

    id: str
    title: str
    actual_label: str | None = None
    items: list[Imported] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    rows_read: int = 0
    charges: ChargeStats | None = None
    aggregates: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def requests(self) -> list[Request]:
        return [i.request for i in self.items]

    def reasons(self) -> Counter[str]:
        """Rejection reasons with their counts (the reason without the row's values)."""
        return Counter(r.why.split(": ", 1)[0] for r in self.rejected)


class RowError(ValueError):
    """A row cannot be mapped; the message says why."""


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each record; line is the record's first line in the file.

    Column names are stripped; national-origin columns are dropped here, before any
    importer sees the row.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            return
        keep = [i for i, h in enumerate(header) if h.lower() not in NATIONAL_ORIGIN_COLUMNS]
        start = reader.line_num + 1
        for values in reader:
            if values:
                values += [""] * (len(header) - len(values))
                yield start, {header[i]: values[i] for i in keep}
            start = reader.line_num + 1


def has_rows(folder: Path, name: str) -> bool:
    """Whether ``folder`` holds the raw file ``name`` or its shipped Parquet file."""
    return (folder / name).is_file() or (folder / shipped_name(name)).is_file()


def read_rows(folder: Path, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of the raw file ``name`` in ``folder``, or of its shipped Parquet file.

    A shipped file holds the raw file's rows as text with their raw line numbers (the
    columns the importers use), so both give the same rows; raises FileNotFoundError
    naming the raw file when neither is there.
    """
    raw = folder / name
    if raw.is_file():
        yield from read_csv(raw)
        return
    shipped = folder / shipped_name(name)
    if not shipped.is_file():
        raise FileNotFoundError(2, "No such file or directory", str(raw))
    yield from read_parquet(shipped)


def read_parquet(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of a shipped file; national-origin columns are dropped as in CSV."""
    frame = pl.read_parquet(path)
    columns = [c for c in frame.columns if c != LINE and c.lower() not in NATIONAL_ORIGIN_COLUMNS]
    lines = frame.get_column(LINE).to_list()
    for line, values in zip(lines, frame.select(columns).iter_rows(), strict=True):
        yield line, dict(zip(columns, values, strict=True))


def local_noon(day: dt.date, zone: str) -> str:
    """A date as an ISO datetime at local noon, the instant the engine uses for a date."""
    return dt.datetime.combine(day, dt.time(12), ZoneInfo(zone)).isoformat()


def parse_date(text: str, fmt: str, column: str) -> dt.date:
    """A date in ``fmt``; :class:`RowError` naming the column when it is not one."""
    try:
        return dt.datetime.strptime(text.strip(), fmt).date()
    except ValueError:
        raise RowError(f"{column} is not a date: {text.strip()!r}") from None


def offense(
    code: str | None, text: str, level: str | None, status: str, found: Classification | None = None
) -> dict[str, Any]:
    """One charge as a request offense, classified through the offense catalog."""
    found = found or classify(code, text, level)
    out: dict[str, Any] = {"description": text, "category": found.category, "status": status}
    if code:
        out["code"] = code
    if found.level:
        out["level"] = found.level
    return out


def build(data: dict[str, Any]) -> Request:
    """Parse a request the importer built; :class:`RowError` listing the problems."""
    try:
        return parse_request(data)
    except RequestError as exc:
        raise RowError("not a valid request: " + "; ".join(str(p) for p in exc.problems)) from None


def jail_detainer(
    request_id: str,
    pack: str,
    day: dt.date,
    zone: str,
    subject: dict[str, Any],
    offenses: list[dict[str, Any]],
    age: str,
) -> Request:
    """An ICE (ERO) detainer for a person held in a local jail, received at local noon."""
    if age.isdigit() and 0 < int(age) < 18:
        subject = {**subject, "juvenile": True}
    return build(
        {
            "id": request_id,
            "agency": pack,
            "received_at": local_noon(day, zone),
            "requester": {"agency": "ICE", "component": "ERO"},
            "kind": "detainer",
            "purpose": "civil_immigration",
            "documents": [document_for(day)],
            "subject": subject,
            "offenses": offenses,
        }
    )


def document_for(day: dt.date) -> str:
    """The detainer form in use on a day: I-247A from 2017-04-02, the I-247 before."""
    return "I-247A" if day >= dt.date(2017, 4, 2) else "I-247"
