"""Code-set rows. Code sets are reference data (not synced rows): a set is imported whole,
never edited, and stays in the store so visits keep the version their codes came from.

`codes.id` is assigned by the importer in one contiguous block per set, ordered from general to
specific (chapters, blocks, categories, … seventh-character codes): the FTS index (`code_fts`,
see migration 0002) uses the same rowids, and broad searches rank within the first matches of
that order (see `clinic_app.codes.search`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.storage.base import Base
from clinic_app.storage.types import UtcDateTime, new_id, utcnow


class CodeSetRow(Base):
    __tablename__ = "code_sets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    system: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(40))
    effective_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    imported_by: Mapped[str | None] = mapped_column(String(36))
    code_count: Mapped[int] = mapped_column(Integer, default=0)
    billable_count: Mapped[int] = mapped_column(Integer, default=0)
    first_rowid: Mapped[int] = mapped_column(Integer, default=0)
    last_rowid: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("system", "version", name="uq_code_sets_system_version"),)


class CodeRow(Base):
    __tablename__ = "codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    set_id: Mapped[str] = mapped_column(ForeignKey("code_sets.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))  # as printed: "E11.9", "S72.001A", "J1100"
    code_key: Mapped[str] = mapped_column(String(40))  # upper case, no dot: "E119"
    description: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    billable: Mapped[bool] = mapped_column(Boolean)
    parent_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_codes_set_key", "set_id", "code_key"),
        Index("ix_codes_set_billable_key", "set_id", "billable", "code_key"),
        Index("ix_codes_parent", "parent_id"),
    )


class CodeNoteRow(Base):
    __tablename__ = "code_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
