"""The case service: the one place that changes cases, each change with its audit event in
the same transaction. It takes a storage (casebycase.cases.storage), a clock and a pack
loader; it knows no HTTP or SQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from casebycase.audit.chain import Break, ChainCheck, Head, canonical
from casebycase.audit.records import record_hash, slim, verify_head, verify_records
from casebycase.cases import audit
from casebycase.cases.model import TRANSITIONS, Actor, DeadlineView
from casebycase.cases.storage import Storage, Transaction
from casebycase.errors import CaseByCaseError, Problem
from casebycase.policy.compile import CompiledPack
from casebycase.policy.recommendation import evaluate
from casebycase.policy.registry import bundled_registry
from casebycase.request import parse_request

OUTCOMES = ("comply", "partial", "decline", "refer")
EXPUNGED = {"expunged": True}


class NotFound(CaseByCaseError):
    """No such case for this user (cases of other agencies are not shown)."""


class Forbidden(CaseByCaseError):
    """The user's role may not do this."""


class IllegalTransition(CaseByCaseError):
    """The case is not in a state that allows this step."""


class Conflict(IllegalTransition):
    """Another change of the same case (or the same idempotency key) came first."""


class DecisionError(CaseByCaseError):
    """A decision is incomplete (e.g. a departure without a reason)."""


ROLES_THAT_MAY = {
    "intake": {"officer", "supervisor", "policy_admin"},
    "decide": {"officer", "supervisor"},
    "review": {"supervisor"},
    "close": {"officer", "supervisor"},
    "reopen": {"supervisor", "counsel"},
    "read": {"officer", "supervisor", "counsel", "auditor"},
    "expunge": {"counsel"},
    "audit": {"officer", "supervisor", "counsel", "auditor", "policy_admin"},
}


