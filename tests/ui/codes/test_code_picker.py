"""The code picker: search as you type on the database lane, keyboard only (type, arrows,
Enter, Esc), billable mark and the hierarchy of the highlighted code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from clinic_app.bootstrap import Services
from clinic_app.codes.models import CodeHit, CodeSystem
from clinic_app.security.permissions import Role
from clinic_app.ui.codes.code_hit_list_model import BILLABLE_ROLE, CODE_ROLE
from clinic_app.ui.codes.code_picker import CodePicker, make_code_picker
from clinic_app.ui.codes.code_picker_controller import CodePickerController
from clinic_app.ui.shell.shell_page import PageContext
from clinic_app.ui.tasks.task_runner import TaskRunner
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import sign_in
from tests.ui.records.clinical_store import EXCERPT_VERSION

TIMEOUT = 5000


@pytest.fixture
def picker(
    qtbot: QtBot, services: Services, task_runner: TaskRunner
) -> Iterator[tuple[CodePicker, CodePickerController]]:
    host = QWidget()
    host.resize(700, 120)
    layout = QVBoxLayout(host)
    context = PageContext(services, sign_in(services, Role.DOCTOR), task_runner)
    made = make_code_picker(context, parent=host)
    layout.addWidget(made[0])
    layout.addStretch(1)
    qtbot.addWidget(host)
    host.show()
    made[0].line_edit.setFocus()
    yield made
    made[0].close_popup()


def type_query(qtbot: QtBot, picker: CodePicker, search: CodePickerController, text: str) -> None:
    with qtbot.waitSignal(search.results_shown, timeout=TIMEOUT):
        qtbot.keyClicks(picker.line_edit, text)
    qtbot.waitUntil(lambda: search.settled, timeout=TIMEOUT)


def codes(picker: CodePicker) -> list[str]:
    return [picker.model.index(r).data(CODE_ROLE) for r in range(picker.model.rowCount())]


def test_a_code_is_chosen_with_the_keyboard_only(
    qtbot: QtBot, picker: tuple[CodePicker, CodePickerController]
) -> None:
    field, search = picker
    chosen: list[CodeHit] = []
    field.code_chosen.connect(chosen.append)
    type_query(qtbot, field, search, "type 2 diabetes")
    assert field.popup.isVisible()
    assert codes(field)[0].startswith("E11")
    assert field.current_hit() == field.model.hit_at(0), "the best match is highlighted"
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Down)
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Down)
    second = field.model.hit_at(2)
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Return)
    assert chosen == [second]
    hit = chosen[0]
    assert hit.system is CodeSystem.ICD10CM
    assert hit.set_version == EXCERPT_VERSION
    assert hit.set_id
    assert not field.popup.isVisible()
    assert field.line_edit.text() == "", "ready for the next code"


def test_the_highlighted_code_shows_chapter_block_and_category(
    qtbot: QtBot, picker: tuple[CodePicker, CodePickerController]
) -> None:
    field, search = picker
    type_query(qtbot, field, search, "e119")
    assert codes(field)[0] == "E11.9", "a code typed without its dot"
    assert field.model.index(0).data(BILLABLE_ROLE) is True
    qtbot.waitUntil(lambda: "›" in field.popup.hierarchy_label.text(), timeout=TIMEOUT)
    assert field.popup.hierarchy_label.text() == (
        "Ch. 4 Endocrine, nutritional and metabolic diseases (… › "
        "E08-E13 Diabetes mellitus (E08-E13) › E11 Type 2 diabetes mellitus"
    )


def test_escape_closes_the_list_and_a_second_escape_is_left_to_the_dialog(
    qtbot: QtBot, services: Services, task_runner: TaskRunner
) -> None:
    dialog = QDialog()
    layout = QVBoxLayout(dialog)
    context = PageContext(services, sign_in(services, Role.DOCTOR), task_runner)
    field, search = make_code_picker(context, parent=dialog)
    layout.addWidget(field)
    qtbot.addWidget(dialog)
    dialog.show()
    field.line_edit.setFocus()
    type_query(qtbot, field, search, "asthma")
    assert field.popup.isVisible()
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Escape)
    assert not field.popup.isVisible()
    assert dialog.isVisible(), "the first Esc only closes the list"
    assert field.line_edit.text() == "asthma"
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Down)  # Down opens it again
    assert field.popup.isVisible()
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Escape)
    with qtbot.waitSignal(dialog.rejected, timeout=TIMEOUT):
        qtbot.keyClick(field.line_edit, Qt.Key.Key_Escape)


def test_not_billable_codes_say_so(
    qtbot: QtBot, picker: tuple[CodePicker, CodePickerController]
) -> None:
    field, search = picker
    type_query(qtbot, field, search, "E11")
    rows = {field.model.index(r).data(CODE_ROLE): r for r in range(field.model.rowCount())}
    assert field.model.index(rows["E11"]).data(BILLABLE_ROLE) is False
    assert "not billable" in field.model.index(rows["E11"]).data(Qt.ItemDataRole.ToolTipRole)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("zzqx", "No ICD-10-CM code matches “zzqx”."),
        ('"NEAR* -AND', 'No ICD-10-CM code matches “"NEAR* -AND”.'),
    ],
    ids=["nothing", "search-syntax-as-text"],
)
def test_a_search_that_finds_nothing_says_so(
    qtbot: QtBot, picker: tuple[CodePicker, CodePickerController], query: str, message: str
) -> None:
    field, search = picker
    type_query(qtbot, field, search, query)
    assert field.model.rowCount() == 0
    assert field.popup.message_label.text() == message


def test_a_code_set_that_is_not_imported_is_named_in_the_list(
    qtbot: QtBot, picker: tuple[CodePicker, CodePickerController]
) -> None:
    field, search = picker
    search.set_system(CodeSystem.CPT)
    type_query(qtbot, field, search, "office visit")
    assert field.popup.message_label.text() == (
        "No CPT code set is active: an administrator imports one with `clinic codes import`."
    )


def test_only_the_latest_query_is_shown(
    qtbot: QtBot, picker: tuple[CodePicker, CodePickerController]
) -> None:
    field, search = picker
    qtbot.keyClicks(field.line_edit, "pneu")
    qtbot.keyClicks(field.line_edit, "monia")
    qtbot.waitUntil(lambda: search.settled and field.model.rowCount() > 0, timeout=TIMEOUT)
    assert all(
        "pneumonia" in field.model.hit_at(r).description.lower()
        for r in range(field.model.rowCount())
    )


def test_hcpcs_codes_are_searched_when_the_procedure_set_is_chosen(
    qtbot: QtBot, picker: tuple[CodePicker, CodePickerController]
) -> None:
    field, search = picker
    search.set_system(CodeSystem.HCPCS)
    type_query(qtbot, field, search, "dexamethasone")
    assert codes(field) == ["J1100"]
    assert field.model.hit_at(0).system is CodeSystem.HCPCS
