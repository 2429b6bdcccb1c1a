"""A triage result saved on a visit, with the version of the rules that produced it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.storage.base import SyncedRow
from clinic_app.storage.types import UtcDateTime


class TriageAssessmentRow(SyncedRow):
    __tablename__ = "triage_assessments"

    visit_id: Mapped[str] = mapped_column(String(36), index=True)
    patient_id: Mapped[str] = mapped_column(String(36))
    performed_by_id: Mapped[str] = mapped_column(String(36))
    performed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    urgency: Mapped[str] = mapped_column(String(16))
    rules_version: Mapped[str] = mapped_column(String(40))
    # Red flags with their trigger words, recommendations and suggested codes (JSON).
    result_json: Mapped[str] = mapped_column(Text)
    # The optional online opinion shown beside it (model name, answer), labelled as such.
    online_json: Mapped[str | None] = mapped_column(Text)