class CaseService:
    """Open, recommend, decide, review, close and reopen cases; verify the audit trail.

    Every state change reads the case under a row lock (PostgreSQL ``FOR UPDATE``; SQLite
    serialises writers) and moves its ``version`` on only if no other change came first, so
    concurrent changes of one case have exactly one winner; the others get
    ``IllegalTransition`` or ``Conflict`` (409). Answers are built inside the transaction
    that wrote them. Reads never take SQLite's write lock.
    """

    def __init__(
        self,
        store: Storage,
        clock: Callable[[], dt.datetime],
        packs: Callable[[str], CompiledPack] | None = None,
    ) -> None:
        self.store, self.clock = store, clock
        self.packs = packs or bundled_registry().get

    # --- intake -----------------------------------------------------------------------------

    def intake(
        self, data: Mapping[str, Any], actor: Actor, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Validate, evaluate under the rules in force at received_at, and store the case."""
        return self.intake_once(data, actor, idempotency_key)[0]

    def intake_once(
        self, data: Mapping[str, Any], actor: Actor, idempotency_key: str | None = None
    ) -> tuple[dict[str, Any], bool]:
        """Like ``intake``; also whether a case was created (False: the idempotency key or
        the request's own ``id`` was seen before in this agency, and the answer is that
        first case). The same key with a different request is a ``Conflict``."""
        _allow(actor, "intake")
        request = parse_request(data)
        if not actor.acts_for(request.agency):
            raise Forbidden(
                [
                    Problem(
                        "agency",
                        f"you may not open cases for '{request.agency}'",
                        "open cases for your own agency",
                    )
                ],
                title="forbidden",
            )
        content = request.to_dict()
        keys = ([f"key:{idempotency_key}"] if idempotency_key else []) + (
            [f"id:{request.id}"] if request.id else []
        )
        first = self._replay(request.agency, keys, content)
        if first is not None:
            return first, False
        pack = self.packs(request.agency)
        rec = evaluate(request, pack)
        now = self._now()
        case_id = str(uuid.uuid4())
        recommendation = rec.to_dict()
        row = {
            "id": case_id,
            "agency": request.agency,
            "reference": request.id,
            "kind": request.kind,
            "received_at": request.received_at.astimezone(dt.UTC),
            "state": "recommended",
            "request": content,
            "recommendation": recommendation,
            "recommended_outcome": rec.outcome,
            "pack": pack.id,
            "pack_version": pack.version,
            "pack_digest": pack.digest,
            "decided_outcome": None,
            "needs_review": any(a["do"] == "supervisor_review" for a in rec.actions),
            "created_at": now,
            "updated_at": now,
            "version": 0,
        }
        deadlines = [
            {
                "case_id": case_id,
                "agency": request.agency,
                "action": a["do"],
                "due_at": dt.datetime.fromisoformat(a["by"]).astimezone(dt.UTC)
                if a["by"]
                else None,
                "clock": a.get("clock", "calendar"),
                "done_at": None,
            }
            for a in rec.actions
            if "clock" in a
        ]
        try:
            with self.store.transaction() as tx:
                tx.insert_case(row)
                if not all(tx.claim_intake_key(request.agency, k, case_id) for k in keys):
                    raise _KeyTaken
                tx.insert_deadlines(deadlines)
                self._event(
                    tx,
                    row,
                    actor,
                    now,
                    "case:request:received",
                    {
                        "kind": request.kind,
                        "received_at": request.received_at.isoformat(),
                        "subject": request.subject.ref,
                        "record": record_hash("request", row),
                    },
                )
                self._event(
                    tx,
                    row,
                    actor,
                    now,
                    "case:recommendation:issued",
                    {
                        "outcome": rec.outcome,
                        "rules": list(rec.rules),
                        "record": record_hash("recommendation", {**row, "deadlines": deadlines}),
                    },
                )
                return self._view(tx, case_id), True
        except _KeyTaken:  # a concurrent intake with the same key committed first
            first = self._replay(request.agency, keys, content)
            if first is None:
                raise Conflict(
                    [
                        Problem(
                            "Idempotency-Key",
                            "another intake with this key is under way",
                            "retry in a moment",
                        )
                    ],
                    title="conflict",
                ) from None
            return first, False

    def _replay(
        self, agency: str, keys: list[str], content: dict[str, Any]
    ) -> dict[str, Any] | None:
        if not keys:
            return None
        with self.store.read() as tx:
            for key in keys:
                case_id = tx.intake_key(agency, key)
                if case_id is None:
                    continue
                first = tx.case(case_id)
                if first is None:
                    continue
                if canonical(first["request"]) != canonical(content):
                    kind, value = key.split(":", 1)
                    where = "Idempotency-Key" if kind == "key" else "id"
                    raise Conflict(
                        [
                            Problem(
                                where,
                                f"'{value}' was already used for case "
                                f"{case_id} with a different request",
                                "use a new key (or request id) for a new request",
                            )
                        ],
                        title="conflict",
                    )
                return self._view(tx, case_id)
        return None

    # --- the life of a case -----------------------------------------------------------------

    def decide(
        self,
        case_id: str,
        actor: Actor,
        outcome: str,
        actions_taken: list[str] | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Record a person's decision; a departure from the recommendation needs a reason."""
        _allow(actor, "decide")
        if outcome not in OUTCOMES:
            raise DecisionError(
                [
                    Problem(
                        "outcome",
                        f"'{outcome}' is not an outcome",
                        f"use one of {', '.join(OUTCOMES)}",
                    )
                ],
                title="invalid decision",
            )
        reason = (reason or "").strip() or None
        now = self._now()
        with self.store.transaction() as tx:
            row = self._case(tx, case_id, actor, write=True)
            departs = outcome != row["recommended_outcome"]
            if departs and reason is None:
                raise DecisionError(
                    [
                        Problem(
                            "reason",
                            f"the decision '{outcome}' departs from the recommendation "
                            f"'{row['recommended_outcome']}' and needs a reason",
                            "say why this case is different",
                        )
                    ],
                    title="invalid decision",
                )
            state = self._step(row, "decide")
            needs_review = bool(row["needs_review"]) or departs
            self._change(
                tx,
                row,
                state=state,
                decided_outcome=outcome,
                needs_review=needs_review,
                updated_at=now,
            )
            record = {
                "case_id": case_id,
                "actor": actor.user,
                "at": now,
                "outcome": outcome,
                "actions_taken": actions_taken or [],
                "reason": reason,
                "departs": departs,
            }
            tx.insert_decision(record)
            self._event(
                tx,
                row,
                actor,
                now,
                "case:decision:recorded",
                {
                    "outcome": outcome,
                    "departs": departs,
                    "actions": len(actions_taken or []),
                    "reason_given": reason is not None,
                    "record": record_hash("decision", record),
                },
            )
            return self._view(tx, case_id)

    def review(
        self, case_id: str, actor: Actor, approve: bool, note: str | None = None
    ) -> dict[str, Any]:
        """A supervisor approves the decision, or returns it for a new one. Four eyes: the
        reviewer must be another user than the one who made the decision."""
        _allow(actor, "review")
        now = self._now()
        with self.store.transaction() as tx:
            row = self._case(tx, case_id, actor, write=True)
            state = self._step(row, "approve" if approve else "return")
            decisions = tx.history(case_id)["decisions"]
            if decisions and decisions[-1]["actor"] == actor.user:
                raise Forbidden(
                    [
                        Problem(
                            "actor",
                            "you made this decision: the reviewer must be another user (four eyes)",
                            "ask another supervisor to review it",
                        )
                    ],
                    title="forbidden",
                )
            self._change(tx, row, state=state, updated_at=now, needs_review=not approve)
            record = {
                "case_id": case_id,
                "actor": actor.user,
                "at": now,
                "approved": approve,
                "note": note,
            }
            tx.insert_review(record)
            tag = "case:review:approved" if approve else "case:review:returned"
            self._event(
                tx,
                row,
                actor,
                now,
                tag,
                {"approved": approve, "record": record_hash("review", record)},
            )
            return self._view(tx, case_id)

    def close(self, case_id: str, actor: Actor) -> dict[str, Any]:
        """Close a decided case (reviewed first when it needs review)."""
        _allow(actor, "close")
        now = self._now()
        with self.store.transaction() as tx:
            row = self._case(tx, case_id, actor, write=True)
            if row["state"] == "decided" and row["needs_review"]:
                raise IllegalTransition(
                    [
                        Problem(
                            "state",
                            "this decision needs a supervisor's review before the case closes",
                            "ask a supervisor to review it",
                        )
                    ],
                    title="illegal transition",
                )
            state = self._step(row, "close")
            self._change(tx, row, state=state, updated_at=now)
            self._event(tx, row, actor, now, "case:case:closed", {})
            return self._view(tx, case_id)

    def reopen(self, case_id: str, actor: Actor, reason: str) -> dict[str, Any]:
        """Reopen a closed case for a new decision; the reason is recorded."""
        _allow(actor, "reopen")
        if not reason.strip():
            raise DecisionError(
                [Problem("reason", "reopening a case needs a reason", "say why it is reopened")],
                title="invalid request",
            )
        now = self._now()
        with self.store.transaction() as tx:
            row = self._case(tx, case_id, actor, write=True)
            state = self._step(row, "reopen")
            self._change(tx, row, state=state, decided_outcome=None, updated_at=now)
            record = {"case_id": case_id, "actor": actor.user, "at": now, "reason": reason.strip()}
            tx.insert_reopening(record)
            self._event(
                tx,
                row,
                actor,
                now,
                "case:case:reopened",
                {"reason_given": True, "record": record_hash("reopening", record)},
            )
            return self._view(tx, case_id)

    # --- reading ----------------------------------------------------------------------------

    def get(self, case_id: str, actor: Actor) -> dict[str, Any]:
        """A case with its recommendation, decisions, reviews, deadlines and audit events."""
        _allow(actor, "read")
        with self.store.read() as tx:
            self._case(tx, case_id, actor)
            return self._view(tx, case_id)

    def find(
        self,
        actor: Actor,
        state: str | None = None,
        kind: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Cases the user may see, newest first."""
        _allow(actor, "read")
        with self.store.read() as tx:
            rows = tx.cases(actor.agencies | {actor.agency}, state, kind, limit, offset)
        return [_clean(r) for r in rows]

    def due(
        self, actor: Actor, within: dt.timedelta = dt.timedelta(hours=24)
    ) -> list[DeadlineView]:
        """Open deadlines due within ``within`` from now, overdue ones first."""
        _allow(actor, "read")
        now = self._now()
        with self.store.read() as tx:
            rows = tx.open_deadlines(actor.agencies | {actor.agency}, now + within)
        views = [
            DeadlineView(
                r["case_id"],
                r["action"],
                _aware(r["due_at"]),
                r["clock"],
                None,
                _aware(r["due_at"]) < now,
            )
            for r in rows
        ]
        return sorted(views, key=lambda v: (not v.overdue, v.due_at))

    def verify_audit(
        self, agencies: frozenset[str] | None = None, published: Mapping[str, Head] | None = None
    ) -> list[Break]:
        """Recompute the chains of ``agencies`` (None: every agency) in a read snapshot; the
        first break of each. Checks each chain's links, its end against the head the store
        recorded (and against ``published`` heads, e.g. signed ones, when given), and the
        case tables against the record hashes in the events."""
        breaks: list[Break] = []
        with self.store.read() as tx:
            for agency in tx.chain_agencies():
                if agencies is not None and agency not in agencies:
                    continue
                check, events, found = ChainCheck(), [], None
                for event in tx.iter_events(agency):  # streamed; only slim copies are kept
                    found = found or check.add(event)
                    events.append(slim(event))
                found = found or verify_head(agency, events, tx.recorded_head(agency), "recorded")
                if found is None and published and agency in published:
                    found = verify_head(agency, events, published[agency], "published")
                if found is None:
                    found = verify_records(events, tx.case_records(agency))
                if found is not None:
                    breaks.append(found)
        return breaks

    def verify_for(self, actor: Actor) -> list[Break]:
        """Verify the chains of the agencies the actor sees (never others')."""
        _allow(actor, "audit")
        return self.verify_audit(actor.agencies | {actor.agency})

    def expunge(self, case_id: str, actor: Actor) -> int:
        """Remove every free text and reference of a case (request, recommendation, its
        reference, reasons, actions, notes, event payloads); the chain still verifies.
        Returns how many event payloads were removed."""
        _allow(actor, "expunge")
        now = self._now()
        with self.store.transaction() as tx:
            row = self._case(tx, case_id, actor, write=True)
            removed = tx.expunge_payloads(case_id)
            tx.expunge_case(case_id)
            self._change(
                tx, row, request=EXPUNGED, recommendation=EXPUNGED, reference=None, updated_at=now
            )
            self._event(tx, row, actor, now, "record:subject:expunged", {"events": removed})
        return removed

    # --- helpers ----------------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the clock must give aware datetimes")
        return now.astimezone(dt.UTC)

    def _case(
        self, tx: Transaction, case_id: str, actor: Actor, write: bool = False
    ) -> dict[str, Any]:
        row = tx.case(case_id, lock=write)
        if row is None or not actor.sees(row["agency"]):
            raise NotFound(
                [Problem(f"case {case_id}", "no such case", "check the case id")], title="not found"
            )
        if write and not actor.acts_for(row["agency"]):
            raise Forbidden(
                [
                    Problem(
                        "agency",
                        f"you may see the cases of '{row['agency']}' but not change them",
                        "ask a user of that agency",
                    )
                ],
                title="forbidden",
            )
        return row

    @staticmethod
    def _change(tx: Transaction, row: dict[str, Any], **values: Any) -> None:
        if not tx.change_case(row["id"], int(row.get("version") or 0), **values):
            raise Conflict(
                [
                    Problem(
                        "state",
                        "the case was changed by someone else at the same time",
                        "reload the case and try again",
                    )
                ],
                title="conflict",
            )

    @staticmethod
    def _view(tx: Transaction, case_id: str) -> dict[str, Any]:
        row = tx.case(case_id)
        assert row is not None
        return {
            **_clean(row),
            **{k: [_clean(r) for r in v] for k, v in tx.history(case_id).items()},
        }

    @staticmethod
    def _step(row: dict[str, Any], action: str) -> str:
        target = TRANSITIONS[action].get(row["state"])
        if target is None:
            allowed = ", ".join(sorted(TRANSITIONS[action]))
            raise IllegalTransition(
                [
                    Problem(
                        "state",
                        f"cannot {action} a case that is {row['state']}",
                        f"{action} applies to cases that are {allowed}",
                    )
                ],
                title="illegal transition",
            )
        return target

    @staticmethod
    def _event(
        tx: Transaction,
        row: dict[str, Any],
        actor: Actor,
        now: dt.datetime,
        tag: str,
        payload: dict[str, Any],
    ) -> None:
        audit.append(
            tx,
            row["agency"],
            tag,
            f"{actor.role}:{actor.user}",
            now,
            row["id"],
            row["pack_digest"],
            payload,
        )


class _KeyTaken(Exception):
    """An intake key was claimed by a concurrent intake."""


def _allow(actor: Actor, action: str) -> None:
    if actor.role not in ROLES_THAT_MAY[action]:
        raise Forbidden(
            [
                Problem(
                    "role",
                    f"a {actor.role} may not {action}",
                    f"roles that may: {', '.join(sorted(ROLES_THAT_MAY[action]))}",
                )
            ],
            title="forbidden",
        )


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (_aware(v).isoformat() if isinstance(v, dt.datetime) else v) for k, v in row.items()}
