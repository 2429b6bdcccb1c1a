"""Finding patients: one patient's record, a search by what a clerk types, and the sorted list,
a page at a time. Every read is checked against the permission table and audited (with counts,
never the query text)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import func, select

from clinic_app.errors import ValidationError
from clinic_app.patients.models import PatientDetail, PatientPage
from clinic_app.patients.patient_rows import (
    RECORD_TYPE,
    detail_of,
    patient_row,
    summaries_in_order,
    summary_of,
)
from clinic_app.patients.search import parse_query, search_ids
from clinic_app.patients.service_base import PatientServiceBase, is_whole_number
from clinic_app.patients.tables import PatientRow
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.types import is_storable_text

MAX_PAGE = 500
MAX_OFFSET = 1_000_000_000


class PatientSort(StrEnum):
    NAME = "name"
    BIRTH_DATE = "birth_date"
    UPDATED = "updated"


_SORT_COLUMNS = {
    PatientSort.NAME: (PatientRow.family_fold, PatientRow.given_fold),
    PatientSort.BIRTH_DATE: (PatientRow.birth_date, PatientRow.family_fold),
    PatientSort.UPDATED: (PatientRow.updated_at, PatientRow.family_fold),
}


def _check_page(limit: int, offset: int, include_deleted: bool) -> None:
    if not is_whole_number(limit) or not 1 <= limit <= MAX_PAGE:
        raise ValidationError(
            f"The limit must be a whole number between 1 and {MAX_PAGE}.",
            {"limit": f"1 to {MAX_PAGE}."},
        )
    # Bounded so it fits SQLite's integers (a larger one fails inside the query).
    if not is_whole_number(offset) or not 0 <= offset <= MAX_OFFSET:
        raise ValidationError(
            f"The offset must be a whole number between 0 and {MAX_OFFSET:,}.",
            {"offset": f"0 to {MAX_OFFSET:,}."},
        )
    if not isinstance(include_deleted, bool):
        raise ValidationError("Say whether deleted patients are included (true or false).")


def _sort_of(sort: object) -> PatientSort:
    try:
        return PatientSort(sort)
    except ValueError as exc:
        choices = ", ".join(choice.value for choice in PatientSort)
        raise ValidationError(f"Sort by one of: {choices}.", {"sort": choices}) from exc


class PatientLookup(PatientServiceBase):
    def get(self, user: AuthenticatedUser, patient_id: str) -> PatientDetail:
        self._authz.require(
            user, Action.PATIENT_READ, record_type=RECORD_TYPE, record_id=patient_id
        )
        clinical = user.can(Action.PATIENT_READ_CLINICAL)
        with self._db.unit_of_work(durable=False) as uow:
            row = patient_row(uow.session, patient_id)
            self._audit.append(
                uow.session,
                user.actor,
                "patient.view",
                record_type=RECORD_TYPE,
                record_id=row.id,
                details={"clinical": clinical},
            )
            uow.commit()
            return detail_of(row, clinical)

    def search(
        self,
        user: AuthenticatedUser,
        query: str,
        *,
        limit: int = 50,
        offset: int = 0,
        include_deleted: bool = False,
    ) -> PatientPage:
        self._authz.require(user, Action.PATIENT_READ, record_type=RECORD_TYPE)
        _check_page(limit, offset, include_deleted)
        if not is_storable_text(query):
            raise ValidationError("Type the search as text.", {"query": "Must be text."})
        parsed = parse_query(query)
        with self._db.unit_of_work(durable=False) as uow:
            ids = search_ids(
                uow.session, parsed, limit=limit, offset=offset, include_deleted=include_deleted
            )
            items = summaries_in_order(uow.session, ids)
            # The query text may hold a name: only its size and the result count are recorded.
            self._audit.append(
                uow.session,
                user.actor,
                "patient.search",
                record_type=RECORD_TYPE,
                details={"results": len(items), "query_length": len(query)},
            )
            uow.commit()
            return PatientPage(items=items, total=None)

    def list(
        self,
        user: AuthenticatedUser,
        *,
        sort: PatientSort = PatientSort.NAME,
        descending: bool = False,
        limit: int = 100,
        offset: int = 0,
        include_deleted: bool = False,
    ) -> PatientPage:
        self._authz.require(user, Action.PATIENT_READ, record_type=RECORD_TYPE)
        _check_page(limit, offset, include_deleted)
        columns = _SORT_COLUMNS[_sort_of(sort)]
        order = [column.desc() if descending else column for column in columns]
        statement = select(PatientRow)
        count = select(func.count()).select_from(PatientRow)
        if not include_deleted:
            statement = statement.where(PatientRow.deleted_at.is_(None))
            count = count.where(PatientRow.deleted_at.is_(None))
        else:  # a merged chart is gone for good: its records live on the survivor
            statement = statement.where(PatientRow.merged_into_id.is_(None))
            count = count.where(PatientRow.merged_into_id.is_(None))
        with self._db.unit_of_work(durable=False) as uow:
            rows = uow.session.scalars(
                statement.order_by(*order, PatientRow.id).limit(limit).offset(offset)
            ).all()
            total = uow.session.scalar(count) or 0
            self._audit.append(
                uow.session,
                user.actor,
                "patient.list",
                record_type=RECORD_TYPE,
                details={"results": len(rows), "offset": offset},
            )
            uow.commit()
            return PatientPage(items=[summary_of(row) for row in rows], total=total)
