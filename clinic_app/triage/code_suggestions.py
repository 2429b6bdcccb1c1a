"""Suggested codes for triage from the codes feature (ICD-10-CM suggestion over free text).

Only findings in the patient's current context are kept: codes the suggester reads as
personal history, family history or uncertain are left out of a triage result.
"""

from __future__ import annotations

from collections.abc import Sequence

from clinic_app.codes.service import CodeService
from clinic_app.security.users import AuthenticatedUser
from clinic_app.triage.models import SuggestedCode

SOURCE = "codes service"


class CodesServiceSuggester:
    """Implements triage's `CodeSuggester` on `CodeService.suggest` (permission-checked and
    audited by the codes service itself)."""

    def __init__(self, codes: CodeService) -> None:
        self._codes = codes

    def suggest_codes(
        self, user: AuthenticatedUser, text: str, limit: int
    ) -> Sequence[SuggestedCode]:
        return [
            SuggestedCode(
                code=hit.code,
                description=hit.description,
                system=hit.system.value,
                source=SOURCE,
                matched=tuple(e.text for e in hit.evidence),
            )
            for hit in self._codes.suggest(user, text, limit=limit)
            if hit.context == "current"
        ]
