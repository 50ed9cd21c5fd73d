"""Appending audit events: the tag from the closed list, sealed onto the agency's chain by
the pure chain (casebycase.audit.chain), stored in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from casebycase.audit.chain import seal
from casebycase.cases.model import TAGS
from casebycase.cases.storage import Transaction


def append(
    tx: Transaction,
    agency: str,
    tag: str,
    actor: str,
    at: dt.datetime,
    case_id: str | None,
    policy_digest: str | None,
    payload: Any,
) -> str:
    """Append one event to the agency's chain in ``tx``; returns its hash."""
    if tag not in TAGS:
        raise ValueError(f"'{tag}' is not an audit tag: add it to casebycase.cases.model.TAGS")
    entry = seal(tx.chain_head(agency), agency, tag, actor, at, case_id, policy_digest, payload)
    tx.insert_event(entry)
    return entry.hash
