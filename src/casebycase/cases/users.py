"""Users, roles, agencies, passwords and tokens; who is acting, and login throttling.

Passwords are hashed with argon2; API and session tokens are random and only their SHA-256
is stored, so a token is shown once.

Login throttling is by account **and** by client address, with exponential back-off rather
than a lock-out: after ``FREE_FAILURES`` failures of a username (``FREE_PER_ADDRESS`` of an
address) each further attempt must wait 1, 2, 4, ... seconds after the last failure, at most
``MAX_WAIT``; a quiet ``RESET_AFTER`` starts the count again. Unknown usernames are counted
and answered exactly like known ones, so the answers reveal no account. Passwords are
checked outside any write transaction, one at a time per process (argon2 with one lane, so a
flood of logins holds at most one core; a login that waits more than ``CHECK_WAIT`` seconds
gets 429), and the counters are read and moved within that turn, atomically (upserts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from casebycase.cases import audit
from casebycase.cases.model import Actor, Role
from casebycase.cases.service import Forbidden, NotFound
from casebycase.cases.storage import Storage, Transaction
from casebycase.errors import CaseByCaseError, Problem

ROLES: tuple[str, ...] = get_args(Role)
FREE_FAILURES = 5
FREE_PER_ADDRESS = 10
CHECK_WAIT = 2.0
"""Seconds a login waits for its turn to have its password checked before a 429."""
MAX_WAIT = dt.timedelta(minutes=15)
RESET_AFTER = dt.timedelta(hours=1)
SESSION_LIFETIME = dt.timedelta(hours=12)
NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,99}$")
AGENCY = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
MIN_PASSWORD = 12


class Unauthorized(CaseByCaseError):
    """No valid credentials: unknown user, wrong password, bad or expired token."""


class Throttled(CaseByCaseError):
    """Too many failed logins; try again after the window has passed."""

    retry_after: int = 0


class UserError(CaseByCaseError):
    """A user cannot be created or changed as asked."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unauthorized(why: str = "invalid credentials") -> Unauthorized:
    return Unauthorized(
        [Problem("credentials", why, "log in again or use a valid token")], title="unauthorized"
    )


