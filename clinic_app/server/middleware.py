"""ASGI middleware: bearer-token authentication with per-device rate limits, the usage log,
and gzip for JSON responses."""

from __future__ import annotations

import logging

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clinic_app.server.config import ServerConfig
from clinic_app.server.devices import DeviceRegistry
from clinic_app.server.http_io import error_response
from clinic_app.server.outcome import FhirError
from clinic_app.server.rate_limit import RateLimiter, retry_after_header
from clinic_app.server.usage import UsageLog

log = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/health", "/metadata"})
DEVICE_ID = "device_id"  # key in the ASGI scope's state


def _unauthorised(diagnostics: str, code: str) -> FhirError:
    return FhirError(
        401, code, diagnostics, headers={"WWW-Authenticate": 'Bearer realm="clinic-server"'}
    )


class AuthMiddleware:
    """Every request but /health and /metadata needs `Authorization: Bearer <device token>`."""

    def __init__(
        self, app: ASGIApp, registry: DeviceRegistry, limiter: RateLimiter, config: ServerConfig
    ) -> None:
        self.app = app
        self._registry = registry
        self._limiter = limiter
        self._config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            error = _unauthorised("This server needs Authorization: Bearer <device token>", "login")
            await error_response(error)(scope, receive, send)
            return
        try:
            device = await anyio.to_thread.run_sync(self._registry.authenticate, token.strip())
        except Exception:  # noqa: BLE001 - no database, no service: say so in FHIR terms
            log.warning("token check failed: database unavailable")
            error = FhirError(503, "transient", "The server's database is unavailable; retry later")
            await error_response(error)(scope, receive, send)
            return
        if device is None:
            error = _unauthorised(
                "The device token is not valid (unknown, rotated or revoked)", "security"
            )
            await error_response(error)(scope, receive, send)
            return
        scope.setdefault("state", {})[DEVICE_ID] = device.device_id
        wait = self._limiter.take(
            device.device_id,
            device.rate_per_second or self._config.rate_per_second,
            device.rate_burst or self._config.rate_burst,
        )
        if wait > 0:
            error = FhirError(
                429,
                "throttled",
                "Too many requests from this device; retry after the Retry-After delay",
                headers={"Retry-After": retry_after_header(wait)},
            )
            await error_response(error)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class UsageMiddleware:
    """Counts each request's body bytes in and out (as sent on the wire, so compressed when
    gzip is used) and whether it failed, against the device that made it."""

    def __init__(self, app: ASGIApp, usage: UsageLog) -> None:
        self.app = app
        self._usage = usage

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/health":
            await self.app(scope, receive, send)
            return
        counts = {"in": 0, "out": 0, "status": 500}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                counts["in"] += len(message.get("body", b""))
            return message

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                counts["status"] = message["status"]
            elif message["type"] == "http.response.body":
                counts["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            device_id = scope.get("state", {}).get(DEVICE_ID)
            try:
                await anyio.to_thread.run_sync(
                    self._usage.record,
                    device_id,
                    counts["in"],
                    counts["out"],
                    counts["status"] >= 400,
                )
            except Exception:  # the answer is already sent; a lost usage row must not hide it
                log.warning("usage log write failed", exc_info=True)


# Attachments are mostly compressed already, and Range requests need identity bytes: gzip
# is for FHIR JSON, not for Binary content.
_NOT_GZIPPED = (
    *DEFAULT_EXCLUDED_CONTENT_TYPES,
    "application/octet-stream",
    "application/dicom",
    "application/pdf",
)


class JsonGZipMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._gzip = GZipMiddleware(
            app, minimum_size=1024, compresslevel=6, exclude_content_types=_NOT_GZIPPED
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/Binary/"):
            await self.app(scope, receive, send)
            return
        await self._gzip(scope, receive, send)
