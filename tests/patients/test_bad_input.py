"""Bad input on every patient service call: empty, huge, wrong types, control characters,
unstorable text, impossible dates, bad paging. Each is a clear ValidationError naming the field,
and nothing is written (rows, outbox and audit counted before and after)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import ValidationError
from clinic_app.patients.demo import MAX_SEED, seed_patients
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.patient_inputs import patient_input
from tests.store_inspection import table_counts

Users = dict[Role, AuthenticatedUser]
MEGABYTE = "x" * 1_000_000


@pytest.fixture
def services(shared_services: Services) -> Services:
    """Every test here is refused and writes nothing (`unchanged` checks it): one store serves
    the whole module."""
    return shared_services


@pytest.fixture
def users(template_users: Users) -> Users:
    return template_users


@pytest.fixture(scope="module")
def existing(shared_services: Services, template_users: Users) -> str:
    doctor = template_users[Role.DOCTOR]
    return shared_services.patients.create(doctor, patient_input()).patient.id


@pytest.fixture
def unchanged(services: Services, existing: str) -> Iterator[None]:
    """Fails the test if anything at all was written while it ran."""
    before = table_counts(services.db)
    yield
    assert table_counts(services.db) == before


# (field, bad value, words expected in that field's message)
BAD_FIELDS: list[tuple[str, Any, str]] = [
    ("given_name", "", "Required"),
    ("given_name", "   \t ", "control"),
    ("given_name", "   ", "Required"),
    ("given_name", MEGABYTE, "At most 100"),
    ("given_name", "Ann\nMarie", "line breaks"),
    ("given_name", "Ann\x00", "control"),
    ("given_name", "Ann\x1b[31m", "control"),
    ("given_name", "Ann\ud800", "can't be stored"),
    ("given_name", None, "text"),
    ("given_name", 42, "text"),
    ("family_name", "", "Required"),
    ("family_name", ["Durand"], "text"),
    ("other_names", "y" * 201, "At most 200"),
    ("sex", "", "Choose"),
    ("sex", "f", "Choose"),
    ("sex", None, "text"),
    ("birth_date", "", "Required"),
    ("birth_date", "2023-02-30", "real date"),
    ("birth_date", "2023-13-01", "real date"),
    ("birth_date", "30/02/2023", "real date"),
    ("birth_date", "yesterday", "real date"),
    ("birth_date", "1700-01-01", "before 1880"),
    ("birth_date", "1879-12-31", "before 1880"),
    ("birth_date", date(1700, 1, 1), "before 1880"),
    ("birth_date", (date.today() + timedelta(days=1)).isoformat(), "future"),
    ("birth_date", date.today() + timedelta(days=365), "future"),
    ("birth_date", datetime(1980, 1, 1, tzinfo=UTC), "date"),
    ("birth_date", 19800101, "date"),
    ("birth_date", None, "date"),
    ("phone", "call me", "Digits"),
    ("phone", "---", "Digits"),
    ("phone", "1" * 41, "At most 40"),
    ("phone", "+33 6 12\x0734", "control"),
    ("email", "not-an-email", "valid e-mail"),
    ("email", "a@b", "valid e-mail"),
    ("email", "a@@b.org", "valid e-mail"),
    ("address", MEGABYTE, "At most 500"),
    ("mrn", "'; DROP TABLE patients; --", "only"),
    ("mrn", "-leading-dash", "only"),
    ("mrn", "M" * 41, "At most 40"),
    ("national_id", "12*34", "only"),
    ("national_id", 12345, "text"),
    ("primary_doctor_id", "x" * 37, "active doctor"),
    ("primary_doctor_id", None, "text"),
    ("allergies", MEGABYTE, "At most 20000"),
    ("allergies", "nuts\x00", "control"),
    ("allergies", "nuts\udfff", "can't be stored"),
    ("allergies", 7, "text"),
    ("history_notes", b"bytes", "text"),
]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    BAD_FIELDS,
    ids=[f"{field}-{index}" for index, (field, _, _) in enumerate(BAD_FIELDS)],
)
def test_a_bad_field_is_named_and_nothing_is_written(
    services: Services,
    users: Users,
    existing: str,
    unchanged: None,
    field: str,
    value: Any,
    message: str,
) -> None:
    doctor = users[Role.DOCTOR]
    data = patient_input(**{field: value})
    for call in (
        lambda: services.patients.create(doctor, data),
        lambda: services.patients.update(doctor, existing, data, 1),
        lambda: services.patients.possible_duplicates(doctor, data),
    ):
        with pytest.raises(ValidationError) as caught:
            call()
        assert field in caught.value.field_errors, caught.value.field_errors
        assert message in caught.value.field_errors[field]
        assert field in str(caught.value)


def test_every_bad_field_is_reported_at_once(services: Services, users: Users) -> None:
    with pytest.raises(ValidationError) as caught:
        services.patients.create(
            users[Role.DOCTOR],
            patient_input(given_name="", sex="?", birth_date="1999-02-29", email="@"),
        )
    assert set(caught.value.field_errors) == {"given_name", "sex", "birth_date", "email"}


def test_a_leap_day_and_the_earliest_birth_date_are_accepted(
    services: Services, users: Users
) -> None:
    doctor = users[Role.DOCTOR]
    leap = services.patients.create(doctor, patient_input(birth_date="2000-02-29", mrn=""))
    oldest = services.patients.create(
        doctor, patient_input(birth_date="1880-01-01", mrn="", national_id="")
    )
    assert leap.patient.summary.birth_date == date(2000, 2, 29)
    assert oldest.patient.summary.birth_date == date(1880, 1, 1)


BAD_PAGES: list[dict[str, Any]] = [
    {"limit": 0},
    {"limit": -1},
    {"limit": 501},
    {"limit": 10**20},
    {"limit": "10"},
    {"limit": None},
    {"limit": 2.5},
    {"limit": True},
    {"offset": -1},
    {"offset": 10**20},
    {"offset": "0"},
    {"offset": None},
    {"include_deleted": "yes"},
    {"include_deleted": None},
]


@pytest.mark.parametrize("options", BAD_PAGES, ids=[str(o) for o in BAD_PAGES])
def test_bad_paging_is_refused(
    services: Services, users: Users, unchanged: None, options: dict[str, Any]
) -> None:
    doctor = users[Role.DOCTOR]
    with pytest.raises(ValidationError) as caught:
        services.patients.search(doctor, "durand", **options)
    assert set(caught.value.field_errors) <= {"limit", "offset"}
    with pytest.raises(ValidationError):
        services.patients.list(doctor, **options)


@pytest.mark.parametrize("sort", ["shoe size", "", None, 3])
def test_an_unknown_sort_is_refused(
    services: Services, users: Users, unchanged: None, sort: Any
) -> None:
    with pytest.raises(ValidationError, match="Sort by"):
        services.patients.list(users[Role.DOCTOR], sort=sort)


@pytest.mark.parametrize("query", [None, 42, b"durand", ["durand"], "dur\ud800"])
def test_a_search_that_is_not_text_is_refused(
    services: Services, users: Users, unchanged: None, query: Any
) -> None:
    with pytest.raises(ValidationError, match="text"):
        services.patients.search(users[Role.DOCTOR], query)


def test_an_empty_search_finds_nothing_and_is_still_audited(
    services: Services, users: Users, existing: str
) -> None:
    before = table_counts(services.db)
    for query in ("", "   ", "\t\n", "!!!", "-- ;"):
        assert services.patients.search(users[Role.DOCTOR], query).items == []
    after = table_counts(services.db)
    assert after == {**before, "audit_events": before["audit_events"] + 5}


BadCall = Callable[[Services, AuthenticatedUser, str], object]


@pytest.mark.parametrize(
    "call",
    [
        lambda s, u, _pid: s.patients.get(u, None),
        lambda s, u, _pid: s.patients.get(u, 42),
        lambda s, u, _pid: s.patients.delete(u, ["id"]),
        lambda s, u, _pid: s.patients.restore(u, b"id"),
        lambda s, u, pid: s.patients.update(u, pid, patient_input(), "1"),
        lambda s, u, pid: s.patients.update(u, pid, patient_input(), None),
        lambda s, u, pid: s.patients.update(u, pid, patient_input(), 1.0),
        lambda s, u, pid: s.patients.update(u, pid, {"given_name": "Ann"}, 1),
        lambda s, u, _pid: s.patients.create(u, None),
        lambda s, u, _pid: s.patients.possible_duplicates(u, patient_input(), exclude_id=5),
    ],
    ids=[
        "get-none",
        "get-number",
        "delete-list",
        "restore-bytes",
        "version-text",
        "version-none",
        "version-float",
        "update-dict",
        "create-none",
        "exclude-number",
    ],
)
def test_wrong_argument_types_are_refused(
    services: Services, users: Users, existing: str, unchanged: None, call: BadCall
) -> None:
    with pytest.raises(ValidationError):
        call(services, users[Role.DOCTOR], existing)


@pytest.mark.parametrize("patient_id", ["", " ", "x" * 1_000_000, "\ud800", "' OR 1=1 --"])
def test_odd_ids_are_simply_not_found(
    services: Services, users: Users, unchanged: None, patient_id: str
) -> None:
    from clinic_app.errors import NotFoundError

    with pytest.raises(NotFoundError):
        services.patients.get(users[Role.DOCTOR], patient_id)
    with pytest.raises(NotFoundError):
        services.patients.delete(users[Role.DOCTOR], patient_id)


@pytest.mark.parametrize("count", [0, -5, MAX_SEED + 1, "10", None, 2.0])
def test_demo_seeding_refuses_bad_counts(
    services: Services, users: Users, unchanged: None, count: Any
) -> None:
    with pytest.raises(ValidationError, match="between 1 and"):
        seed_patients(
            services.db, services.audit_log, services.authorizer, users[Role.ADMIN], count
        )
