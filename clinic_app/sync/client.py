"""The HTTP side of sync: a FHIR R4 REST client over `requests`.

- Bearer token on every request; TLS verified against the system CAs or a pinned CA bundle.
- Network errors, timeouts, 5xx and 429 are retried with exponential backoff and full jitter,
  honouring Retry-After; after the last attempt `ServerUnavailableError` says the server is
  out of reach, and the caller resumes from where it stopped next time.
- 401/403 raise `AuthenticationRefusedError`; any other 4xx raises `RejectedError` with the
  server's OperationOutcome text. Answers that are not the JSON asked for, or larger than the
  limit, raise `BadResponseError`. Nothing here touches the database.
- `next` links are followed only on the configured server (the token never goes elsewhere).
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from clinic_app.errors import OperationCancelledError
from clinic_app.sync.errors import (
    AuthenticationRefusedError,
    BadResponseError,
    RejectedError,
    ServerUnavailableError,
)
from clinic_app.sync.fhir_values import etag_version
from clinic_app.sync.http_bodies import (
    BrokenAnswerError,
    ChunkReader,
    read_limited,
    retry_after,
    transient_errors,
    wire_bytes,
)
from clinic_app.sync.outcome import outcome_message
from clinic_app.tasks import CancelToken

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
MAX_JSON_BYTES = 64 * 1024 * 1024
GZIP_FROM_BYTES = 4096
_RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class RetryPolicy:
    # Blips are ridden out in a few seconds; a server that stays away makes the run end (the
    # status bar says offline, the next run resumes) rather than hang.
    attempts: int = 5
    base_seconds: float = 0.25
    cap_seconds: float = 30.0
    # Retry-After beyond this is not waited for: the sync stops and resumes next time.
    max_retry_after: float = 120.0

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base · 2^attempt)]."""
        return random.uniform(0, min(self.cap_seconds, self.base_seconds * 2**attempt))


@dataclass
class WireCounters:
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0  # as on the wire (compressed when the server compressed)
    retries: int = 0


