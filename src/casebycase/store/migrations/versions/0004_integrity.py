"""Integrity: a version per case (one winner per state change), the audit chains' heads,
login throttling counters and intake idempotency keys."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "audit_heads",
        sa.Column("agency", sa.String(100), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute(
        "INSERT INTO audit_heads (agency, seq, hash) SELECT e.agency, e.seq, e.hash "
        "FROM audit_events e WHERE e.seq = (SELECT MAX(m.seq) FROM audit_events m "
        "WHERE m.agency = e.agency)"
    )
    op.create_table(
        "login_attempts",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "intake_keys",
        sa.Column("agency", sa.String(100), primary_key=True),
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("intake_keys")
    op.drop_table("login_attempts")
    op.drop_table("audit_heads")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("version")
