"""Travis County (Texas) jail bookings with an ICE detainer, 1991-2016, with their charges.

One booking is one request: an ICE ERO detainer (``I-247`` before 2017-04-02, ``I-247A``
after) on a person held in the county jail, received on the booking date (the report gives
no other date). Every charge line except holds becomes an offense with its code, text,
level and ``status: charged``, classified through the offense catalog; the ``ICE
DETAINER`` line is the request itself and other holds (federal detainer, parole) are not
offenses. Repeated charge lines (same code, text and level, a second disposition) count
once. What happened is the disposition of the ``ICE DETAINER`` line (``RELEASED TO ICE``,
``WARRANT WITHDRAWN``, ...): when a booking has several, the latest disposition that is not
``ERROR IN ENTRY`` wins. Race and place of birth are never read.
"""

from __future__ import annotations

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
    local_noon,
    offense,
    parse_date,
    read_rows,
)

FOLDER = "travis-county-tx-ice-detainers"
BOOKINGS = "bookings_with_ice_detainer_1991-2016_deidentified.csv"
CHARGES = "booking_charges_1991-2016.csv"
ZONE = "America/Chicago"
PACK = "travis-county-so-2017"
BOOKING_KEEP = ("booking_seq", "person_seq", "age", "booking_date")
ICE_HOLD = "hold:ice-detainer"


def import_travis(folder: Path) -> Dataset:
    """Read the bookings and charges files in ``folder`` into requests."""
    ds = Dataset(
        "travis",
        "Travis County, TX: jail bookings with an ICE detainer, 1991-2016",
        actual_label="disposition of the ICE DETAINER line",
    )
    ds.charges = stats = ChargeStats()
    charges = _charges(folder, ds)
    seen: set[str] = set()
    for line, row in read_rows(folder, BOOKINGS):
        ds.rows_read += 1
        where = f"{BOOKINGS}:{line}"
        seq = row.get("booking_seq", "").strip()
        try:
            if not seq.isdigit():
                raise RowError(f"booking_seq is not a number: {seq!r}")
            if seq in seen:
                raise RowError(f"booking_seq is repeated: {seq}")
            seen.add(seq)
            ds.items.append(_booking(row, charges.pop(seq, []), where, stats))
        except RowError as exc:
            ds.rejected.append(Rejected(where, str(exc)))
    for seq, lines in charges.items():
        for line, _ in lines:
            ds.rejected.append(
                Rejected(f"{CHARGES}:{line}", f"charge of an unknown booking: booking_seq {seq}")
            )
    ds.notes.append(
        "received_at and booked_at are the booking date at local noon: the "
        "report gives no time and not the day the detainer was lodged"
    )
    return ds


def _charges(folder: Path, ds: Dataset) -> dict[str, list[tuple[int, dict[str, str]]]]:
    by_booking: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in read_rows(folder, CHARGES):
        ds.rows_read += 1
        seq = row.get("booking_seq", "").strip()
        if not row.get("charge_literal", "").strip() and not row.get("charge_code", "").strip():
            ds.rejected.append(Rejected(f"{CHARGES}:{line}", "charge line has no code or text"))
            continue
        by_booking.setdefault(seq, []).append((line, row))
    return by_booking


def _booking(
    row: dict[str, str], lines: list[tuple[int, dict[str, str]]], where: str, stats: ChargeStats
) -> Imported:
    day = parse_date(row.get("booking_date", ""), "%Y-%m-%d", "booking_date")
    if not lines:
        raise RowError("booking has no charge lines: no detainer recorded")
    offenses: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    detainers: list[dict[str, str]] = []
    holds: list[str] = []
    lines_seen: list[tuple[str, Classification]] = []
    for _, charge in lines:
        code = charge.get("charge_code", "").strip()
        text = " ".join(charge.get("charge_literal", "").split())
        level = charge.get("level", "").strip()
        key = (code, text, level)
        found = classify(code or None, text or None, level or None)
        if found.entry == ICE_HOLD:
            detainers.append(charge)
            continue
        if key in seen:
            continue
        seen.add(key)
        lines_seen.append((text, found))
        if found.is_hold:
            holds.append(text)
        else:
            offenses.append(offense(code or None, text, level or None, "charged", found))
    if not detainers:
        raise RowError("booking has no ICE DETAINER line: not a detainer request")
    subject: dict[str, Any] = {
        "ref": f"TC-P{row.get('person_seq', '').strip() or 'x'}",
        "in_custody": True,
        "charged": bool(offenses),
        "booked_at": local_noon(day, ZONE),
    }
    request = jail_detainer(
        f"travis-{row['booking_seq'].strip()}",
        PACK,
        day,
        ZONE,
        subject,
        offenses,
        row.get("age", "").strip(),
    )
    stats.holds += len(detainers)
    for text, found in lines_seen:
        stats.add(text, found)
    source: dict[str, Any] = {k: row.get(k, "") for k in BOOKING_KEEP}
    source["holds"] = holds
    source["detainer_dispositions"] = [d.get("disposition_type", "") for d in detainers]
    return Imported(request, source, _disposition(detainers), where)


def _disposition(detainers: list[dict[str, str]]) -> str | None:
    """The latest disposition of the detainer lines, ERROR IN ENTRY only when nothing else."""
    done = [
        (d.get("disposition_date", "") or "", d.get("disposition_type", "").strip())
        for d in detainers
        if d.get("disposition_type", "").strip()
    ]
    if not done:
        return None
    real = [d for d in done if d[1] != "ERROR IN ENTRY"] or done
    return max(real)[1]
