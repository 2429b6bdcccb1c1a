"""Search after patients are added or edited: paging over new records, an edited name found
under its new form only. Each test has its own store (the search tests share one)."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.patient_inputs import patient_input
from tests.patients.search_clinic import make_clinic, who_is_found

Users = dict[Role, AuthenticatedUser]


def test_search_pages_through_results(services: Services, users: Users) -> None:
    doctor = users[Role.DOCTOR]
    ids = {
        services.patients.create(
            doctor, patient_input(given_name=f"Sam{index}", mrn=f"P-{index}", national_id="")
        ).patient.id
        for index in range(7)
    }
    first = services.patients.search(doctor, "durand", limit=4)
    second = services.patients.search(doctor, "durand", limit=4, offset=4)
    assert len(first.items) == 4
    assert len(second.items) == 3
    assert {p.id for p in first.items} | {p.id for p in second.items} == ids
    assert services.patients.search(doctor, "durand", offset=7).items == []


def test_an_edit_is_found_under_its_new_name_only(services: Services, users: Users) -> None:
    clinic = make_clinic(services, users)
    doctor = users[Role.DOCTOR]
    services.patients.update(doctor, clinic["soren"], patient_input(given_name="Sigurd"), 1)
    assert who_is_found(services, users, "sigurd") == {clinic["soren"]}
    assert clinic["soren"] not in who_is_found(services, users, "soren")
