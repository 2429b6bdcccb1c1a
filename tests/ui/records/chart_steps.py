"""Steps the clinical GUI tests share: open a patient's chart, a new visit, a saved visit."""

from __future__ import annotations

from clinic_app.security.permissions import Role
from clinic_app.ui.records.chart_page import ChartPage
from clinic_app.ui.records.chart_target import ChartTarget
from clinic_app.ui.shell.main_window import MainWindow
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory

TIMEOUT = 5000


def chart_page(qtbot: QtBot, window: MainWindow, target: str | ChartTarget) -> ChartPage:
    """The chart page showing this patient (and the visit or record the target names)."""
    page = window.show_page("chart")
    assert isinstance(page, ChartPage)
    with qtbot.waitSignal(page.chart.chart_shown, timeout=TIMEOUT):
        assert page.open_item(target)
    qtbot.waitUntil(lambda: page.showing != "empty", timeout=TIMEOUT)
    return page


def new_visit(
    qtbot: QtBot, open_workspace: WorkspaceFactory, role: Role, patient_id: str
) -> ChartPage:
    window = open_workspace(role).window
    window.resize(1366, 728)
    page = chart_page(qtbot, window, patient_id)
    assert page.new_visit()
    assert page.showing == "visit"
    return page


def open_visit(
    qtbot: QtBot, open_workspace: WorkspaceFactory, role: Role, patient_id: str, visit_id: str
) -> ChartPage:
    window = open_workspace(role).window
    window.resize(1366, 728)
    page = window.show_page("chart")
    assert isinstance(page, ChartPage)
    with qtbot.waitSignal(page.visit.editor.visit_shown, timeout=TIMEOUT):
        page.open_item(ChartTarget(patient_id, visit_id=visit_id))
    assert page.showing == "visit"
    return page


def save(qtbot: QtBot, page: ChartPage) -> None:
    """Saves through the button and waits until the answer is on screen."""
    editor = page.visit.editor
    with qtbot.waitSignals([editor.visit_shown], timeout=TIMEOUT, raising=True):
        page.visit.view.save_button.click()


def save_expecting_errors(qtbot: QtBot, page: ChartPage) -> None:
    view = page.visit.view
    view.save_button.click()
    qtbot.waitUntil(
        lambda: view.save_button.isEnabled() and view.message_text() != "", timeout=TIMEOUT
    )
