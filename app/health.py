"""Liveness, readiness and metrics endpoints for the load balancer and Prometheus.

``/readyz`` answers 503 when a dependency this instance needs is down, so a load balancer stops sending
it traffic. Failure details go to the log, not the response: the endpoint is unauthenticated.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from core import jobs
from core.db import ping
from core.logging import get_logger
from core.settings import Settings

router = APIRouter(tags=["health"])
log = get_logger("madoguchi.health")
RASA_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool


def check_database(request: Request) -> Check:
    try:
        ping(request.app.state.db_engine)
    except Exception as exc:  # any driver error means "not ready"
        log.warning("readiness.database_failed", error=type(exc).__name__)
        return Check("database", False)
    return Check("database", True)


def check_queue() -> Check:
    health = jobs.queue_health()
    if not health.ok:
        log.warning("readiness.queue_failed", backend=health.backend, error=health.detail.split(":")[0])
    return Check("queue", health.ok)


def check_rasa(settings: Settings) -> Check:
    try:
        # Rasa answers "Hello from Rasa: <version>" at its root without authentication.
        response = httpx.get(settings.rasa_url.rstrip("/") + "/", timeout=RASA_TIMEOUT_SECONDS)
        ok = response.status_code == 200
    except httpx.HTTPError as exc:
        log.warning("readiness.rasa_failed", error=type(exc).__name__)
        ok = False
    return Check("rasa", ok)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive and serving requests; nothing else is checked."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    checks = [check_database(request), check_queue()]
    if settings.rasa_enabled:
        checks.append(check_rasa(settings))
    ready = all(check.ok for check in checks)
    body = {"status": "ok" if ready else "unavailable",
            "checks": {check.name: "ok" if check.ok else "fail" for check in checks}}
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    exporter = request.app.state.metrics
    return Response(exporter.render(), media_type=exporter.content_type)
