"""The columnar replay agrees with the row evaluator on every request, with and without as-of."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebycase import Request, bundled_packs, evaluate, load_pack
from casebycase.offenses import load_catalog
from casebycase.policy.compile import CompiledPack
from casebycase.replay.columnar import (
    SCHEMA,
    compile_columnar,
    frame_of,
    with_offense_facts,
)
from casebycase.request import (
    CATEGORIES,
    COMPONENTS,
    DOCUMENTS,
    KINDS,
    LEVELS,
    OFFENSE_STATUSES,
    PURPOSES,
    REQUESTER_AGENCIES,
)

BENCH = Path(__file__).resolve().parents[2] / "bench" / "packs"
ROWS = 3000
ZONES = [dt.timezone(dt.timedelta(hours=h)) for h in (-6, -5, 0, 2)]
CODES = sorted({e.citation for e in load_catalog().entries if e.citation})
DESCRIPTIONS = [
    "MURDER",
    "AGG ASSLT W/DEADLY WEAPON",
    "DRIVING WHILE INTOXICATED",
    "POSS CS PG1<1G (FS)",
    "STEALING",
    "ICE DETAINER",
    "NO SUCH CHARGE",
]
START, END = dt.datetime(2005, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 12, 31, tzinfo=dt.UTC)


def _boundaries(packs: list[CompiledPack]) -> list[float]:
    """Every instant at which some rule, source or agency entry starts or stops."""
    out: set[float] = set()
    for pack in packs:
        for rd in pack.rules:
            out |= {pack.pack.instant(d, 0.0) for d in (rd.start, rd.end) if d is not None}
        profile = pack.pack.profile
        for d in (*profile.programs, *profile.agreements):
            out |= {x for x in (d.start, d.end) if abs(x) != float("inf")}
    return sorted(out)


def _moment(rng: random.Random, edges: list[float]) -> dt.datetime:
    zone = rng.choice(ZONES)
    if edges and rng.random() < 0.3:
        t = rng.choice(edges) + rng.choice([0.0, -1.0, 1.0, -1e-6, 3600.0, -86400.0])
        return dt.datetime.fromtimestamp(t, zone)
    span = (END - START).total_seconds()
    return (START + dt.timedelta(seconds=rng.random() * span)).astimezone(zone)


def _offense(rng: random.Random) -> dict[str, Any]:
    o: dict[str, Any] = {}
    way = rng.random()
    if way < 0.35:
        o["category"] = rng.choice(CATEGORIES)
    elif way < 0.75:
        o["code"] = rng.choice([*CODES, "ZZ 999.99"])
    elif way < 0.9:
        o["description"] = rng.choice(DESCRIPTIONS)
    if rng.random() < 0.5:
        o["level"] = rng.choice(LEVELS)
    if rng.random() < 0.7:
        o["status"] = rng.choice(OFFENSE_STATUSES)
    if "category" in o and rng.random() < 0.3:
        o["code"] = rng.choice(CODES)
    return o


def make_requests(n: int, seed: int, edges: list[float]) -> list[Request]:
    """Seeded random requests: every kind, document, flag and offense shape, many dates."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        received = _moment(rng, edges)
        subject: dict[str, Any] = {
            name: rng.random() < 0.5
            for name in (
                "in_custody",
                "charged",
                "status_established",
                "unlawfully_present",
                "juvenile",
                "victim_or_witness",
            )
        }
        if rng.random() < 0.4:
            subject["confined"] = rng.random() < 0.5
        for key in ("booked_at", "release_at"):
            if rng.random() < 0.6:
                hours = rng.choice([rng.uniform(-200, 200), 0.0, 24.0, 48.0, -48.0])
                subject[key] = received + dt.timedelta(hours=hours)
        requester: dict[str, Any] = {"agency": rng.choice(REQUESTER_AGENCIES)}
        if rng.random() < 0.7:
            requester["component"] = rng.choice(COMPONENTS)
        data = {
            "id": f"r{i}" if rng.random() < 0.9 else None,
            "agency": "x",
            "received_at": received,
            "requester": requester,
            "kind": rng.choice(KINDS),
            "purpose": rng.choice(PURPOSES),
            "documents": rng.sample(DOCUMENTS, rng.choice([0, 0, 1, 1, 2, 3, 5])),
            "judicial_warrant": rng.random() < 0.3,
            "subject": subject,
            "offenses": [_offense(rng) for _ in range(rng.choice([0, 0, 1, 1, 2, 3]))],
        }
        out.append(Request.model_validate(data))
    return out


