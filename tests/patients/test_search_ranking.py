"""How patient search ranks and filters what a clerk types (clinic_app/patients/search.py)."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.patients import search
from clinic_app.patients.models import PatientInput, PatientSummary
from clinic_app.patients.search import parse_query, search_ids
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

Users = dict[Role, AuthenticatedUser]


def add(services: Services, users: Users, given_name: str, family_name: str, **extra: str) -> str:
    fields: dict[str, str] = {"sex": "female", "birth_date": "1980-01-01", **extra}
    data = PatientInput(given_name=given_name, family_name=family_name, **fields)
    return services.patients.create(users[Role.FRONT_DESK], data).patient.summary.id


def names(services: Services, users: Users, query: str, **options: object) -> list[str]:
    page = services.patients.search(users[Role.FRONT_DESK], query, **options)  # type: ignore[arg-type]
    return [label(item) for item in page.items]


def label(summary: PatientSummary) -> str:
    return f"{summary.given_name} {summary.family_name}"


def test_an_exact_family_name_ranks_before_longer_family_names(
    services: Services, users: Users
) -> None:
    add(services, users, "Yuki", "Kimura")
    add(services, users, "Min", "Kim")
    add(services, users, "Ana", "Kimball")

    assert names(services, users, "kim") == ["Min Kim", "Ana Kimball", "Yuki Kimura"]


def test_an_exact_given_name_ranks_before_family_names_that_start_with_it(
    services: Services, users: Users
) -> None:
    add(services, users, "Priya", "Saravanan")
    add(services, users, "Sara", "Zimmer")

    assert names(services, users, "Sara") == ["Sara Zimmer", "Priya Saravanan"]


def test_family_names_that_start_with_the_text_rank_before_given_names(
    services: Services, users: Users
) -> None:
    add(services, users, "Marta", "Abadi")
    add(services, users, "Omar", "Martin")
    add(services, users, "Marek", "Zukowski")

    assert names(services, users, "mar") == ["Omar Martin", "Marek Zukowski", "Marta Abadi"]


def test_a_full_name_is_found_either_way_round_and_with_a_comma(
    services: Services, users: Users
) -> None:
    add(services, users, "Marta", "García")
    add(services, users, "Marta", "Gomez")

    for query in ("Marta García", "garcia marta", "García, Marta"):
        assert names(services, users, query) == ["Marta García"]


def test_an_exact_full_name_ranks_before_names_that_only_start_with_it(
    services: Services, users: Users
) -> None:
    add(services, users, "Anabel", "Garcia")
    add(services, users, "Ana", "Garcias")
    add(services, users, "Ana", "Garcia")

    assert names(services, users, "ana garcia") == ["Ana Garcia", "Anabel Garcia", "Ana Garcias"]


def test_partly_typed_given_and_family_names_match_in_either_order(
    services: Services, users: Users
) -> None:
    add(services, users, "Marta", "Garcia")
    add(services, users, "Garcia", "Martins")
    add(services, users, "Mateo", "Garcia")

    assert names(services, users, "gar mar") == ["Marta Garcia", "Garcia Martins"]


def test_accents_and_case_are_folded_both_ways(services: Services, users: Users) -> None:
    add(services, users, "Søren", "Müller")
    add(services, users, "Zoe", "Dabrowski")

    assert names(services, users, "MULLER") == ["Søren Müller"]
    assert names(services, users, "mül") == ["Søren Müller"]
    assert names(services, users, "Zoë Dąbrowski") == ["Zoe Dabrowski"]


def test_words_inside_compound_and_other_names_are_found_after_name_matches(
    services: Services, users: Users
) -> None:
    add(services, users, "Rosa", "Lopez")
    add(services, users, "Inés", "García López")
    add(services, users, "Ana", "Silva", other_names="Lopes")

    assert names(services, users, "lope") == ["Rosa Lopez", "Inés García López", "Ana Silva"]


def test_identifiers_phone_numbers_and_birth_dates_are_found(
    services: Services, users: Users
) -> None:
    add(
        services,
        users,
        "Kofi",
        "Mensah",
        mrn="MRN-20-7781",
        national_id="AB123456",
        phone="+44 20 7946 0321",
        birth_date="1975-06-30",
    )
    add(services, users, "Hana", "Kato", birth_date="1975-07-01", phone="+81 3 1234 5678")

    for query in ("MRN-20-7781", "ab1234", "020 7946 0321", "79460321", "1975-06-30", "1975-06-3"):
        assert names(services, users, query) == ["Kofi Mensah"], query
    assert names(services, users, "1975") == ["Hana Kato", "Kofi Mensah"]


def test_search_syntax_in_what_is_typed_is_plain_text(services: Services, users: Users) -> None:
    add(services, users, "Near", "Andor")

    for query in ('"', "*", "NEAR(", 'andor"*', "near AND", "OR andor", "^near", "-andor", "a:b"):
        names(services, users, query)  # never a syntax error
    assert names(services, users, 'NEAR("andor"') == ["Near Andor"]
    assert names(services, users, "") == []
    assert names(services, users, "  -- ") == []


def test_deleted_patients_are_left_out_unless_asked_for(services: Services, users: Users) -> None:
    kept = add(services, users, "Leila", "Haddad")
    gone = add(services, users, "Leila", "Hadid", other_names="Haddadi")
    services.patients.delete(users[Role.DOCTOR], gone)

    for query in ("leila", "had", "l", "haddadi", "leila had"):
        found = services.patients.search(users[Role.DOCTOR], query).items
        assert gone not in [item.id for item in found], query
        everything = services.patients.search(users[Role.DOCTOR], query, include_deleted=True)
        assert gone in [item.id for item in everything.items], query
    assert [item.id for item in services.patients.search(users[Role.DOCTOR], "had").items] == [kept]


def test_a_patient_matching_several_ways_is_listed_once(services: Services, users: Users) -> None:
    add(services, users, "Kim", "Kim", other_names="Kim")

    assert names(services, users, "kim") == ["Kim Kim"]


def test_pages_follow_one_order_without_gaps_or_repeats(services: Services, users: Users) -> None:
    for index, (given_name, family_name) in enumerate(
        [("Marta", "Abadi"), ("Omar", "Martin"), ("Mar", "Costa"), ("Ana", "Mar"), ("Rosa", "Lee")]
    ):
        add(services, users, given_name, family_name, other_names="Maris" if index == 4 else "")
    whole = names(services, users, "mar", limit=50)

    paged = [
        name
        for offset in range(0, 6, 2)
        for name in names(services, users, "mar", limit=2, offset=offset)
    ]

    assert whole == ["Mar Costa", "Ana Mar", "Omar Martin", "Marta Abadi", "Rosa Lee"]
    assert paged == whole


def test_broad_full_text_matches_list_in_registration_order(
    services: Services, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(services, users, "Zara", "Young", birth_date="1990-05-05")
    add(services, users, "Abel", "Young", birth_date="1990-05-06")
    add(services, users, "Ines", "Adams", birth_date="1990-05-07")

    assert names(services, users, "1990") == ["Ines Adams", "Abel Young", "Zara Young"]
    monkeypatch.setattr(search, "BROAD_MATCHES", 2)
    assert names(services, users, "1990") == ["Zara Young", "Abel Young", "Ines Adams"]


def test_compound_names_and_punctuation_match_as_typed(services: Services, users: Users) -> None:
    add(services, users, "Juan", "de la Cruz")
    add(services, users, "Rosa", "Cruz")
    add(services, users, "Sean", "O'Brien")
    add(services, users, "Ana María", "Lopez")

    assert names(services, users, "De la Cruz") == ["Juan de la Cruz"]
    assert names(services, users, "de la") == ["Juan de la Cruz"]
    assert names(services, users, "cruz") == ["Rosa Cruz", "Juan de la Cruz"]
    assert names(services, users, "o'bri") == ["Sean O'Brien"]
    assert names(services, users, "O'Brien Sean") == ["Sean O'Brien"]
    assert names(services, users, "ana mar") == ["Ana María Lopez"]


def test_what_is_typed_is_folded_and_split_into_at_most_eight_words() -> None:
    words = parse_query("  Zoë   O'Brien-Dąbrowski a b c d e f g h")
    phone = parse_query("+44 20 7946 0321")
    date = parse_query("1975-06-3")

    assert words.text == "zoe o'brien-dabrowski a b c d e f g h"
    assert words.tokens == ("zoe", "o", "brien", "dabrowski", "a", "b", "c", "d")
    assert (phone.phone_digits, phone.tokens, phone.text) == ("442079460321", ("442079460321",), "")
    assert (date.birth_date, date.tokens, date.text) == (True, ("1975", "06", "3"), "")
    assert search.fts_match_expression(date) == 'birth : "1975 06 3"*'
    assert search.fts_match_expression(words).startswith('"zoe"* "o"* "brien"*')


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.text(max_size=60))
def test_any_text_searches_without_error(services: Services, raw: str) -> None:
    with services.db.unit_of_work(write=False) as uow:
        found = search_ids(uow.session, parse_query(raw), limit=10, offset=0, include_deleted=False)
    assert found == []
