"""Standard FHIR client libraries work against the server: fhirclient (SMART on FHIR's R4
models) and fhirpy write, read and page history as they would with any FHIR R4 server."""

from __future__ import annotations

from fhirclient import client as smart_client
from fhirclient.models.bundle import Bundle
from fhirclient.models.humanname import HumanName
from fhirclient.models.patient import Patient
from fhirpy import SyncFHIRClient

from tests.server.conftest import LiveServer
from tests.server.fhir_session import FhirSession, new_id, patient


def _smart(live_server: LiveServer) -> smart_client.FHIRClient:
    smart = smart_client.FHIRClient(
        settings={"app_id": "clinic-server-tests", "api_base": f"{live_server.url}/"}
    )
    smart.server.session.headers["Authorization"] = f"Bearer {live_server.token}"
    return smart


def test_fhirclient_reads_what_we_stored_and_writes_what_we_read(
    live_server: LiveServer, fhir: FhirSession
) -> None:
    smart = _smart(live_server)
    assert smart.server.capabilityStatement.fhirVersion == "4.0.1"
    pid = new_id()
    fhir.put(f"Patient/{pid}", patient(pid, "Fromrest", birthDate="1980-02-03"))
    read = Patient.read(pid, smart.server)
    assert read.name[0].family == "Fromrest"
    assert read.birthDate.isostring == "1980-02-03"
    assert read.meta.versionId == "1"
    other = Patient({"id": new_id()})
    other.name = [HumanName({"family": "Fromsmart"})]
    other.update(smart.server)  # PUT with a client-assigned id
    assert fhir.get(f"Patient/{other.id}").json()["name"][0]["family"] == "Fromsmart"
    history = Bundle.read_from(f"Patient/{pid}/_history", smart.server)
    assert history.type == "history"
    assert history.entry[0].resource.id == pid


def test_fhirpy_reads_and_updates_with_versions(live_server: LiveServer, fhir: FhirSession) -> None:
    client = SyncFHIRClient(live_server.url, authorization=f"Bearer {live_server.token}")
    pid = new_id()
    fhir.put(f"Patient/{pid}", patient(pid, "Forfhirpy"))
    resource = client.reference("Patient", pid).to_resource()
    assert resource["name"][0]["family"] == "Forfhirpy"
    assert resource["meta"]["versionId"] == "1"
    resource["name"][0]["family"] = "Changedbyfhirpy"
    resource.save()
    assert fhir.get(f"Patient/{pid}").headers["ETag"] == 'W/"2"'
    created = client.resource("Practitioner", id=new_id(), active=True)
    created.save()
    assert fhir.get(f"Practitioner/{created.id}").status_code == 200
