"""Attachments on a visit: add through the file dialog (progress, limits, type mismatch),
preview a PNG, a PDF and a text file in the app, DICOM's placeholder, export a copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.storage.audit import AuditFilter
from clinic_app.ui.records.attachment_preview_dialog import AttachmentPreviewDialog
from clinic_app.ui.records.chart_page import ChartPage
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPdfWriter
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.records.chart_steps import TIMEOUT, open_visit
from tests.ui.records.clinical_data import make_patient


def png_file(folder: Path, name: str = "wound.png") -> Path:
    image = QImage(640, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("#f2d7c9"))
    painter = QPainter(image)
    painter.fillRect(220, 140, 200, 120, QColor("#b5543c"))
    painter.end()
    path = folder / name
    assert image.save(str(path), "PNG")
    return path


def pdf_file(folder: Path, name: str = "lab-report.pdf") -> Path:
    path = folder / name
    writer = QPdfWriter(str(path))
    painter = QPainter(writer)
    painter.drawText(400, 600, "HbA1c 7.4 % (57 mmol/mol)")
    writer.newPage()
    painter.drawText(400, 600, "Page two")
    painter.end()
    return path


def dicom_file() -> Path:
    from pydicom.data import get_testdata_files

    return Path(next(p for p in get_testdata_files() if p.endswith("CT_small.dcm")))


def attachments_page(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, role: Role = Role.DOCTOR
) -> ChartPage:
    doctor = sign_in(services, Role.DOCTOR)
    patient = make_patient(services, doctor)
    visit = services.records.visits.open_visit(doctor, patient.id)
    page = open_visit(qtbot, open_workspace, role, patient.id, visit.id)
    page.visit.view.show_tab("attachment")
    return page


def add(qtbot: QtBot, page: ChartPage, path: Path) -> None:
    controller = page.visit.targets.attachments
    controller.choose_open_path = lambda _parent: str(path)
    with qtbot.waitSignal(page.visit.editor.visit_shown, timeout=TIMEOUT):
        page.visit.targets.attachments_view.add_button.click()


def preview(qtbot: QtBot, page: ChartPage, row: int = 0) -> AttachmentPreviewDialog:
    view = page.visit.targets.attachments_view
    view.table.selectRow(row)
    with qtbot.waitSignal(page.visit.targets.attachments.preview_opened, timeout=TIMEOUT) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    dialog = opened.args[0]
    assert isinstance(dialog, AttachmentPreviewDialog)
    return dialog


def test_a_png_is_attached_and_previewed_with_zoom(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    page = attachments_page(qtbot, services, open_workspace)
    add(qtbot, page, png_file(tmp_path))
    view = page.visit.targets.attachments_view
    assert page.visit.targets.attachment_model.rowCount() == 1
    assert view.notice_text() == "wound.png was attached."
    assert page.visit.view.side_tabs.tabText(page.visit.view.side_tabs.currentIndex()) == (
        "Attachments (1)"
    )
    dialog = preview(qtbot, page)
    assert dialog.kind == "image"
    assert dialog.image_view.image_size == (640, 400)
    before = dialog.image_view.scale_factor
    qtbot.keyClick(dialog, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert dialog.image_view.scale_factor == pytest.approx(before * 1.25)
    qtbot.keyClick(dialog, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert dialog.image_view.scale_factor == pytest.approx(before)


def test_a_pdf_is_previewed_with_qtpdf_and_a_text_file_as_text(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    page = attachments_page(qtbot, services, open_workspace)
    add(qtbot, page, pdf_file(tmp_path))
    notes = tmp_path / "referral.txt"
    notes.write_text("Referral to cardiology.\nECG attached.\n", encoding="utf-8")
    add(qtbot, page, notes)
    model = page.visit.targets.attachment_model
    names = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert sorted(names) == ["lab-report.pdf", "referral.txt"]
    pdf = preview(qtbot, page, names.index("lab-report.pdf"))
    assert pdf.kind == "pdf"
    assert pdf.pdf_view.page_count == 2
    text = preview(qtbot, page, names.index("referral.txt"))
    assert text.kind == "text"
    assert text.text_view.toPlainText() == "Referral to cardiology.\nECG attached.\n"
    assert text.text_view.isReadOnly()


def test_a_dicom_file_says_it_opens_in_the_imaging_viewer(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    page = attachments_page(qtbot, services, open_workspace)
    add(qtbot, page, dicom_file())
    dialog = preview(qtbot, page)
    assert dialog.kind == "dicom"
    assert dialog.placeholder.title == "DICOM image"


def test_a_renamed_file_is_attached_with_a_warning_about_its_real_type(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    page = attachments_page(qtbot, services, open_workspace)
    add(qtbot, page, png_file(tmp_path, "scan.pdf"))
    notice = page.visit.targets.attachments_view.notice_text()
    assert notice == (
        "scan.pdf was attached, with a warning: The name says PDF, but the content is PNG image."
    )
    assert preview(qtbot, page).kind == "image", "shown as what it is, not what it is called"


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    page = attachments_page(qtbot, services, open_workspace)
    services.records.attachments.max_bytes = 2048
    big = tmp_path / "big.txt"
    big.write_text("x" * 5000, encoding="utf-8")
    page.visit.targets.attachments.choose_open_path = lambda _parent: str(big)
    page.visit.targets.attachments_view.add_button.click()
    assert page.visit.targets.attachments_view.notice_text() == (
        "big.txt is too large to attach (4.9 KB; the limit is 2.0 KB). Attach a smaller "
        "file, or ask IT to raise the limit."
    )
    assert page.visit.targets.attachment_model.rowCount() == 0


def test_an_exported_copy_is_byte_for_byte_the_attachment(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    page = attachments_page(qtbot, services, open_workspace)
    source = pdf_file(tmp_path)
    add(qtbot, page, source)
    destination = tmp_path / "out" / "copy.pdf"
    destination.parent.mkdir()
    controller = page.visit.targets.attachments
    controller.choose_save_path = lambda _parent, _suggested: str(destination)
    page.visit.targets.attachments_view.table.selectRow(0)
    with qtbot.waitSignal(controller.exported, timeout=TIMEOUT):
        page.visit.targets.attachments_view.export_button.click()
    assert destination.read_bytes() == source.read_bytes()
    assert page.visit.targets.attachments_view.notice_text() == f"Exported to {destination}."
    admin = sign_in(services, Role.ADMIN)
    events = services.audit.list(admin, AuditFilter(action="attachment.export"))
    assert len(events) == 1, "the export is audited by the service"


def test_a_nurse_adds_and_previews_but_does_not_export(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory, tmp_path: Path
) -> None:
    page = attachments_page(qtbot, services, open_workspace, Role.NURSE)
    view = page.visit.targets.attachments_view
    assert view.add_button.isVisibleTo(view)
    assert not view.export_button.isVisibleTo(view)
    add(qtbot, page, png_file(tmp_path))
    dialog = preview(qtbot, page)
    assert not dialog.export_button.isVisibleTo(dialog)
