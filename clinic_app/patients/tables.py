"""The patient row. The FTS5 index over it is kept by triggers (see the first migration)."""

from __future__ import annotations

import weakref
from datetime import date

from sqlalchemy import Date, Index, Integer, String, Text, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import TextClause

from clinic_app.storage.base import SyncedRow

_NEXT_SEARCH_ROWID: TextClause = text("SELECT coalesce(max(search_rowid), 0) + 1 FROM patients")


# Per INSERT execution, the next key to hand out. One flush may insert many patients in a single
# executemany (a sync pull, an import): each row's default runs before any row is written, so
# reading max() again would give every row the same key.
_ISSUED: weakref.WeakKeyDictionary[object, int] = weakref.WeakKeyDictionary()


def _next_search_rowid(context: object) -> int:
    # A stable integer key for the FTS index; a TEXT primary key's rowid is not stable.
    issued = _ISSUED.get(context)
    if issued is None:
        connection: Connection = context.connection  # type: ignore[attr-defined]
        issued = int(connection.execute(_NEXT_SEARCH_ROWID).scalar_one())
    _ISSUED[context] = issued + 1
    return issued


class PatientRow(SyncedRow):
    __tablename__ = "patients"

    search_rowid: Mapped[int] = mapped_column(Integer, unique=True, default=_next_search_rowid)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    other_names: Mapped[str | None] = mapped_column(String(200))
    # Folded copies (lower case, accents removed) for sorting and prefix lookups.
    family_fold: Mapped[str] = mapped_column(String(100))
    given_fold: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(16))
    birth_date: Mapped[date] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_digits: Mapped[str | None] = mapped_column(String(40))
    # Digits and their trailing parts ("5678", "612345678", "0612345678") so a number is found
    # however the clerk types it: local, national or international.
    phone_search: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(500))
    mrn: Mapped[str | None] = mapped_column(String(40), index=True)
    national_id: Mapped[str | None] = mapped_column(String(40), index=True)
    primary_doctor_id: Mapped[str | None] = mapped_column(String(36))
    allergies: Mapped[str | None] = mapped_column(Text)
    history_notes: Mapped[str | None] = mapped_column(Text)
    # Set on a duplicate chart merged into this survivor (see `merge`): tombstoned for good, its
    # records moved, never listed again and never restored.
    merged_into_id: Mapped[str | None] = mapped_column(String(36), index=True)

    __table_args__ = (
        Index("ix_patients_family_fold", "family_fold", "given_fold"),
        # Given name then family name: "given name starts with" lists in order, without a sort.
        Index("ix_patients_given_fold", "given_fold", "family_fold"),
        Index("ix_patients_name_birth", "family_fold", "given_fold", "birth_date"),
    )
