"""Liveness, readiness and metrics endpoints for the load balancer and Prometheus.

``/readyz`` answers 503 when a dependency this instance needs is down, so a load balancer stops sending
it traffic. Failure details go to the log, not the response: the endpoint is unauthenticated.

``/metrics`` tells how the service is used (routes, volumes, failed logins), so it is not open:
with ``MADOGUCHI_METRICS_TOKEN`` set it wants that bearer token, without it only a client on the loopback
address gets it. The address is ``request.client.host`` — the TCP peer, or what uvicorn's proxy-header
handling made of ``X-Forwarded-For`` from a proxy it trusts — never a forwarding header read here.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

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


def is_loopback(host: str) -> bool:
    """127.0.0.0/8 or ::1 (also written as an IPv4-mapped IPv6 address); a name is never loopback."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def bearer_token_matches(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    # compare_digest: the time taken does not tell how much of a guess was right
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def metrics_refusal(request: Request, settings: Settings) -> Response | None:
    """None when this client may read /metrics, else the 401/403 to send."""
    token = settings.metrics_token.get_secret_value()
    if token:
        if bearer_token_matches(request, token):
            return None
        return PlainTextResponse("metrics need a bearer token\n", status_code=401,
                                 headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    if request.client is not None and is_loopback(request.client.host):
        return None
    return PlainTextResponse("metrics are served to this machine only; set MADOGUCHI_METRICS_TOKEN to scrape "
                             "them from elsewhere\n", status_code=403)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    refusal = metrics_refusal(request, request.app.state.settings)
    if refusal is not None:
        return refusal
    exporter = request.app.state.metrics
    return Response(exporter.render(), media_type=exporter.content_type)
