"""ICE detainer records in the current (FY2023-2026) format: the Minnesota sample.

``st_cloud_denied.csv`` holds full records: each row is an I-247A from ICE ERO to the
facility named in ``detention_facility``, received on ``detainer_prepare_date``. A person
ICE lists as a convicted criminal gets the most serious conviction as an offense
(``status: convicted``, classified from its text; the NCIC-style ``msc_charge_code`` is not
a statute citation and is kept only in the source); pending charges make the subject
``charged``. Rows marked ``duplicate_likely`` are rejected. Citizenship and birth country
are never read. What happened is ``detainer_lift_reason``.

The other three files are counts (per month, per day, per facility and lift reason), not
requests: they are kept as count tables in :attr:`Dataset.aggregates` and not replayed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from casebycase.offenses import classify
from casebycase.replay.dataset import (
    ChargeStats,
    Dataset,
    Imported,
    Rejected,
    RowError,
    build,
    has_rows,
    local_noon,
    offense,
    parse_date,
    read_rows,
)

FOLDER = "ddp-detainers-mn-sample"
FILE = "st_cloud_denied.csv"
AGGREGATES = (
    "mn_detainers_by_month.csv",
    "mn_detainers_over_time.csv",
    "surge_detainers_by_liftreason.csv",
)
ZONE = "America/Chicago"
KEEP = (
    "detainer_prepare_date",
    "facility_state",
    "detention_facility",
    "detention_facility_code",
    "detainer_prepared_criminality",
    "most_serious_conviction_charge",
    "msc_charge_code",
    "msc_conviction_date",
    "processing_disposition",
    "case_category",
    "detainer_type",
    "detainer_lift_reason",
    "unique_identifier",
    "duplicate_likely",
    "file_original",
    "row_original",
)
MISSING = {"", "NA"}


def import_mn_sample(folder: Path) -> Dataset:
    """Read the Minnesota sample in ``folder``: requests from the full records, counts."""
    ds = Dataset(
        "mn-sample",
        "Minnesota: I-247A detainers declined by MCF-St. Cloud, 2026 "
        "(Deportation Data Project records)",
        actual_label="detainer_lift_reason",
    )
    ds.charges = stats = ChargeStats()
    for line, row in read_rows(folder, FILE):
        ds.rows_read += 1
        where = f"{FILE}:{line}"
        try:
            ds.items.append(_row(row, where, stats))
        except RowError as exc:
            ds.rejected.append(Rejected(where, str(exc)))
    for name in AGGREGATES:
        if has_rows(folder, name):
            ds.aggregates[name] = [
                {k: v for k, v in row.items() if k} for _, row in read_rows(folder, name)
            ]
    ds.notes.append("aggregate files are counts, not requests: kept as counts, not replayed")
    return ds


def _value(row: dict[str, str], key: str) -> str | None:
    value = " ".join(row.get(key, "").split())
    return None if value in MISSING else value


def _row(row: dict[str, str], where: str, stats: ChargeStats) -> Imported:
    if (_value(row, "duplicate_likely") or "").upper() == "TRUE":
        raise RowError("likely duplicate of another record: duplicate_likely is TRUE")
    day = parse_date(row.get("detainer_prepare_date", ""), "%Y-%m-%d", "detainer_prepare_date")
    facility = _value(row, "detention_facility")
    if not facility:
        raise RowError("detention_facility is empty: no receiving agency")
    form = _value(row, "detainer_type") or ""
    if not form.upper().startswith("I247A"):
        raise RowError(f"not an I-247A detainer: detainer_type {form!r}")
    criminality = _value(row, "detainer_prepared_criminality") or ""
    offenses: list[dict[str, Any]] = []
    charged = criminality.startswith("2")
    charge = _value(row, "most_serious_conviction_charge")
    found = None
    if criminality.startswith("1") and charge:
        found = classify(None, charge)
        offenses.append(offense(None, charge, None, "convicted", found))
    at = local_noon(day, ZONE)
    subject: dict[str, Any] = {"in_custody": True, "charged": charged}
    person = _value(row, "unique_identifier")
    if person and re.fullmatch(r"[0-9a-fA-F]{12,}", person):
        subject["ref"] = f"DDP-{person[:12]}"
    request = build(
        {
            "id": f"ddp-{_value(row, 'row_original') or where.rsplit(':', 1)[1]}",
            "agency": "mn:" + re.sub(r"[^a-z0-9]+", "-", facility.lower()).strip("-"),
            "received_at": at,
            "requester": {"agency": "ICE", "component": "ERO"},
            "kind": "detainer",
            "purpose": "civil_immigration",
            "documents": ["I-247A"],
            "subject": subject,
            "offenses": offenses,
        }
    )
    if charge and found is not None:
        stats.add(charge, found)
    source = {k: row.get(k, "") for k in KEEP}
    return Imported(request, source, _value(row, "detainer_lift_reason"), where)
