"""The inbox page and its unread badge: unread in bold, mark read, mark all read, open what a
notice is about, the status-bar count and the tray notice while minimised."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from clinic_app.notifications.models import NotificationKind
from clinic_app.notifications.service import post_notification
from clinic_app.records.models import TargetType, VisitInput
from clinic_app.security.permissions import Role
from clinic_app.ui.inbox.inbox_controller import PAGE
from clinic_app.ui.inbox.inbox_page import InboxPage
from clinic_app.ui.inbox.notification_table_model import UNREAD_ROLE, NotificationColumn
from clinic_app.ui.inbox.unread_badge_companion import UnreadBadgeCompanion
from clinic_app.ui.records.chart_page import ChartPage
from clinic_app.ui.shell.main_window import MainWindow
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from tests.ui.fixtures import WorkspaceFactory, sign_in
from tests.ui.records.clinical_data import make_patient

TIMEOUT = 5000


def assign_visits(services: Services, count: int) -> list[str]:
    doctor = sign_in(services, Role.DOCTOR)
    nurse = sign_in(services, Role.NURSE)
    patient = make_patient(services, doctor)
    ids = []
    for index in range(count):
        visit = services.records.visits.open_visit(
            nurse, patient.id, data=VisitInput(reason=f"Review {index + 1}")
        )
        services.records.reviews.assign(nurse, TargetType.VISIT, visit.id, doctor.id)
        ids.append(visit.id)
    return ids


def badge_of(window: MainWindow) -> UnreadBadgeCompanion:
    companion = window.companion("inbox")
    assert isinstance(companion, UnreadBadgeCompanion)
    return companion


def inbox_page(qtbot: QtBot, window: MainWindow, rows: int) -> InboxPage:
    page = window.show_page("inbox")
    assert isinstance(page, InboxPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == rows, timeout=TIMEOUT)
    return page


def is_bold(page: InboxPage, row: int) -> bool:
    font = page.model.index(row, NotificationColumn.TITLE).data(Qt.ItemDataRole.FontRole)
    return font is not None and font.bold()


def test_unread_notices_are_bold_and_counted_until_marked_read(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    assign_visits(services, 3)
    window = open_workspace(Role.DOCTOR).window
    badge = badge_of(window)
    qtbot.waitUntil(lambda: badge.count == 3, timeout=TIMEOUT)
    assert badge.badge.text() == "Inbox · 3 unread"
    assert badge.badge.property("unread") is True

    page = inbox_page(qtbot, window, 3)
    assert all(is_bold(page, row) for row in range(3))
    assert page.model.index(0, NotificationColumn.TITLE).data() == "A visit waits for your review"
    assert page.view.count_label.text() == "3 unread of 3 shown"

    page.view.table.selectRow(0)
    with qtbot.waitSignal(badge.unread_changed, timeout=TIMEOUT):
        qtbot.keyClick(page.view.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert not is_bold(page, 0)
    assert is_bold(page, 1)
    assert badge.count == 2
    assert badge.badge.text() == "Inbox · 2 unread"
    doctor = sign_in(services, Role.DOCTOR)
    assert services.notifications.unread_count(doctor) == 2

    with qtbot.waitSignal(badge.unread_changed, timeout=TIMEOUT):
        page.view.mark_all_button.click()
    assert not any(page.model.index(r, 0).data(UNREAD_ROLE) for r in range(3))
    assert badge.badge.text() == "Inbox"
    assert badge.badge.property("unread") is False
    assert not page.view.mark_all_button.isEnabled()
    assert services.notifications.unread_count(doctor) == 0


def test_opening_a_notice_marks_it_read_and_shows_its_visit(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    (visit_id,) = assign_visits(services, 1)
    window = open_workspace(Role.DOCTOR).window
    page = inbox_page(qtbot, window, 1)
    page.view.table.selectRow(0)
    qtbot.keyClick(page.view.table, Qt.Key.Key_Return)
    chart = window.page("chart")
    assert isinstance(chart, ChartPage)
    assert window.current_page_key == "chart"
    qtbot.waitUntil(
        lambda: chart.visit.editor.visit is not None and chart.showing == "visit",
        timeout=TIMEOUT,
    )
    assert chart.visit.editor.visit.id == visit_id
    doctor = sign_in(services, Role.DOCTOR)
    qtbot.waitUntil(lambda: services.notifications.unread_count(doctor) == 0, timeout=TIMEOUT)


def test_the_badge_opens_the_inbox_and_an_empty_inbox_says_so(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    window = open_workspace(Role.NURSE).window
    badge = badge_of(window)
    qtbot.waitUntil(lambda: badge.count == 0, timeout=TIMEOUT)
    assert badge.badge.text() == "Inbox"
    badge.badge.click()
    assert window.current_page_key == "inbox"
    page = window.page("inbox")
    assert isinstance(page, InboxPage)
    qtbot.waitUntil(lambda: page.view.showing_empty_state, timeout=TIMEOUT)
    assert page.view.empty_state.title == "No notices"


def test_new_notices_raise_a_tray_notice_only_while_minimised(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    window = open_workspace(Role.DOCTOR).window
    badge = badge_of(window)
    shown: list[tuple[str, str]] = []
    badge.notify = lambda title, text: shown.append((title, text)) is None
    qtbot.waitUntil(lambda: badge.count == 0, timeout=TIMEOUT)

    assign_visits(services, 1)
    with qtbot.waitSignal(badge.unread_changed, timeout=TIMEOUT):
        badge.refresh()
    assert shown == [], "the window is on screen: the badge is enough"

    window.showMinimized()
    assert window.isMinimized()
    nurse = sign_in(services, Role.NURSE)
    doctor = sign_in(services, Role.DOCTOR)
    (item,) = services.records.reviews.worklist(doctor)
    visit = services.records.visits.open_visit(nurse, item.assignment.patient_id)
    services.records.reviews.assign(nurse, TargetType.VISIT, visit.id, doctor.id)
    with qtbot.waitSignal(badge.unread_changed, timeout=TIMEOUT):
        badge.refresh()
    assert shown == [("Clinic", "1 new notice in your inbox.")], "a count, never the content"


def test_the_badge_counts_again_on_its_timer(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    window = open_workspace(Role.DOCTOR).window
    badge = badge_of(window)
    assert badge.timer.isActive()
    assert badge.timer.interval() == 30_000
    qtbot.waitUntil(lambda: badge.count == 0, timeout=TIMEOUT)
    badge.timer.setInterval(20)
    assign_visits(services, 2)
    qtbot.waitUntil(lambda: badge.count == 2, timeout=TIMEOUT)


def test_the_inbox_loads_older_notices_as_the_table_scrolls(
    qtbot: QtBot, services: Services, open_workspace: WorkspaceFactory
) -> None:
    doctor = sign_in(services, Role.DOCTOR)
    with services.db.unit_of_work() as uow:
        for number in range(PAGE + 30):
            post_notification(
                uow.session,
                recipient_id=doctor.id,
                kind=NotificationKind.SYSTEM,
                title=f"Notice {number}",
            )
        uow.commit()
    window = open_workspace(Role.DOCTOR).window
    page = inbox_page(qtbot, window, PAGE)
    # What a person does: scroll to the end; the view asks the model for the next page.
    page.view.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == PAGE + 30, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not page.model.canFetchMore(QModelIndex()), timeout=TIMEOUT)
    titles = {page.model.notification_at(row).title for row in range(PAGE + 30)}
    assert titles == {f"Notice {number}" for number in range(PAGE + 30)}
    assert page.view.count_label.text() == f"{PAGE + 30} unread of {PAGE + 30} shown"
