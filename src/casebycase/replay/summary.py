"""What a replay found: outcome counts, cross-tables, policy versus practice, and the files.

:func:`summarize` tallies result rows into plain data (``summary.json``); :func:`markdown`
renders it for people (``summary.md``); :func:`write` writes both with the per-request
``results.parquet`` and the rejected rows (``rejected.csv``).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import polars as pl

from casebycase.replay.dataset import Dataset
from casebycase.replay.run import ResultRow, Scenario

OUTCOMES = ("comply", "partial", "decline", "refer")
NOT_RECORDED = "(not recorded)"
TOP_ACTUAL = 8

RESULT_SCHEMA: dict[str, pl.DataType] = {
    "request_id": pl.String(),
    "date": pl.Date(),
    "scenario": pl.String(),
    "pack": pl.String(),
    "as_of": pl.Date(),
    "outcome": pl.String(),
    "deciding_rule": pl.String(),
    "rules": pl.List(pl.String()),
    "actual": pl.String(),
    "unclassified_offenses": pl.Int32(),
}


def summarize(
    dataset: Dataset,
    scenarios: Sequence[Scenario],
    rows: Sequence[ResultRow],
    seconds: float | None = None,
) -> dict[str, Any]:
    """Outcome counts per scenario (keyed by pack id, or ``pack@date``, then outcome), the
    cross-tables between scenarios, policy versus practice, and the import figures."""
    keys = [s.key for s in scenarios]
    by_key: dict[str, list[ResultRow]] = {k: [] for k in keys}
    for row in rows:
        by_key[row.scenario].append(row)
    outcomes = {k: _count(r.outcome for r in by_key[k]) for k in keys}
    # request ids are unique within a data set: rows of different scenarios meet by id
    ids = [i.request.id or "" for i in dataset.items]
    by_id = {k: {r.request_id: r.outcome for r in by_key[k]} for k in keys}
    cross: dict[str, dict[str, dict[str, int]]] = {}
    for a, b in combinations(keys, 2):
        table: dict[str, dict[str, int]] = {o: dict.fromkeys(OUTCOMES, 0) for o in OUTCOMES}
        for rid in ids:
            table[by_id[a][rid]][by_id[b][rid]] += 1
        cross[f"{a} vs {b}"] = table
    patterns = Counter(tuple(by_id[k][rid] for k in keys) for rid in ids)
    summary: dict[str, Any] = {
        "dataset": _dataset(dataset),
        "scenarios": {
            s.key: {
                "pack": s.pack.id,
                "version": s.pack.version,
                "digest": s.pack.digest,
                "as_of": s.at.isoformat() if s.at else "received_at",
            }
            for s in scenarios
        },
        "outcomes": outcomes,
        "cross": cross,
        "patterns": [
            {"outcomes": dict(zip(keys, p, strict=True)), "requests": n}
            for p, n in patterns.most_common()
        ],
    }
    actual = Counter(i.actual or NOT_RECORDED for i in dataset.items)
    if any(i.actual for i in dataset.items):
        summary["actual"] = {"what": dataset.actual_label, "counts": dict(actual.most_common())}
        summary["practice"] = {
            k: {
                o: dict(
                    Counter(
                        r.actual or NOT_RECORDED for r in by_key[k] if r.outcome == o
                    ).most_common()
                )
                for o in OUTCOMES
            }
            for k in keys
        }
    if seconds is not None:
        summary["seconds"] = round(seconds, 3)
    return summary


def summarize_frames(
    dataset: Dataset,
    scenarios: Sequence[Scenario],
    results: pl.DataFrame,
    actual: Sequence[str | None],
    requests: int,
    with_unclassified: int,
    seconds: float | None = None,
) -> dict[str, Any]:
    """:func:`summarize` of a columnar replay: the result rows as a frame (scenario by
    scenario, requests in data set order), what happened per request, and the figures the
    row engine reads from ``dataset.items``. Gives the same summary as :func:`summarize`
    (counts tie in order of first appearance, as :class:`Counter` orders them)."""
    keys = [s.key for s in scenarios]
    wide = pl.DataFrame(
        {k: results.filter(pl.col("scenario") == k)["outcome"] for k in keys},
        schema=dict.fromkeys(keys, pl.String),
    )
    cross: dict[str, dict[str, dict[str, int]]] = {}
    for a, b in combinations(keys, 2):
        table: dict[str, dict[str, int]] = {o: dict.fromkeys(OUTCOMES, 0) for o in OUTCOMES}
        for (x, y), n in _counted(wide, [a, b]).items():
            table[x][y] += n
        cross[f"{a} vs {b}"] = table
    patterns = _counted(wide, keys, tuples=True) if keys else Counter()
    summary: dict[str, Any] = {
        "dataset": _dataset(dataset, requests, with_unclassified),
        "scenarios": {
            s.key: {
                "pack": s.pack.id,
                "version": s.pack.version,
                "digest": s.pack.digest,
                "as_of": s.at.isoformat() if s.at else "received_at",
            }
            for s in scenarios
        },
        "outcomes": {k: _count(_counted(wide, [k])) for k in keys},
        "cross": cross,
        "patterns": [
            {"outcomes": dict(zip(keys, p, strict=True)), "requests": n}
            for p, n in patterns.most_common()
        ],
    }
    if any(a is not None and a != "" for a in actual):
        said = (
            pl.Series("actual", actual, pl.String).fill_null(NOT_RECORDED).replace("", NOT_RECORDED)
        )
        counts = _counted(said.to_frame(), ["actual"])
        summary["actual"] = {"what": dataset.actual_label, "counts": dict(counts.most_common())}
        practice: dict[str, dict[str, dict[str, int]]] = {}
        for k in keys:
            pairs = _counted(wide.select(k).with_columns(said), [k, "actual"])
            practice[k] = {
                o: dict(Counter({a: n for (got, a), n in pairs.items() if got == o}).most_common())
                for o in OUTCOMES
            }
        summary["practice"] = practice
    if seconds is not None:
        summary["seconds"] = round(seconds, 3)
    return summary


def _counted(frame: pl.DataFrame, columns: list[str], tuples: bool = False) -> Counter[Any]:
    """Counts of the distinct values (one column, unless ``tuples``) or tuples of values, in
    order of first appearance."""
    rows = frame.group_by(columns, maintain_order=True).len().iter_rows()
    if len(columns) == 1 and not tuples:
        return Counter({r[0]: r[1] for r in rows})
    return Counter({r[:-1]: r[-1] for r in rows})


def _count(values: Any) -> dict[str, int]:
    counts = values.copy() if isinstance(values, Counter) else Counter(values)
    out = {o: counts.pop(o, 0) for o in OUTCOMES}
    out.update(counts)
    return out


def _dataset(
    ds: Dataset, requests: int | None = None, with_unclassified: int | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ds.id,
        "title": ds.title,
        "rows_read": ds.rows_read,
        "requests": len(ds.items) if requests is None else requests,
        "rejected": len(ds.rejected),
        "rejected_reasons": dict(ds.reasons().most_common()),
        "skipped": dict(ds.skipped),
        "notes": list(ds.notes),
    }
    if ds.charges is not None:
        c = ds.charges
        out["charges"] = {
            "charges": c.charges,
            "unclassified": c.unclassified,
            "share_unclassified": round(c.share_unclassified, 4),
            "hold_lines": c.holds,
            "requests_with_unclassified": sum(
                1 for i in ds.items if "unknown" in i.request.categories
            )
            if with_unclassified is None
            else with_unclassified,
            "top_unclassified": dict(c.unclassified_texts.most_common(10)),
        }
    if ds.aggregates:
        out["aggregates"] = {name: len(rows) for name, rows in ds.aggregates.items()}
    return out


def results_frame(rows: Sequence[ResultRow]) -> pl.DataFrame:
    """The per-request results as a Polars frame (the ``results.parquet`` columns)."""
    sep = "\x1f"  # rule ids never hold it; splitting in Polars beats building nested lists
    return pl.DataFrame(
        {
            "request_id": [r.request_id for r in rows],
            "date": [r.date for r in rows],
            "scenario": [r.scenario for r in rows],
            "pack": [r.pack for r in rows],
            "as_of": [r.as_of for r in rows],
            "outcome": [r.outcome for r in rows],
            "deciding_rule": [r.deciding_rule for r in rows],
            "rules": [sep.join(r.rules) for r in rows],
            "actual": [r.actual for r in rows],
            "unclassified_offenses": [r.unclassified for r in rows],
        },
        schema={**RESULT_SCHEMA, "rules": pl.String()},
    ).with_columns(pl.col("rules").str.split(sep))


def write(
    out_dir: Path,
    dataset: Dataset,
    rows: Sequence[ResultRow] | pl.DataFrame,
    summary: dict[str, Any],
) -> dict[str, Path]:
    """Write results.parquet, summary.json, summary.md and rejected.csv into ``out_dir``
    (``rows``: result rows, or a frame of them as :func:`results_frame` makes)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        name: out_dir / name
        for name in ("results.parquet", "summary.json", "summary.md", "rejected.csv")
    }
    frame = rows if isinstance(rows, pl.DataFrame) else results_frame(rows)
    frame.write_parquet(paths["results.parquet"])
    paths["summary.json"].write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    paths["summary.md"].write_text(markdown(summary), encoding="utf-8")
    with paths["rejected.csv"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["where", "why"])
        writer.writerows([r.where, r.why] for r in dataset.rejected)
    return paths


