"""Search as you type: name prefixes with accents folded, identifiers, phone numbers however
they are typed, birth dates; query syntax in the text is just text; every search is audited."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.patients.search_clinic import make_clinic, who_is_found
from tests.store_inspection import audit_events, last_audit_seq, scalar

Users = dict[Role, AuthenticatedUser]


@pytest.fixture(scope="module")
def clinic(shared_services: Services, template_users: Users) -> dict[str, str]:
    return make_clinic(shared_services, template_users)


@pytest.fixture
def services(shared_services: Services) -> Services:
    """Searches only read (and audit): one store with `clinic` in it serves the module. Tests
    that add or edit patients live in test_search_changes.py, on a store of their own."""
    return shared_services


@pytest.fixture
def users(template_users: Users) -> Users:
    return template_users


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("e", {"elodie", "eloise"}),
        ("el", {"elodie", "eloise"}),
        ("elo", {"elodie", "eloise"}),
        ("elod", {"elodie"}),
        ("ÉLODIE", {"elodie"}),
        ("eloi", {"eloise"}),
        ("eloïse", {"eloise"}),
        ("durand", {"elodie"}),
        ("lefevre", {"elodie"}),
        ("dur elo", {"elodie"}),
        ("elodie durand", {"elodie"}),
        ("mart", {"eloise"}),
        ("jose", {"jose"}),
        ("nunez", {"jose"}),
        ("garcia", {"jose"}),
        ("NÚÑEZ", {"jose"}),
        ("søren", {"soren"}),
        ("SØR", {"soren"}),
        ("ødegård", {"soren"}),
        ("zzz", set()),
    ],
)
def test_names_are_found_by_prefix_with_accents_and_case_folded(
    services: Services, users: Users, clinic: dict[str, str], query: str, expected: set[str]
) -> None:
    assert who_is_found(services, users, query) == {clinic[name] for name in expected}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("MRN-0001", "elodie"),
        ("mrn-0001", "elodie"),
        ("A-77", "eloise"),
        ("B 1200", "jose"),
        ("QQ123456C", "eloise"),
        ("2840369123456", "elodie"),
    ],
)
def test_identifiers_are_found(
    services: Services, users: Users, clinic: dict[str, str], query: str, expected: str
) -> None:
    assert clinic[expected] in who_is_found(services, users, query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("+33 6 12 34 56 78", "elodie"),
        ("+33612345678", "elodie"),
        ("0612345678", "elodie"),
        ("06 12 34 56 78", "elodie"),
        ("06.12.34.56.78", "elodie"),
        ("612345678", "elodie"),
        ("020 7946 0018", "eloise"),
        ("02079460018", "eloise"),
        ("555-010-4477", "jose"),
        ("5550104477", "jose"),
        ("010 4477", "jose"),
    ],
)
def test_phone_numbers_are_found_however_they_are_typed(
    services: Services, users: Users, clinic: dict[str, str], query: str, expected: str
) -> None:
    matches = who_is_found(services, users, query)
    assert clinic[expected] in matches
    assert len(matches) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [("1984-03-09", "elodie"), ("2012-02-29", "soren"), ("1975", "jose")],
)
def test_birth_dates_are_found(
    services: Services, users: Users, clinic: dict[str, str], query: str, expected: str
) -> None:
    assert who_is_found(services, users, query) == {clinic[expected]}


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "elo*",
        "NEAR(",
        "NEAR(elodie durand)",
        "AND",
        "OR",
        "NOT",
        "elodie AND",
        "OR elodie",
        "-",
        "-elodie",
        "^elodie",
        "names:elodie",
        "{names}: x",
        "(",
        ")",
        "'; DROP TABLE patients; --",
        '" OR 1=1 --',
        "%",
        "_",
        "\\",
        "\x00",
        "\u202eeidole",  # right-to-left override
        "e\u0301lodie",  # combining accent
        "\u200b",  # zero-width space
        "🙂",
        "\ufeff",
        "ＥＬＯＤＩＥ",  # full-width letters
        " " * 50,
        "x" * 1_000_000,
    ],
)
def test_query_syntax_and_odd_text_are_just_text(
    services: Services, users: Users, clinic: dict[str, str], query: str
) -> None:
    before = scalar(services.db, "SELECT count(*) FROM patients")
    page = services.patients.search(users[Role.DOCTOR], query)
    assert page.total is None
    assert {item.id for item in page.items} <= set(clinic.values())
    assert scalar(services.db, "SELECT count(*) FROM patients") == before
    with services.db.engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO patient_fts(patient_fts) VALUES('integrity-check')")


def test_words_inside_query_syntax_still_match(
    services: Services, users: Users, clinic: dict[str, str]
) -> None:
    assert who_is_found(services, users, '"elodie"') == {clinic["elodie"]}
    assert who_is_found(services, users, "elodie AND durand") == set()  # "and" is a word here
    assert who_is_found(services, users, "NEAR(elodie") == set()
    assert who_is_found(services, users, "ＥＬＯＤＩＥ") == {clinic["elodie"]}


def test_every_search_is_audited_without_the_query_text(
    services: Services, users: Users, clinic: dict[str, str]
) -> None:
    start = last_audit_seq(services.db)
    services.patients.search(users[Role.NURSE], "Élodie Durand")
    events = audit_events(services.db, after_seq=start)
    assert [(e.action, e.user_id) for e in events] == [("patient.search", users[Role.NURSE].id)]
    assert events[0].details == {"results": 1, "query_length": len("Élodie Durand")}
    stored = scalar(services.db, "SELECT details FROM audit_events WHERE seq = ?", events[0].seq)
    assert "lodie" not in stored
