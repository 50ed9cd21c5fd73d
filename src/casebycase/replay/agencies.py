"""The agency directory: which agencies of a state hold which 287(g) agreements, since when.

Built from ICE's 287(g) participating and pending lists as archived by three projects
(RelevantResearch monthly snapshots 2021-2026, the Tracking_287g sheets of May-July 2025,
and 287g-watch's joined agreements), and matched to the FBI law-enforcement agency roster
(``fbi_lee_latest.csv``) by ORI where 287g-watch gives one, else by name and county.

For each agency and model (JEM, TFM, WSO) the directory keeps the signing date ICE lists,
the first and last snapshot that lists it, and whether the newest list still does.
Spelling quirks of the lists (trailing spaces, Saint/St./Ste., "Sheriff's Office" versus
"Sheriff's Department", malformed dates, county variants) are absorbed and counted in
:attr:`Directory.quirks`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casebycase.replay.dataset import has_rows, read_rows

STATES = {
    "AL": "ALABAMA",
    "AK": "ALASKA",
    "AZ": "ARIZONA",
    "AR": "ARKANSAS",
    "CA": "CALIFORNIA",
    "CO": "COLORADO",
    "CT": "CONNECTICUT",
    "DE": "DELAWARE",
    "DC": "DISTRICT OF COLUMBIA",
    "FL": "FLORIDA",
    "GA": "GEORGIA",
    "HI": "HAWAII",
    "ID": "IDAHO",
    "IL": "ILLINOIS",
    "IN": "INDIANA",
    "IA": "IOWA",
    "KS": "KANSAS",
    "KY": "KENTUCKY",
    "LA": "LOUISIANA",
    "ME": "MAINE",
    "MD": "MARYLAND",
    "MA": "MASSACHUSETTS",
    "MI": "MICHIGAN",
    "MN": "MINNESOTA",
    "MS": "MISSISSIPPI",
    "MO": "MISSOURI",
    "MT": "MONTANA",
    "NE": "NEBRASKA",
    "NV": "NEVADA",
    "NH": "NEW HAMPSHIRE",
    "NJ": "NEW JERSEY",
    "NM": "NEW MEXICO",
    "NY": "NEW YORK",
    "NC": "NORTH CAROLINA",
    "ND": "NORTH DAKOTA",
    "OH": "OHIO",
    "OK": "OKLAHOMA",
    "OR": "OREGON",
    "PA": "PENNSYLVANIA",
    "RI": "RHODE ISLAND",
    "SC": "SOUTH CAROLINA",
    "SD": "SOUTH DAKOTA",
    "TN": "TENNESSEE",
    "TX": "TEXAS",
    "UT": "UTAH",
    "VT": "VERMONT",
    "VA": "VIRGINIA",
    "WA": "WASHINGTON",
    "WV": "WEST VIRGINIA",
    "WI": "WISCONSIN",
    "WY": "WYOMING",
    "PR": "PUERTO RICO",
    "GU": "GUAM",
    "VI": "VIRGIN ISLANDS",
    "MP": "NORTHERN MARIANA ISLANDS",
}
MODELS = {
    "jail enforcement model": "JEM",
    "task force model": "TFM",
    "warrant service officer": "WSO",
}
ALIASES = {"missouri highway patrol": "missouri state highway patrol"}
"""ICE name (normalized) -> FBI roster name (normalized), where the two differ."""

RELEVANT = "ice-287g-sheets-relevantresearch"
APPELSON = "ice-287g-sheets-appelson"
RECOVERED = "ice-287g-recoveredfactory"
FBI_ROSTER = "fbi_lee_latest.csv"
JOINED = "agreements.csv"
PARTICIPATING = (
    (RELEVANT, "participating_agencies_monthly_2021Q1_to_2026-05-18_long.csv", "snapshot_date"),
    (RELEVANT, "participating_agencies_latest_2026-05-18am.csv", "snapshot_date"),
    (APPELSON, "participating_agencies_2025-05-16_to_2025-07-18_long.csv", "ice_file_date"),
)
PENDING = (
    (RELEVANT, "pending_agencies_latest_2026-02-27am.csv", "snapshot_date"),
    (APPELSON, "pending_agencies_2025-05-15_to_2025-07-18_long.csv", "ice_file_date"),
)


@dataclass
class Agreement:
    """One 287(g) model held by one agency, as the lists show it."""

    model: str
    signed: dt.date | None = None
    first_seen: dt.date | None = None
    last_seen: dt.date | None = None
    current: bool = False
    signed_values: set[dt.date] = field(default_factory=set)

    def see(self, day: dt.date, signed: dt.date | None) -> None:
        if self.first_seen is None or day < self.first_seen:
            self.first_seen = day
        if self.last_seen is None or day >= self.last_seen:
            self.last_seen = day
            self.signed = signed or self.signed
        if signed:
            self.signed_values.add(signed)


@dataclass(frozen=True, slots=True)
class FbiAgency:
    """An agency of the FBI law-enforcement employees roster."""

    ori: str
    name: str
    type: str
    county: str
    population: int | None
    officers: int | None
    matched_by: str


@dataclass
class Agency:
    """An agency on ICE's 287(g) lists, with its agreements and its FBI roster entry."""

    key: str
    name: str
    state: str
    county: str = ""
    names: set[str] = field(default_factory=set)
    agreements: dict[str, Agreement] = field(default_factory=dict)
    pending: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)
    fbi: FbiAgency | None = None

    def to_dict(self) -> dict[str, Any]:
        def day(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "name": self.name,
            "state": self.state,
            "county": self.county or None,
            "spellings": sorted(self.names),
            "agreements": {
                m: {
                    "signed": day(a.signed),
                    "first_seen": day(a.first_seen),
                    "last_seen": day(a.last_seen),
                    "current": a.current,
                    "signed_values": sorted(d.isoformat() for d in a.signed_values),
                }
                for m, a in sorted(self.agreements.items())
            },
            "pending": {
                m: {"first_seen": day(a), "last_seen": day(b)}
                for m, (a, b) in sorted(self.pending.items())
            },
            "fbi": None
            if self.fbi is None
            else {
                "ori": self.fbi.ori,
                "name": self.fbi.name,
                "type": self.fbi.type,
                "county": self.fbi.county,
                "population": self.fbi.population,
                "officers": self.fbi.officers,
                "matched_by": self.fbi.matched_by,
            },
        }


