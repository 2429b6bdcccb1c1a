"""sync: cursor per server, pull inbox, conflicts, quarantine, binary transfers, sync log

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("server_url", sa.String(length=500), nullable=False),
        sa.Column("cursor", sa.String(length=40), nullable=True),
        sa.Column("pull_phase", sa.String(length=16), nullable=False),
        sa.Column("next_link", sa.Text(), nullable=True),
        sa.Column("pending_cursor", sa.String(length=40), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("server_url", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "sync_inbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("server_url", sa.String(length=500), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.String(length=64), nullable=False),
        sa.Column("version_rank", sa.BigInteger(), nullable=False),
        sa.Column("last_updated", sa.String(length=40), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_inbox")),
        sa.UniqueConstraint(
            "server_url", "resource_type", "resource_id", name="uq_sync_inbox_key"
        ),
    )
    op.create_index(
        "ix_sync_inbox_order", "sync_inbox", ["server_url", "last_updated", "seq"], unique=False
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("server_url", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=True),
        sa.Column("local_json", sa.Text(), nullable=False),
        sa.Column("server_json", sa.Text(), nullable=True),
        sa.Column("server_version", sa.String(length=64), nullable=True),
        sa.Column("other_id", sa.String(length=36), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.String(length=24), nullable=True),
        sa.Column("resolved_by", sa.String(length=36), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflicts")),
    )
    op.create_index(
        "ix_sync_conflicts_entity", "sync_conflicts", ["entity_id", "status"], unique=False
    )
    op.create_index(
        "ix_sync_conflicts_status", "sync_conflicts", ["status", "created_at"], unique=False
    )
    op.create_table(
        "sync_quarantine",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("server_url", sa.String(length=500), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_json", sa.Text(), nullable=True),
        sa.Column("server_version", sa.String(length=64), nullable=True),
        sa.Column("server_time", sa.String(length=40), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("message", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outbox_seq", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_quarantine")),
    )
    op.create_index(
        "ix_sync_quarantine_entity", "sync_quarantine", ["entity_id", "status"], unique=False
    )
    op.create_table(
        "sync_binaries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("server_url", sa.String(length=500), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("attachment_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_binaries")),
        sa.UniqueConstraint(
            "server_url", "direction", "attachment_id", name="uq_sync_binaries_transfer"
        ),
    )
    op.create_index(
        "ix_sync_binaries_status", "sync_binaries", ["server_url", "status"], unique=False
    )
    op.create_table(
        "sync_log",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("server_url", sa.String(length=500), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=True),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_log")),
    )
    op.create_index(op.f("ix_sync_log_at"), "sync_log", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sync_log_at"), table_name="sync_log")
    op.drop_table("sync_log")
    op.drop_index("ix_sync_binaries_status", table_name="sync_binaries")
    op.drop_table("sync_binaries")
    op.drop_index("ix_sync_quarantine_entity", table_name="sync_quarantine")
    op.drop_table("sync_quarantine")
    op.drop_index("ix_sync_conflicts_status", table_name="sync_conflicts")
    op.drop_index("ix_sync_conflicts_entity", table_name="sync_conflicts")
    op.drop_table("sync_conflicts")
    op.drop_index("ix_sync_inbox_order", table_name="sync_inbox")
    op.drop_table("sync_inbox")
    op.drop_table("sync_state")
