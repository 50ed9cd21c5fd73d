"""How much of the real jail data the offense catalog classifies, and a sample to audit by hand.

Run: ``.venv/bin/python bench/offense_coverage.py`` (add ``--sample 100 --seed 1`` to print
random classified lines for a manual correctness check). Reads the Travis County and Boone
County data under ``../shared/data/real`` (or ``--data DIR``); nothing is written.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from casebycase.offenses import CATEGORIES, Classification, classify

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "real"
TRAVIS = "travis-county-tx-ice-detainers/booking_charges_1991-2016.csv"
BOONE_ROSTER = "boone-county-mo-jail-roster/current_detainees_2023-04_deidentified.csv"
BOONE_BOOKINGS = "boone-county-mo-jail-roster/seven_am_report_2023-04-25_deidentified.csv"


@dataclass(frozen=True, slots=True)
class Line:
    """One charge line as an importer would pass it to the catalog."""

    code: str | None
    text: str
    level: str | None
    found: Classification


def _read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def travis_lines(data: Path) -> list[Line]:
    """Travis County booking charges: charge_code, charge_literal, level."""
    out = []
    for row in _read(data / TRAVIS):
        code, text, level = row["charge_code"], row["charge_literal"].strip(), row["level"]
        out.append(Line(code, text, level, classify(code, text, level)))
    return out


def boone_lines(data: Path) -> list[Line]:
    """Boone County roster (charge description) and 07:00 report (charge number + text)."""
    out = []
    for row in _read(data / BOONE_ROSTER):
        text = row["Charge Description"].strip()
        out.append(Line(None, text, None, classify(None, text)))
    for row in _read(data / BOONE_BOOKINGS):
        code, text = row["Charge number"], row["Charge description"].strip()
        out.append(Line(code, text, None, classify(code, text)))
    return out


def report(name: str, lines: list[Line]) -> dict[str, float]:
    """Print the coverage figures of one data set; return the two shares."""
    holds = [ln for ln in lines if ln.found.is_hold]
    charges = [ln for ln in lines if not ln.found.is_hold]
    done = [ln for ln in charges if ln.found.category != "unknown"]
    texts = {ln.text for ln in charges}
    done_texts = {ln.text for ln in done}
    by_line = len(done) / len(charges) if charges else 0.0
    by_text = len(done_texts) / len(texts) if texts else 0.0
    print(f"== {name}")
    print(f"charge lines            {len(lines):>7}")
    kinds = Counter(ln.found.entry for ln in holds).most_common()
    print(f"hold lines              {len(holds):>7}  ({', '.join(f'{k} {v}' for k, v in kinds)})")
    print(f"non-hold lines          {len(charges):>7}")
    print(f"classified, by line     {len(done):>7}  {by_line:6.1%}")
    print(
        f"classified, by text     {len(done_texts):>7}  {by_text:6.1%}  "
        f"of {len(texts)} distinct texts"
    )
    print("top 30 unclassified texts:")
    missing = Counter(ln.text for ln in charges if ln.found.category == "unknown")
    for text, count in missing.most_common(30):
        entry = next(ln.found.entry for ln in charges if ln.text == text)
        print(f"  {count:>6}  {text}" + (f"   [{entry}]" if entry else ""))
    print("category distribution (non-hold lines):")
    dist = Counter(ln.found.category for ln in charges)
    for category in CATEGORIES:
        if dist[category]:
            print(f"  {category:<20} {dist[category]:>6}  {dist[category] / len(charges):6.1%}")
    print()
    return {"by_line": by_line, "by_text": by_text}


def sample(name: str, lines: list[Line], n: int, seed: int) -> None:
    """Print ``n`` random classified non-hold lines for a manual audit."""
    pool = [ln for ln in lines if not ln.found.is_hold and ln.found.category != "unknown"]
    picked = random.Random(seed).sample(pool, min(n, len(pool)))
    print(f"== {name}: {len(picked)} random classified lines (seed {seed})")
    for i, ln in enumerate(picked, 1):
        code = f"[{ln.code}] " if ln.code else ""
        level = f" ({ln.level})" if ln.level else ""
        print(
            f"{i:>4}. {code}{ln.text}{level} -> {ln.found.category}"
            f" / {ln.found.level} / {ln.found.entry}"
        )
    print()


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the data/real folder")
    parser.add_argument(
        "--sample",
        type=int,
        default=0,
        metavar="N",
        help="print N random classified lines per data set",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed for --sample")
    parser.add_argument("--only", choices=("travis", "boone"), help="one data set only")
    args = parser.parse_args(argv)
    if not (args.data / TRAVIS).is_file():
        print(f"no data at {args.data} (expected {TRAVIS})", file=sys.stderr)
        return 2
    sets = {"Travis County, TX (1991-2016)": travis_lines, "Boone County, MO (2023)": boone_lines}
    for name, read in sets.items():
        if args.only and not name.lower().startswith(args.only):
            continue
        lines = read(args.data)
        if args.sample:
            sample(name, lines, args.sample, args.seed)
        else:
            report(name, lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
