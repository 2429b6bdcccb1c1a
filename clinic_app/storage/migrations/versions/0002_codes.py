"""codes: versioned code sets (ICD-10-CM, HCPCS, CPT, local), their codes, notes and FTS5 index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Code search: FTS5 over descriptions and other names (inclusion terms, synonyms), accents
# folded, prefix indexes for search as you type. Contentless: the text lives in `codes` and
# `code_notes`; the FTS rowid is codes.id. `flags` holds marker tokens (billable) so a
# billable-only search is part of the MATCH and broad searches stay fast.
_RAW_UPGRADE = [
    "CREATE VIRTUAL TABLE code_fts USING fts5("
    "description, terms, flags, content = '', "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')",
]

_RAW_DOWNGRADE = [
    "DROP TABLE IF EXISTS code_fts",
]


def upgrade() -> None:
    op.create_table(
        "code_sets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("system", sa.String(length=16), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=36), nullable=True),
        sa.Column("code_count", sa.Integer(), nullable=False),
        sa.Column("billable_count", sa.Integer(), nullable=False),
        sa.Column("first_rowid", sa.Integer(), nullable=False),
        sa.Column("last_rowid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_sets")),
        sa.UniqueConstraint("system", "version", name="uq_code_sets_system_version"),
    )
    op.create_table(
        "codes",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("set_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("code_key", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["code_sets.id"],
            name=op.f("fk_codes_set_id_code_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codes")),
    )
    op.create_index("ix_codes_set_key", "codes", ["set_id", "code_key"], unique=False)
    op.create_index(
        "ix_codes_set_billable_key", "codes", ["set_id", "billable", "code_key"], unique=False
    )
    op.create_index("ix_codes_parent", "codes", ["parent_id"], unique=False)
    op.create_table(
        "code_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["codes.id"],
            name=op.f("fk_code_notes_code_id_codes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_notes")),
    )
    op.create_index(op.f("ix_code_notes_code_id"), "code_notes", ["code_id"], unique=False)
    for statement in _RAW_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in _RAW_DOWNGRADE:
        op.execute(statement)
    op.drop_index(op.f("ix_code_notes_code_id"), table_name="code_notes")
    op.drop_table("code_notes")
    op.drop_index("ix_codes_parent", table_name="codes")
    op.drop_index("ix_codes_set_billable_key", table_name="codes")
    op.drop_index("ix_codes_set_key", table_name="codes")
    op.drop_table("codes")
    op.drop_table("code_sets")
