"""ICE detainers issued to Pennsylvania facilities, 2007-10 to 2015-07 (FOIA, via NPR).

One row is one request from ICE ERO to the facility named in ``det_facility``, received on
``date``. The form comes from ``detainer_type`` (``I247N`` is a request for notification,
so a ``release_notification``; ``I247D`` and ``I247`` are detainers); where it is empty
(95% of rows) the request is a detainer on the form of its day, the I-247. The file has no
charges and no person: the requests carry no offenses. Rows sent to federal custody
(Bureau of Prisons institutions, the Moshannon Valley contract prison, the US Marshals,
ICE's own office) are rejected: they are not requests to a state or local agency. What
happened is ``lift_reason`` (``Booked into Detention``, ``Detainer Declined by LEA``, ...;
empty when none was recorded).
"""

from __future__ import annotations

import re
from pathlib import Path

from casebycase.replay.dataset import (
    Dataset,
    Imported,
    Rejected,
    RowError,
    build,
    document_for,
    local_noon,
    parse_date,
    read_rows,
)

FOLDER = "eads-pa-detainers"
FILE = "pa_detainers.csv"
ZONE = "America/New_York"
KEEP = ("date", "det_facility", "city", "state", "detainer_type", "lift_reason")

FEDERAL = re.compile(
    r"\b(?:FCI|USP|FDC|FED\.?\s*CORR|FED\.?\s*PRISON|U\.?\s*S\.?\s*PEN|US\s+MARSHALS?|"
    r"MOSHANNON\s+VALLEY|ALLENWOOD|DISTRICT\s+OFFICE|FAMILY\s+SHELTER)\b"
)
"""Facilities in federal custody: BOP institutions and contract prisons, US Marshals, ICE."""
STATE_PRISON = re.compile(r"\b(?:S\.?\s*C\.?\s*I\b|SRCF)")
JUVENILE = re.compile(r"\b(?:JUVI|JUVENILE|YOUTH|CHILDRENS?'?)\b")
TYPES = {
    "I247N": ("release_notification", "I-247N"),
    "I247D": ("detainer", "I-247D"),
    "I247": ("detainer", "I-247"),
}


def facility_kind(name: str) -> str:
    """``federal``, ``state_prison``, ``juvenile`` or ``local`` (county jails, police)."""
    upper = name.upper()
    if FEDERAL.search(upper):
        return "federal"
    if STATE_PRISON.search(upper):
        return "state_prison"
    if JUVENILE.search(upper):
        return "juvenile"
    return "local"


def import_pa(folder: Path) -> Dataset:
    """Read ``pa_detainers.csv`` in ``folder`` into requests."""
    ds = Dataset(
        "pa",
        "Pennsylvania: ICE detainers issued to PA facilities, 2007-2015",
        actual_label="lift_reason",
    )
    for line, row in read_rows(folder, FILE):
        ds.rows_read += 1
        where = f"{FILE}:{line}"
        try:
            ds.items.append(_row(row, line, where))
        except RowError as exc:
            ds.rejected.append(Rejected(where, str(exc)))
    ds.notes.append("no charges or person in the file: the requests carry no offenses")
    ds.notes.append(
        "an empty detainer_type is read as a detainer on the I-247, the form in "
        "use before 2017-04-02"
    )
    return ds


def _row(row: dict[str, str], line: int, where: str) -> Imported:
    day = parse_date(row.get("date", "")[:10], "%Y-%m-%d", "date")
    facility = " ".join(row.get("det_facility", "").split())
    if not facility:
        raise RowError("det_facility is empty: no receiving agency")
    kind_of = facility_kind(facility)
    if kind_of == "federal":
        raise RowError(f"federal custody, not a state or local agency: {facility}")
    form = row.get("detainer_type", "").strip()
    if form:
        code = form.split(" ", 1)[0].upper()
        if code not in TYPES:
            raise RowError(f"unknown detainer_type: {form!r}")
        kind, document = TYPES[code]
    else:
        kind, document = "detainer", document_for(day)
    at = local_noon(day, ZONE)
    subject = {"in_custody": True}
    if kind_of == "juvenile":
        subject["juvenile"] = True
    request = build(
        {
            "id": f"pa-{line}",
            "agency": "pa:" + re.sub(r"[^a-z0-9]+", "-", facility.lower()).strip("-"),
            "received_at": at,
            "requester": {"agency": "ICE", "component": "ERO"},
            "kind": kind,
            "purpose": "civil_immigration",
            "documents": [document],
            "subject": subject,
        }
    )
    source = {k: row.get(k, "") for k in KEEP}
    source["facility_kind"] = kind_of
    return Imported(request, source, row.get("lift_reason", "").strip() or None, where)
