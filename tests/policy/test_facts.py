"""The fact table is the one definition of every fact: docs, frame and backends follow it."""

from __future__ import annotations

import re
from pathlib import Path

from casebycase import parse_request
from casebycase.policy.condition import Op, compare
from casebycase.policy.facts import FACTS, REQUEST_FACTS, TABLE, Shape, markdown_table
from casebycase.replay.columnar import COLUMNS, SCHEMA

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policy-language.md"
REQUEST = {
    "agency": "boone-county-so",
    "received_at": "2026-03-05T16:20:00-06:00",
    "requester": {"agency": "ICE"},
    "kind": "detainer",
    "purpose": "civil_immigration",
    "documents": ["I-247A"],
    "subject": {
        "in_custody": True,
        "booked_at": "2026-03-05T02:20:00-06:00",
        "release_at": "2026-03-06T16:20:00-06:00",
    },
    "offenses": [{"category": "dwi", "status": "charged"}, {"description": "MURDER"}],
}


def test_the_docs_field_table_is_written_from_the_fact_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(r"<!-- facts:begin -->\n(.*?)<!-- facts:end -->", text, re.S)
    assert found is not None, "docs/policy-language.md lacks the facts markers"
    assert found.group(1) == markdown_table(), (
        "regenerate the table: python -c 'from casebycase.policy.facts import "
        "markdown_table; print(markdown_table())'"
    )


def test_every_request_fact_has_a_column_of_its_shape() -> None:
    for fact in REQUEST_FACTS:
        assert COLUMNS[fact.name] == fact.attr
        dtype = SCHEMA[fact.attr]
        assert (str(dtype).startswith("List")) == (fact.shape is Shape.SET), fact.name


def test_facts_read_the_request_as_documented() -> None:
    facts = parse_request(REQUEST).facts
    assert facts.kind == "detainer" and facts.requester_component == "none"
    assert facts.confined is True and facts.booked is True
    assert facts.hours_until_release == 24.0 and facts.hours_since_booking == 14.0
    assert facts.categories == {"dwi", "homicide"} and facts.statuses == {"charged"}
    assert facts.offense_count == 2
    assert compare(Op.HAS_ALL, facts.documents, frozenset({"I-247A"}))


def test_names_are_unique_and_every_choice_fact_has_choices() -> None:
    assert len({f.name for f in TABLE}) == len(TABLE) == len(FACTS)
    assert len({f.attr for f in TABLE}) == len(TABLE)
    for fact in TABLE:
        if fact.shape is Shape.ENUM:
            assert fact.choices, fact.name
