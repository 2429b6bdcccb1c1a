"""The HTTP client on its own, against small local servers: Retry-After is honoured, 5xx and
429 are retried with backoff, 4xx carry the server's OperationOutcome text, TLS is verified
against a pinned CA bundle."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
from clinic_app.sync.client import FhirClient, RetryPolicy
from clinic_app.sync.errors import (
    AuthenticationRefusedError,
    RejectedError,
    ServerUnavailableError,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.sync.bad_server import EMPTY_HISTORY, BadServer, fhir
from tests.sync.server_process import ServerProcess

QUICK = RetryPolicy(attempts=4, base_seconds=0.01, cap_seconds=0.05)


@pytest.fixture
def server() -> Iterator[BadServer]:
    made = BadServer()
    yield made
    made.stop()


def test_retry_after_is_waited_for_and_5xx_are_retried(server: BadServer) -> None:
    route = ("GET", "/fhir/_history")
    server.routes[route] = fhir(EMPTY_HISTORY)
    server.queued[route] = [
        (429, {"Retry-After": "1"}, b""),
        (503, {}, b""),
    ]
    client = FhirClient(server.url, "token", retry=QUICK)
    page = client.history(None, 10)
    assert page["type"] == "history"
    assert len(server.seen) == 3
    assert server.seen_at[1] - server.seen_at[0] >= 0.95  # the server asked for a second
    assert client.counters.retries == 2


def test_a_retry_after_longer_than_the_limit_ends_the_attempt_at_once(server: BadServer) -> None:
    server.routes[("GET", "/fhir/_history")] = (429, {"Retry-After": "3600"}, b"")
    client = FhirClient(server.url, "token", retry=QUICK)
    with pytest.raises(ServerUnavailableError, match="429"):
        client.history(None, 10)
    assert len(server.seen) == 1


def test_a_refusal_carries_the_servers_reason_and_a_bad_token_says_so(server: BadServer) -> None:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "invalid",
                "diagnostics": "Patient.gender: bad",
                "expression": ["Patient.gender"],
            }
        ],
    }
    server.routes[("GET", "/fhir/Patient/")] = fhir(outcome, 422)
    server.routes[("GET", "/fhir/_history")] = fhir(outcome, 401)
    client = FhirClient(server.url, "token", retry=QUICK)
    with pytest.raises(RejectedError) as caught:
        client.vread("Patient", "p1", "1")
    assert caught.value.status == 422
    assert str(caught.value) == "Patient.gender: bad (Patient.gender)"
    with pytest.raises(AuthenticationRefusedError, match="token"):
        client.history(None, 10)
    assert len(server.seen) == 2  # refusals are not retried


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A clinic CA and a server certificate for 127.0.0.1 signed by it."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Clinic test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


def test_tls_is_verified_against_the_pinned_ca_bundle(tmp_path: Path) -> None:
    ca_file, cert_file, key_file = _certificates(tmp_path)
    server = ServerProcess(
        db_url=f"sqlite:///{tmp_path / 'server.db'}",
        workdir=tmp_path,
        extra_args=("--ssl-certfile", str(cert_file), "--ssl-keyfile", str(key_file)),
    )
    server.start_url = f"https://127.0.0.1:{server.port}"
    server.start(verify=str(ca_file))
    try:
        token = server.add_device("tls-ws")
        url = f"https://127.0.0.1:{server.port}"
        pinned = FhirClient(url, token, ca_bundle=str(ca_file), retry=QUICK)
        assert pinned.history(None, 10)["type"] == "history"
        system_cas = FhirClient(url, token, retry=QUICK)
        with pytest.raises(ServerUnavailableError, match="certificate"):
            system_cas.history(None, 10)
    finally:
        server.kill()
