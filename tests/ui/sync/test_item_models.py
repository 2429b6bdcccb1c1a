"""The sync screens' item models under Qt's model tester, and the texts they show: empty,
typical and hostile values (huge text, odd types, times without a zone)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clinic_app.errors import OperationCancelledError, PermissionDeniedError, ValidationError
from clinic_app.sync.errors import (
    AuthenticationRefusedError,
    BadResponseError,
    ServerUnavailableError,
    SyncNotConfiguredError,
)
from clinic_app.sync.models import (
    Conflict,
    ConflictKind,
    FieldDifference,
    QuarantinedItem,
    Resolution,
    SyncLogEntry,
    SyncStatus,
)
from clinic_app.ui.sync.conflict_field_table_model import (
    ConflictFieldTableModel,
    FieldColumn,
)
from clinic_app.ui.sync.conflict_inbox_view import ConflictInboxView
from clinic_app.ui.sync.conflict_table_model import ConflictTableModel
from clinic_app.ui.sync.held_fields import (
    HeldField,
    changed_values,
    corrected_resource,
    held_fields,
)
from clinic_app.ui.sync.quarantine_table_model import QuarantineTableModel
from clinic_app.ui.sync.sync_log_table_model import SyncLogTableModel
from clinic_app.ui.sync.sync_texts import describe_status, describe_sync_error, relative_time
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


def _status(**changes: object) -> SyncStatus:
    base = {
        "configured": True,
        "enabled": True,
        "server_url": "https://fhir.clinic.example/fhir",
        "online": True,
        "last_success_at": NOW - timedelta(minutes=3),
        "last_attempt_at": NOW - timedelta(minutes=3),
        "last_error": None,
        "pending_changes": 0,
        "conflicts": 0,
        "quarantined": 0,
        "pending_uploads": 0,
        "pending_downloads": 0,
        "interval_seconds": 300,
    }
    base.update(changes)
    return SyncStatus(**base)  # type: ignore[arg-type]


def _conflict(kind: ConflictKind = ConflictKind.EDIT) -> Conflict:
    return Conflict(
        id="c1",
        kind=kind,
        entity_type="patients",
        entity_id="p1",
        resource_type="Patient",
        patient_id="p1",
        other_id=None,
        server_version="3",
        detail="",
        created_at=NOW.replace(tzinfo=None),
        fields=[
            FieldDifference("given_name", "Ada", "Ada"),
            FieldDifference("phone", "+44 1", "+44 2"),
            FieldDifference("email", None, "x" * 50_000),
        ],
        choices=(Resolution.KEEP_LOCAL, Resolution.TAKE_SERVER, Resolution.MERGE),
    )


def _held(direction: str = "push", resource: dict[str, object] | None = None) -> QuarantinedItem:
    return QuarantinedItem(
        id="q1",
        direction=direction,
        entity_type="patients",
        entity_id="p1",
        resource_type="Patient",
        status_code=422,
        message="Patient.telecom: refused " + "é" * 3000,
        attempts=2,
        created_at=NOW,
        last_attempt_at=NOW,
        resource=resource,
    )


def test_the_models_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    log = SyncLogTableModel()
    qtmodeltester.check(log)
    log.replace_entries(
        [
            SyncLogEntry(2, NOW, "quarantined", "patients", "p1", 0, "push refused (HTTP 422)"),
            SyncLogEntry(1, NOW, "an-event-from-a-newer-version", None, None, 7, ""),
        ]
    )
    qtmodeltester.check(log)
    assert log.index(1, 1).data() == "an-event-from-a-newer-version"
    conflicts = ConflictTableModel()
    conflicts.replace_conflicts([_conflict(), _conflict(ConflictKind.DUPLICATE_PATIENT)])
    qtmodeltester.check(conflicts)
    assert conflicts.index(0, 3).data() == "phone, email"
    fields = ConflictFieldTableModel()
    fields.set_conflict(_conflict(), mergeable=True)
    qtmodeltester.check(fields)
    held = QuarantineTableModel()
    held.replace_items([_held(), _held("pull")])
    qtmodeltester.check(held)
    assert held.index(0, 3).data().startswith("HTTP 422: Patient.telecom")


def test_merge_choices_are_one_side_per_differing_field_only() -> None:
    fields = ConflictFieldTableModel()
    fields.set_conflict(_conflict(), mergeable=True)
    assert fields.choices() == {"phone": "local", "email": "local"}
    same = fields.index(0, FieldColumn.SERVER)
    assert not fields.setData(same, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    phone_local = fields.index(1, FieldColumn.LOCAL)
    assert fields.setData(
        phone_local, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole
    )
    assert fields.choices()["phone"] == "server"  # unticking one side ticks the other
    fields.choose_all("server")
    assert fields.choices() == {"phone": "server", "email": "server"}
    with pytest.raises(KeyError):
        fields.choose("given_name", "server")
    assert fields.index(2, FieldColumn.LOCAL).data() == "—"  # empty shown as a dash
    fields.set_people({"+44 2": "Dr Gregory House"})  # user ids on a record read as names
    assert fields.index(1, FieldColumn.SERVER).data() == "Dr Gregory House"
    assert fields.index(1, FieldColumn.SERVER).data(Qt.ItemDataRole.ToolTipRole) == "+44 2"
    assert fields.choices()["phone"] == "server"  # naming people keeps the ticks
    fields.set_conflict(_conflict(), mergeable=False)
    assert fields.index(1, FieldColumn.LOCAL).data(Qt.ItemDataRole.CheckStateRole) is None
    assert not fields.setData(
        fields.index(1, FieldColumn.SERVER),
        Qt.CheckState.Checked.value,
        Qt.ItemDataRole.CheckStateRole,
    )


def test_the_status_line_says_state_last_success_and_what_waits() -> None:
    line = describe_status(_status(), now=NOW)
    assert line.text == "Online · synced 3 min ago"
    assert line.icon == "online"
    busy = _status(online=False, pending_changes=12, conflicts=1, quarantined=2)
    assert describe_status(busy, now=NOW).text == (
        "Offline · synced 3 min ago · 12 to send · 1 conflict · 2 held"
    )
    never = _status(last_success_at=None, last_attempt_at=None)
    assert describe_status(never, now=NOW).text == "Sync on · never synced"
    off = _status(enabled=False)
    assert describe_status(off, now=NOW).text == "Online · synced 3 min ago · background sync off"
    unset = _status(configured=False, server_url="", pending_changes=3)
    assert describe_status(unset, now=NOW).text == "Sync not set up · 3 to send"
    assert describe_status(_status(), running=True, now=NOW).text.startswith("Syncing…")
    failed = _status(last_error="HTTP 500 from the server")
    assert "Last problem: HTTP 500" in describe_status(failed, now=NOW).tooltip


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-5, "just now"),
        (59, "just now"),
        (60, "1 min ago"),
        (7200, "2 h ago"),
        (86400, "yesterday"),
        (86400 * 9, "9 days ago"),
    ],
)
def test_relative_time(seconds: int, text: str) -> None:
    assert relative_time(NOW - timedelta(seconds=seconds), NOW) == text
    naive = (NOW - timedelta(seconds=seconds)).replace(tzinfo=None)
    assert relative_time(naive, NOW) == text  # stored times are naive UTC
    assert relative_time(None, NOW) == "never"


@pytest.mark.parametrize(
    ("error", "title"),
    [
        (ServerUnavailableError("Timed out."), "The sync server can't be reached"),
        (AuthenticationRefusedError("401"), "The server refused this workstation"),
        (BadResponseError("Not JSON."), "The server's answer was not understood"),
        (SyncNotConfiguredError("x"), "Sync is not set up"),
        (OperationCancelledError("x"), "Sync cancelled"),
        (PermissionDeniedError("No."), "Not allowed"),
        (RuntimeError("SELECT * FROM patients WHERE name='Ada'"), "Something went wrong"),
    ],
)
def test_errors_read_as_what_happened_and_what_to_do(error: Exception, title: str) -> None:
    description = describe_sync_error(error, pending=2)
    assert description.title == title
    assert "Ada" not in description.message  # an unexpected error's text is never shown
    if isinstance(error, ServerUnavailableError):
        assert "Nothing was lost. The 2 changes made here wait" in description.message


def test_held_fields_read_the_sent_resource_and_parse_only_what_changed() -> None:
    resource = {
        "resourceType": "Patient",
        "id": "p1",
        "name": [{"use": "official", "family": "Curie", "given": ["Marie"]}],
        "gender": "female",
        "birthDate": "1967-11-07",
        "telecom": [{"system": "email", "value": "m@example.org"}],
    }
    fields = held_fields(_held(resource=resource))
    assert fields is not None
    by_name = {f.name: f for f in fields}
    assert by_name["email"].text == "m@example.org"
    assert by_name["birth_date"].text == "1967-11-07"
    assert not by_name["primary_doctor_id"].editable
    texts = {f.name: f.text for f in fields}
    assert changed_values(fields, texts) == {}
    texts["email"] = "marie@example.org"
    texts["phone"] = ""  # unchanged (was empty)
    texts["primary_doctor_id"] = "someone-else"  # not editable: ignored
    assert changed_values(fields, texts) == {"email": "marie@example.org"}
    texts["email"] = ""
    assert changed_values(fields, texts) == {"email": None}
    assert held_fields(_held("pull", resource)) is None  # a pulled version: edited as JSON
    assert held_fields(_held(resource=None)) is None
    assert held_fields(_held(resource={"resourceType": "Patient", "id": "p1"})) is None
    typed = [HeldField("count", 3, True), HeldField("flag", False, True), HeldField("t", 1.5, True)]
    assert changed_values(typed, {"count": " 4 ", "flag": "yes", "t": "37.5"}) == {
        "count": 4,
        "flag": True,
        "t": 37.5,
    }
    with pytest.raises(ValidationError) as caught:
        changed_values(typed, {"count": "four", "flag": "maybe", "t": "warm"})
    assert caught.value.field_errors == {
        "count": "Type a whole number.",
        "flag": "Type true or false.",
        "t": "Type a number, e.g. 37.5",
    }
    with pytest.raises(ValidationError):
        changed_values(typed[:1], {"count": "9" * 30_000})


def test_a_corrected_resource_must_be_json_of_the_same_type_and_id() -> None:
    item = _held("pull", {"resourceType": "Patient", "id": "p1", "gender": "x"})
    assert (
        corrected_resource(item, '{"resourceType": "Patient", "id": "p1", "gender": "x"}') is None
    )
    fixed = corrected_resource(item, '{"resourceType": "Patient", "id": "p1", "gender": "male"}')
    assert fixed == {"resourceType": "Patient", "id": "p1", "gender": "male"}
    for text, message in [
        ("[1, 2]", "must be a JSON object"),
        ("{oops", "not valid JSON"),
        ('{"resourceType": "Observation", "id": "p1"}', "keep its resourceType"),
        ('{"resourceType": "Patient", "id": "p2"}', "keep its id"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
        (" " * 1_000_001, "too large"),
    ]:
        with pytest.raises(ValidationError, match=message):
            corrected_resource(item, text)


def test_space_ticks_the_focused_side_of_a_differing_field(qtbot: QtBot) -> None:
    model, fields = ConflictTableModel(), ConflictFieldTableModel()
    view = ConflictInboxView(model, fields)
    qtbot.addWidget(view)
    view.show()
    model.replace_conflicts([_conflict()])
    assert view.conflict is not None
    table = view.field_table
    table.setFocus()
    table.setCurrentIndex(fields.index(1, FieldColumn.SERVER))
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert fields.choices()["phone"] == "server"
    table.setCurrentIndex(fields.index(1, FieldColumn.LOCAL))
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert fields.choices()["phone"] == "local"
    shown = {r for r, button in view.resolution_buttons.items() if not button.isHidden()}
    assert shown == {Resolution.KEEP_LOCAL, Resolution.TAKE_SERVER, Resolution.MERGE}
    emitted: list[tuple[object, str, dict[str, str]]] = []
    view.resolve_requested.connect(lambda *args: emitted.append(args))
    view.resolution_buttons[Resolution.MERGE].click()
    assert emitted == [(view.conflict, "merge", {"phone": "local", "email": "local"})]
    assert not view.resolution_buttons[Resolution.MERGE].isEnabled()  # until the answer
