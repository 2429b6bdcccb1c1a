"""What the request handlers share, built once by `create_app` (the server's composition root)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from starlette.requests import Request

from clinic_app.server.config import ServerConfig
from clinic_app.server.devices import DeviceRegistry
from clinic_app.server.http_io import base_url
from clinic_app.server.middleware import DEVICE_ID
from clinic_app.server.rate_limit import RateLimiter
from clinic_app.server.usage import UsageLog


@dataclass(frozen=True)
class ServerServices:
    config: ServerConfig
    engine: Engine
    devices: DeviceRegistry
    usage: UsageLog
    limiter: RateLimiter


def services_of(request: Request) -> ServerServices:
    services: ServerServices = request.app.state.services
    return services


def device_of(request: Request) -> str | None:
    device_id: str | None = request.scope.get("state", {}).get(DEVICE_ID)
    return device_id


def base_of(request: Request) -> str:
    return base_url(request, services_of(request).config)
