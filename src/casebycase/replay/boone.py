"""Boone County (Missouri) jail roster, April 2023: the people held on an immigration detainer.

The roster lists one row per charge or hold of each person held. A person with an
``IMMIGRATION DETAINER`` line is one request: an ICE ERO detainer on a person in the
county jail, received on the roster's date (2023-04-25; the detainer's own date is not
recorded), on the form of that day (I-247A). The person's other lines become offenses
(``status: charged``; holds such as probation or US Marshal holds are not offenses).
People without an immigration detainer are not requests: their rows are counted as
skipped. Race is never read. The roster records no outcome.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from casebycase.offenses import Classification, classify
from casebycase.replay.dataset import (
    ChargeStats,
    Dataset,
    Imported,
    Rejected,
    RowError,
    jail_detainer,
    offense,
    read_rows,
)

FOLDER = "boone-county-mo-jail-roster"
FILE = "current_detainees_2023-04_deidentified.csv"
ROSTER_DAY = dt.date(2023, 4, 25)
ZONE = "America/Chicago"
PACK = "boone-county-so"
KEEP = (
    "person_seq",
    "Age",
    "Charge Description",
    "Court Disposition",
    "Bond Amt",
    "Court Date",
    "Court of Jurisdiction",
)
ICE_HOLD = "hold:ice-detainer"


def import_boone_roster(folder: Path) -> Dataset:
    """Read the roster in ``folder``; one request per person with an immigration detainer."""
    ds = Dataset(
        "boone-roster",
        "Boone County, MO: jail roster of 2023-04-25, people held on an immigration detainer",
    )
    ds.charges = stats = ChargeStats()
    people: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in read_rows(folder, FILE):
        ds.rows_read += 1
        where = f"{FILE}:{line}"
        seq = row.get("person_seq", "").strip()
        if not seq.isdigit():
            ds.rejected.append(Rejected(where, f"person_seq is not a number: {seq!r}"))
        elif not row.get("Charge Description", "").strip():
            ds.rejected.append(Rejected(where, "Charge Description is empty"))
        else:
            people.setdefault(seq, []).append((line, row))
    for seq, rows in people.items():
        where = f"{FILE}:{rows[0][0]}"
        found = [(row, classify(None, row["Charge Description"])) for _, row in rows]
        if not any(f.entry == ICE_HOLD for _, f in found):
            ds.skipped["person held without an immigration detainer (rows)"] += len(rows)
            continue
        try:
            ds.items.append(_person(seq, found, where, stats))
        except RowError as exc:
            ds.rejected.append(Rejected(where, str(exc)))
    ds.notes.append(
        "received_at is the roster date (2023-04-25): the detainer's own date is not recorded"
    )
    return ds


def _person(
    seq: str, found: list[tuple[dict[str, str], Classification]], where: str, stats: ChargeStats
) -> Imported:
    offenses: list[dict[str, Any]] = []
    seen: set[str] = set()
    holds: list[str] = []
    counted: list[tuple[str, Classification]] = []
    for row, f in found:
        text = " ".join(row["Charge Description"].split())
        if f.entry == ICE_HOLD:
            continue
        if text in seen:
            continue
        seen.add(text)
        counted.append((text, f))
        if f.is_hold:
            holds.append(text)
        else:
            offenses.append(offense(None, text, None, "charged", f))
    subject: dict[str, Any] = {"ref": f"BC-P{seq}", "in_custody": True, "charged": bool(offenses)}
    request = jail_detainer(
        f"boone-roster-{seq}",
        PACK,
        ROSTER_DAY,
        ZONE,
        subject,
        offenses,
        found[0][0].get("Age", "").strip(),
    )
    for text, f in counted:
        stats.add(text, f)
    source: dict[str, Any] = {
        "person_seq": seq,
        "rows": [{k: row.get(k, "") for k in KEEP} for row, _ in found],
        "holds": holds,
    }
    return Imported(request, source, None, where)
