"""Addenda: the only way to correct a signed visit or a stand-alone record.

An addendum points at what it corrects (the visit or record, and optionally one field of a
visit) and is shown in place beside it; the original text stays as it was signed. Addenda are
append-only (a trigger refuses edits).
"""

from __future__ import annotations

from clinic_app.errors import ValidationError
from clinic_app.records.context import RecordsContext, parse_target, record_row, visit_row
from clinic_app.records.models import Addendum, TargetType, VisitStatus
from clinic_app.records.signing import VISIT_TEXT_FIELDS
from clinic_app.records.snapshots import addendum_of
from clinic_app.records.tables import AddendumRow
from clinic_app.records.text_fields import require_text
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser

# What an addendum to a visit may point at, besides the visit as a whole (None).
VISIT_ADDENDUM_FIELDS = (*VISIT_TEXT_FIELDS, "vitals", "diagnoses", "procedures")
RECORD_ADDENDUM_FIELDS = ("title", "body")


class AddendumService:
    def __init__(self, ctx: RecordsContext) -> None:
        self._ctx = ctx

    def add_addendum(
        self,
        user: AuthenticatedUser,
        target_type: str | TargetType,
        target_id: str,
        text: str,
        *,
        field: str | None = None,
    ) -> Addendum:
        target = parse_target(target_type, (TargetType.VISIT, TargetType.RECORD))
        self._ctx.require(user, Action.VISIT_WRITE, "addendum", target_id)
        clean = require_text(text, "text")
        with self._ctx.db.unit_of_work() as uow:
            if target is TargetType.VISIT:
                visit = visit_row(uow.session, target_id)
                if visit.status != VisitStatus.SIGNED.value:
                    raise ValidationError(
                        "This visit is still open: edit it directly. Addenda correct signed visits."
                    )
                patient_id, allowed = visit.patient_id, VISIT_ADDENDUM_FIELDS
            else:
                record = record_row(uow.session, target_id)
                patient_id, allowed = record.patient_id, RECORD_ADDENDUM_FIELDS
            if field is not None and field not in allowed:
                raise ValidationError(
                    "Please correct: field.", {"field": f"Use one of: {', '.join(allowed)}."}
                )
            row = AddendumRow(
                target_type=target.value,
                target_id=target_id,
                patient_id=patient_id,
                field=field,
                text=clean,
                author_id=user.id,
            )
            uow.session.add(row)
            uow.flush()
            self._ctx.log(
                uow.session,
                user,
                "addendum.add",
                "addendum",
                row.id,
                {"target_type": target.value, "target_id": target_id},
            )
            uow.commit()
            return addendum_of(row)
