"""Imaging over sync: studies and series as ImagingStudy, images as Media with their files as
Binary, AI results as DiagnosticReport with the model's provenance, and reviews as Provenance.
Every resource is valid FHIR R4 and comes back unchanged; two workstations end up with the
same images (byte for byte), the same results and the same latest decision, and the server's
DiagnosticReport status follows the decisions."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import cv2
import pytest
import requests
from clinic_app.bootstrap import Services
from clinic_app.imaging.model_registry import KEYS_DIR
from clinic_app.imaging.summaries import OTHER_WORKSTATION_USER
from clinic_app.security.permissions import Role
from clinic_app.security.signatures import generate_private_key, public_key_base64, sign_manifest
from clinic_app.security.users import AuthenticatedUser
from clinic_app.sync.errors import MappingError
from clinic_app.sync.mappings.registry import default_registry
from clinic_app.sync.models import RecordSyncState
from clinic_app.sync.rows import load_rows, same_content
from fhir.resources.R4B import get_fhir_model_class
from fhirclient import client as smart_client
from fhirclient.models.diagnosticreport import DiagnosticReport
from fhirclient.models.imagingstudy import ImagingStudy
from fhirclient.models.media import Media
from fhirclient.models.provenance import Provenance
from sqlalchemy import select

from tests.imaging.conftest import shipped
from tests.imaging.model_factory import write_pack
from tests.imaging.test_abcd import irregular_lesion
from tests.sync.clinic_data import patient
from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import Workstation, assert_converged

REGISTRY = default_registry()
IMAGING = (
    "imaging_studies",
    "imaging_series",
    "imaging_instances",
    "imaging_analyses",
    "imaging_analysis_reviews",
)


def _install_quadrant(services: Services, admin: AuthenticatedUser, root: Path) -> str:
    key = generate_private_key()
    keys = services.settings.data_dir / KEYS_DIR
    keys.mkdir(parents=True, exist_ok=True)
    (keys / "it.pub").write_text(public_key_base64(key.public_key()) + "\n")
    folder = write_pack(root / "quadrant-demo", name="quadrant-demo")
    sign_manifest(folder, key)
    services.model_admin.install(admin, folder)
    return "quadrant-demo"


def _seed_imaging(services: Services, users: dict[Role, AuthenticatedUser], root: Path) -> dict:
    """A DICOM CT image and a skin photo of one patient; a classification (with a heatmap)
    and an ABCD result; a review request, an acceptance and a rejection."""
    nurse, doctor = users[Role.NURSE], users[Role.DOCTOR]
    model = _install_quadrant(services, users[Role.ADMIN], root)
    root.mkdir(parents=True, exist_ok=True)
    photo = root / "lesion.png"
    cv2.imwrite(str(photo), irregular_lesion())
    person = services.patients.create(nurse, patient("Iris", "Imaging", "1970-05-06")).patient
    scan = services.imaging_import.scan(nurse, [shipped("CT_small.dcm"), photo])
    services.imaging_import.import_files(nurse, scan, person.id, px_per_mm=20.0)
    instances: dict[str, str] = {}
    for study in services.imaging.studies(nurse, person.id):
        for series in services.imaging.series(nurse, study.id):
            for instance in services.imaging.instances(nurse, series.id):
                instances[instance.kind] = instance.id
    ct = services.analyses.analyze_instance(nurse, instances["dicom"], model, heatmap_grid=4)
    lesion = services.analyses.analyze_lesion(nurse, instances["photo"])
    services.analyses.request_review(nurse, ct.id, doctor.id, "please check")
    services.analyses.review(doctor, ct.id, accept=True, comment="agree")
    services.analyses.review(doctor, lesion.id, accept=False, comment="artefact")
    return {"patient": person.id, "ct": ct.id, "lesion": lesion.id, **instances}


def _rows(services: Services, table: str) -> list[dict]:
    mapping = REGISTRY.for_table(table)
    assert mapping is not None
    with services.db.unit_of_work(write=False) as uow:
        ids = list(uow.session.scalars(select(mapping.table.c.id)))
        rows = list(load_rows(uow.session, mapping, ids).values())
        mapping.enrich(uow.session, rows)
    return rows


def test_imaging_rows_become_valid_fhir_r4_and_come_back_unchanged(
    services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path
) -> None:
    seeded = _seed_imaging(services, users, tmp_path / "seed")
    types: dict[str, str] = {}
    reports: dict[str, dict] = {}
    for table in IMAGING:
        mapping = REGISTRY.for_table(table)
        assert mapping is not None
        rows = _rows(services, table)
        assert rows, table
        for row in rows:
            resource = json.loads(json.dumps(mapping.to_resource(row)))
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
            assert REGISTRY.for_resource(resource) is mapping
            assert same_content(mapping, row, mapping.from_resource(resource)), table
            types[table] = resource["resourceType"]
            if table == "imaging_analyses":
                reports[row["id"]] = resource
    assert types == {
        "imaging_studies": "ImagingStudy",
        "imaging_series": "ImagingStudy",
        "imaging_instances": "Media",
        "imaging_analyses": "DiagnosticReport",
        "imaging_analysis_reviews": "Provenance",
    }
    ct, lesion = reports[seeded["ct"]], reports[seeded["lesion"]]
    assert (ct["status"], lesion["status"]) == ("final", "cancelled")
    assert ct["conclusion"].startswith("AI decision support, not a diagnosis: ")
    assert "quadrant-demo 1.0.0 (demonstration)" in ct["conclusion"]
    assert ct["subject"] == {"reference": f"Patient/{seeded['patient']}"}
    assert ct["media"] == [{"link": {"reference": f"Media/{seeded['dicom']}"}}]
    assert ct["performer"][0]["identifier"]["value"] == users[Role.NURSE].id
    assert ct["resultsInterpreter"][0]["identifier"]["value"] == users[Role.DOCTOR].id
    extension = {e["url"].rsplit("/", 1)[1]: e for e in ct["extension"]}
    assert extension["model-name"]["valueString"] == "quadrant-demo"
    assert extension["model-version"]["valueString"] == "1.0.0"
    assert len(extension["model-sha256"]["valueString"]) == 64
    assert extension["model-status"]["valueCode"] == "demonstration"
    probabilities = {
        parts["label"]: parts["value"]
        for e in ct["extension"]
        if e["url"].endswith("/probability")
        for parts in [{p["url"]: p.get("valueCode", p.get("valueDecimal")) for p in e["extension"]}]
    }
    stored = services.analyses.get(users[Role.DOCTOR], seeded["ct"]).probabilities
    assert probabilities == pytest.approx(stored)
    assert len(probabilities) >= 2
    assert "ABCD rule" in lesion["conclusion"]
    assert "model-sha256" not in {e["url"].rsplit("/", 1)[1] for e in lesion["extension"]}


BROKEN_REPORTS = [
    ("no image", lambda r: r.pop("media")),
    ("image of another type", lambda r: r.__setitem__("media", [{"link": _ref("Patient/x")}])),
    ("no performer", lambda r: r.pop("performer")),
    ("performer not a clinic user", lambda r: r.__setitem__("performer", [{"display": "Bob"}])),
    ("result not JSON", lambda r: _set_extension(r, "result", "valueString", "{nope")),
    ("probability as text", lambda r: _set_extension(r, "top-probability", "valueDecimal", "0.9")),
    ("no time", lambda r: r.pop("effectiveDateTime")),
    ("huge model name", lambda r: _set_extension(r, "model-name", "valueString", "m" * 10_000)),
]


def _ref(target: str) -> dict[str, str]:
    return {"reference": target}


def _set_extension(resource: dict, name: str, kind: str, value: object) -> None:
    for item in resource["extension"]:
        if item["url"].endswith("/" + name):
            item[kind] = value


@pytest.mark.parametrize(("label", "damage"), BROKEN_REPORTS, ids=[b[0] for b in BROKEN_REPORTS])
def test_a_malformed_result_or_review_is_refused_with_a_reason(
    services: Services,
    users: dict[Role, AuthenticatedUser],
    tmp_path: Path,
    label: str,
    damage: object,
) -> None:
    _seed_imaging(services, users, tmp_path / "seed")
    mapping = REGISTRY.for_table("imaging_analyses")
    assert mapping is not None
    [row] = [r for r in _rows(services, "imaging_analyses") if r["task"] == "classification"]
    resource = copy.deepcopy(mapping.to_resource(row))
    damage(resource)  # type: ignore[operator]
    with pytest.raises(MappingError) as raised:
        mapping.from_resource(resource)
    assert str(raised.value)
    reviews = REGISTRY.for_table("imaging_analysis_reviews")
    assert reviews is not None
    review = reviews.to_resource(_rows(services, "imaging_analysis_reviews")[0])
    review["activity"] = {"coding": [{"code": "deleted-it"}]}
    with pytest.raises(MappingError, match="accepted, rejected or a request"):
        reviews.from_resource(review)
    review["activity"] = "accepted"
    with pytest.raises(MappingError):
        reviews.from_resource(review)


def _server_report(server: ServerProcess, analysis_id: str) -> dict:
    token = server.add_device(f"reader-{uuid.uuid4().hex[:12]}")
    answer = requests.get(
        f"{server.url}/DiagnosticReport/{analysis_id}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"},
        timeout=10,
    )
    answer.raise_for_status()
    resource = answer.json()
    get_fhir_model_class("DiagnosticReport").model_validate(resource)
    return resource


def _status(station: Workstation, analysis_id: str) -> str:
    return station.services.analyses.get(station.users[Role.DOCTOR], analysis_id).status


def test_images_and_results_sync_between_workstations_and_the_decision_follows(
    sync_server: ServerProcess, workstation: WorkstationFactory, tmp_path: Path
) -> None:
    a = workstation("ws-a", sync_server)
    b = workstation("ws-b", sync_server)
    seeded = _seed_imaging(a.services, a.users, tmp_path / "seed")
    report = a.sync_now()
    assert report.uploaded == 2  # the two image files, as Binary, before their Media
    assert a.outbox() == 0
    assert not a.held()
    doctor_b = b.users[Role.DOCTOR]
    report = b.sync_now()
    assert report.downloaded == 2
    assert not b.held()
    for kind in ("dicom", "photo"):
        assert b.sync.record_state(doctor_b, "imaging_instances", seeded[kind]) is (
            RecordSyncState.SYNCED
        )
        mine = a.services.imaging.load_image(a.users[Role.DOCTOR], seeded[kind])
        theirs = b.services.imaging.load_image(doctor_b, seeded[kind])
        assert (theirs.frame_count, theirs.is_colour) == (mine.frame_count, mine.is_colour)
        assert (theirs.render(0) == mine.render(0)).all()  # decoded from the same bytes
    ct_b = b.services.analyses.get(doctor_b, seeded["ct"])
    ct_a = a.services.analyses.get(a.users[Role.DOCTOR], seeded["ct"])
    assert ct_b.probabilities == ct_a.probabilities
    assert ct_b.model == ct_a.model
    assert ct_b.heatmap is not None
    assert [e.kind for e in ct_b.events] == ["review_requested", "accepted"]
    assert (_status(b, seeded["ct"]), _status(b, seeded["lesion"])) == ("accepted", "rejected")
    assert _server_report(sync_server, seeded["ct"])["status"] == "final"

    # B's doctor changes her mind on the CT result; A, meanwhile, accepts the lesion one.
    b.services.analyses.review(doctor_b, seeded["ct"], accept=False, comment="motion")
    a.services.analyses.review(a.users[Role.DOCTOR], seeded["lesion"], accept=True)
    b.sync_now()
    assert _server_report(sync_server, seeded["ct"])["status"] == "cancelled"
    a.sync_now()
    b.sync_now()
    for station in (a, b):
        assert (_status(station, seeded["ct"]), _status(station, seeded["lesion"])) == (
            "rejected",
            "accepted",
        ), station.name
    lesion = _server_report(sync_server, seeded["lesion"])
    assert lesion["status"] == "final"
    assert lesion["resultsInterpreter"][0]["identifier"]["value"] == a.users[Role.DOCTOR].id
    assert not a.open_conflicts()
    assert not b.open_conflicts()
    assert_converged(a, b)


def test_a_standard_fhir_client_reads_the_imaging_resources_back(
    sync_server: ServerProcess, workstation: WorkstationFactory, tmp_path: Path
) -> None:
    station = workstation("ws-a", sync_server)
    seeded = _seed_imaging(station.services, station.users, tmp_path / "seed")
    station.sync_now()
    token = sync_server.add_device("reader")
    smart = smart_client.FHIRClient(
        settings={"app_id": "sync-tests", "api_base": f"{sync_server.url}/"}
    )
    smart.server.session.headers["Authorization"] = f"Bearer {token}"
    models = {
        "ImagingStudy": ImagingStudy,
        "Media": Media,
        "DiagnosticReport": DiagnosticReport,
        "Provenance": Provenance,
    }
    read = 0
    for table in IMAGING:
        mapping = REGISTRY.for_table(table)
        assert mapping is not None
        for row in _rows(station.services, table):
            model = models[mapping.resource_type(row)].read(row["id"], smart.server)
            assert model.id == row["id"]
            assert model.meta.versionId == row["version_id"]
            read += 1
    assert read >= 9
    report = DiagnosticReport.read(seeded["ct"], smart.server)
    assert report.status == "final"
    assert report.media[0].link.reference == f"Media/{seeded['dicom']}"
    assert report.conclusion.startswith("AI decision support, not a diagnosis")
    image = Media.read(seeded["photo"], smart.server)
    assert image.content.url == f"Binary/{seeded['photo']}"


def _one(services: Services, table: str, **where: object) -> dict:
    rows = [r for r in _rows(services, table) if all(r[k] == v for k, v in where.items())]
    return rows[0]


BROKEN_IMAGING = [
    ("imaging_studies", "no study UID", lambda r: r.pop("identifier")),
    ("imaging_studies", "no subject", lambda r: r.pop("subject")),
    ("imaging_studies", "date not a date", lambda r: r.__setitem__("started", "yesterday")),
    ("imaging_studies", "importer not a user", lambda r: r.__setitem__("extension", [])),
    ("imaging_series", "two series", lambda r: r["series"].append(dict(r["series"][0]))),
    ("imaging_series", "no series", lambda r: r.pop("series")),
    ("imaging_series", "no study link", lambda r: r.__setitem__("extension", [])),
    ("imaging_series", "huge UID", lambda r: r["series"][0].__setitem__("uid", "1." * 5000)),
    ("imaging_instances", "no content", lambda r: r.pop("content")),
    ("imaging_instances", "zero size", lambda r: r["content"].__setitem__("size", 0)),
    ("imaging_instances", "negative height", lambda r: r.__setitem__("height", -3)),
    (
        "imaging_instances",
        "bad hash",
        lambda r: _set_extension(r, "sha256", "valueString", "z" * 64),
    ),
    ("imaging_instances", "no series", lambda r: r.pop("partOf")),
    (
        "imaging_instances",
        "spacing as text",
        lambda r: _set_extension(r, "px-per-mm", "valueDecimal", "20"),
    ),
]


@pytest.mark.parametrize(
    ("table", "label", "damage"), BROKEN_IMAGING, ids=[f"{b[0]}: {b[1]}" for b in BROKEN_IMAGING]
)
def test_malformed_imaging_resources_are_refused_with_a_reason(
    services: Services,
    users: dict[Role, AuthenticatedUser],
    tmp_path: Path,
    table: str,
    label: str,
    damage: object,
) -> None:
    _seed_imaging(services, users, tmp_path / "seed")
    mapping = REGISTRY.for_table(table)
    assert mapping is not None
    where = {"kind": "photo"} if table == "imaging_instances" else {}
    resource = copy.deepcopy(mapping.to_resource(_one(services, table, **where)))
    damage(resource)  # type: ignore[operator]
    with pytest.raises(MappingError) as raised:
        mapping.from_resource(resource)
    assert str(raised.value), label


def _accounts_only_on(
    station: Workstation, names: dict[Role, tuple[str, str]]
) -> dict[Role, AuthenticatedUser]:
    """Accounts made on one workstation: the others never hear of them (not synced)."""
    admin = station.users[Role.ADMIN]
    made = {Role.ADMIN: admin}
    for role, (username, display_name) in names.items():
        summary = station.services.accounts.add_user(
            admin, username, display_name, role, "local-only-2026"
        )
        made[role] = AuthenticatedUser(summary.id, summary.username, summary.display_name, role)
    return made


def _imaging_content(station: Workstation) -> dict:
    content = station.content()
    return {table: content[table] for table in IMAGING}


def test_imaging_syncs_between_workstations_with_different_accounts(
    sync_server: ServerProcess, workstation: WorkstationFactory, tmp_path: Path
) -> None:
    """Each workstation has its own staff accounts. Rows naming the other's people (importer,
    who ran a model, reviewer, assigned doctor) are stored, not held, and are shown as another
    workstation's user; the people who have an account here keep their names."""
    a = workstation("ws-north", sync_server)
    b = workstation("ws-south", sync_server)
    north = _accounts_only_on(
        a, {Role.NURSE: ("nurse.north", "Nora North"), Role.DOCTOR: ("dr.north", "Ned North")}
    )
    south = _accounts_only_on(b, {Role.DOCTOR: ("dr.south", "Sue South")})[Role.DOCTOR]
    seeded = _seed_imaging(a.services, north, tmp_path / "seed")
    a.sync_now()
    assert not a.held()

    report = b.sync_now()
    assert not b.held(), [(h.entity_type, h.message) for h in b.held()]
    assert report.downloaded == 2
    assert _imaging_content(b) == _imaging_content(a)
    assert all(_imaging_content(b).values())  # a study, series, images, results, reviews
    ct = b.services.analyses.get(south, seeded["ct"])
    assert ct.status == "accepted"
    assert ct.run_by == north[Role.NURSE].id
    assert ct.people == {}  # nobody it names has an account on B
    assert ct.person(ct.run_by) == OTHER_WORKSTATION_USER
    request, acceptance = ct.events
    assert (request.actor_id, request.assigned_to) == (
        north[Role.NURSE].id,
        north[Role.DOCTOR].id,
    )
    assert ct.person(acceptance.actor_id) == "another workstation's user"
    text = b.services.analyses.assessment_text(south, seeded["ct"])
    assert "accepted by a doctor on another workstation" in text
    image = b.services.imaging.load_image(south, seeded["photo"])
    mine = a.services.imaging.load_image(north[Role.DOCTOR], seeded["photo"])
    assert (image.render(0) == mine.render(0)).all()

    # B's own doctor rejects it; A stores her review and keeps its own people's names.
    b.services.analyses.review(south, seeded["ct"], accept=False, comment="motion")
    b.sync_now()
    a.sync_now()
    assert not a.held(), [(h.entity_type, h.message) for h in a.held()]
    ct_a = a.services.analyses.get(north[Role.DOCTOR], seeded["ct"])
    assert ct_a.status == "rejected"
    assert ct_a.events[-1].actor_id == south.id
    assert ct_a.person(south.id) == OTHER_WORKSTATION_USER
    assert ct_a.person(north[Role.NURSE].id) == "Nora North"
    assert ct_a.person(north[Role.DOCTOR].id) == "Ned North"
    assert _server_report(sync_server, seeded["ct"])["status"] == "cancelled"
    b.sync_now()
    assert not a.open_conflicts()
    assert not b.open_conflicts()
    assert_converged(a, b)
