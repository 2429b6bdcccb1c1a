"""Code search over the full ICD-10-CM release in the encrypted store."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.codes.models import CodeSystem
from clinic_app.errors import NotFoundError, PermissionDeniedError, ValidationError
from clinic_app.security.permissions import Role
from clinic_app.storage.audit import AuditFilter, list_events

from tests.conftest import Template


@pytest.fixture
def doctor(store_template: Template):  # type: ignore[no-untyped-def]
    return store_template.users[Role.DOCTOR]


@pytest.mark.parametrize("query", ["E11.9", "e119", "e11.9", " E119 "])
def test_a_code_is_found_with_or_without_the_dot(
    shared_codes_services: Services, doctor, query: str
) -> None:
    hits = shared_codes_services.codes.search(doctor, query, limit=5)
    assert hits[0].code == "E11.9"
    assert hits[0].billable
    assert hits[0].set_version == "2026-04"


def test_a_code_prefix_lists_its_codes_billable_first(
    shared_codes_services: Services, doctor
) -> None:
    hits = shared_codes_services.codes.search(doctor, "e11", limit=30)
    assert hits[0].code == "E11"  # the exact code first
    assert all(h.code.startswith("E11") for h in hits)
    billable = [h.billable for h in hits[1:]]
    assert billable == sorted(billable, reverse=True)


def test_seventh_character_codes_are_searchable(shared_codes_services: Services, doctor) -> None:
    hits = shared_codes_services.codes.search(doctor, "s72001a", limit=3)
    assert hits[0].code == "S72.001A"
    assert "initial encounter for closed fracture" in hits[0].description


def test_words_and_word_prefixes_match_titles_and_other_names(
    shared_codes_services: Services, doctor
) -> None:
    codes = shared_codes_services.codes
    assert {h.code for h in codes.search(doctor, "type 2 diab mell hyperglyc")} >= {"E11.65"}
    assert codes.search(doctor, "high blood pressure")[0].code == "I10"  # an "includes" note
    assert "J45.909" in {h.code for h in codes.search(doctor, "asthma nos")}  # inclusion term
    exact = codes.search(doctor, "type 2 diabetes mellitus without complications")
    assert exact[0].code == "E11.9"


def test_accents_and_case_are_folded(shared_codes_services: Services, doctor) -> None:
    codes = shared_codes_services.codes
    plain = [h.code for h in codes.search(doctor, "meniere")]
    assert plain
    assert [h.code for h in codes.search(doctor, "MÉNIÈRE")] == plain
    assert [h.code for h in codes.search(doctor, "Diabète Type 2")] == [
        h.code for h in codes.search(doctor, "diabete type 2")
    ]


@pytest.mark.parametrize(
    "query", ['"', "*", "-", "NEAR", "AND", 'asthma" OR "', "asthma*", "-asthma", "NEAR(asthma)"]
)
def test_fts_syntax_in_the_query_is_plain_text(
    shared_codes_services: Services, doctor, query: str
) -> None:
    hits = shared_codes_services.codes.search(doctor, query)
    if query in {"asthma*", "-asthma"}:
        assert hits
        assert all("asthma" in h.description.lower() or h.code.startswith("J45") for h in hits[:3])


def test_operators_are_words_not_syntax(shared_codes_services: Services, doctor) -> None:
    codes = shared_codes_services.codes
    hits = codes.search(doctor, "asthma AND")  # "and…" must be a word of the title
    assert hits
    assert all(" and " in h.description.lower() for h in hits)
    assert codes.search(doctor, "nausea and vomiting")[0].code.startswith("R11")


@pytest.mark.parametrize("query", ["", "   ", "!!!", "\"'"])
def test_an_empty_query_finds_nothing(shared_codes_services: Services, doctor, query: str) -> None:
    assert shared_codes_services.codes.search(doctor, query) == []


def test_billable_only(shared_codes_services: Services, doctor) -> None:
    hits = shared_codes_services.codes.search(
        doctor, "fracture femur", billable_only=True, limit=50
    )
    assert hits
    assert all(h.billable for h in hits)
    assert all(
        h.billable for h in shared_codes_services.codes.search(doctor, "S72", billable_only=True)
    )


def test_a_broad_word_still_answers(shared_codes_services: Services, doctor) -> None:
    hits = shared_codes_services.codes.search(doctor, "fracture", limit=20)
    assert len(hits) == 20
    # "Fracture NOS" is an inclusion term of T14.8 (injury of unspecified body region), the
    # Alphabetic Index's code for a bare "fracture": first. Every other hit is a fracture.
    assert hits[0].code == "T14.8XXA"
    assert all("fractur" in h.description.lower() for h in hits if h.code[:5] != "T14.8")


def test_a_batch_answers_in_order(shared_codes_services: Services, doctor) -> None:
    results = shared_codes_services.codes.search_many(doctor, ["I10", "", "asthma"], limit=3)
    assert [r[0].code if r else None for r in results][:2] == ["I10", None]
    assert results[2]


def test_the_hierarchy_and_notes_of_a_code(shared_codes_services: Services, doctor) -> None:
    detail = shared_codes_services.codes.get(doctor, "S72.001A")
    assert detail.hierarchy == "19 › S70-S79 › S72 › S72.0 › S72.00 › S72.001 › S72.001A"
    assert detail.node.billable
    assert any(n.kind.value == "seventh_character" for n in detail.inherited_notes["S72"])
    with pytest.raises(NotFoundError):
        shared_codes_services.codes.get(doctor, "ZZZ.99")


def test_limits_are_checked(shared_codes_services: Services, doctor) -> None:
    with pytest.raises(ValidationError):
        shared_codes_services.codes.search(doctor, "asthma", limit=0)


def test_front_desk_may_not_search_and_no_set_means_a_clear_error(
    shared_codes_services: Services, store_template: Template
) -> None:
    with pytest.raises(PermissionDeniedError):
        shared_codes_services.codes.search(store_template.users[Role.FRONT_DESK], "asthma")
    with pytest.raises(NotFoundError, match="No HCPCS code set is active"):
        shared_codes_services.codes.search(
            store_template.users[Role.NURSE], "J1100", system=CodeSystem.HCPCS
        )


def test_searches_are_audited_without_the_query(shared_codes_services: Services, doctor) -> None:
    shared_codes_services.codes.search(doctor, "secret words here")
    with shared_codes_services.db.unit_of_work(write=False) as uow:
        events = list_events(uow.session, AuditFilter(action="codes.search"), limit=1)
    assert events[0].details["query_chars"] == len("secret words here")
    assert "secret" not in str(events[0].details)
