"""The case service: the one place that changes cases, each change with its audit event in
the same transaction. It takes a storage (casebycase.cases.storage), a clock and a pack
loader; it knows no HTTP or SQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from casebycase.audit.chain import Break, verify_chain
from casebycase.cases import audit
from casebycase.cases.model import TRANSITIONS, Actor, DeadlineView
from casebycase.cases.storage import Storage, Transaction
from casebycase.errors import CaseByCaseError, Problem
from casebycase.policy.compile import CompiledPack
from casebycase.policy.recommendation import evaluate
from casebycase.policy.registry import bundled_registry
from casebycase.request import parse_request

OUTCOMES = ("comply", "partial", "decline", "refer")


class NotFound(CaseByCaseError):
    """No such case for this user (cases of other agencies are not shown)."""


class Forbidden(CaseByCaseError):
    """The user's role may not do this."""


class IllegalTransition(CaseByCaseError):
    """The case is not in a state that allows this step."""


class DecisionError(CaseByCaseError):
    """A decision is incomplete (e.g. a departure without a reason)."""


ROLES_THAT_MAY = {
    "intake": {"officer", "supervisor", "policy_admin"},
    "decide": {"officer", "supervisor"},
    "review": {"supervisor"},
    "close": {"officer", "supervisor"},
    "reopen": {"supervisor", "counsel"},
    "read": {"officer", "supervisor", "counsel", "auditor", "policy_admin"},
    "expunge": {"counsel", "policy_admin"},
}


