"""The schema. Migrations in ``migrations/`` create exactly these tables (a test checks)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("agency", String(100), nullable=False, index=True),
    Column("reference", String(200)),
    Column("kind", String(40), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("state", String(20), nullable=False),
    Column("request", JSON, nullable=False),
    Column("recommendation", JSON, nullable=False),
    Column("recommended_outcome", String(20), nullable=False),
    Column("pack", String(100), nullable=False),
    Column("pack_version", String(50), nullable=False),
    Column("pack_digest", String(64), nullable=False),
    Column("decided_outcome", String(20)),
    Column("needs_review", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False, default=0, server_default="0"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("actions_taken", JSON, nullable=False),
    Column("reason", Text),
    Column("departs", Boolean, nullable=False),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("approved", Boolean, nullable=False),
    Column("note", Text),
)

reopenings = Table(
    "reopenings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
)

deadlines = Table(
    "deadlines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("agency", String(100), nullable=False),
    Column("action", String(100), nullable=False),
    Column("due_at", DateTime(timezone=True)),
    Column("clock", String(20), nullable=False),
    Column("done_at", DateTime(timezone=True)),
    Index("ix_deadlines_agency_due", "agency", "due_at"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency", String(100), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("tag", String(60), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", String(40), nullable=False),
    Column("case_id", String(36)),
    Column("policy_digest", String(64)),
    Column("payload", JSON),
    Column("payload_hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("agency", "seq", name="uq_audit_agency_seq"),
)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("agency", String(100), nullable=False),
    Column("agencies", JSON, nullable=False),
    Column("password_hash", Text),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("failed_since", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("label", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
)

audit_heads = Table(
    "audit_heads",
    metadata,
    Column("agency", String(100), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)
"""The last event of each agency's chain, updated with every append: a deleted tail or a
deleted chain no longer matches it."""

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
)
"""Failed logins per client address (``addr:...``) and per username (``user:...``)."""

intake_keys = Table(
    "intake_keys",
    metadata,
    Column("agency", String(100), primary_key=True),
    Column("key", String(300), primary_key=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False),
)
"""Idempotency keys of intakes per agency: the same key answers the first case."""
