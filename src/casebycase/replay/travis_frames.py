"""The Travis County importer, columnar: raw files to request frames, chunk by chunk.

The same requests, recorded outcomes, charge figures and rejected rows (same ``file:line``,
same words, same order) as :func:`casebycase.replay.travis.import_travis`, without a Python
object per row. The charges file is read first, in chunks, into a compact table (booking,
charge key, line, detainer disposition); each distinct (code, text, level) is cleaned and
classified once through the offense catalog, and its :attr:`Offense.traits` taken from the
request model; per booking, the offenses and their sets come from one group-by over that
table. The bookings file is then read in chunks; each chunk is checked column-wise with the
row importer's rules and becomes a request frame (:data:`columnar.SCHEMA`) ready for
:meth:`ColumnarPack.decide`. The facts that depend on the booking date (received time,
document, booking time) come from one template request per distinct date, built by the row
importer's own :func:`jail_detainer`, so both paths read the fact table the same way; the
``juvenile`` and ``charged`` flags are the subject's own fields, set per row. The
rare row the model itself might refuse (a malformed subject reference, a year out of range,
an over-long charge text) goes through the row importer for its exact verdict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from casebycase.datasets import LINE
from casebycase.offenses import classify
from casebycase.replay.chunks import frames, records, strip
from casebycase.replay.columnar import OFFENSE, OFFENSE_SETS, SCHEMA, frame_of
from casebycase.replay.dataset import (
    ChargeStats,
    Dataset,
    Rejected,
    RowError,
    jail_detainer,
    local_noon,
    offense,
    parse_date,
)
from casebycase.replay.travis import BOOKINGS, CHARGES, ICE_HOLD, PACK, ZONE, _booking
from casebycase.request import REF_PATTERN, Offense

CHUNK = 100_000
CANONICAL = "^(0|[1-9][0-9]{0,17})$"
"""Records read at a time."""
NOTE = (
    "received_at and booked_at are the booking date at local noon: the report gives no "
    "time and not the day the detainer was lodged"
)
OFFENSE_FIELDS = [f.name for f in OFFENSE.fields]
_KEY_SCHEMA = {
    "key": pl.UInt32,
    "ice": pl.Boolean,
    "hold": pl.Boolean,
    "unknown": pl.Boolean,
    "unclassified": pl.Boolean,
    "valid": pl.Boolean,
    **{f.name: f.dtype for f in OFFENSE.fields},
}
_OFFENSE_FACTS = ("offenses", "offense_count", *OFFENSE_SETS.values())
_TEMPLATE = [c for c in SCHEMA if c not in ("index", "id", "juvenile", "charged", *_OFFENSE_FACTS)]
"""The request frame columns a booking's template (its date) gives."""


@dataclass
class Chunk:
    """One chunk of requests: the request frame and, per row, what the results carry."""

    frame: pl.DataFrame
    """Columns as :data:`columnar.SCHEMA` (``index`` counts requests from the first chunk)."""
    meta: pl.DataFrame
    """``request_id``, ``date``, ``actual``, ``unclassified_offenses``, one row per request."""
    rows: int
    """Booking records this chunk read."""


@dataclass
class _Keys:
    """Each distinct charge (code, text, level), classified once."""

    ids: dict[tuple[str, str, str], int] = field(default_factory=dict)
    raw: dict[tuple[str, str, str], int | None] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def of(self, code_raw: str, text_raw: str, level_raw: str) -> int | None:
        """The key of a raw charge line, None when it has neither code nor text."""
        raw = (code_raw, text_raw, level_raw)
        if raw in self.raw:
            return self.raw[raw]
        code, text, level = code_raw.strip(), " ".join(text_raw.split()), level_raw.strip()
        key = None if not text and not code else self.ids.get((code, text, level))
        if key is None and (text or code):
            key = self.ids[(code, text, level)] = len(self.rows)
            self.rows.append(self._classified(key, code, text, level))
            self.texts.append(text)
        self.raw[raw] = key
        return key

    @staticmethod
    def _classified(key: int, code: str, text: str, level: str) -> dict[str, Any]:
        found = classify(code or None, text or None, level or None)
        row: dict[str, Any] = {
            "key": key,
            "ice": found.entry == ICE_HOLD,
            "hold": found.is_hold,
            "unclassified": found.category == "unknown",
            "unknown": False,
            "valid": True,
            **dict.fromkeys(OFFENSE_FIELDS),
        }
        if row["ice"] or row["hold"]:
            return row
        try:
            made = Offense.model_validate(
                offense(code or None, text, level or None, "charged", found)
            )
        except ValidationError:
            row["valid"] = False
            return row
        row.update(zip(OFFENSE_FIELDS, made.traits, strict=True))
        row["unknown"] = made.derived[0] == "unknown"
        return row

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.rows, schema=_KEY_SCHEMA)


