"""Copying an accepted AI result into a visit's assessment, through the records service.

The imaging side says what may be copied (only a result a doctor accepted, labelled as
decision support with its model, version, status, confidence and who accepted it); the records
side does the write, with its own role check (assessing a visit), its refusal of signed visits,
its optimistic version check and its audit event. The copy itself is audited on the result.
"""

from __future__ import annotations

from clinic_app.errors import ValidationError
from clinic_app.imaging.analysis_service import AnalysisService
from clinic_app.records.models import Visit, VisitInput, VisitStatus, VisitSummary
from clinic_app.records.visit_service import VisitService
from clinic_app.security.users import AuthenticatedUser

SEPARATOR = "\n\n"


def open_visits(
    visits: VisitService, user: AuthenticatedUser, patient_id: str
) -> list[VisitSummary]:
    """The patient's visits that can still take text (open, unsigned), newest first."""
    return [v for v in visits.list_visits(user, patient_id) if v.status is VisitStatus.OPEN]


def copy_to_visit(
    analyses: AnalysisService,
    visits: VisitService,
    user: AuthenticatedUser,
    analysis_id: str,
    visit_id: str,
) -> Visit:
    """Appends the accepted result's text to the visit's assessment; returns the visit as
    saved. Refused (ValidationError) for a result not accepted, a signed visit, another
    patient's visit, or a visit whose assessment already holds this text."""
    entry = analyses.assessment_entry(user, analysis_id)
    visit = visits.get_visit(user, visit_id)
    if visit.summary.patient_id != entry.patient_id:
        raise ValidationError("That visit belongs to another patient; the result was not copied.")
    if visit.status is not VisitStatus.OPEN:
        raise ValidationError(
            "That visit is signed and can't be changed; the result was not copied."
        )
    if not visit.clinical_visible:
        raise ValidationError("Your role can't read this visit's assessment.")
    current = (visit.assessment or "").rstrip()
    if entry.text in current:
        raise ValidationError("This result is already in that visit's assessment.")
    text = f"{current}{SEPARATOR}{entry.text}" if current else entry.text
    # The records service checks the right to assess, refuses a signed visit and a visit
    # changed since it was read (ConflictError), and audits the update.
    saved = visits.update_visit(user, visit.id, VisitInput(assessment=text), visit.version)
    analyses.record_copy(user, entry.analysis_id, saved.id)
    return saved
