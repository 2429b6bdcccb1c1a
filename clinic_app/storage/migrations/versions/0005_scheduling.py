"""scheduling: doctor profiles, leave, slots, appointments, status history

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None

_LIVE = "deleted_at IS NULL"
_OPEN_SLOT = "status = 'open' AND deleted_at IS NULL"
_ACTIVE_SLOT = (
    "slot_id IS NOT NULL AND status IN ('booked', 'arrived', 'completed') AND deleted_at IS NULL"
)


def _synced_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.String(length=64), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "doctor_profiles",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("specialisation", sa.String(length=100), nullable=False),
        sa.Column("specialisation_fold", sa.String(length=100), nullable=False),
        sa.Column("consultation_minutes", sa.Integer(), nullable=False),
        sa.Column("room", sa.String(length=50), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("weekly_hours", sa.Text(), nullable=False),
        sa.Column("breaks", sa.Text(), nullable=False),
        sa.Column("slots_until", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_synced_columns(),
        sa.CheckConstraint(
            "consultation_minutes BETWEEN 5 AND 480",
            name=op.f("ck_doctor_profiles_consultation_minutes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doctor_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_doctor_profiles_user_id")),
    )
    op.create_index(
        op.f("ix_doctor_profiles_specialisation_fold"),
        "doctor_profiles",
        ["specialisation_fold"],
    )

    op.create_table(
        "doctor_leave",
        sa.Column("doctor_id", sa.String(length=36), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        *_synced_columns(),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_doctor_leave_date_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doctor_leave")),
    )
    op.create_index("ix_doctor_leave_doctor", "doctor_leave", ["doctor_id", "start_date"])

    op.create_table(
        "slots",
        sa.Column("doctor_id", sa.String(length=36), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_start_minute", sa.Integer(), nullable=False),
        sa.Column("local_end_minute", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("block_reason", sa.String(length=200), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        *_synced_columns(),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_slots_time_order")),
        sa.CheckConstraint(
            "status IN ('open', 'booked', 'blocked')", name=op.f("ck_slots_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slots")),
    )
    op.create_index(
        "uq_slots_doctor_start",
        "slots",
        ["doctor_id", "starts_at"],
        unique=True,
        sqlite_where=sa.text(_LIVE),
    )
    op.create_index(
        "ix_slots_open_start", "slots", ["starts_at", "doctor_id"], sqlite_where=sa.text(_OPEN_SLOT)
    )
    op.create_index(
        "ix_slots_open_doctor",
        "slots",
        ["doctor_id", "starts_at"],
        sqlite_where=sa.text(_OPEN_SLOT),
    )
    op.create_index(
        "ix_slots_local_date", "slots", ["local_date", "doctor_id"], sqlite_where=sa.text(_LIVE)
    )

    op.create_table(
        "appointments",
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("doctor_id", sa.String(length=36), nullable=False),
        sa.Column("slot_id", sa.String(length=36), nullable=True),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("appointment_type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("walk_in", sa.Boolean(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("meeting_link", sa.String(length=500), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("arrived_at", sa.DateTime(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("reminder_sent_at", sa.DateTime(), nullable=True),
        sa.Column("booked_by", sa.String(length=36), nullable=True),
        *_synced_columns(),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_appointments_time_order")),
        sa.CheckConstraint(
            "status IN ('booked', 'arrived', 'completed', 'cancelled', 'no_show')",
            name=op.f("ck_appointments_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index(
        "uq_appointments_active_slot",
        "appointments",
        ["slot_id"],
        unique=True,
        sqlite_where=sa.text(_ACTIVE_SLOT),
    )
    op.create_index("ix_appointments_local_date", "appointments", ["local_date", "doctor_id"])
    op.create_index("ix_appointments_starts_at", "appointments", ["starts_at"])
    op.create_index("ix_appointments_patient", "appointments", ["patient_id", "starts_at"])

    op.create_table(
        "appointment_status_changes",
        sa.Column("appointment_id", sa.String(length=36), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("slot_id", sa.String(length=36), nullable=True),
        sa.Column("changed_by", sa.String(length=36), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        *_synced_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_status_changes")),
    )
    op.create_index(
        op.f("ix_appointment_status_changes_appointment_id"),
        "appointment_status_changes",
        ["appointment_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_appointment_status_changes_appointment_id"),
        table_name="appointment_status_changes",
    )
    op.drop_table("appointment_status_changes")
    for name in (
        "ix_appointments_patient",
        "ix_appointments_starts_at",
        "ix_appointments_local_date",
        "uq_appointments_active_slot",
    ):
        op.drop_index(name, table_name="appointments")
    op.drop_table("appointments")
    for name in (
        "ix_slots_local_date",
        "ix_slots_open_doctor",
        "ix_slots_open_start",
        "uq_slots_doctor_start",
    ):
        op.drop_index(name, table_name="slots")
    op.drop_table("slots")
    op.drop_index("ix_doctor_leave_doctor", table_name="doctor_leave")
    op.drop_table("doctor_leave")
    op.drop_index(op.f("ix_doctor_profiles_specialisation_fold"), table_name="doctor_profiles")
    op.drop_table("doctor_profiles")
