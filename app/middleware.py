"""ASGI middleware: security headers, and one log line plus metrics per request."""

from __future__ import annotations

import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.metrics import HttpMetrics
from core.logging import get_logger

# The console loads nothing from other origins and runs no inline script.
CONSOLE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "content-security-policy": CONSOLE_CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}

log = get_logger("madoguchi.http")


def route_template(scope: Scope) -> str:
    """``/console/users/{user_id}`` rather than ``/console/users/42``; unknown paths share one label."""
    # FastAPI keeps the matched route with its include_router prefix in an "effective route context";
    # scope["route"] alone lacks that prefix.
    effective: Any = scope.get("fastapi", {}).get("effective_route_context")
    for candidate in (effective, scope.get("route")):
        path = getattr(candidate, "path", None)
        if isinstance(path, str):
            return path
    return "static" if scope.get("path", "").startswith("/static/") else "unmatched"


class SecurityHeaders:
    """Adds the headers unless the route set its own (the residents' widget needs a different policy)."""

    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if "cache-control" not in headers:
                    headers["cache-control"] = "no-store"  # console pages show personal data
                if self.hsts:
                    headers.setdefault("strict-transport-security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestLog:
    """Logs method, route template, status and duration — never the path's ids or the query string."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            self.metrics.observe(scope["method"], route, status, elapsed)
            if route not in ("/healthz", "/metrics", "static"):
                log.info("request", method=scope["method"], route=route, status=status,
                         duration_ms=round(elapsed * 1000, 1))
