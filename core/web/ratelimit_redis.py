"""The login/resident rate limits shared by every app instance, in Redis (``MADOGUCHI_RATELIMIT_BACKEND=redis``).

One sorted set per (scope, key), scored by event time; the key is hashed so that user names and client
addresses are not stored in Redis in the clear. Instance clocks must agree (NTP), as for the job leases.
When Redis cannot be reached the limiter falls back to counting in this process, so staff can still log
in and guessing is still limited, per instance, until Redis is back.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable

import redis

from core.logging import get_logger
from core.web.ratelimit import Limit, SlidingWindowLimiter

log = get_logger("madoguchi.ratelimit")
PREFIX = "madoguchi:ratelimit:"


class RedisSlidingWindowLimiter:
    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.time) -> None:
        self._redis = client
        self._clock = clock
        self._fallback = SlidingWindowLimiter(clock=clock)

    @classmethod
    def from_url(cls, url: str) -> RedisSlidingWindowLimiter:
        return cls(redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2))

    def _name(self, scope: str, key: str) -> str:
        return PREFIX + scope + ":" + hashlib.sha256(key.encode()).hexdigest()

    def retry_after(self, scope: str, key: str, limit: Limit) -> float:
        now = self._clock()
        name = self._name(scope, key)
        try:
            pipe = self._redis.pipeline()
            pipe.zremrangebyscore(name, "-inf", now - limit.window_seconds)
            pipe.zrange(name, 0, -1, withscores=True)
            _removed, events = pipe.execute()
        except redis.RedisError as exc:
            log.warning("ratelimit.redis_unavailable", error=type(exc).__name__)
            return self._fallback.retry_after(scope, key, limit)
        if len(events) < limit.max_events:
            return 0.0
        oldest_counting = float(events[len(events) - limit.max_events][1])
        return max(0.0, oldest_counting + limit.window_seconds - now)

    def hit(self, scope: str, key: str, limit: Limit) -> None:
        now = self._clock()
        name = self._name(scope, key)
        try:
            pipe = self._redis.pipeline()
            pipe.zadd(name, {f"{now}:{uuid.uuid4().hex}": now})
            pipe.zremrangebyscore(name, "-inf", now - limit.window_seconds)
            pipe.expire(name, int(limit.window_seconds) + 1)
            pipe.execute()
        except redis.RedisError as exc:
            log.warning("ratelimit.redis_unavailable", error=type(exc).__name__)
            self._fallback.hit(scope, key, limit)

    def reset(self, scope: str, key: str) -> None:
        self._fallback.reset(scope, key)
        try:
            self._redis.delete(self._name(scope, key))
        except redis.RedisError as exc:
            log.warning("ratelimit.redis_unavailable", error=type(exc).__name__)