@dataclass
class _Seqs:
    """Booking seqs as integers (joins on integers are fast): a canonical decimal is its
    value, any other text a negative number of its own."""

    other: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def ids(self, seq: pl.Series) -> pl.Series:
        canonical = seq.str.contains(CANONICAL)
        odd = seq.filter(~canonical).unique().to_list()
        for text in odd:
            if text not in self.other:
                self.other[text] = -1 - len(self.other)
                self.names[self.other[text]] = text
        number = seq.cast(pl.Int64, strict=False)
        if not odd:
            return number.alias("sid")
        mapped = seq.replace_strict(
            {t: self.other[t] for t in odd}, default=None, return_dtype=pl.Int64
        )
        return pl.select(pl.when(canonical).then(number).otherwise(mapped)).to_series().alias("sid")

    def text(self, sid: int) -> str:
        return str(sid) if sid >= 0 else self.names[sid]


@dataclass
class _Day:
    """What a booking date gives: the day, or why it is not one."""

    day: dt.date | None
    why: str | None = None
    in_range: bool = True


class TravisFrames:
    """The Travis data set in a folder, read as request frames (iterate :meth:`chunks`)."""

    def __init__(self, folder: Path, rows: int = CHUNK) -> None:
        self.folder, self.rows = folder, rows
        self.dataset = Dataset(
            "travis",
            "Travis County, TX: jail bookings with an ICE detainer, 1991-2016",
            actual_label="disposition of the ICE DETAINER line",
        )
        self.dataset.charges = ChargeStats()
        self.requests = 0
        self.with_unclassified = 0
        self._keys = _Keys()
        self._seqs = _Seqs()
        self._days: dict[str, _Day] = {}
        self._templates = pl.DataFrame(
            schema={"booking_date": pl.String, **{c: SCHEMA[c] for c in _TEMPLATE}}
        )
        self._seen: list[pl.Series] = []
        self._unclassified: list[pl.Series] = []

    def totals(self) -> dict[str, int]:
        """Records in each file, by stage (``charges``, ``bookings``): progress totals."""
        return {
            "charges": records(self.folder, CHARGES),
            "bookings": records(self.folder, BOOKINGS),
        }

    def chunks(self, progress: Callable[[str, int], None] | None = None) -> Iterator[Chunk]:
        """The requests, one chunk per chunk of booking records (possibly empty); the
        rejected rows and figures land in :attr:`dataset` as they are found (complete once
        the iteration ends). ``progress("charges", n)`` follows the charges file."""
        lines = self._charges(progress)
        per_booking = self._per_booking(lines)
        booking_rejects: list[Rejected] = []
        for chunk in frames(
            self.folder, BOOKINGS, self.rows, ("booking_seq", "person_seq", "age", "booking_date")
        ):
            self.dataset.rows_read += chunk.height
            out, rejected = self._bookings(chunk, per_booking, lines)
            booking_rejects += rejected
            yield out
        self.dataset.rejected += booking_rejects
        self.dataset.rejected += self._unknown_bookings(lines)
        self._texts()
        self.dataset.notes.append(NOTE)

    # -- charges -------------------------------------------------------------------------

    def _charges(self, progress: Callable[[str, int], None] | None) -> pl.DataFrame:
        """All usable charge lines: seq, key, line, and for detainer lines the disposition."""
        parts: list[pl.DataFrame] = []
        keys = self._keys
        for chunk in frames(
            self.folder,
            CHARGES,
            self.rows,
            (
                "booking_seq",
                "charge_code",
                "charge_literal",
                "level",
                "disposition_type",
                "disposition_date",
            ),
        ):
            self.dataset.rows_read += chunk.height
            raw = chunk.select("charge_code", "charge_literal", "level").unique()
            mapping = raw.with_columns(
                pl.Series("key", [keys.of(*r) for r in raw.iter_rows()], pl.UInt32)
            )
            keyed = chunk.join(
                mapping,
                on=["charge_code", "charge_literal", "level"],
                how="left",
                maintain_order="left",
            )
            empty = keyed.filter(pl.col("key").is_null())
            self.dataset.rejected += [
                Rejected(f"{CHARGES}:{line}", "charge line has no code or text")
                for line in empty[LINE]
            ]
            ice = pl.DataFrame(
                {"key": [r["key"] for r in keys.rows], "ice": [r["ice"] for r in keys.rows]},
                schema={"key": pl.UInt32, "ice": pl.Boolean},
            )
            kept = keyed.filter(pl.col("key").is_not_null()).join(
                ice, on="key", how="left", maintain_order="left"
            )
            parts.append(
                kept.select(
                    self._seqs.ids(kept.select(strip("booking_seq")).to_series()),
                    "key",
                    pl.col(LINE).alias("line"),
                    pl.when("ice").then(strip("disposition_type")).alias("dtype"),
                    pl.when("ice").then(pl.col("disposition_date")).alias("ddate"),
                    "ice",
                )
            )
            if progress is not None:
                progress("charges", chunk.height)
        schema = {
            "sid": pl.Int64,
            "key": pl.UInt32,
            "line": pl.Int64,
            "dtype": pl.String,
            "ddate": pl.String,
            "ice": pl.Boolean,
        }
        return pl.concat(parts) if parts else pl.DataFrame(schema=schema)

    def _per_booking(self, lines: pl.DataFrame) -> pl.DataFrame:
        """Per booking seq: its lines, detainer count and disposition, offenses (deduplicated
        non-hold lines, in file order), unclassified count, and whether every offense is valid.
        """
        keys = self._keys.frame()
        per = lines.group_by("sid").agg(
            pl.len().alias("n_lines"),
            pl.col("ice").sum().alias("n_detainers"),
            pl.col("key").filter(~pl.col("ice")).alias("keys"),
        )
        done = (
            lines.filter(pl.col("ice") & (pl.col("dtype") != ""))
            .with_columns(real=pl.col("dtype") != "ERROR IN ENTRY")
            .sort("sid", "real", "ddate", "dtype")
            .group_by("sid")
            .agg(pl.col("dtype").last().alias("actual"))
        )
        # bookings share their charge lists: each distinct list is worked out once
        patterns = per.select("keys").unique().with_row_index("pid")
        charged = (
            patterns.select("pid", pl.col("keys").alias("key"))
            .explode("key")
            .drop_nulls("key")
            .unique(["pid", "key"], keep="first", maintain_order=True)
            .join(keys, on="key", how="left", maintain_order="left")
        )
        offense = ~pl.col("hold")
        offenses = charged.group_by("pid", maintain_order=True).agg(
            pl.struct(OFFENSE_FIELDS).filter(offense).alias("offenses"),
            *(
                pl.col(attr).filter(offense).drop_nulls().unique().sort().alias(name)
                for attr, name in OFFENSE_SETS.items()
            ),
            pl.col("unknown").filter(offense).sum().cast(pl.Int32).alias("unclassified_offenses"),
            pl.col("valid").filter(offense).all().alias("valid"),
            pl.col("hold").sum().alias("n_holds"),
            offense.sum().alias("n_charges"),
            pl.col("key").filter(offense & pl.col("unclassified")).alias("unclassified_keys"),
        )
        table = patterns.join(offenses, on="pid", how="left").with_columns(
            *(
                pl.col(c).fill_null(pl.lit([], SCHEMA[c]))
                for c in ("offenses", *OFFENSE_SETS.values())
            ),
            pl.col("n_charges").fill_null(0).cast(pl.Int64).alias("offense_count"),
            pl.col("unclassified_offenses").fill_null(0),
            pl.col("valid").fill_null(True),
            pl.col("n_holds").fill_null(0),
            pl.col("n_charges").fill_null(0),
        )
        return (
            per.join(table, on="keys", how="left")
            .drop("keys", "pid")
            .join(done, on="sid", how="left")
        )

    # -- bookings ------------------------------------------------------------------------

    def _bookings(
        self, chunk: pl.DataFrame, per_booking: pl.DataFrame, lines: pl.DataFrame
    ) -> tuple[Chunk, list[Rejected]]:
        table = chunk.select(
            pl.col(LINE),
            pl.col("booking_seq").alias("raw_seq"),
            strip("booking_seq").alias("seq"),
            strip("person_seq").alias("person"),
            strip("age").alias("age"),
            pl.col("booking_date"),
        )
        digits = set(
            s for s in table.filter(~pl.col("seq").str.contains("^[0-9]+$"))["seq"] if s.isdigit()
        )
        table = table.with_columns(
            self._seqs.ids(table["seq"]),
            number=pl.col("seq").str.contains("^[0-9]+$") | pl.col("seq").is_in(list(digits)),
        )
        seen = pl.concat(self._seen) if self._seen else pl.Series([], dtype=pl.Int64)
        table = table.with_columns(
            first=pl.col("number")
            & ~pl.col("sid").is_in(seen.implode())
            & pl.col("sid").is_first_distinct().over("number")
        )
        self._seen.append(table.filter("first")["sid"])
        days = self._dates(table["booking_date"])
        table = table.join(days, on="booking_date", how="left", maintain_order="left").join(
            per_booking, on="sid", how="left", maintain_order="left"
        )
        ref = pl.lit("TC-P") + pl.when(pl.col("person") == "").then(pl.lit("x")).otherwise(
            pl.col("person")
        )
        table = table.with_columns(
            why=pl.when(~pl.col("number"))
            .then(pl.lit("number"))
            .when(~pl.col("first"))
            .then(pl.lit("repeated"))
            .when(pl.col("day").is_null())
            .then(pl.lit("date"))
            .when(pl.col("n_lines").is_null())
            .then(pl.lit("booking has no charge lines: no detainer recorded"))
            .when(pl.col("n_detainers") == 0)
            .then(pl.lit("booking has no ICE DETAINER line: not a detainer request"))
            .when(~ref.str.contains(REF_PATTERN) | ~pl.col("in_range") | ~pl.col("valid"))
            .then(pl.lit("row"))
        )
        rejected: list[Rejected] = []
        slow: list[tuple[int, Any]] = []
        for row in table.filter(pl.col("why").is_not_null()).iter_rows(named=True):
            where = f"{BOOKINGS}:{row[LINE]}"
            why = row["why"]
            if why == "number":
                why = f"booking_seq is not a number: {row['seq']!r}"
            elif why == "repeated":
                why = f"booking_seq is repeated: {row['seq']}"
            elif why == "date":
                why = self._days[row["booking_date"]].why
            elif why == "row":
                verdict = self._row_path(row, lines, where)
                if not isinstance(verdict, str):
                    slow.append((row[LINE], verdict))
                    continue
                why = verdict
            rejected.append(Rejected(where, why))
        good = table.filter(pl.col("why").is_null())
        frame, meta = self._frame(good, slow)
        self._count(
            table.filter(pl.col("why").is_null() | pl.col(LINE).is_in([line for line, _ in slow]))
        )
        self.requests += frame.height
        self.with_unclassified += int(frame["categories"].list.contains("unknown").sum())
        return Chunk(frame, meta.drop(LINE), chunk.height), rejected

    def _dates(self, column: pl.Series) -> pl.DataFrame:
        """Per distinct booking date in ``column``: the day and whether its year is usable."""
        for text in column.unique().to_list():
            if text not in self._days:
                try:
                    day = parse_date(text, "%Y-%m-%d", "booking_date")
                except RowError as exc:
                    self._days[text] = _Day(None, str(exc))
                else:
                    self._days[text] = _Day(day, in_range=1900 <= day.year <= 2200)
        texts = column.unique()
        return pl.DataFrame(
            {
                "booking_date": texts,
                "day": [self._days[t].day for t in texts],
                "in_range": [self._days[t].in_range for t in texts],
            },
            schema={"booking_date": pl.String, "day": pl.Date, "in_range": pl.Boolean},
        )

    def _row_path(self, row: dict[str, Any], lines: pl.DataFrame, where: str) -> Any:
        """The row importer's verdict on one booking: its Imported, or why it is refused."""
        keys = self._keys
        mine = lines.filter(pl.col("sid") == row["sid"]).sort("line")
        charges = []
        for key, dtype, ddate in mine.select("key", "dtype", "ddate").iter_rows():
            code, text, level = next(k for k, v in keys.ids.items() if v == key)
            charges.append(
                (
                    0,
                    {
                        "charge_code": code,
                        "charge_literal": text,
                        "level": level,
                        "disposition_type": dtype or "",
                        "disposition_date": ddate or "",
                    },
                )
            )
        source = {
            "booking_seq": row["raw_seq"],
            "person_seq": row["person"],
            "age": row["age"],
            "booking_date": row["booking_date"],
        }
        try:
            return _booking(source, charges, where, ChargeStats())
        except RowError as exc:
            return str(exc)

    def _frame(
        self, good: pl.DataFrame, slow: list[tuple[int, Any]]
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The request frame of the accepted rows (and their result columns), in file order."""
        ages = good["age"].unique().to_list()
        juvenile = pl.DataFrame(
            {"age": ages, "juvenile": [a.isdigit() and 0 < int(a) < 18 for a in ages]},
            schema={"age": pl.String, "juvenile": pl.Boolean},
        )
        good = good.join(juvenile, on="age", how="left", maintain_order="left").with_columns(
            charged=pl.col("offense_count") > 0
        )
        self._grow_templates(good)
        joined = good.join(self._templates, on="booking_date", how="left", maintain_order="left")
        fast = joined.select(
            pl.col(LINE),
            pl.lit(0, pl.Int64).alias("index"),
            (pl.lit("travis-") + pl.col("seq")).alias("id"),
            *(pl.col(c) for c in SCHEMA if c not in ("index", "id")),
        )
        meta = joined.select(
            pl.col(LINE),
            (pl.lit("travis-") + pl.col("seq")).alias("request_id"),
            pl.col("day").alias("date"),
            "actual",
            "unclassified_offenses",
        )
        if slow:
            items = [item for _, item in slow]
            built = frame_of([i.request for i in items]).with_columns(
                pl.Series(LINE, [line for line, _ in slow], pl.Int64)
            )
            fast = pl.concat([fast, built.select(LINE, *SCHEMA)])
            meta = pl.concat(
                [
                    meta,
                    pl.DataFrame(
                        {
                            LINE: [line for line, _ in slow],
                            "request_id": [i.request.id for i in items],
                            "date": [i.request.received_at.date() for i in items],
                            "actual": [i.actual for i in items],
                            "unclassified_offenses": [
                                sum(1 for o in i.request.offenses if o.derived[0] == "unknown")
                                for i in items
                            ],
                        },
                        schema=meta.schema,
                    ),
                ]
            ).sort(LINE)
            fast = fast.sort(LINE)
        frame = fast.with_columns(
            pl.int_range(self.requests, self.requests + fast.height, dtype=pl.Int64).alias("index")
        ).select(list(SCHEMA))
        return frame, meta

    def _grow_templates(self, good: pl.DataFrame) -> None:
        """Template rows for every booking date not seen yet."""
        wanted = good.select("booking_date", "day").unique()
        wanted = wanted.join(self._templates, on="booking_date", how="anti")
        if not wanted.height:
            return
        combos = wanted.rows(named=True)
        built = []
        for c in combos:
            day = c["day"]
            subject = {"ref": "TC-Px", "in_custody": True, "booked_at": local_noon(day, ZONE)}
            built.append(jail_detainer("t", PACK, day, ZONE, subject, [], ""))
        new = frame_of(built).select(
            pl.Series("booking_date", [c["booking_date"] for c in combos], pl.String), *_TEMPLATE
        )
        self._templates = pl.concat([self._templates, new])

    # -- the end -------------------------------------------------------------------------

    def _unknown_bookings(self, lines: pl.DataFrame) -> list[Rejected]:
        """Charge lines of a booking no row claimed, by booking in order of first line."""
        claimed = pl.concat(self._seen) if self._seen else pl.Series([], dtype=pl.Int64)
        left = (
            lines.filter(~pl.col("sid").is_in(claimed.implode()))
            .with_columns(first=pl.col("line").min().over("sid"))
            .sort("first", "line")
        )
        return [
            Rejected(
                f"{CHARGES}:{line}",
                f"charge of an unknown booking: booking_seq {self._seqs.text(sid)}",
            )
            for sid, line in left.select("sid", "line").iter_rows()
        ]

    def _count(self, accepted: pl.DataFrame) -> None:
        """Add the charge figures of accepted bookings, as the row importer counts them."""
        stats = self.dataset.charges
        assert stats is not None
        sums = accepted.select(
            pl.col("n_detainers").sum() + pl.col("n_holds").sum(),
            pl.col("n_charges").sum(),
            pl.col("unclassified_keys").list.len().sum(),
        ).row(0)
        stats.holds += int(sums[0] or 0)
        stats.charges += int(sums[1] or 0)
        stats.unclassified += int(sums[2] or 0)
        self._unclassified.append(accepted["unclassified_keys"].explode().drop_nulls())

    def _texts(self) -> None:
        """The unclassified charge texts, counted in the order the row importer meets them."""
        stats = self.dataset.charges
        assert stats is not None
        if not self._unclassified:
            return
        keys = pl.concat(self._unclassified)
        texts = pl.Series("text", self._keys.texts, pl.String).gather(keys)
        counted = texts.to_frame().group_by("text", maintain_order=True).len()
        stats.unclassified_texts.update(dict(counted.iter_rows()))
