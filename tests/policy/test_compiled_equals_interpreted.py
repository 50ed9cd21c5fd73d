"""The generated decision function agrees with the condition interpreter on every rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebycase import evaluate, load_pack, parse_request
from casebycase.policy.condition import holds
from casebycase.policy.load import bundled_ids
from casebycase.request import CATEGORIES, DOCUMENTS, KINDS, LEVELS, OFFENSE_STATUSES, PURPOSES

BENCH = Path(__file__).resolve().parents[2] / "bench" / "packs"
PACKS = [*bundled_ids(), str(BENCH / "peer-bench"), str(BENCH / "peer-bench-287g")]

moments = st.datetimes(
    min_value=dt.datetime(2005, 1, 1),
    max_value=dt.datetime(2027, 12, 31),
    timezones=st.just(dt.timezone(dt.timedelta(hours=-6))),
)
offense = st.fixed_dictionaries(
    {},
    optional={
        "category": st.sampled_from(CATEGORIES),
        "level": st.sampled_from(LEVELS),
        "status": st.sampled_from(OFFENSE_STATUSES),
    },
)
requests = st.fixed_dictionaries(
    {
        "agency": st.just("x"),
        "received_at": moments,
        "requester": st.fixed_dictionaries(
            {
                "agency": st.sampled_from(
                    ["ICE", "CBP", "USCIS", "USMS", "victim_or_counsel", "internal"]
                ),
                "component": st.sampled_from(["ERO", "HSI", "USBP", "unknown"]),
            }
        ),
        "kind": st.sampled_from(KINDS),
        "purpose": st.sampled_from(PURPOSES),
        "documents": st.lists(st.sampled_from(DOCUMENTS), unique=True, max_size=3),
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


@pytest.mark.parametrize("pack_id", PACKS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=requests)
def test_compiled_matches_interpreter(pack_id: str, data: dict[str, Any]) -> None:
    pack = load_pack(pack_id)
    data = {**data, "received_at": data["received_at"].isoformat()}
    for key in ("booked_at", "release_at"):
        if key in data["subject"]:
            data["subject"] = {**data["subject"], key: data["subject"][key].isoformat()}
    request = parse_request(data)
    rec = evaluate(request, pack)
    mask = pack.fired(request.facts, rec.t)
    for i, rule in enumerate(pack.rules):
        lo = pack.pack.instant(rule.start, float("-inf"))
        hi = pack.pack.instant(rule.end, float("inf"))
        expected = lo <= rec.t < hi and holds(rule.node, request.facts, rec.t, pack.pack.profile)
        assert bool(mask >> i & 1) == expected, rule.id
    assert rec.to_dict(trace=True)["outcome"] in ("comply", "partial", "decline", "refer")
