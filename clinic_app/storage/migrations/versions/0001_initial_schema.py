"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 15:05:34.213339
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# Patient search: FTS5 with accents folded and prefix indexes for search as you type (1-4
# characters: a prefix query of up to four letters or digits reads one prefix doclist instead of
# merging every term that starts with it). The FTS rowid is patients.search_rowid (a TEXT primary
# key's own rowid is not stable). See clinic_app/patients/search.py for how it is queried.
_PATIENT_FTS_COLUMNS = "rowid, names, identifiers, phone, birth"
_PATIENT_FTS_VALUES = (
    "new.search_rowid, "
    "new.given_name || ' ' || new.family_name || ' ' || coalesce(new.other_names, ''), "
    "coalesce(new.mrn, '') || ' ' || coalesce(new.national_id, ''), "
    "coalesce(new.phone_search, ''), "
    "coalesce(new.birth_date, '')"
)
# Only edits of indexed fields touch the index (not a delete, a restore or a sync stamp).
_PATIENT_FTS_SOURCES = (
    "search_rowid, given_name, family_name, other_names, mrn, national_id, phone_search, birth_date"
)

_RAW_UPGRADE = [
    "CREATE VIRTUAL TABLE patient_fts USING fts5("
    "names, identifiers, phone, birth, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4')",
    "CREATE TRIGGER patients_fts_insert AFTER INSERT ON patients BEGIN "
    f"INSERT INTO patient_fts({_PATIENT_FTS_COLUMNS}) VALUES ({_PATIENT_FTS_VALUES}); "
    "END",
    f"CREATE TRIGGER patients_fts_update AFTER UPDATE OF {_PATIENT_FTS_SOURCES} ON patients BEGIN "
    "DELETE FROM patient_fts WHERE rowid = old.search_rowid; "
    f"INSERT INTO patient_fts({_PATIENT_FTS_COLUMNS}) VALUES ({_PATIENT_FTS_VALUES}); "
    "END",
    # Patients are tombstoned, never deleted; should a row go anyway, its index entry goes too.
    "CREATE TRIGGER patients_fts_delete AFTER DELETE ON patients BEGIN "
    "DELETE FROM patient_fts WHERE rowid = old.search_rowid; "
    "END",
    # The audit log is append-only: the database itself refuses edits and deletions.
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN "
    "SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN "
    "SELECT RAISE(ABORT, 'the audit log is append-only'); END",
]

_RAW_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
    "DROP TRIGGER IF EXISTS audit_events_no_update",
    "DROP TRIGGER IF EXISTS patients_fts_delete",
    "DROP TRIGGER IF EXISTS patients_fts_update",
    "DROP TRIGGER IF EXISTS patients_fts_insert",
    "DROP TABLE IF EXISTS patient_fts",
]


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('record_type', sa.String(length=64), nullable=True),
    sa.Column('record_id', sa.String(length=64), nullable=True),
    sa.Column('workstation', sa.String(length=255), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('id', name=op.f('uq_audit_events_id'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_user_id'), ['user_id'], unique=False)

    op.create_table('outbox',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('entity_type', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=False),
    sa.Column('operation', sa.String(length=16), nullable=False),
    sa.Column('entity_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_entity_id'), ['entity_id'], unique=False)

    op.create_table('patients',
    sa.Column('search_rowid', sa.Integer(), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('other_names', sa.String(length=200), nullable=True),
    sa.Column('family_fold', sa.String(length=100), nullable=False),
    sa.Column('given_fold', sa.String(length=100), nullable=False),
    sa.Column('sex', sa.String(length=16), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('phone_digits', sa.String(length=40), nullable=True),
    sa.Column('phone_search', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('mrn', sa.String(length=40), nullable=True),
    sa.Column('national_id', sa.String(length=40), nullable=True),
    sa.Column('primary_doctor_id', sa.String(length=36), nullable=True),
    sa.Column('allergies', sa.Text(), nullable=True),
    sa.Column('history_notes', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.String(length=64), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients')),
    sa.UniqueConstraint('search_rowid', name=op.f('uq_patients_search_rowid'))
    )
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index('ix_patients_family_fold', ['family_fold', 'given_fold'], unique=False)
        batch_op.create_index('ix_patients_given_fold', ['given_fold', 'family_fold'], unique=False)
        batch_op.create_index(batch_op.f('ix_patients_mrn'), ['mrn'], unique=False)
        batch_op.create_index('ix_patients_name_birth', ['family_fold', 'given_fold', 'birth_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_patients_national_id'), ['national_id'], unique=False)

    op.create_table('store_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_store_meta'))
    )
    op.create_table('users',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )


    for statement in _RAW_UPGRADE:
        op.execute(statement)

def downgrade() -> None:
    for statement in _RAW_DOWNGRADE:
        op.execute(statement)
    op.drop_table('users')
    op.drop_table('store_meta')
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patients_national_id'))
        batch_op.drop_index('ix_patients_name_birth')
        batch_op.drop_index(batch_op.f('ix_patients_mrn'))
        batch_op.drop_index('ix_patients_given_fold')
        batch_op.drop_index('ix_patients_family_fold')

    op.drop_table('patients')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_entity_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_record_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')