class CaseService:
    """Open, recommend, decide, review, close and reopen cases; verify the audit trail."""

    def __init__(self, store: Storage, clock: Callable[[], dt.datetime],
                 packs: Callable[[str], CompiledPack] | None = None) -> None:
        self.store, self.clock = store, clock
        self.packs = packs or bundled_registry().get

    # --- intake -----------------------------------------------------------------------------

    def intake(self, data: Mapping[str, Any], actor: Actor) -> dict[str, Any]:
        """Validate, evaluate under the rules in force at received_at, and store the case."""
        _allow(actor, "intake")
        request = parse_request(data)
        if not actor.sees(request.agency):
            raise Forbidden([Problem("agency", f"you may not open cases for '{request.agency}'",
                                     "open cases for your own agency")], title="forbidden")
        pack = self.packs(request.agency)
        rec = evaluate(request, pack)
        now = self._now()
        case_id = str(uuid.uuid4())
        recommendation = rec.to_dict()
        row = {
            "id": case_id, "agency": request.agency, "reference": request.id,
            "kind": request.kind, "received_at": request.received_at.astimezone(dt.UTC),
            "state": "recommended",
            "request": request.to_dict(), "recommendation": recommendation,
            "recommended_outcome": rec.outcome, "pack": pack.id, "pack_version": pack.version,
            "pack_digest": pack.digest, "decided_outcome": None,
            "needs_review": any(a["do"] == "supervisor_review" for a in rec.actions),
            "created_at": now, "updated_at": now,
        }
        deadlines = [
            {"case_id": case_id, "agency": request.agency, "action": a["do"],
             "due_at": dt.datetime.fromisoformat(a["by"]).astimezone(dt.UTC) if a["by"] else None,
             "clock": a.get("clock", "calendar"), "done_at": None}
            for a in rec.actions if "clock" in a
        ]
        with self.store.transaction() as tx:
            tx.insert_case(row)
            tx.insert_deadlines(deadlines)
            self._event(tx, row, actor, now, "case:request:received",
                        {"kind": request.kind, "received_at": request.received_at.isoformat(),
                         "subject": request.subject.ref})
            self._event(tx, row, actor, now, "case:recommendation:issued",
                        {"outcome": rec.outcome, "rules": list(rec.rules)})
        return self.get(case_id, actor)

    # --- the life of a case -----------------------------------------------------------------

    def decide(self, case_id: str, actor: Actor, outcome: str,
               actions_taken: list[str] | None = None, reason: str | None = None
               ) -> dict[str, Any]:
        """Record a person's decision; a departure from the recommendation needs a reason."""
        _allow(actor, "decide")
        if outcome not in OUTCOMES:
            raise DecisionError([Problem("outcome", f"'{outcome}' is not an outcome",
                                         f"use one of {', '.join(OUTCOMES)}")],
                                title="invalid decision")
        reason = (reason or "").strip() or None
        now = self._now()
        with self.store.transaction() as tx:
            row = self._case(tx, case_id, actor)
            departs = outcome != row["recommended_outcome"]
            if departs and reason is None:
                raise DecisionError([Problem(
                    "reason", f"the decision '{outcome}' departs from the recommendation "
                    f"'{row['recommended_outcome']}' and needs a reason",
                    "say why this case is different")], title="invalid decision")
            state = self._step(row, "decide")
            needs_review = bool(row["needs_review"]) or departs
            tx.insert_decision({"case_id": case_id, "actor": actor.user, "at": now,
                                "outcome": outcome, "actions_taken": actions_taken or [],
                                "reason": reason, "departs": departs})
            tx.update_case(case_id, state=state, decided_outcome=outcome,
                           needs_review=needs_review, updated_at=now)
            self._event(tx, row, actor, now, "case:decision:recorded",
                        {"outcome": outcome, "departs": departs,
                         "actions_taken": actions_taken or [], "reason_given": reason is not None})
        return self.get(case_id, actor)

    def review(self, case_id: str, actor: Actor, approve: bool, note: str | None = None
               ) -> dict[str, Any]:
        """A supervisor approves the decision, or returns it for a new one."""
        _allow(actor, "review")
        now = self._now()
        with self.store.transaction() as tx:
            row = self._case(tx, case_id, actor)
            state = self._step(row, "approve" if approve else "return")
            tx.insert_review({"case_id": case_id, "actor": actor.user, "at": now,
                              "approved": approve, "note": note})
            tx.update_case(case_id, state=state, updated_at=now, needs_review=not approve)
            tag = "case:review:approved" if approve else "case:review:returned"
            self._event(tx, row, actor, now, tag, {"approved": approve})
        return self.get(case_id, actor)

    def close(self, case_id: str, actor: Actor) -> dict[str, Any]:
        """Close a decided case (reviewed first when it needs review)."""
        _allow(actor, "close")
        now = self._now()
        with self.store.transaction() as tx:
            row = self._case(tx, case_id, actor)
            if row["state"] == "decided" and row["needs_review"]:
                raise IllegalTransition([Problem(
                    "state", "this decision needs a supervisor's review before the case closes",
                    "ask a supervisor to review it")], title="illegal transition")
            state = self._step(row, "close")
            tx.update_case(case_id, state=state, updated_at=now)
            self._event(tx, row, actor, now, "case:case:closed", {})
        return self.get(case_id, actor)

    def reopen(self, case_id: str, actor: Actor, reason: str) -> dict[str, Any]:
        """Reopen a closed case for a new decision; the reason is recorded."""
        _allow(actor, "reopen")
        if not reason.strip():
            raise DecisionError([Problem("reason", "reopening a case needs a reason",
                                         "say why it is reopened")], title="invalid request")
        now = self._now()
        with self.store.transaction() as tx:
            row = self._case(tx, case_id, actor)
            state = self._step(row, "reopen")
            tx.insert_reopening({"case_id": case_id, "actor": actor.user, "at": now,
                                 "reason": reason.strip()})
            tx.update_case(case_id, state=state, decided_outcome=None, updated_at=now)
            self._event(tx, row, actor, now, "case:case:reopened", {"reason_given": True})
        return self.get(case_id, actor)

    # --- reading ----------------------------------------------------------------------------

    def get(self, case_id: str, actor: Actor) -> dict[str, Any]:
        """A case with its recommendation, decisions, reviews, deadlines and audit events."""
        _allow(actor, "read")
        with self.store.transaction() as tx:
            row = self._case(tx, case_id, actor)
            return {**_clean(row), **{k: [_clean(r) for r in v]
                                      for k, v in tx.history(case_id).items()}}

    def find(self, actor: Actor, state: str | None = None, kind: str | None = None,
             limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Cases the user may see, newest first."""
        _allow(actor, "read")
        with self.store.transaction() as tx:
            rows = tx.cases(actor.agencies | {actor.agency}, state, kind, limit, offset)
        return [_clean(r) for r in rows]

    def due(self, actor: Actor, within: dt.timedelta = dt.timedelta(hours=24)
            ) -> list[DeadlineView]:
        """Open deadlines due within ``within`` from now, overdue ones first."""
        _allow(actor, "read")
        now = self._now()
        with self.store.transaction() as tx:
            rows = tx.open_deadlines(actor.agencies | {actor.agency}, now + within)
        views = [DeadlineView(r["case_id"], r["action"], _aware(r["due_at"]), r["clock"],
                              None, _aware(r["due_at"]) < now) for r in rows]
        return sorted(views, key=lambda v: (not v.overdue, v.due_at))

    def verify_audit(self) -> list[Break]:
        """Recompute every agency's chain; the first bad event of each broken chain."""
        with self.store.transaction() as tx:
            return [b for agency in tx.chain_agencies()
                    if (b := verify_chain(tx.events(agency))) is not None]

    def expunge(self, case_id: str, actor: Actor) -> int:
        """Remove a case's stored request and event payloads; the chain still verifies."""
        _allow(actor, "expunge")
        now = self._now()
        with self.store.transaction() as tx:
            row = self._case(tx, case_id, actor)
            removed = tx.expunge_payloads(case_id)
            tx.update_case(case_id, request={"expunged": True}, updated_at=now)
            self._event(tx, row, actor, now, "record:subject:expunged", {"events": removed})
        return removed

    # --- helpers ----------------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the clock must give aware datetimes")
        return now.astimezone(dt.UTC)

    def _case(self, tx: Transaction, case_id: str, actor: Actor) -> dict[str, Any]:
        row = tx.case(case_id)
        if row is None or not actor.sees(row["agency"]):
            raise NotFound([Problem(f"case {case_id}", "no such case",
                                    "check the case id")], title="not found")
        return row

    @staticmethod
    def _step(row: dict[str, Any], action: str) -> str:
        target = TRANSITIONS[action].get(row["state"])
        if target is None:
            allowed = ", ".join(sorted(TRANSITIONS[action]))
            raise IllegalTransition([Problem(
                "state", f"cannot {action} a case that is {row['state']}",
                f"{action} applies to cases that are {allowed}")], title="illegal transition")
        return target

    @staticmethod
    def _event(tx: Transaction, row: dict[str, Any], actor: Actor, now: dt.datetime, tag: str,
               payload: dict[str, Any]) -> None:
        audit.append(tx, row["agency"], tag, f"{actor.role}:{actor.user}", now, row["id"],
                     row["pack_digest"], payload)


def _allow(actor: Actor, action: str) -> None:
    if actor.role not in ROLES_THAT_MAY[action]:
        raise Forbidden([Problem("role", f"a {actor.role} may not {action}",
                                 f"roles that may: {', '.join(sorted(ROLES_THAT_MAY[action]))}")],
                        title="forbidden")


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (_aware(v).isoformat() if isinstance(v, dt.datetime) else v)
            for k, v in row.items()}
