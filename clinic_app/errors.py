"""Errors a user may see. Each carries a message written for the person at the keyboard."""

from __future__ import annotations


class ClinicError(Exception):
    """Base class for every error the application reports to a user.

    The message is complete and actionable; it never contains patient names or clinical text.
    """


class NotInitialisedError(ClinicError):
    """The data directory holds no database yet."""


class AlreadyInitialisedError(ClinicError):
    """`init` was asked for a data directory that already holds a database."""


class UnlockError(ClinicError):
    """The database could not be unlocked (wrong passphrase, missing key, bad recovery key)."""


class WrongPassphraseError(UnlockError):
    pass


class KeyringUnavailableError(UnlockError):
    """No secure OS keyring exists, or it does not hold this database's key."""


class CorruptDatabaseError(ClinicError):
    """The database file is damaged or is not one of ours."""


class DatabaseUnavailableError(ClinicError):
    """The database file can't be used right now (locked, unreadable, disk full). It is not
    damaged: restoring a backup would be the wrong remedy."""


class DatabaseTooNewError(ClinicError):
    """The database was written by a newer version of the application."""


class MigrationError(ClinicError):
    pass


class ValidationError(ClinicError):
    """Input was rejected. `field_errors` maps a field name to its message, for forms."""

    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.field_errors: dict[str, str] = dict(field_errors or {})


class NotFoundError(ClinicError):
    pass


class ConflictError(ClinicError):
    """The record changed since it was read (optimistic locking)."""


class AuthenticationError(ClinicError):
    """Wrong user name or password (deliberately does not say which)."""


class AccountLockedError(AuthenticationError):
    pass


class AccountDisabledError(AuthenticationError):
    pass


class PermissionDeniedError(ClinicError):
    pass


class SessionLockedError(ClinicError):
    """The session is idle-locked; the user must re-enter the password."""


class BackupError(ClinicError):
    pass


class AuditChainError(ClinicError):
    pass


class OperationCancelledError(ClinicError):
    """Raised by long work when its cancel token was set; the UI quietly ignores it."""

    def __init__(self, message: str = "The operation was cancelled.") -> None:
        super().__init__(message)
