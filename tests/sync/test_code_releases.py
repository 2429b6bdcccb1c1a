"""Code set releases come down as CodeSystem: imported and activated only when their count and
checksum check out; a damaged release is held with the reason and changes nothing."""

from __future__ import annotations

import copy
from pathlib import Path

import requests
from clinic_app.codes.models import CodeSystem
from clinic_app.security.permissions import Role
from clinic_app.sync.code_releases import release_bundle
from fhir.resources.R4B import get_fhir_model_class

from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess

HCPCS = (
    "code,description,parent,synonyms,billable\n"
    "J,Drugs administered other than oral method,,,no\n"
    "J1100,Injection dexamethasone sodium phosphate 1 mg,J,dexamethasone|decadron,yes\n"
    "J0696,Injection ceftriaxone sodium per 250 mg,J,rocephin,yes\n"
)


def test_a_release_published_on_one_workstation_is_checked_imported_and_activated(
    sync_server: ServerProcess, workstation: WorkstationFactory, tmp_path: Path
) -> None:
    a = workstation("ws-a", sync_server)
    b = workstation("ws-b", sync_server)
    admin = a.users[Role.ADMIN]
    source = tmp_path / "hcpcs.csv"
    source.write_text(HCPCS, encoding="utf-8")
    a.services.codes.import_file(admin, source, CodeSystem.HCPCS, "2026-Q1")
    with a.db.unit_of_work(write=False) as uow:
        bundle, _release = release_bundle(uow.session, "HCPCS", "2026-Q1", active=True)
    resource = bundle["entry"][0]["resource"]
    get_fhir_model_class("CodeSystem").model_validate(resource)
    release_id = a.sync.publish_code_set(admin, "HCPCS", "2026-Q1")

    # A damaged copy under another version: its checksum no longer matches its codes.
    token = sync_server.add_device("publisher")
    damaged = copy.deepcopy(resource)
    damaged["id"] = "hcpcs-2026-q2"
    damaged["version"] = "2026-Q2"
    damaged["concept"][1]["display"] = "Injection of something else"
    answer = requests.put(
        f"{sync_server.url}/CodeSystem/hcpcs-2026-q2",
        json=damaged,
        timeout=10,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"},
    )
    assert answer.status_code in (200, 201), answer.text

    report = b.sync_now()
    assert report.code_sets == 1
    active = b.services.codes.active_set(b.users[Role.ADMIN], CodeSystem.HCPCS)
    assert active is not None
    assert (active.version, active.code_count) == ("2026-Q1", 3)
    hits = b.services.codes.search(b.users[Role.DOCTOR], "decadron", system=CodeSystem.HCPCS)
    assert [hit.code for hit in hits][:1] == ["J1100"]
    [held] = b.held()
    assert held.resource_type == "CodeSystem"
    assert "checksum" in held.message
    versions = {s.version for s in b.services.codes.list_sets(b.users[Role.ADMIN])}
    assert "2026-Q2" not in versions
    assert release_id == "hcpcs-2026-q1"
    again = b.sync_now()
    assert again.code_sets == 0  # the same release is not imported twice