# --- a pack that reads every field with every operator, and has more than 64 rules ---------

SOURCES = [
    {"id": "s-fed", "layer": "federal", "authority": "policy", "citation": "F", "title": "F"},
    {
        "id": "s-state",
        "layer": "state",
        "authority": "policy",
        "citation": "S",
        "title": "S",
        "effective": "2011-03-01",
        "expires": "2024-07-01",
    },
    {
        "id": "s-agr",
        "layer": "agreement",
        "authority": "agreement",
        "citation": "A",
        "title": "A",
        "effective": "2016-01-01",
    },
    {
        "id": "s-agency",
        "layer": "agency",
        "authority": "policy",
        "citation": "G",
        "title": "G",
        "expires": "2026-02-01",
    },
]
WHENS: list[tuple[str, dict[str, Any] | None]] = [
    ("federal", {"hours_until_release": {"at_most": 48}, "subject.in_custody": True}),
    ("federal", {"hours_until_release": {"more_than": 0}, "judicial_warrant": True}),
    ("state", {"hours_until_release": {"present": False}, "kind": {"not_one_of": ["detainer"]}}),
    ("state", {"hours_since_booking": {"at_least": 24}}),
    ("agency", {"hours_since_booking": {"less_than": 48}, "purpose": {"not": "criminal"}}),
    ("agency", {"hours_since_booking": {"present": True}, "subject.booked": False}),
    ("agreement", {"offense_count": {"at_least": 2}}),
    ("agency", {"offense_count": {"at_most": 0}, "subject.juvenile": True}),
    ("state", {"offense.level": {"has_any": ["felony", "infraction"]}}),
    ("agency", {"offense.status": {"has_all": ["charged", "convicted"]}}),
    ("agency", {"offense.status": {"has_none": ["suspected"]}, "kind": "records"}),
    (
        "agreement",
        {"offense": {"level": {"not": "felony"}, "status": {"not_one_of": ["suspected"]}}},
    ),
    ("agency", {"offense": {"category": ["dwi", "misdemeanor"], "level": "misdemeanor"}}),
    ("agency", {"offense": {"category": {"not": "unknown"}}, "subject.confined": False}),
    ("federal", {"requester.component": {"not": "none"}, "requester.agency": ["ICE", "CBP"]}),
    ("agency", {"requester.component": "none"}),
    ("agency", {"agency.type": "sheriff", "agency.runs_jail": True}),
    ("agreement", {"agency.287g": {"has_any": ["JEM"]}}),
    ("agreement", {"agency.287g": {"has_all": ["JEM", "WSO"]}}),
    ("agency", {"agency.287g": {"has_none": ["TFM"]}, "kind": "jail_access"}),
    ("agreement", {"agency.agreements": {"has_any": ["mou-a"]}}),
    ("agency", {"agency.agreements": {"has_none": ["mou-a", "mou-b"]}}),
    ("agency", {"agency.agreements": {"has_all": ["mou-a", "mou-b"]}}),
    (
        "state",
        {
            "any": [
                {"documents": {"has_all": ["I-247A", "I-200"]}},
                {"not": {"documents": {"has_any": ["I-247A", "I-200", "I-205"]}}},
            ]
        },
    ),
    (
        "agency",
        {
            "all": [
                {"subject.status_established": True},
                {"not": {"subject.unlawfully_present": True}},
            ]
        },
    ),
    ("federal", {"subject.victim_or_witness": True, "documents": {"has": "I-918B"}}),
    ("federal", None),
]
OUTCOMES = ["comply", "partial", "decline", "refer", None]


