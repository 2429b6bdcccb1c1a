"""Clinical writes are fsynced (synchronous=FULL); only the audit event of a read may skip it,
and the relaxed level never leaks to the next unit of work on the same pooled connection."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from sqlalchemy import text


def _level(services: Services, **options: bool) -> int:
    with services.db.unit_of_work(**options) as uow:
        return int(uow.session.execute(text("PRAGMA synchronous")).scalar_one())


FULL, NORMAL = 2, 1


def test_clinical_writes_are_fully_synchronous(services: Services) -> None:
    assert _level(services) == FULL


def test_an_audited_read_commits_without_fsync_and_resets_afterwards(services: Services) -> None:
    for _ in range(3):
        assert _level(services, durable=False) == NORMAL
        assert _level(services) == FULL
        assert _level(services, write=False) == FULL
