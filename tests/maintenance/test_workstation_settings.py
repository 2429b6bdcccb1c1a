"""This workstation's settings: what each role sees, what IT locked, and an administrator's
change of the idle lock (checked, saved in workstation.json, audited, used by new sessions)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import ClinicError, PermissionDeniedError, ValidationError
from clinic_app.maintenance.workstation_settings import (
    IDLE_LOCK,
    LABELS,
    SettingLockedError,
    WorkstationSettingsService,
)
from clinic_app.packaging.machine_config import CONFIG_ENV
from clinic_app.packaging.workstation_preferences import (
    PREFERENCES_FILE,
    WorkstationPreferences,
)
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import DATA_DIR_ENV, Settings

from tests.store_inspection import audit_events, last_audit_seq


def _locked_service(services: Services, config: Path, *names: str) -> WorkstationSettingsService:
    """The service as it is built when IT's file locked `names` (the settings object is what
    Settings.load makes of such a file)."""
    settings = replace(services.settings, locked=frozenset(names), machine_config_file=config)
    services.settings = settings
    return WorkstationSettingsService(
        settings, "keyring", services.db, services.audit_log, services.authorizer
    )


def test_everyone_sees_the_five_settings_and_only_an_admin_may_change_one(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    for role, user in users.items():
        view = services.workstation_settings.view(user)
        assert [entry.name for entry in view.entries] == list(LABELS)
        assert view.may_change is (role is Role.ADMIN)
        assert view.entry(IDLE_LOCK).editable is (role is Role.ADMIN)
        assert not any(entry.locked for entry in view.entries)
        # Only the idle lock is changed from the app; the others say why not.
        for entry in view.entries:
            if entry.name != IDLE_LOCK:
                assert not entry.editable
                assert entry.note
    admin_view = services.workstation_settings.view(users[Role.ADMIN])
    assert admin_view.entry("data_dir").value == str(services.settings.data_dir)
    assert admin_view.entry("unlock_mode").value == "This computer's secure keyring"
    assert admin_view.entry(IDLE_LOCK).value == "10 minutes"
    assert admin_view.entry("sync_server_url").value == "Not set"


def test_an_admin_changes_the_idle_lock_for_new_sessions_and_it_is_audited(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    admin = users[Role.ADMIN]
    last = last_audit_seq(services.db)
    services.workstation_settings.set_idle_lock_minutes(admin, 3)

    assert services.settings.idle_lock_minutes == 3
    assert services.new_session(users[Role.DOCTOR]).idle_timeout.total_seconds() == 180
    saved = WorkstationPreferences.load(services.settings.data_dir)
    assert saved.idle_lock_minutes == 3
    # The next start reads it back.
    assert Settings.load(services.settings.data_dir).idle_lock_minutes == 3
    [event] = audit_events(services.db, after_seq=last)
    assert event.action == "settings.change"
    assert event.outcome == "ok"
    assert event.record_id == IDLE_LOCK
    assert event.user_id == admin.id
    assert event.details == {"value": 3, "previous": 10}


@pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.FRONT_DESK])
def test_other_roles_are_refused_and_nothing_is_saved(
    services: Services, users: dict[Role, AuthenticatedUser], role: Role
) -> None:
    last = last_audit_seq(services.db)
    with pytest.raises(PermissionDeniedError):
        services.workstation_settings.set_idle_lock_minutes(users[role], 3)
    assert services.settings.idle_lock_minutes == 10
    assert not (services.settings.data_dir / PREFERENCES_FILE).exists()
    [event] = audit_events(services.db, after_seq=last)
    assert event.outcome == "denied"
    assert event.action == "settings.manage"


@pytest.mark.parametrize("bad", [0, 241, -5, 10**12, 2.5, "5", None, True, [5]])
def test_bad_minutes_are_refused_with_a_field_message_and_nothing_changes(
    services: Services, users: dict[Role, AuthenticatedUser], bad: object
) -> None:
    last = last_audit_seq(services.db)
    with pytest.raises(ValidationError) as caught:
        services.workstation_settings.set_idle_lock_minutes(users[Role.ADMIN], bad)
    assert caught.value.field_errors == {
        IDLE_LOCK: "Choose a whole number of minutes from 1 to 240."
    }
    assert services.settings.idle_lock_minutes == 10
    assert not (services.settings.data_dir / PREFERENCES_FILE).exists()
    assert audit_events(services.db, after_seq=last) == []


def test_a_setting_it_locked_is_marked_and_can_not_be_changed(
    services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path
) -> None:
    config = tmp_path / "etc" / "config.toml"
    service = _locked_service(services, config, IDLE_LOCK, "language")
    admin = users[Role.ADMIN]
    view = service.view(admin)
    for name in (IDLE_LOCK, "language"):
        entry = view.entry(name)
        assert entry.locked
        assert not entry.editable
        assert entry.note == f"Set by your IT department in {config}"
    assert not view.entry("data_dir").locked
    assert view.machine_config_file == config

    last = last_audit_seq(services.db)
    with pytest.raises(SettingLockedError, match=str(config)):
        service.set_idle_lock_minutes(admin, 3)
    assert not (services.settings.data_dir / PREFERENCES_FILE).exists()
    assert audit_events(services.db, after_seq=last) == []


def test_a_file_that_can_not_be_written_leaves_no_change_and_no_audit_event(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    # A folder where the file should be: the write fails the way a read-only disk would.
    (services.settings.data_dir / PREFERENCES_FILE).mkdir()
    (services.settings.data_dir / f".{PREFERENCES_FILE}.tmp").mkdir()
    last = last_audit_seq(services.db)
    with pytest.raises(ClinicError, match="could not be saved") as caught:
        services.workstation_settings.set_idle_lock_minutes(users[Role.ADMIN], 3)
    assert PREFERENCES_FILE in str(caught.value)
    assert services.settings.idle_lock_minutes == 10
    assert audit_events(services.db, after_seq=last) == []


def test_a_restore_rewires_the_settings_service_on_the_new_database(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    from clinic_app.bootstrap import _wire

    before = services.workstation_settings
    services.workstation_settings.set_idle_lock_minutes(users[Role.ADMIN], 7)
    _wire(services, services.db)
    assert services.workstation_settings is not before
    assert services.workstation_settings.settings.idle_lock_minutes == 7


class TestPreferencesFile:
    """Settings.load reads workstation.json under IT's rules; a damaged file never stops it."""

    @pytest.fixture(autouse=True)
    def _no_machine_config(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(CONFIG_ENV, "")
        monkeypatch.delenv(DATA_DIR_ENV, raising=False)

    @pytest.mark.parametrize(
        "content",
        [
            b"",
            b"{not json",
            b"[1, 2]",
            b'{"idle_lock_minutes": 0}',
            b'{"idle_lock_minutes": "5"}',
            b'{"idle_lock_minutes": true}',
            b"\xff\xfe\x00garbage",
            b'{"idle_lock_minutes": 5, "pad": "' + b"x" * 70_000 + b'"}',
        ],
        ids=["empty", "broken", "list", "zero", "text", "bool", "binary", "huge"],
    )
    def test_a_damaged_file_means_the_defaults(self, tmp_path: Path, content: bytes) -> None:
        (tmp_path / PREFERENCES_FILE).write_bytes(content)
        assert Settings.load(tmp_path).idle_lock_minutes == 10

    def test_a_saved_value_wins_over_its_default_but_not_over_its_lock(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        data = tmp_path / "data"
        WorkstationPreferences(idle_lock_minutes=25).save(data)
        assert Settings.load(data).idle_lock_minutes == 25
        config = tmp_path / "config.toml"
        config.write_text("idle_lock_minutes = 5\n")
        monkeypatch.setenv(CONFIG_ENV, str(config))
        assert Settings.load(data).idle_lock_minutes == 25, "IT's value is only a default"
        config.write_text('idle_lock_minutes = 5\nlocked = ["idle_lock_minutes"]\n')
        assert Settings.load(data).idle_lock_minutes == 5, "a lock overrides what was saved"