class Users:
    """Create, list and disable users; issue tokens; log in; resolve a token to an Actor."""

    def __init__(
        self, store: Storage, clock: Callable[[], dt.datetime], hasher: PasswordHasher | None = None
    ) -> None:
        self.store, self.clock = store, clock
        self.hasher = hasher or PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1)
        self._checking = threading.Lock()  # one password check at a time: one core at most
        self._dummy_hash: str | None = None

    # --- accounts ---------------------------------------------------------------------------

    def add(
        self,
        username: str,
        role: str,
        agency: str,
        actor: Actor,
        password: str | None = None,
        agencies: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Create a user of one agency (a state-level user may also see ``agencies``)."""
        extra = sorted(set(agencies) - {agency})
        problems = _check_account(username, role, agency, extra, password)
        if problems:
            raise UserError(problems, title="invalid user")
        _may_manage(actor, agency)
        now = self._now()
        row = {
            "id": str(uuid.uuid4()),
            "username": username,
            "role": role,
            "agency": agency,
            "agencies": extra,
            "disabled": False,
            "failed_logins": 0,
            "failed_since": None,
            "password_hash": self.hasher.hash(password) if password else None,
            "created_at": now,
        }
        with self.store.transaction() as tx:
            if tx.user(username) is not None:
                raise UserError(
                    [Problem("username", f"'{username}' is taken", "choose another username")],
                    title="invalid user",
                )
            tx.insert_user(row)
            _event(
                tx,
                agency,
                actor,
                now,
                "user:account:created",
                {"user": row["id"], "role": role, "agencies": extra},
            )
        return _public(row)

    def list(self, actor: Actor) -> list[dict[str, Any]]:
        """Users of the agencies the actor sees."""
        with self.store.read() as tx:
            return [_public(r) for r in tx.users(actor.agencies | {actor.agency})]

    def disable(self, username: str, actor: Actor) -> dict[str, Any]:
        """Disable a user: their password and every token stop working."""
        now = self._now()
        with self.store.transaction() as tx:
            row = tx.user(username)
            if row is None or not actor.sees(row["agency"]):
                raise NotFound(
                    [
                        Problem(
                            "username",
                            f"no user '{username}'",
                            "check the username (casebycase users list)",
                        )
                    ],
                    title="not found",
                )
            _may_manage(actor, row["agency"])
            if not row["disabled"]:
                tx.update_user(row["id"], disabled=True)
                _event(tx, row["agency"], actor, now, "user:account:disabled", {"user": row["id"]})
            row["disabled"] = True
        return _public(row)

    def issue_token(
        self,
        username: str,
        label: str | None = None,
        lifetime: dt.timedelta | None = None,
        kind: str = "api",
    ) -> str:
        """A new token for the user; only its hash is stored, so this is the one showing."""
        token = secrets.token_urlsafe(32)
        now = self._now()
        with self.store.transaction() as tx:
            row = tx.user(username)
            if row is None or row["disabled"]:
                raise NotFound(
                    [Problem("username", f"no active user '{username}'", "check the username")],
                    title="not found",
                )
            tx.insert_token(
                {
                    "token_hash": hash_token(token),
                    "user_id": row["id"],
                    "kind": kind,
                    "label": label,
                    "created_at": now,
                    "expires_at": now + lifetime if lifetime else None,
                }
            )
        return token

    # --- authentication ---------------------------------------------------------------------

    def login(
        self, username: str, password: str, client: str | None = None
    ) -> tuple[str, dt.datetime]:
        """Exchange a username and password for a session token and its expiry; ``client``
        is the caller's address (throttled on its own)."""
        self._throttle(_limits(username, client), self._now())  # refused ones never queue
        if not self._checking.acquire(timeout=CHECK_WAIT):
            error = Throttled(
                [
                    Problem(
                        "username",
                        "the server is busy checking other logins",
                        "try again in a moment",
                    )
                ],
                title="too many requests",
            )
            error.retry_after = 1
            raise error
        try:
            return self._login(username, password, client)
        finally:
            self._checking.release()

    def _login(self, username: str, password: str, client: str | None) -> tuple[str, dt.datetime]:
        now = self._now()
        limits = _limits(username, client)
        failures = self._throttle(limits, now)
        with self.store.read() as tx:
            row = tx.user(username)
        usable = row is not None and not row["disabled"] and bool(row["password_hash"])
        stored = row["password_hash"] if usable and row else self._dummy()
        if not self._verify(stored, password) or not usable:  # no database lock held
            with self.store.transaction() as tx:
                for key in limits:
                    _count, seen = failures.get(key, (0, now - RESET_AFTER))
                    restart = now - _aware(seen) >= RESET_AFTER
                    tx.count_failure(key, now, restart)
            raise _unauthorized()
        token = secrets.token_urlsafe(32)
        expires = now + SESSION_LIFETIME
        assert row is not None
        with self.store.transaction() as tx:
            tx.clear_failures(f"user:{username}")
            tx.insert_token(
                {
                    "token_hash": hash_token(token),
                    "user_id": row["id"],
                    "kind": "session",
                    "label": "session",
                    "created_at": now,
                    "expires_at": expires,
                }
            )
        return token, expires

    def _throttle(
        self, limits: dict[str, int], now: dt.datetime
    ) -> dict[str, tuple[int, dt.datetime]]:
        """The failure counts of ``limits``; Throttled while any of them must wait."""
        with self.store.read() as tx:
            failures = tx.login_failures(list(limits))
        for key, free in limits.items():
            count, last = failures.get(key, (0, now))
            until = _aware(last) + _backoff(count, free)
            if now < until and now - _aware(last) < RESET_AFTER:
                error = Throttled(
                    [
                        Problem(
                            "username" if key.startswith("user:") else "client",
                            "too many failed logins",
                            f"try again after {until.isoformat()}",
                        )
                    ],
                    title="too many requests",
                )
                error.retry_after = int((until - now).total_seconds()) + 1
                raise error
        return failures

    def logout(self, token: str) -> None:
        """End a session (or revoke an API token): it stops working at once."""
        with self.store.transaction() as tx:
            tx.delete_token(hash_token(token))

    def actor(self, username: str) -> Actor:
        """The actor of an active user, for commands run on the server's own console."""
        with self.store.read() as tx:
            row = tx.user(username)
        if row is None or row["disabled"]:
            raise NotFound(
                [
                    Problem(
                        "--as",
                        f"no active user '{username}'",
                        "check the username (casebycase users list)",
                    )
                ],
                title="not found",
            )
        return Actor(row["id"], row["role"], row["agency"], frozenset(row["agencies"]))

    def authenticate(self, token: str) -> Actor:
        """The actor holding a token; Unauthorized when unknown, expired or disabled."""
        if not token or len(token) > 200:
            raise _unauthorized("invalid token")
        with self.store.read() as tx:
            row = tx.token_user(hash_token(token))
        if row is None or row["disabled"]:
            raise _unauthorized("invalid token")
        expires = _aware(row["expires_at"])
        if expires is not None and self._now() >= expires:
            raise _unauthorized("the session has expired")
        return Actor(row["id"], row["role"], row["agency"], frozenset(row["agencies"]))

    # --- helpers ----------------------------------------------------------------------------

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(stored, password))
        except (VerificationError, InvalidHashError):
            return False

    def _now(self) -> dt.datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the clock must give aware datetimes")
        return now.astimezone(dt.UTC)


