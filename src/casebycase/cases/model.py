"""The case life cycle and the closed list of audit tags (pure: no I/O)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

State = Literal["received", "recommended", "decided", "reviewed", "closed"]
Role = Literal["officer", "supervisor", "counsel", "auditor", "policy_admin", "public"]

TRANSITIONS: dict[str, dict[str, str]] = {
    "decide": {"recommended": "decided"},
    "approve": {"decided": "reviewed"},
    "return": {"decided": "recommended"},
    "close": {"decided": "closed", "reviewed": "closed"},
    "reopen": {"closed": "recommended"},
}
"""action -> {from state: to state}; anything else is an illegal transition."""

TAGS = frozenset(
    {
        "case:request:received",
        "case:recommendation:issued",
        "case:decision:recorded",
        "case:review:approved",
        "case:review:returned",
        "case:case:closed",
        "case:case:reopened",
        "case:deadline:completed",
        "record:subject:expunged",
        "user:account:created",
        "user:account:disabled",
    }
)
"""Every audit event carries one of these ``area:subject:action`` tags."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a user id, a role and the agency the user belongs to."""

    user: str
    role: Role
    agency: str
    agencies: frozenset[str] = frozenset()
    """Extra agencies a state-level user may see (read only)."""

    def sees(self, agency: str) -> bool:
        return agency == self.agency or agency in self.agencies

    def acts_for(self, agency: str) -> bool:
        """Whether the user may change cases of ``agency``: their own agency only."""
        return agency == self.agency


@dataclass(frozen=True, slots=True)
class DeadlineView:
    """A deadline from a recommendation, with whether it is done or overdue at ``now``."""

    case_id: str
    action: str
    due_at: dt.datetime | None
    clock: str
    done_at: dt.datetime | None
    overdue: bool