def every_field_pack() -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    for i, (layer, when) in enumerate(WHENS):
        rule: dict[str, Any] = {
            "id": f"e.{i:02d}",
            "says": "x",
            "layer": layer,
            "because": [
                {
                    "source": {
                        "federal": "s-fed",
                        "state": "s-state",
                        "agreement": "s-agr",
                        "agency": "s-agency",
                    }[layer]
                }
            ],
            "priority": i % 3,
            "binding": layer in ("federal", "state") and i % 2 == 0,
        }
        if when is not None:
            rule["when"] = when
        outcome = OUTCOMES[i % len(OUTCOMES)]
        if outcome is None:
            rule["binding"] = False
            rule["actions"] = [{"do": "record_only"}]
            rule["if_outcome"] = ["decline", "refer"] if i % 2 else []
        else:
            rule["outcome"] = outcome
        if i % 7 == 3:
            rule["effective"], rule["expires"] = "2014-05-05", "2020-10-10"
        rules.append(rule)
    rules.append(
        {
            "id": "e.exception",
            "says": "x",
            "layer": "agency",
            "outcome": "comply",
            "exception_to": ["e.15"],
            "when": {"kind": "detainer"},
            "because": [{"source": "s-agency"}],
        }
    )
    for j, value in enumerate([*DOCUMENTS, *CATEGORIES, *KINDS, *REQUESTER_AGENCIES]):
        table = (
            "documents"
            if value in DOCUMENTS
            else "offense.category"
            if value in CATEGORIES
            else "kind"
            if value in KINDS
            else "requester.agency"
        )
        rules.append(
            {
                "id": f"p.{j:02d}",
                "says": "x",
                "layer": ["agency", "agreement"][j % 2],
                "when": {table: value},
                "outcome": OUTCOMES[j % 4],
                "priority": -1 - j % 4,
                "because": [{"source": "s-agr"}],
            }
        )
    return {
        "pack": "every-field",
        "version": "1",
        "title": "Every field",
        "layer": "agency",
        "agency": {
            "name": "Test",
            "type": "sheriff",
            "state": "TX",
            "timezone": "America/Chicago",
            "runs_jail": True,
            "programs_287g": [
                {"model": "JEM", "effective": "2019-01-01", "expires": "2023-01-01"},
                {"model": "JEM", "effective": "2025-08-18"},
                {"model": "WSO", "effective": "2020-06-01"},
            ],
            "agreements": [
                {
                    "id": "mou-a",
                    "title": "A",
                    "counterparty": "HSI",
                    "effective": "2012-02-02",
                    "expires": "2018-08-08",
                },
                {"id": "mou-b", "title": "B", "counterparty": "HSI", "effective": "2015-01-01"},
            ],
        },
        "sources": SOURCES,
        "rules": rules,
        "default": {"id": "e.default", "outcome": "refer"},
    }


