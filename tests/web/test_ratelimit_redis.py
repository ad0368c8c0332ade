"""The shared rate limit: two app instances count failed logins together in a real Redis server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from app.main import create_app
from core.settings import Settings
from core.web.ratelimit import Limit
from core.web.ratelimit_redis import PREFIX, RedisSlidingWindowLimiter
from tests.core.jobs_harness import redis_server
from tests.support import free_port
from tests.web.conftest import PASSWORD, csrf_from


class ManualClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield url


@pytest.mark.redis
def test_redis_window_counts_and_expires(redis_url: str) -> None:
    clock = ManualClock()
    client = redis.Redis.from_url(redis_url)
    limiter = RedisSlidingWindowLimiter(client, clock=clock)
    limit = Limit(max_events=2, window_seconds=60)
    limiter.hit("login", "yamada|10.0.0.1", limit)
    clock.now += 30
    limiter.hit("login", "yamada|10.0.0.1", limit)
    assert limiter.retry_after("login", "yamada|10.0.0.1", limit) == pytest.approx(30)
    assert all(b"yamada" not in key and b"10.0.0.1" not in key for key in client.keys(PREFIX + "*"))
    clock.now += 31
    assert limiter.retry_after("login", "yamada|10.0.0.1", limit) == 0
    limiter.hit("login", "yamada|10.0.0.1", limit)
    limiter.reset("login", "yamada|10.0.0.1")
    assert client.keys(PREFIX + "*") == []
    client.close()


def _fail_login(client: TestClient, username: str, password: str = "wrong password") -> int:
    token = csrf_from(client.get("/console/login").text)
    return client.post("/console/login", data={"username": username, "password": password,
                                               "csrf_token": token}, follow_redirects=False).status_code


@pytest.mark.redis
def test_two_instances_share_the_login_limit(redis_url: str, web_settings: Settings,
                                             make_user: Callable[..., str]) -> None:
    make_user("shared")
    settings = web_settings.model_copy(update={"ratelimit_backend": "redis", "redis_url": redis_url})
    with TestClient(create_app(settings), headers={"accept": "text/html"}) as first, \
            TestClient(create_app(settings), headers={"accept": "text/html"}) as second:
        statuses = [_fail_login(first if i % 2 else second, "shared") for i in range(settings.login_max_attempts)]
        assert statuses == [400] * settings.login_max_attempts
        assert _fail_login(first, "shared", PASSWORD) == 429
        assert _fail_login(second, "shared", PASSWORD) == 429


def test_unreachable_redis_falls_back_to_counting_in_process() -> None:
    client = redis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.5)
    limiter = RedisSlidingWindowLimiter(client, clock=ManualClock())
    limit = Limit(max_events=1, window_seconds=60)
    limiter.hit("login", "k", limit)
    assert limiter.retry_after("login", "k", limit) > 0
    client.close()
