"""What every part of `PatientService` works with: the store, the audit log, the permission
check and the clocks (so registration, deletion and lookup can each live in its own module)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from clinic_app.security.authorization import Authorizer
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow


class PatientServiceBase:
    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        authorizer: Authorizer,
        today: Callable[[], date] = date.today,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._audit = audit
        self._authz = authorizer
        self._today = today
        self._clock = clock


def is_whole_number(value: object) -> bool:
    # bool is an int to Python, never to a caller who means a count or a version.
    return isinstance(value, int) and not isinstance(value, bool)