def _n(value: int) -> str:
    return f"{value:,}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows]
    return [*lines, ""]


def markdown(summary: dict[str, Any]) -> str:
    """The summary as Markdown a person can read."""
    ds = summary["dataset"]
    keys = list(summary["scenarios"])
    out = [f"# Replay: {ds['title']}", ""]
    out.append(
        f"Data set `{ds['id']}`: {_n(ds['rows_read'])} rows read, "
        f"{_n(ds['requests'])} requests, {_n(ds['rejected'])} rows rejected"
        + (f", evaluated in {summary['seconds']:.1f} s." if "seconds" in summary else ".")
    )
    out.append("")
    out += ["## Outcomes", ""]
    rows = []
    for k in keys:
        counts = summary["outcomes"][k]
        sc = summary["scenarios"][k]
        when = "each request's own date" if sc["as_of"] == "received_at" else sc["as_of"]
        rows.append([k, when, *(_n(counts.get(o, 0)) for o in OUTCOMES), _n(sum(counts.values()))])
    out += _table(["pack", "rules as of", *OUTCOMES, "total"], rows)
    if len(keys) > 1:
        out += [
            "## Cross-table between packs",
            "",
            "Each distinct combination of outcomes, with the number of requests.",
            "",
        ]
        rows = [[*(p["outcomes"][k] for k in keys), _n(p["requests"])] for p in summary["patterns"]]
        out += _table([*keys, "requests"], rows)
    if "practice" in summary:
        actual = summary["actual"]
        top = [a for a in actual["counts"] if a != NOT_RECORDED][:TOP_ACTUAL]
        cols = [*top, "other", NOT_RECORDED]
        out += [
            f"## Policy versus practice ({actual['what']})",
            "",
            "Rows: the recommendation; columns: what the data records happened.",
            "",
        ]
        for k in keys:
            out += [f"### {k}", ""]
            rows = []
            for o in OUTCOMES:
                cells = summary["practice"][k][o]
                total = sum(cells.values())
                if not total:
                    continue
                other = total - sum(cells.get(a, 0) for a in top) - cells.get(NOT_RECORDED, 0)
                rows.append(
                    [
                        o,
                        *(_n(cells.get(a, 0)) for a in top),
                        _n(other),
                        _n(cells.get(NOT_RECORDED, 0)),
                        _n(total),
                    ]
                )
            out += _table(["recommended", *cols, "total"], rows)
    if "charges" in ds:
        c = ds["charges"]
        out += [
            "## Charges the catalog could not classify",
            "",
            f"{_n(c['unclassified'])} of {_n(c['charges'])} charges "
            f"({c['share_unclassified']:.1%}; hold lines excluded); "
            f"{_n(c['requests_with_unclassified'])} requests carry at least one.",
            "",
        ]
        if c["top_unclassified"]:
            out += _table(
                ["charge text", "charges"], [[t, _n(n)] for t, n in c["top_unclassified"].items()]
            )
    if ds["rejected"] or ds["skipped"]:
        out += ["## Rows not imported", ""]
        rows = [[why, "rejected", _n(n)] for why, n in ds["rejected_reasons"].items()]
        rows += [[why, "skipped", _n(n)] for why, n in ds["skipped"].items()]
        out += _table(["reason", "", "rows"], rows)
        if ds["rejected"]:
            out += ["Every rejected row, with file:line, is in `rejected.csv`.", ""]
    if "aggregates" in ds:
        out += [
            "## Counts, not requests",
            "",
            "These files hold counts, not individual requests; they are not replayed.",
            "",
        ]
        out += _table(["file", "rows"], [[f, _n(n)] for f, n in ds["aggregates"].items()])
    if ds["notes"]:
        out += ["## Notes", ""] + [f"- {n}" for n in ds["notes"]] + [""]
    return "\n".join(out)