@dataclass
class Directory:
    """The agencies of one state on the 287(g) lists."""

    state: str
    agencies: list[Agency]
    newest: dt.date | None
    snapshots: int
    quirks: Counter[str]
    files: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "newest_list": self.newest.isoformat() if self.newest else None,
            "snapshots": self.snapshots,
            "files": self.files,
            "quirks": dict(self.quirks.most_common()),
            "agencies": [a.to_dict() for a in self.agencies],
        }


def normalize(name: str) -> str:
    """An agency name as a matching key: lower case, Saint/St./Ste. unified, "'s", "office"
    and "department" dropped, punctuation as spaces (``st mary police``)."""
    s = name.lower().replace("\u2019", "'").replace("'s ", " ")
    s = re.sub(r"\bsaint\b", "st", s)
    s = re.sub(r"\bsainte\b", "ste", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    s = re.sub(r"\b(?:office|department|dept)\b", " ", s)
    return " ".join(s.split())


def _county_key(county: str) -> str:
    return normalize(county).removesuffix(" county").removesuffix(" parish").strip()


def parse_signed(text: str, quirks: Counter[str]) -> dt.date | None:
    """``YYYY-MM-DD`` (a time may follow); repairs ``05/082025`` and ``7/72025``."""
    text = text.strip()
    if not text:
        return None
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/?(\d{4})", text)
    if m:
        try:
            day = dt.date(int(m[3]), int(m[1]), int(m[2]))
        except ValueError:
            day = None
        if day is not None:
            quirks[f"malformed SIGNED repaired ({text!r} -> {day})"] += 1
            return day
    quirks[f"SIGNED not a date, ignored ({text!r})"] += 1
    return None


def build_directory(data_dir: Path, state: str) -> Directory:
    """The directory for ``state`` (two-letter code) from the lists under ``data_dir``."""
    code = state.upper()
    if code not in STATES:
        raise ValueError(f"unknown state code {state!r}")
    full = STATES[code]
    quirks: Counter[str] = Counter()
    agencies: dict[str, Agency] = {}
    snapshots: set[dt.date] = set()
    files: list[str] = []

    named: dict[str, dt.date] = {}

    def agency(raw: str, county: str, day: dt.date) -> Agency:
        """The agency of a list row; its name and county as the newest row writes them."""
        name = " ".join(raw.split())
        if name != raw:
            quirks["rows with extra spaces in the agency name, trimmed"] += 1
        key = normalize(name)
        found = agencies.get(key)
        if found is None:
            found = agencies[key] = Agency(key, name, code)
        found.names.add(name)
        county = " ".join(county.split())
        if day >= named.get(key, dt.date.min):
            named[key] = day
            found.name = name
            found.county = county if county and county != "NA" else found.county
        return found

    for folder, name, date_col in PARTICIPATING:
        if not has_rows(data_dir / folder, name):
            continue
        files.append(f"{folder}/{name}")
        for _, row in read_rows(data_dir / folder, name):
            if row.get("STATE", "").strip().upper() != full:
                continue
            day = dt.date.fromisoformat(row[date_col][:10])
            snapshots.add(day)
            model = _model(row.get("SUPPORT TYPE", ""), quirks)
            if model is None:
                continue
            a = agency(row.get("LAW ENFORCEMENT AGENCY", ""), row.get("COUNTY", ""), day)
            if "sheriff" in a.key and row.get("TYPE", "").strip() == "Municipality":
                quirks["rows typing a sheriff's office 'Municipality' (TYPE not used)"] += 1
            a.agreements.setdefault(model, Agreement(model)).see(
                day, parse_signed(row.get("SIGNED", ""), quirks)
            )
    for folder, name, date_col in PENDING:
        if not has_rows(data_dir / folder, name):
            continue
        files.append(f"{folder}/{name}")
        for _, row in read_rows(data_dir / folder, name):
            if row.get("STATE", "").strip().upper() != full:
                continue
            day = dt.date.fromisoformat(row[date_col][:10])
            model = _model(row.get("SUPPORT TYPE", ""), quirks)
            if model is None:
                continue
            a = agency(row.get("LAW ENFORCEMENT AGENCY", ""), row.get("COUNTY", ""), day)
            lo, hi = a.pending.get(model, (day, day))
            a.pending[model] = (min(lo, day), max(hi, day))
    _merge_misspellings(agencies, named, quirks)
    newest = max(snapshots) if snapshots else None
    for a in agencies.values():
        if len(a.names) > 1:
            quirks["agency spelled more than one way, merged"] += 1
        for ag in a.agreements.values():
            ag.current = ag.last_seen == newest
            if len(ag.signed_values) > 1:
                quirks["agreement listed with more than one SIGNED date (latest kept)"] += 1
    _match_fbi(data_dir, code, full, agencies, quirks, files)
    ordered = sorted(agencies.values(), key=lambda a: (a.county.lower(), a.name.lower()))
    return Directory(code, ordered, newest, len(snapshots), quirks, files)


def _merge_misspellings(
    agencies: dict[str, Agency], named: dict[str, dt.date], quirks: Counter[str]
) -> None:
    """Merge an agency into another of the same county whose name differs by a typo
    (``Dogulas County Sheriff's Office``): the spelling of the newer list wins."""
    keys = sorted(agencies, key=lambda k: named.get(k, dt.date.min), reverse=True)
    for i, newer in enumerate(keys):
        if newer not in agencies:
            continue
        for older in keys[i + 1 :]:
            a, b = agencies[newer], agencies.get(older)
            if b is None or _county_key(a.county) != _county_key(b.county):
                continue
            if difflib.SequenceMatcher(None, newer, older).ratio() < 0.9:
                continue
            quirks[f"misspelled agency merged ({b.name!r} -> {a.name!r})"] += 1
            a.names |= b.names
            for model, ag in b.agreements.items():
                mine = a.agreements.setdefault(model, Agreement(model))
                for day in (ag.first_seen, ag.last_seen):
                    if day is not None:
                        mine.see(day, ag.signed if day == ag.last_seen else None)
                mine.signed_values |= ag.signed_values
            for model, (lo, hi) in b.pending.items():
                lo2, hi2 = a.pending.get(model, (lo, hi))
                a.pending[model] = (min(lo, lo2), max(hi, hi2))
            del agencies[older]


def _model(text: str, quirks: Counter[str]) -> str | None:
    key = " ".join(text.split()).lower()
    if key != text.lower():
        quirks["rows with extra spaces in SUPPORT TYPE, trimmed"] += 1
    model = MODELS.get(key)
    if model is None:
        quirks[f"unknown SUPPORT TYPE ignored ({text.strip()!r})"] += 1
    return model


def _match_fbi(
    data_dir: Path,
    code: str,
    full: str,
    agencies: dict[str, Agency],
    quirks: Counter[str],
    files: list[str],
) -> None:
    folder = data_dir / RECOVERED
    if not has_rows(folder, FBI_ROSTER):
        return
    files.append(f"{RECOVERED}/{FBI_ROSTER}")
    roster: dict[str, dict[str, str]] = {}
    for _, row in read_rows(folder, FBI_ROSTER):
        if row.get("state_abbr", "").strip().upper() == code:
            roster[row["ori"].strip()] = row
    oris: dict[str, str] = {}
    if has_rows(folder, JOINED):
        files.append(f"{RECOVERED}/{JOINED}")
        for _, row in read_rows(folder, JOINED):
            ori = row.get("ori", "").strip()
            if row.get("state", "").strip().upper() == full and ori in roster:
                oris[normalize(row.get("agency", ""))] = ori
    by_name: dict[str, list[dict[str, str]]] = {}
    for row in roster.values():
        by_name.setdefault(normalize(row.get("pub_agency_name", "")), []).append(row)
    for a in agencies.values():
        known = oris.get(a.key)
        if known:
            a.fbi = _fbi(roster[known], "ORI from 287g-watch")
            continue
        found = _by_name(a, by_name)
        if found is not None:
            a.fbi = _fbi(*found)
        else:
            quirks["agency not found in the FBI roster"] += 1


def _by_name(
    a: Agency, by_name: dict[str, list[dict[str, str]]]
) -> tuple[dict[str, str], str] | None:
    key = ALIASES.get(a.key, a.key)
    tries: list[tuple[str, set[str], str]] = [(key, set(), "full name")]
    m = re.fullmatch(r"(.+?) county sheriff", key)
    if m:
        tries.append((m[1], {"County"}, "county name (sheriff)"))
    m = re.fullmatch(r"(.+?) police", key)
    if m:
        tries.append((m[1], {"City"}, "city name (police)"))
    county = _county_key(a.county) if a.county else ""
    for name, types, how in tries:
        rows = [
            r
            for r in by_name.get(name, [])
            if not types or r.get("agency_type_name", "").strip() in types
        ]
        if county:
            rows = [
                r
                for r in rows
                if county in {_county_key(c) for c in r.get("county_name", "").split(",")}
            ]
        if len(rows) == 1:
            return rows[0], how + (" and county" if county else "")
    return None


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _fbi(row: dict[str, str], how: str) -> FbiAgency:
    return FbiAgency(
        row["ori"].strip(),
        row.get("pub_agency_name", "").strip(),
        row.get("agency_type_name", "").strip(),
        row.get("county_name", "").strip(),
        _int(row.get("population", "")),
        _int(row.get("officer_ct", "")),
        how,
    )