@dataclass
class FhirClient:
    base_url: str
    token: str
    ca_bundle: str = ""
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    cancel: CancelToken | None = None
    sleep: Callable[[float], None] = time.sleep
    counters: WireCounters = field(default_factory=WireCounters)
    gzip_requests: bool = True
    max_json_bytes: int = MAX_JSON_BYTES

    def __post_init__(self) -> None:
        import requests

        self.base_url = self.base_url.rstrip("/")
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {self.token}",
                "Accept": FHIR_JSON,
                "User-Agent": "clinic-app-sync",
            }
        )
        # Passed with every request: a session-level setting loses to $REQUESTS_CA_BUNDLE.
        self._verify: str | bool = self.ca_bundle or True

    def close(self) -> None:
        self._session.close()

    # --- FHIR interactions -------------------------------------------------------------

    def capabilities(self) -> dict[str, Any]:
        return self._json("GET", "metadata")

    def transaction(self, bundle: dict[str, Any]) -> dict[str, Any]:
        answer = self._json("POST", "", body=bundle)
        if answer.get("resourceType") != "Bundle" or not isinstance(answer.get("entry"), list):
            raise BadResponseError("The server's answer to a transaction was not a Bundle.")
        return answer

    def read(self, resource_type: str, resource_id: str) -> dict[str, Any] | None:
        """The current version, or None when it is gone (404/410)."""
        try:
            return self._json("GET", f"{resource_type}/{resource_id}")
        except RejectedError as exc:
            if exc.status in (404, 410):
                return None
            raise

    def vread(self, resource_type: str, resource_id: str, version: str) -> dict[str, Any] | None:
        try:
            return self._json("GET", f"{resource_type}/{resource_id}/_history/{version}")
        except RejectedError as exc:
            if exc.status in (404, 410):
                return None
            raise

    def history(self, since: str | None, count: int) -> dict[str, Any]:
        params: dict[str, str] = {"_count": str(count)}
        if since:
            params["_since"] = since
        return self._json("GET", "_history", params=params)

    def follow(self, link: str) -> dict[str, Any]:
        return self._json("GET", self.on_this_server(link))

    def put_binary(
        self, binary_id: str, body: Callable[[], Iterator[bytes]], content_type: str, size: int
    ) -> str | None:
        """Uploads raw bytes as `Binary/<id>`; returns the version the server gave it."""
        headers = {"Content-Type": content_type or "application/octet-stream"}
        response = self._send(
            "PUT", f"Binary/{binary_id}", headers=headers, data=lambda: ChunkReader(body(), size)
        )
        self.counters.bytes_sent += size
        response.close()
        return etag_version(response.headers.get("ETag"))

    def get_binary(self, binary_id: str, offset: int) -> requests.Response:
        """A streaming response with the raw bytes from `offset` (206) or from the start (200)."""
        headers = {"Accept": "application/octet-stream"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        response: requests.Response = self._send(
            "GET", f"Binary/{binary_id}", headers=headers, stream=True
        )
        return response

    # --- plumbing ----------------------------------------------------------------------

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path}" if path else self.base_url

    def on_this_server(self, link: str) -> str:
        """A `next` link re-based on our server: only its path and query are kept, and the
        path must lie under ours (a proxy or the server may report another host name)."""
        base = urlsplit(self.base_url)
        target = urlsplit(link)
        base_path = base.path.rstrip("/")
        if not target.path.startswith(base_path + "/") and target.path != base_path:
            raise BadResponseError("The server sent a paging link outside its own address.")
        return urlunsplit((base.scheme, base.netloc, target.path, target.query, ""))

    def _json(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        data: bytes | None = None
        headers = {}
        if body is not None:
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = f"{FHIR_JSON}; charset=utf-8"
            if self.gzip_requests and len(data) > GZIP_FROM_BYTES:
                data = gzip.compress(data, compresslevel=5)
                headers["Content-Encoding"] = "gzip"
        try:
            raw = self._send(
                method,
                path,
                headers=headers,
                data=data,
                params=params,
                stream=True,
                consume=self._read_json_body,
            )
        except RejectedError as exc:
            if exc.status != 415 or "Content-Encoding" not in headers or body is None:
                raise
            self.gzip_requests = False  # a server that takes no gzip bodies: plain from now on
            return self._json(method, path, body=body, params=params)
        if data is not None:
            self.counters.bytes_sent += len(data)
        try:
            parsed = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadResponseError("The server's answer was not valid JSON.") from exc
        if not isinstance(parsed, dict) or not isinstance(parsed.get("resourceType"), str):
            raise BadResponseError("The server's answer was not a FHIR resource.")
        return parsed

    def _read_json_body(self, response: requests.Response) -> bytes:
        raw = read_limited(response, self.max_json_bytes)
        self.counters.bytes_received += wire_bytes(response, len(raw))
        return raw

    def _send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        data: bytes | Callable[[], Any] | None = None,
        params: dict[str, str] | None = None,
        stream: bool = False,
        consume: Callable[[requests.Response], Any] = lambda response: response,
    ) -> Any:
        """Sends with retries; `consume` reads the answer inside the retry loop, so an answer
        cut off half-way is asked for again like a failed connection."""
        import requests

        url = self.url(path)
        last_problem = "no answer"
        for attempt in range(self.retry.attempts):
            self._check_cancel()
            wait: float | None = None
            try:
                body = data() if callable(data) else data
                response = self._session.request(
                    method,
                    url,
                    headers=headers,
                    data=body,
                    params=params,
                    timeout=(min(10.0, self.timeout), self.timeout),
                    stream=stream,
                    allow_redirects=False,
                    verify=self._verify,
                )
                self.counters.requests += 1
                status = response.status_code
                if status < 300:
                    return consume(response)
            except requests.exceptions.SSLError as exc:
                raise ServerUnavailableError(
                    "The server's certificate could not be verified; check the CA bundle in "
                    "the sync settings."
                ) from exc
            except (*transient_errors(), BrokenAnswerError) as exc:
                last_problem = type(exc).__name__
            else:
                if status in _RETRY_STATUSES:
                    last_problem = f"HTTP {status}"
                    wait = retry_after(response)
                    response.close()
                    if wait is not None and wait > self.retry.max_retry_after:
                        break
                else:
                    self._raise_for(response)
            if attempt + 1 < self.retry.attempts:
                self.counters.retries += 1
                delay = max(wait or 0.0, self.retry.delay(attempt))
                log.info("sync request retry: %s %s in %.1fs", method, last_problem, delay)
                self._pause(delay)
        raise ServerUnavailableError(
            f"The sync server can't be reached right now ({last_problem}); the sync will resume "
            "where it stopped."
        )

    def _raise_for(self, response: requests.Response) -> None:
        status = response.status_code
        try:
            raw = read_limited(response, 1024 * 1024)
            body: object = json.loads(raw) if raw else None
        except (ValueError, BadResponseError, UnicodeDecodeError, BrokenAnswerError):
            body = None
        message = outcome_message(body) or f"The server refused the request (HTTP {status})."
        if status in (401, 403):
            raise AuthenticationRefusedError(
                "The sync server refused this workstation's token (HTTP "
                f"{status}); ask IT to check the device token."
            )
        if 300 <= status < 400:
            raise BadResponseError(f"The server redirected the request (HTTP {status}).")
        raise RejectedError(status, message, body=body)

    def pause(self, seconds: float) -> None:
        """Waits (polling the cancel token), e.g. before asking again after a collision."""
        self._pause(seconds)

    def _pause(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while True:
            self._check_cancel()
            left = end - time.monotonic()
            if left <= 0:
                return
            self.sleep(min(left, 0.2))

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.cancelled:
            raise OperationCancelledError
