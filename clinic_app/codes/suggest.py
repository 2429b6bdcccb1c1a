"""Placeholder until the suggester lands."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic_app.codes.models import CodeSuggestion
from clinic_app.codes.tables import CodeSetRow


def suggest_codes(
    session: Session, code_set: CodeSetRow, text: str, *, limit: int
) -> list[CodeSuggestion]:
    return []