@pytest.fixture(scope="module")
def every_field(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("every-field")
    (folder / "pack.yaml").write_text(yaml.safe_dump(every_field_pack(), sort_keys=False))
    return str(folder)


PACK_IDS = [*bundled_packs(), str(BENCH / "peer-bench"), str(BENCH / "peer-bench-287g")]


@pytest.fixture(scope="module")
def packs(every_field: str) -> dict[str, CompiledPack]:
    return {p: load_pack(p) for p in [*PACK_IDS, every_field]}


@pytest.fixture(scope="module")
def sample(packs: dict[str, CompiledPack]) -> tuple[list[Request], pl.DataFrame]:
    requests = make_requests(ROWS, seed=20260301, edges=_boundaries(list(packs.values())))
    return requests, frame_of(requests)


def _row_results(
    pack: CompiledPack, requests: list[Request], at: dt.date | dt.datetime | None
) -> list[tuple[Any, ...]]:
    out = []
    for i, r in enumerate(requests):
        rec = evaluate(r, pack, at=at)
        out.append((i, r.id, rec.outcome, rec.decision.deciding, list(rec.rules)))
    return out


def assert_agree(
    pack: CompiledPack,
    requests: list[Request],
    frame: pl.DataFrame,
    at: dt.date | dt.datetime | None = None,
) -> None:
    got = compile_columnar(pack).decide(frame, at=at)
    assert got.height == len(requests)
    expected = _row_results(pack, requests, at)
    rows = list(got.iter_rows())
    bad = [(e, g) for e, g in zip(expected, rows, strict=True) if e != g]
    assert not bad, f"{len(bad)} rows disagree under {pack.id} at={at}; first: {bad[:3]}"


def _as_of_dates(pack: CompiledPack) -> list[dt.date | dt.datetime]:
    """Dates on and around each of the pack's boundaries, plus a few datetimes."""
    days: set[dt.date] = {dt.date(2005, 6, 1), dt.date(2027, 12, 1)}
    for rd in pack.rules:
        for d in (rd.start, rd.end):
            if d is not None:
                days |= {d, d - dt.timedelta(days=1)}
    for agency_dates in (*pack.pack.agency.programs_287g, *pack.pack.agency.agreements):
        days |= {d for d in (agency_dates.effective, agency_dates.expires) if d is not None}
    chosen: list[dt.date | dt.datetime] = sorted(days)
    zone = pack.zone
    chosen += [
        dt.datetime(2017, 2, 1, 0, 0, tzinfo=zone),
        dt.datetime(2017, 1, 31, 23, 59, 59, tzinfo=zone),
    ]
    return chosen


@pytest.mark.parametrize("pack_id", [*PACK_IDS, "every-field"])
def test_columnar_equals_row_evaluator(
    pack_id: str,
    packs: dict[str, CompiledPack],
    every_field: str,
    sample: tuple[list[Request], pl.DataFrame],
) -> None:
    pack = packs[every_field if pack_id == "every-field" else pack_id]
    requests, frame = sample
    assert_agree(pack, requests, frame)


@pytest.mark.parametrize("pack_id", [*PACK_IDS, "every-field"])
def test_columnar_equals_row_evaluator_as_of(
    pack_id: str,
    packs: dict[str, CompiledPack],
    every_field: str,
    sample: tuple[list[Request], pl.DataFrame],
) -> None:
    pack = packs[every_field if pack_id == "every-field" else pack_id]
    requests, frame = sample
    dates = _as_of_dates(pack)
    rng = random.Random(pack_id)
    for at in dates:
        # each date on its own slice of rows, so every row is checked under some date
        lo = rng.randrange(0, len(requests) - 300)
        assert_agree(
            pack,
            requests[lo : lo + 300],
            frame.slice(lo, 300).with_columns(
                pl.int_range(pl.len(), dtype=pl.Int64).alias("index")
            ),
            at=at,
        )
    assert_agree(pack, requests, frame, at=dates[len(dates) // 2])


@pytest.mark.parametrize("pack_id", ["every-field", "travis-county-so-2017", "columbia-pd"])
def test_fired_columns_equal_row_masks(
    pack_id: str,
    packs: dict[str, CompiledPack],
    every_field: str,
    sample: tuple[list[Request], pl.DataFrame],
) -> None:
    pack = packs[every_field if pack_id == "every-field" else pack_id]
    requests, frame = sample
    columnar = compile_columnar(pack)
    fired = columnar.fired_columns(frame)
    assert fired.columns == [rd.id for rd in pack.rules]
    assert fired.height == len(requests)
    for i, row in enumerate(fired.iter_rows()):
        r = requests[i]
        mask = pack.fired(r.facts, r.timestamp)
        assert row == tuple(bool(mask >> k & 1) for k in range(len(pack.rules))), i
    t = dt.datetime(2018, 8, 8, tzinfo=pack.zone).timestamp()
    fixed = columnar.fired_columns(frame, t)
    for i, row in enumerate(fixed.iter_rows()):
        mask = pack.fired(requests[i].facts, t)
        assert row == tuple(bool(mask >> k & 1) for k in range(len(pack.rules))), i


def test_every_field_pack_has_more_than_64_rules(
    packs: dict[str, CompiledPack], every_field: str
) -> None:
    assert len(packs[every_field].rules) > 64


def test_frame_schema_and_offense_facts(sample: tuple[list[Request], pl.DataFrame]) -> None:
    requests, frame = sample
    assert frame.schema == pl.Schema(SCHEMA)
    assert frame["index"].to_list() == list(range(len(requests)))
    rebuilt = with_offense_facts(frame.drop("categories", "levels", "statuses", "offense_count"))
    assert rebuilt.select(frame.columns).equals(frame)
    assert frame["booked"].any() and not frame["booked"].all()
    assert frame["hours_until_release"].null_count() > 0
    assert "unknown" in frame["categories"].explode().to_list()


def test_empty_frame_and_missing_columns(packs: dict[str, CompiledPack]) -> None:
    columnar = compile_columnar(packs["boone-county-so"])
    empty = frame_of([])
    assert columnar.decide(empty).height == 0
    assert columnar.fired_columns(empty).width == len(columnar.pack.rules)
    with pytest.raises(ValueError, match="lacks columns"):
        columnar.decide(pl.DataFrame({"index": [0], "id": ["a"]}))


# --- property: any request, any pack, any as-of date -----------------------------------------

moments = st.datetimes(
    min_value=dt.datetime(2005, 1, 1),
    max_value=dt.datetime(2027, 12, 31),
    timezones=st.sampled_from(ZONES),
)
offense = st.fixed_dictionaries(
    {},
    optional={
        "category": st.sampled_from(CATEGORIES),
        "level": st.sampled_from(LEVELS),
        "status": st.sampled_from(OFFENSE_STATUSES),
        "code": st.sampled_from(CODES[:40]),
    },
)
request_data = st.fixed_dictionaries(
    {
        "agency": st.just("x"),
        "received_at": moments,
        "requester": st.fixed_dictionaries(
            {"agency": st.sampled_from(REQUESTER_AGENCIES)},
            optional={"component": st.sampled_from(COMPONENTS)},
        ),
        "kind": st.sampled_from(KINDS),
        "purpose": st.sampled_from(PURPOSES),
        "documents": st.lists(st.sampled_from(DOCUMENTS), unique=True, max_size=4),
        "judicial_warrant": st.booleans(),
        "subject": st.fixed_dictionaries(
            {
                "in_custody": st.booleans(),
                "charged": st.booleans(),
                "status_established": st.booleans(),
                "unlawfully_present": st.booleans(),
                "juvenile": st.booleans(),
                "victim_or_witness": st.booleans(),
            },
            optional={"booked_at": moments, "release_at": moments, "confined": st.booleans()},
        ),
        "offenses": st.lists(offense, max_size=3),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    batch=st.lists(request_data, min_size=1, max_size=25),
    pack_id=st.sampled_from([*bundled_packs(), "every-field"]),
    at=st.none() | st.dates(dt.date(2005, 1, 1), dt.date(2027, 12, 31)),
)
def test_property_columnar_equals_row(
    batch: list[dict[str, Any]], pack_id: str, at: dt.date | None, every_field: str
) -> None:
    pack = load_pack(every_field if pack_id == "every-field" else pack_id)
    requests = [Request.model_validate(d) for d in batch]
    assert_agree(pack, requests, frame_of(requests), at=at)
