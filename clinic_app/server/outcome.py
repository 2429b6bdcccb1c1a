"""FHIR errors: an exception that carries an HTTP status and becomes an OperationOutcome.

Diagnostics name resource types, ids, element paths and limits, never submitted values: an
error answer (and a log line) must not echo patient data back.
"""

from __future__ import annotations

from typing import Any


class FhirError(Exception):
    """A request the server refuses. `code` is an OperationOutcome issue type
    (http://hl7.org/fhir/R4/valueset-issue-type.html)."""

    def __init__(
        self,
        status: int,
        code: str,
        diagnostics: str,
        *,
        expressions: list[str] | None = None,
        headers: dict[str, str] | None = None,
        issues: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.expressions = expressions or []
        self.headers = headers or {}
        self.extra_issues = issues or []

    def outcome(self) -> dict[str, Any]:
        issue: dict[str, Any] = {
            "severity": "error",
            "code": self.code,
            "diagnostics": self.diagnostics,
        }
        if self.expressions:
            issue["expression"] = self.expressions
        return operation_outcome([issue, *self.extra_issues])


def operation_outcome(issues: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": issues}


def information(diagnostics: str) -> dict[str, Any]:
    return operation_outcome(
        [{"severity": "information", "code": "informational", "diagnostics": diagnostics}]
    )


def bad_request(diagnostics: str, *, code: str = "invalid") -> FhirError:
    return FhirError(400, code, diagnostics)


def not_supported(diagnostics: str) -> FhirError:
    return FhirError(400, "not-supported", diagnostics)


def too_large(diagnostics: str) -> FhirError:
    return FhirError(413, "too-long", diagnostics)
