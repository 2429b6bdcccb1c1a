"""The optional online analysis against a local HTTP server (see conftest): the answer is
shown beside the offline result and labelled; every failure still returns the offline result
with a clear note; nothing identifying is sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.patients.models import PatientDetail
from clinic_app.records.models import Visit
from clinic_app.security.users import AuthenticatedUser
from clinic_app.triage.models import TriageInput, Urgency
from clinic_app.triage.online import (
    CONFIG_FILE,
    OnlineAnalysisConfig,
    OnlineAnalyst,
    store_api_key,
)
from clinic_app.triage.service import TriageService

from tests.triage.conftest import FakeVendor

CHEST = TriageInput(symptoms="chest pain at rest for 20 minutes", age_years=58, sex="male")


def _service(services: Services, vendor: FakeVendor, *, timeout: float = 5.0) -> TriageService:
    config = OnlineAnalysisConfig(
        enabled=True, url=vendor.url, model="local-llm-7b", timeout_seconds=timeout
    )
    return TriageService(
        services.records.context, services.triage.engine, online=OnlineAnalyst(config)
    )


def test_the_online_answer_is_shown_beside_the_offline_result_and_labelled(
    services: Services, doctor: AuthenticatedUser, fake_vendor: FakeVendor
) -> None:
    store_api_key(fake_vendor.url, "sk-test-123")
    result = _service(services, fake_vendor).assess(doctor, CHEST, online=True)
    assert result.urgency is Urgency.EMERGENCY
    assert [f.rule_id for f in result.red_flags] == ["chest_pain"]  # offline result intact
    assert result.online is not None
    assert result.online.model == "local-llm-7b"
    assert result.online.urgency is Urgency.EMERGENCY
    assert "Possible acute coronary syndrome." in result.online.text
    assert "decision support" in result.online.label
    assert result.notes == ()
    assert fake_vendor.headers[0]["Authorization"] == "Bearer sk-test-123"
    sent = fake_vendor.requests[0]
    assert sent["model"] == "local-llm-7b"
    assert "chest pain at rest" in sent["messages"][1]["content"]


@pytest.mark.parametrize(
    ("behaviour", "note"),
    [
        ("error500", "answered with an error (HTTP 500)"),
        ("slow", "did not answer in time"),
        ("malformed", "not in the expected format"),
        ("prose", "not in the expected format"),
        ("empty", "sent an empty answer"),
    ],
)
def test_a_failing_online_analysis_still_returns_the_offline_result(
    services: Services,
    doctor: AuthenticatedUser,
    fake_vendor: FakeVendor,
    behaviour: str,
    note: str,
) -> None:
    fake_vendor.behaviour = behaviour
    result = _service(services, fake_vendor, timeout=0.3).assess(doctor, CHEST, online=True)
    assert result.online is None
    assert result.urgency is Urgency.EMERGENCY
    assert [f.rule_id for f in result.red_flags] == ["chest_pain"]
    assert len(result.notes) == 1
    assert note in result.notes[0]
    assert "offline result is shown" in result.notes[0]


def test_an_unreachable_server_is_a_note_too(
    services: Services, doctor: AuthenticatedUser, fake_vendor: FakeVendor
) -> None:
    config = OnlineAnalysisConfig(
        enabled=True, url="http://127.0.0.1:9/v1", model="m", timeout_seconds=1
    )
    service = TriageService(
        services.records.context, services.triage.engine, online=OnlineAnalyst(config)
    )
    result = service.assess(doctor, CHEST, online=True)
    assert result.online is None
    assert "could not be reached" in result.notes[0]


def test_online_analysis_is_off_unless_configured(
    services: Services, doctor: AuthenticatedUser, tmp_path: Path
) -> None:
    assert OnlineAnalysisConfig.load(tmp_path) == OnlineAnalysisConfig()
    assert not OnlineAnalyst(OnlineAnalysisConfig.load(tmp_path)).available
    (tmp_path / CONFIG_FILE).write_text("{not json", encoding="utf-8")
    assert OnlineAnalysisConfig.load(tmp_path).enabled is False
    assert services.triage.online is None  # the test store configured nothing
    result = services.triage.assess(doctor, CHEST, online=True)
    assert result.online is None
    assert any("not configured" in note for note in result.notes)


def test_a_saved_configuration_round_trips(tmp_path: Path, fake_vendor: FakeVendor) -> None:
    config = OnlineAnalysisConfig(enabled=True, url=fake_vendor.url, model="m", timeout_seconds=7)
    config.save(tmp_path)
    assert OnlineAnalysisConfig.load(tmp_path) == config
    assert config.endpoint == fake_vendor.url + "/chat/completions"


def test_a_visits_online_analysis_sends_no_names_or_identifiers(
    services: Services,
    doctor: AuthenticatedUser,
    patient: PatientDetail,
    open_visit: Visit,
    fake_vendor: FakeVendor,
) -> None:
    from clinic_app.records.models import VisitInput

    visit = services.records.visits.update_visit(
        doctor,
        open_visit.id,
        VisitInput(symptoms="Élodie reports crushing chest pain; call 0612345678"),
        open_visit.version,
    )
    saved = _service(services, fake_vendor).assess_visit(doctor, visit.id, online=True)
    assert saved.result.online is not None
    content = fake_vendor.requests[0]["messages"][1]["content"]
    for secret in ("Élodie", "Durand", "0612345678", patient.id, visit.id, "MRN-0001"):
        assert secret not in content
    assert "crushing chest pain" in content
    stored = services.triage.saved_for_visit(doctor, visit.id)[0]
    assert stored.result.online == saved.result.online
