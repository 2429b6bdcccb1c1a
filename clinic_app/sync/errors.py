"""Errors of the sync layer. Messages are for the person at the keyboard; no patient data."""

from __future__ import annotations

from clinic_app.errors import ClinicError


class SyncError(ClinicError):
    """Base class: the sync could not do what was asked."""


class SyncNotConfiguredError(SyncError):
    pass


class MappingError(SyncError):
    """A resource can't become a local row (or a row can't become a resource)."""


class ServerUnavailableError(SyncError):
    """Network error, timeout, 5xx or 429 after every retry: the server is offline for now."""


class AuthenticationRefusedError(SyncError):
    """401/403: the device token is wrong, revoked or lacks access."""


class BadResponseError(SyncError):
    """The server answered with something that is not the FHIR we asked for."""


class RejectedError(SyncError):
    """The server refused a request (4xx) with an OperationOutcome; `status` is the code."""

    def __init__(self, status: int, message: str, *, body: object = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
