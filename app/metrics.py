"""Prometheus metrics for the web app, labelled by route template so a resident's ids never become labels.

Each app gets its own registry (tests build several apps in one process). With several uvicorn worker
processes each process has its own counters: run one worker per app instance and let Prometheus scrape
every instance, rather than prometheus_client's multiprocess mode.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class HttpMetrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("madoguchi_http_requests_total", "HTTP requests handled",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("madoguchi_http_request_duration_seconds", "Time to handle an HTTP request",
                                 ["method", "route"], registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.logins = Counter("madoguchi_staff_logins_total", "Staff login attempts by outcome",
                              ["outcome"], registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
