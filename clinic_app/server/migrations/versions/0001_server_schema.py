"""server schema: resource versions, slot bookings, binaries, devices, usage

Revision ID: s0001
Revises:
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    state = op.create_table(
        "server_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_state")),
    )
    op.bulk_insert(state, [{"id": 1, "change_seq": 0, "last_updated_us": time.time_ns() // 1000}])
    op.create_table(
        "resources",
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("resource_type", "resource_id", name=op.f("pk_resources")),
    )
    op.create_table(
        "resource_versions",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("last_updated_us", sa.BigInteger(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("blob_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_resource_versions")),
        sa.UniqueConstraint(
            "resource_type",
            "resource_id",
            "version",
            name=op.f("uq_resource_versions_resource_type"),
        ),
    )
    op.create_index(
        "ix_resource_versions_last_updated_us", "resource_versions", ["last_updated_us"]
    )
    op.create_index("ix_resource_versions_type_seq", "resource_versions", ["resource_type", "seq"])
    op.create_table(
        "slot_bookings",
        sa.Column("slot_id", sa.String(length=64), nullable=False),
        sa.Column("appointment_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("slot_id", name=op.f("pk_slot_bookings")),
    )
    op.create_index(op.f("ix_slot_bookings_appointment_id"), "slot_bookings", ["appointment_id"])
    op.create_table(
        "binary_blobs",
        sa.Column("blob_id", sa.String(length=36), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("blob_id", name=op.f("pk_binary_blobs")),
    )
    op.create_table(
        "binary_chunks",
        sa.Column("blob_id", sa.String(length=36), nullable=False),
        sa.Column("chunk_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("blob_id", "chunk_no", name=op.f("pk_binary_chunks")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Attachments are mostly compressed already (JPEG, DICOM, PDF): don't pglz them again.
        op.execute("ALTER TABLE binary_chunks ALTER COLUMN data SET STORAGE EXTERNAL")
    op.create_table(
        "devices",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.Column("token_issued_us", sa.BigInteger(), nullable=False),
        sa.Column("revoked_us", sa.BigInteger(), nullable=True),
        sa.Column("rate_per_second", sa.Float(), nullable=True),
        sa.Column("rate_burst", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_devices")),
        sa.UniqueConstraint("name", name=op.f("uq_devices_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_devices_token_hash")),
    )
    op.create_table(
        "usage_daily",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.Column("bytes_in", sa.BigInteger(), nullable=False),
        sa.Column("bytes_out", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "day", name=op.f("pk_usage_daily")),
    )


def downgrade() -> None:
    for name in (
        "usage_daily",
        "devices",
        "binary_chunks",
        "binary_blobs",
        "slot_bookings",
        "resource_versions",
        "resources",
        "server_state",
    ):
        op.drop_table(name)
