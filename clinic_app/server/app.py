"""The application factory: the server's composition root."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Engine
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from clinic_app import __version__
from clinic_app.server import history_routes, instance_routes, system_routes
from clinic_app.server.config import ServerConfig
from clinic_app.server.database import make_engine
from clinic_app.server.devices import DeviceRegistry
from clinic_app.server.http_io import error_response
from clinic_app.server.middleware import AuthMiddleware, JsonGZipMiddleware, UsageMiddleware
from clinic_app.server.outcome import FhirError
from clinic_app.server.rate_limit import RateLimiter
from clinic_app.server.services import ServerServices
from clinic_app.server.usage import UsageLog

log = logging.getLogger(__name__)


async def _on_fhir_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FhirError)
    return error_response(exc)


async def _on_http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        error = FhirError(404, "not-found", "No such endpoint on this FHIR server")
    elif exc.status_code == 405:
        error = FhirError(405, "not-supported", "This interaction is not supported here")
    else:
        error = FhirError(exc.status_code, "processing", str(exc.detail))
    return error_response(error)


async def _on_invalid_request(_request: Request, _exc: Exception) -> Response:
    return error_response(FhirError(400, "invalid", "The request is not well formed"))


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    # The type and the route only: messages of database errors may quote submitted values.
    log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return error_response(
        FhirError(500, "exception", f"Internal server error ({type(exc).__name__})")
    )


def build_services(config: ServerConfig, engine: Engine | None = None) -> ServerServices:
    engine = engine or make_engine(config.db_url)
    return ServerServices(
        config=config,
        engine=engine,
        devices=DeviceRegistry(engine),
        usage=UsageLog(engine),
        limiter=RateLimiter(),
    )


def create_app(config: ServerConfig, services: ServerServices | None = None) -> FastAPI:
    """The ASGI app. The schema must be current (`clinic_app.server.migrate.upgrade`)."""
    services = services or build_services(config)
    app = FastAPI(
        title="clinic-server",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.services = services
    app.include_router(system_routes.router)
    app.include_router(history_routes.router)
    app.include_router(instance_routes.router)
    app.add_exception_handler(FhirError, _on_fhir_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)
    app.add_exception_handler(Exception, _on_unexpected)
    # Added innermost first: usage (outermost) sees the compressed bytes and every refusal.
    app.add_middleware(
        AuthMiddleware, registry=services.devices, limiter=services.limiter, config=config
    )
    app.add_middleware(JsonGZipMiddleware)
    app.add_middleware(UsageMiddleware, usage=services.usage)
    return app
