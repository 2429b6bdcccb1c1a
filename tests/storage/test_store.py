"""The store's life cycle: encrypted at rest, unlocked by keyring or passphrase, never plaintext,
and recoverable on another machine with the recovery key."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest
from clinic_app.bootstrap import Services, build_services, initialise, open_services
from clinic_app.errors import (
    AlreadyInitialisedError,
    CorruptDatabaseError,
    DatabaseUnavailableError,
    KeyringUnavailableError,
    NotInitialisedError,
    UnlockError,
    ValidationError,
    WrongPassphraseError,
)
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.storage import keys
from clinic_app.storage.keys import UnlockMode
from clinic_app.storage.store import create_store, open_store, recover_store

from tests.keyring_fake import MemoryKeyring
from tests.patient_inputs import patient_input
from tests.store_inspection import scalar, table_counts

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The situation on a headless Linux box: keyring's own 'fail' backend, nothing stored."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


def _other_machine(tmp_path: Path, source: Settings, *, with_store_file: bool = True) -> Settings:
    """Copy the data directory the way IT would move it: the files only, no keyring."""
    target = Settings(data_dir=tmp_path / "other-machine", workstation="ws-2")
    target.data_dir.mkdir()
    shutil.copy2(source.database_path, target.database_path)
    if with_store_file:
        shutil.copy2(source.store_file, target.store_file)
    return target


def _patient_count(settings: Settings, passphrase: str | None = None) -> int:
    opened = open_store(settings, passphrase)
    try:
        return int(scalar(opened.db, "SELECT count(*) FROM patients"))
    finally:
        opened.db.dispose()


# --- encryption at rest -------------------------------------------------------------------


def test_the_database_file_is_unreadable_without_the_key(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    services.patients.create(users[Role.DOCTOR], patient_input())
    services.db.checkpoint()
    raw = services.settings.database_path.read_bytes()
    assert b"SQLite format 3" not in raw[:100]
    assert "Élodie".encode() not in raw
    assert b"Durand" not in raw
    connection = sqlite3.connect(services.settings.database_path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        connection.close()


def test_a_passphrase_store_is_encrypted_too(settings: Settings, no_keyring: None) -> None:
    opened, _recovery = create_store(settings, UnlockMode.PASSPHRASE, PASSPHRASE)
    opened.db.dispose()
    connection = sqlite3.connect(settings.database_path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        connection.close()
    # store.json says how to unlock; it never holds the key in the clear.
    info = keys.read_store_info(settings.store_file)
    assert opened.key.hex() not in settings.store_file.read_text(encoding="utf-8")
    assert info.wrapped_key is not None
    assert opened.key not in info.wrapped_key


# --- unlock modes -------------------------------------------------------------------------


def test_wrong_passphrase_is_refused_with_a_clear_error(
    settings: Settings, no_keyring: None
) -> None:
    opened, _recovery = create_store(settings, UnlockMode.PASSPHRASE, PASSPHRASE)
    opened.db.dispose()
    with pytest.raises(WrongPassphraseError, match="passphrase is not correct"):
        open_store(settings, "correct horse battery stapler")
    with pytest.raises(WrongPassphraseError, match="enter it"):
        open_store(settings, None)
    with pytest.raises(WrongPassphraseError):
        open_store(settings, "x" * 1_000_000)
    assert _patient_count(settings, PASSPHRASE) == 0


@pytest.mark.parametrize(
    "backend",
    [keyring.backends.fail.Keyring, keyring.backends.null.Keyring],
    ids=["fail", "null"],
)
def test_without_a_secure_keyring_a_new_store_uses_the_passphrase_mode(
    settings: Settings, backend: type[keyring.backend.KeyringBackend]
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend())
    try:
        assert not keys.secure_keyring_available()
        assert keys.choose_unlock_mode(None) is UnlockMode.PASSPHRASE
        opened, _recovery = create_store(settings, None, PASSPHRASE)
        opened.db.dispose()
        assert keys.read_store_info(settings.store_file).unlock_mode is UnlockMode.PASSPHRASE
        assert _patient_count(settings, PASSPHRASE) == 0
    finally:
        keyring.set_keyring(previous)


def test_without_a_keyring_or_passphrase_nothing_is_created_in_plaintext(
    settings: Settings, no_keyring: None
) -> None:
    with pytest.raises(ValidationError, match="passphrase is required"):
        create_store(settings, None, None)
    assert not settings.database_path.exists()
    assert not settings.store_file.exists()


def test_explicit_keyring_mode_without_a_keyring_is_refused_clearly(
    settings: Settings, no_keyring: None
) -> None:
    with pytest.raises(KeyringUnavailableError, match="passphrase unlock mode"):
        create_store(settings, UnlockMode.KEYRING, None)
    assert not settings.database_path.exists()
    assert not settings.store_file.exists()


def test_a_short_passphrase_is_refused_before_anything_is_written(
    settings: Settings, no_keyring: None
) -> None:
    with pytest.raises(ValidationError, match="at least 12"):
        create_store(settings, UnlockMode.PASSPHRASE, "short")
    assert not settings.database_path.exists()
    assert not settings.store_file.exists()


def test_a_keyring_store_needs_its_key_in_this_machines_keyring(
    tmp_path: Path, services: Services, memory_keyring: MemoryKeyring
) -> None:
    other = _other_machine(tmp_path, services.settings)
    memory_keyring.secrets.clear()
    with pytest.raises(KeyringUnavailableError, match="recovery-key") as caught:
        open_store(other)
    assert "recovery" in str(caught.value)


def test_a_keyring_store_is_not_opened_when_the_keyring_is_gone(
    tmp_path: Path, services: Services, no_keyring: None
) -> None:
    other = _other_machine(tmp_path, services.settings)
    with pytest.raises(KeyringUnavailableError, match="recovery key"):
        open_store(other)


def test_init_refuses_a_directory_that_already_holds_a_store(services: Services) -> None:
    before = services.settings.database_path.read_bytes()
    with pytest.raises(AlreadyInitialisedError, match="nothing was changed"):
        create_store(services.settings, None, None)
    assert services.settings.database_path.read_bytes() == before


def test_opening_an_empty_directory_says_to_initialise(settings: Settings) -> None:
    with pytest.raises(NotInitialisedError, match="clinic init"):
        open_store(settings)


# --- recovery key -------------------------------------------------------------------------


def test_the_recovery_key_reopens_and_rekeys_the_store_on_another_machine(
    tmp_path: Path, settings: Settings, memory_keyring: MemoryKeyring
) -> None:
    opened, recovery_key = create_store(settings, UnlockMode.KEYRING, None)
    services = build_services(settings, opened)
    admin = services.accounts.create_first_admin("boss", "Boss", "root-secret-2026")
    services.db.checkpoint()
    before = table_counts(services.db)
    services.close()
    assert admin.role is Role.ADMIN

    other = _other_machine(tmp_path, settings)
    memory_keyring.secrets.clear()  # the new machine's keyring is empty
    with pytest.raises(KeyringUnavailableError):
        open_store(other)

    new = recover_store(other, recovery_key, None, None)
    assert new.info.unlock_mode is UnlockMode.KEYRING
    assert new.recovery_key != recovery_key
    assert new.info.store_id == opened.info.store_id

    reopened = open_services(other)
    try:
        assert table_counts(reopened.db) == before
        assert reopened.accounts.login("boss", "root-secret-2026").role is Role.ADMIN
    finally:
        reopened.close()

    # The database is re-keyed: the old recovery key opens nothing, the new one does.
    with pytest.raises(UnlockError, match="does not open this database"):
        recover_store(other, recovery_key, None, None)
    third = recover_store(other, new.recovery_key, UnlockMode.PASSPHRASE, PASSPHRASE)
    assert third.info.unlock_mode is UnlockMode.PASSPHRASE
    assert _patient_count(other, PASSPHRASE) == 0


def test_recovery_works_without_the_store_description_file(
    tmp_path: Path, services: Services, memory_keyring: MemoryKeyring
) -> None:
    other = _other_machine(tmp_path, services.settings, with_store_file=False)
    memory_keyring.secrets.clear()
    with pytest.raises(NotInitialisedError):
        open_store(other)
    template_key = keys.format_recovery_key(services.store.key)
    recover_store(other, template_key, None, None)
    assert _patient_count(other) == 0
    assert scalar(open_store(other).db, "SELECT count(*) FROM users") == 4


def _typo(key: str) -> str:
    # Swap one character for another valid base32 character: still 56 symbols, wrong checksum.
    index = 7
    replacement = "A" if key[index] != "A" else "B"
    return key[:index] + replacement + key[index + 1 :]


def test_a_typing_error_in_the_recovery_key_is_caught_by_its_checksum(
    tmp_path: Path, services: Services
) -> None:
    recovery_key = keys.format_recovery_key(services.store.key)
    with pytest.raises(UnlockError, match="typing error"):
        keys.parse_recovery_key(_typo(recovery_key))
    with pytest.raises(UnlockError, match="56 letters"):
        keys.parse_recovery_key(recovery_key[:-2])
    with pytest.raises(UnlockError, match="can't"):
        keys.parse_recovery_key(recovery_key.replace(recovery_key[0], "1", 1))
    other = _other_machine(tmp_path, services.settings)
    before = other.database_path.read_bytes()
    with pytest.raises(UnlockError, match="typing error"):
        recover_store(other, _typo(recovery_key), None, None)
    assert other.database_path.read_bytes() == before


def test_the_recovery_key_forgives_case_spaces_and_dashes(services: Services) -> None:
    recovery_key = keys.format_recovery_key(services.store.key)
    sloppy = " " + recovery_key.lower().replace("-", " ") + "\n"
    assert keys.parse_recovery_key(sloppy) == services.store.key


def test_a_failed_rekey_leaves_the_old_recovery_key_working(
    tmp_path: Path, services: Services, memory_keyring: MemoryKeyring
) -> None:
    """If the new store description can't be written, the database must not be re-keyed:
    otherwise its new key would exist nowhere and every record would be lost."""
    other = _other_machine(tmp_path, services.settings)
    memory_keyring.secrets.clear()
    recovery_key = keys.format_recovery_key(services.store.key)
    blocker = other.store_file.with_suffix(".json.tmp")
    blocker.mkdir()  # store.json can't be replaced: its temporary file is a directory
    with pytest.raises(OSError):  # noqa: PT011 - any OS error; what matters is what follows
        recover_store(other, recovery_key, UnlockMode.PASSPHRASE, PASSPHRASE)
    blocker.rmdir()
    new = recover_store(other, recovery_key, None, None)
    assert new.info.unlock_mode is UnlockMode.KEYRING
    assert _patient_count(other) == 0


# --- damaged or unavailable files ---------------------------------------------------------


def test_a_damaged_database_file_is_reported_as_damaged(services: Services) -> None:
    services.db.checkpoint()
    services.close()
    path = services.settings.database_path
    data = bytearray(path.read_bytes())
    for offset in range(100, 132):  # inside page 1, after SQLCipher's salt
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptDatabaseError, match="Restore the latest backup"):
        open_store(services.settings)


def test_a_database_that_cannot_be_opened_is_not_called_damaged(services: Services) -> None:
    """A file that can't be opened (here: a folder in its place; in life: a lock held by
    another program, a full disk) must not send the user to restore a backup."""
    services.close()
    path = services.settings.database_path
    path.rename(path.with_name("moved.db"))
    path.mkdir()
    with pytest.raises(DatabaseUnavailableError, match="not damaged") as caught:
        open_store(services.settings)
    assert not isinstance(caught.value, CorruptDatabaseError)


def test_a_bad_first_administrator_leaves_no_half_made_store(settings: Settings) -> None:
    with pytest.raises(ValidationError, match="letters and digits"):
        initialise(
            settings,
            mode=None,
            passphrase=None,
            admin_username="boss",
            admin_display_name="Boss",
            admin_password="onlyletterspassword",
        )
    assert not settings.database_path.exists()
    assert not settings.store_file.exists()
