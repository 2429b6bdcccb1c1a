"""The server's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Times are integer microseconds since the epoch (UTC): exact, comparable and identical on both
engines. Every version of every resource is a row of `resource_versions`, numbered by `seq`, one
server-wide change sequence; `server_state.change_seq` holds its last value and is locked by
every write transaction, so sequence order is commit order (the history cursor relies on it).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

server_state = Table(
    "server_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("change_seq", BigInteger, nullable=False),
    Column("last_updated_us", BigInteger, nullable=False),
)

# The current version of each resource (a pointer into resource_versions).
resources = Table(
    "resources",
    metadata,
    Column("resource_type", String(64), primary_key=True),
    Column("resource_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("content_hash", String(64), nullable=True),
)

resource_versions = Table(
    "resource_versions",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("resource_type", String(64), nullable=False),
    Column("resource_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("method", String(8), nullable=False),
    # The interaction's HTTP status (201 created, 200 updated, 204 deleted), for history entries.
    Column("status", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("last_updated_us", BigInteger, nullable=False),
    Column("device_id", String(36), nullable=True),
    Column("content_hash", String(64), nullable=True),
    # The resource as served (with meta), or NULL for a deletion. Binary: without `data`.
    Column("body", Text, nullable=True),
    Column("blob_id", String(36), nullable=True),
    UniqueConstraint("resource_type", "resource_id", "version"),
    Index("ix_resource_versions_type_seq", "resource_type", "seq"),
    Index("ix_resource_versions_last_updated_us", "last_updated_us"),
)

# The slot-booking authority: one active appointment per slot, enforced by the primary key.
slot_bookings = Table(
    "slot_bookings",
    metadata,
    Column("slot_id", String(64), primary_key=True),
    Column("appointment_id", String(64), nullable=False, index=True),
)

binary_blobs = Table(
    "binary_blobs",
    metadata,
    Column("blob_id", String(36), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=True),
    Column("complete", Boolean, nullable=False),
    Column("created_us", BigInteger, nullable=False),
)

binary_chunks = Table(
    "binary_chunks",
    metadata,
    Column("blob_id", String(36), primary_key=True),
    Column("chunk_no", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("device_id", String(36), primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_us", BigInteger, nullable=False),
    Column("token_issued_us", BigInteger, nullable=False),
    Column("revoked_us", BigInteger, nullable=True),
    Column("rate_per_second", Float, nullable=True),
    Column("rate_burst", Integer, nullable=True),
)

# Requests, bytes and errors per device and UTC day. device_id "" = unauthenticated requests.
usage_daily = Table(
    "usage_daily",
    metadata,
    Column("device_id", String(36), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("requests", BigInteger, nullable=False),
    Column("bytes_in", BigInteger, nullable=False),
    Column("bytes_out", BigInteger, nullable=False),
    Column("errors", BigInteger, nullable=False),
)
