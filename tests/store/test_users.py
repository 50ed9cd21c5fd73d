"""Users, tokens and login throttling, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from casebycase.audit.chain import GENESIS
from casebycase.cases.model import Actor
from casebycase.cases.service import CaseService, Forbidden, NotFound
from casebycase.cases.users import Throttled, Unauthorized, UserError, Users, hash_token
from casebycase.store.store import Store
from casebycase.store.tables import api_tokens, users

from .conftest import Clock

ADMIN = Actor("cli", "policy_admin", "boone-county-so")
PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(store: Store, clock: Clock) -> Users:
    return Users(store, clock, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def test_add_login_and_authenticate(accounts: Users, store: Store) -> None:
    user = accounts.add("dep.ames", "officer", "boone-county-so", ADMIN, PASSWORD)
    assert user["role"] == "officer" and "password_hash" not in user
    token, _expires = accounts.login("dep.ames", PASSWORD)
    actor = accounts.authenticate(token)
    assert actor == Actor(user["id"], "officer", "boone-county-so", frozenset())
    with store.transaction() as tx:
        stored = tx.user("dep.ames")
        assert stored is not None and stored["password_hash"].startswith("$argon2")
        hashes = [
            r[0]
            for r in tx.conn.execute(api_tokens.select().with_only_columns(api_tokens.c.token_hash))
        ]
    assert hashes == [hash_token(token)] and token not in hashes


def test_account_events_join_the_agency_chain(accounts: Users, store: Store, clock: Clock) -> None:
    accounts.add("dep.ames", "officer", "boone-county-so", ADMIN, PASSWORD)
    accounts.disable("dep.ames", ADMIN)
    accounts.disable("dep.ames", ADMIN)  # already disabled: no second event
    with store.transaction() as tx:
        events = tx.events("boone-county-so")
    assert [e.tag for e in events] == ["user:account:created", "user:account:disabled"]
    assert events[0].prev_hash == GENESIS and events[0].actor == "policy_admin:cli"
    assert CaseService(store, clock).verify_audit() == []


def test_state_level_user_sees_several_agencies(accounts: Users) -> None:
    accounts.add(
        "state.audit",
        "auditor",
        "missouri",
        Actor("cli", "policy_admin", "missouri"),
        PASSWORD,
        agencies=["boone-county-so", "columbia-pd"],
    )
    token = accounts.issue_token("state.audit", "integration")
    actor = accounts.authenticate(token)
    assert actor.sees("columbia-pd") and actor.sees("boone-county-so")
    assert not actor.sees("st-louis-county-pd")


def test_disabled_user_cannot_log_in_or_use_tokens(accounts: Users) -> None:
    accounts.add("dep.ames", "officer", "boone-county-so", ADMIN, PASSWORD)
    token = accounts.issue_token("dep.ames")
    accounts.disable("dep.ames", ADMIN)
    with pytest.raises(Unauthorized):
        accounts.authenticate(token)
    with pytest.raises(Unauthorized):
        accounts.login("dep.ames", PASSWORD)


def test_sessions_expire(accounts: Users, clock: Clock) -> None:
    accounts.add("dep.ames", "officer", "boone-county-so", ADMIN, PASSWORD)
    token, _ = accounts.login("dep.ames", PASSWORD)
    clock.advance(hours=12)
    with pytest.raises(Unauthorized, match="expired"):
        accounts.authenticate(token)


def test_login_backs_off_exponentially_instead_of_locking_out(
    accounts: Users, clock: Clock
) -> None:
    accounts.add("dep.ames", "officer", "boone-county-so", ADMIN, PASSWORD)
    for _ in range(5):
        with pytest.raises(Unauthorized):
            accounts.login("dep.ames", "wrong password!")
    with pytest.raises(Throttled) as refused:
        accounts.login("dep.ames", PASSWORD)  # even the right password, for one second
    assert refused.value.retry_after == 2
    clock.advance(seconds=1)
    with pytest.raises(Unauthorized):
        accounts.login("dep.ames", "wrong password!")
    clock.advance(seconds=1)
    with pytest.raises(Throttled) as refused:  # now two seconds
        accounts.login("dep.ames", PASSWORD)
    clock.advance(seconds=1)
    token, _ = accounts.login("dep.ames", PASSWORD)
    assert accounts.authenticate(token).role == "officer"
    for _ in range(5):  # a success starts the count again
        with pytest.raises(Unauthorized):
            accounts.login("dep.ames", "wrong password!")


def test_unknown_users_get_the_same_answers(accounts: Users) -> None:
    accounts.add("dep.ames", "officer", "boone-county-so", ADMIN, PASSWORD)
    seen = {}
    for name in ("dep.ames", "nobody"):
        answers = []
        for _ in range(7):
            with pytest.raises((Unauthorized, Throttled)) as refused:
                accounts.login(name, "wrong password!")
            answers.append((type(refused.value).__name__, str(refused.value).replace(name, "NAME")))
        seen[name] = answers
    assert seen["dep.ames"] == seen["nobody"]
    assert seen["nobody"][-1][0] == "Throttled"


def test_logins_are_throttled_per_client_address(accounts: Users) -> None:
    accounts.add("dep.ames", "officer", "boone-county-so", ADMIN, PASSWORD)
    for i in range(10):  # spread over many usernames: each only once
        with pytest.raises(Unauthorized):
            accounts.login(f"guess.{i}", "wrong password!", client="203.0.113.9")
    with pytest.raises(Throttled) as refused:
        accounts.login("dep.ames", PASSWORD, client="203.0.113.9")
    assert refused.value.problems[0].where == "client"
    assert accounts.login("dep.ames", PASSWORD, client="198.51.100.4")[0]


def test_logout_ends_the_session(accounts: Users) -> None:
    accounts.add("dep.ames", "officer", "boone-county-so", ADMIN, PASSWORD)
    token, _ = accounts.login("dep.ames", PASSWORD)
    accounts.logout(token)
    with pytest.raises(Unauthorized):
        accounts.authenticate(token)


def test_failures_outside_the_window_start_a_new_count(accounts: Users, clock: Clock) -> None:
    accounts.add("dep.ames", "officer", "boone-county-so", ADMIN, PASSWORD)
    for _ in range(4):
        with pytest.raises(Unauthorized):
            accounts.login("dep.ames", "wrong password!")
    clock.advance(minutes=61)
    for _ in range(4):
        with pytest.raises(Unauthorized):
            accounts.login("dep.ames", "wrong password!")
    assert accounts.login("dep.ames", PASSWORD)[0]


def test_invalid_accounts_are_refused(accounts: Users, store: Store) -> None:
    with pytest.raises(UserError) as bad:
        accounts.add("Bad Name", "sheriff", "../etc", ADMIN, "short")
    assert {p.where for p in bad.value.problems} == {"username", "role", "agency", "password"}
    accounts.add("dep.ames", "officer", "boone-county-so", ADMIN, PASSWORD)
    with pytest.raises(UserError, match="taken"):
        accounts.add("dep.ames", "officer", "boone-county-so", ADMIN, PASSWORD)
    with store.transaction() as tx:
        assert len(list(tx.conn.execute(users.select()))) == 1


def test_only_a_policy_admin_of_the_agency_manages_users(accounts: Users) -> None:
    with pytest.raises(Forbidden):
        accounts.add(
            "dep.x",
            "officer",
            "boone-county-so",
            Actor("sgt", "supervisor", "boone-county-so"),
            PASSWORD,
        )
    with pytest.raises(Forbidden):
        accounts.add("dep.x", "officer", "columbia-pd", ADMIN, PASSWORD)
    accounts.add(
        "dep.y", "officer", "columbia-pd", Actor("a", "policy_admin", "columbia-pd"), PASSWORD
    )
    with pytest.raises(NotFound):
        accounts.disable("dep.y", ADMIN)
    assert [u["username"] for u in accounts.list(ADMIN)] == []


def test_unknown_tokens_and_users(accounts: Users) -> None:
    with pytest.raises(Unauthorized):
        accounts.authenticate("nope")
    with pytest.raises(Unauthorized):
        accounts.login("nobody", PASSWORD)


def test_command_line_adds_lists_and_disables(store_url: str) -> None:
    from typer.testing import CliRunner

    from casebycase.cli import app

    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "dep.ames",
            "--role",
            "officer",
            "--agency",
            "boone-county-so",
            "--token",
            "--database",
            store_url,
        ],
    )
    assert added.exit_code == 0, added.output
    assert "password: " in added.output and "token: " in added.output
    listed = runner.invoke(
        app, ["users", "list", "--agency", "boone-county-so", "--database", store_url]
    )
    assert "dep.ames" in listed.output
    disabled = runner.invoke(
        app,
        ["users", "disable", "dep.ames", "--agency", "boone-county-so", "--database", store_url],
    )
    assert disabled.exit_code == 0
    bad = runner.invoke(
        app,
        [
            "users",
            "add",
            "x",
            "--role",
            "sheriff",
            "--agency",
            "boone-county-so",
            "--database",
            store_url,
        ],
    )
    assert bad.exit_code == 2
