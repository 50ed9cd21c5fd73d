"""The SQLAlchemy store keeps the storage contract the services depend on."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from casebycase.audit.chain import Head, seal
from casebycase.cases import audit
from casebycase.cases.storage import Storage, Transaction
from casebycase.store.store import Store

AT = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)


def test_store_is_a_storage(store: Store) -> None:
    assert isinstance(store, Storage)
    with store.transaction() as tx:
        assert isinstance(tx, Transaction)


def test_store_persists_sealed_events_as_they_are(store: Store) -> None:
    with store.transaction() as tx:
        assert tx.chain_head("columbia-pd") is None
        first = seal(
            None, "columbia-pd", "case:case:closed", "officer:u1", AT, None, None, {"n": 1}
        )
        tx.insert_event(first)
        assert tx.chain_head("columbia-pd") == Head(1, first.hash)
        assert tx.chain_head("boone-county-so") is None
    with store.transaction() as tx:
        [stored] = tx.events("columbia-pd")
    assert (stored.seq, stored.hash, stored.payload, stored.at) == (
        1,
        first.hash,
        {"n": 1},
        first.at,
    )


def test_the_service_appends_only_listed_tags(store: Store) -> None:
    with store.transaction() as tx:
        with pytest.raises(ValueError, match="not an audit tag"):
            audit.append(tx, "columbia-pd", "case:case:lost", "officer:u1", AT, None, None, {})
        assert (
            audit.append(tx, "columbia-pd", "case:case:closed", "officer:u1", AT, None, None, {})
            == tx.events("columbia-pd")[0].hash
        )


def test_a_long_read_does_not_block_writers(store: Store) -> None:
    """Reads (audit verification included) hold no write lock: writes complete while a read
    snapshot is open, and the snapshot does not see them."""
    done = threading.Event()

    def write() -> None:
        with store.transaction() as tx:
            audit.append(tx, "columbia-pd", "case:case:closed", "officer:u1", AT, None, None, {})
        done.set()

    with store.read() as tx:
        assert tx.events("columbia-pd") == []
        writer = threading.Thread(target=write)
        writer.start()
        assert done.wait(5), "the write waited for the read"
        assert tx.events("columbia-pd") == []  # a snapshot
    writer.join()
    with store.read() as tx:
        assert len(tx.events("columbia-pd")) == 1


def test_failure_counters_lose_no_update(store: Store) -> None:
    def fail() -> None:
        with store.transaction() as tx:
            tx.count_failure("user:dep.ames", AT, restart=False)

    threads = [threading.Thread(target=fail) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with store.read() as tx:
        assert tx.login_failures(["user:dep.ames"])["user:dep.ames"][0] == 20