def _check_account(
    username: str, role: str, agency: str, extra: list[str], password: str | None
) -> list[Problem]:
    problems = []
    if not NAME.match(username):
        problems.append(
            Problem(
                "username",
                f"'{username}' is not a valid username",
                "lowercase letters, digits and . _ @ -, at most 100",
            )
        )
    if role not in ROLES:
        problems.append(
            Problem("role", f"'{role}' is not a role", f"use one of {', '.join(ROLES)}")
        )
    for where, value in [("agency", agency), *(("agencies", a) for a in extra)]:
        if not AGENCY.match(value):
            problems.append(
                Problem(
                    where, f"'{value}' is not an agency id", "use a pack id such as boone-county-so"
                )
            )
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(
            Problem(
                "password", f"shorter than {MIN_PASSWORD} characters", "use a longer passphrase"
            )
        )
    return problems


def _may_manage(actor: Actor, agency: str) -> None:
    if actor.role != "policy_admin" or not actor.sees(agency):
        raise Forbidden(
            [
                Problem(
                    "role",
                    f"a {actor.role} of {actor.agency} may not manage users of {agency}",
                    "ask a policy_admin of that agency",
                )
            ],
            title="forbidden",
        )


def _event(
    tx: Transaction, agency: str, actor: Actor, now: dt.datetime, tag: str, payload: dict[str, Any]
) -> None:
    audit.append(tx, agency, tag, f"{actor.role}:{actor.user}", now, None, None, payload)


def _limits(username: str, client: str | None) -> dict[str, int]:
    """Throttling keys of a login and the failures each may have without waiting."""
    limits = {f"user:{username}": FREE_FAILURES}
    if client:
        limits[f"addr:{client}"] = FREE_PER_ADDRESS
    return limits


def _backoff(failures: int, free: int) -> dt.timedelta:
    """How long after the last failure the next attempt must wait."""
    if failures < free:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** min(failures - free, 20)), MAX_WAIT)


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """A user without secrets."""
    return {
        "id": row["id"],
        "username": row["username"],
        "role": row["role"],
        "agency": row["agency"],
        "agencies": list(row["agencies"]),
        "disabled": bool(row["disabled"]),
        "created_at": _aware(row["created_at"]).isoformat(),
    }
