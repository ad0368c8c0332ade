"""Sliding-window rate limits keyed by (scope, key): staff logins now, residents' endpoints later.

The in-process limiter is exact for one app process. A city running several app instances behind a
load balancer needs a shared store so that attempts count across instances; such a store implements
the same ``RateLimiter`` protocol (for example with a Redis sorted set per key: ZADD now, ZREMRANGEBYSCORE
older than the window, ZCARD) and is passed to the app instead of ``SlidingWindowLimiter``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Limit:
    max_events: int
    window_seconds: float


class RateLimiter(Protocol):
    def retry_after(self, scope: str, key: str, limit: Limit) -> float:
        """Seconds until another event is allowed; 0 when one is allowed now."""

    def hit(self, scope: str, key: str, limit: Limit) -> None:
        """Count one event."""

    def reset(self, scope: str, key: str) -> None:
        """Forget the events of one key (e.g. after a successful login)."""


class SlidingWindowLimiter:
    """Remembers event times per key; memory is bounded by the number of keys active within a window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._events: dict[tuple[str, str], deque[float]] = {}
        self._windows: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._hits_since_sweep = 0

    def _prune(self, events: deque[float], now: float, window: float) -> None:
        while events and events[0] <= now - window:
            events.popleft()

    def retry_after(self, scope: str, key: str, limit: Limit) -> float:
        now = self._clock()
        with self._lock:
            events = self._events.get((scope, key))
            if not events:
                return 0.0
            self._prune(events, now, limit.window_seconds)
            if len(events) < limit.max_events:
                return 0.0
            # The oldest event that still counts must leave the window before the next one fits.
            return max(0.0, events[-limit.max_events] + limit.window_seconds - now)

    def hit(self, scope: str, key: str, limit: Limit) -> None:
        now = self._clock()
        with self._lock:
            events = self._events.setdefault((scope, key), deque())
            self._prune(events, now, limit.window_seconds)
            events.append(now)
            self._windows[(scope, key)] = limit.window_seconds
            self._hits_since_sweep += 1
            if self._hits_since_sweep >= 1000:
                self._sweep(now)

    def reset(self, scope: str, key: str) -> None:
        with self._lock:
            self._events.pop((scope, key), None)
            self._windows.pop((scope, key), None)

    def _sweep(self, now: float) -> None:
        # Drop keys with no recent events so a stream of distinct keys cannot grow memory without bound.
        self._hits_since_sweep = 0
        stale = [k for k, events in self._events.items() if not events or events[-1] <= now - self._windows[k]]
        for key in stale:
            del self._events[key]
            del self._windows[key]
