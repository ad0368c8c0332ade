from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from core.settings import Settings
from core.web.ratelimit import Limit, SlidingWindowLimiter
from tests.web.conftest import PASSWORD, csrf_from


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_allows_again_once_old_events_leave_the_window() -> None:
    clock = ManualClock()
    limiter = SlidingWindowLimiter(clock=clock)
    limit = Limit(max_events=2, window_seconds=60)
    limiter.hit("login", "a", limit)
    clock.now += 30
    limiter.hit("login", "a", limit)
    assert limiter.retry_after("login", "a", limit) == pytest.approx(30)
    assert limiter.retry_after("login", "b", limit) == 0  # keys are independent
    assert limiter.retry_after("other-scope", "a", limit) == 0  # and so are scopes
    clock.now += 30
    assert limiter.retry_after("login", "a", limit) == 0
    limiter.hit("login", "a", limit)
    limiter.reset("login", "a")
    assert limiter.retry_after("login", "a", limit) == 0


@pytest.fixture
def clocked(web_settings: Settings) -> Iterator[tuple[TestClient, ManualClock]]:
    clock = ManualClock()
    app = create_app(web_settings, rate_limiter=SlidingWindowLimiter(clock=clock))
    with TestClient(app, headers={"accept": "text/html"}) as client:
        yield client, clock


def _attempt(client: TestClient, username: str, password: str) -> int:
    token = csrf_from(client.get("/console/login").text)
    response = client.post("/console/login", data={"username": username, "password": password,
                                                   "csrf_token": token}, follow_redirects=False)
    return response.status_code


def test_login_is_throttled_per_account_then_allowed_after_the_window(
        clocked: tuple[TestClient, ManualClock], make_user: Callable[..., str], web_settings: Settings) -> None:
    client, clock = clocked
    make_user("ito")
    for _ in range(web_settings.login_max_attempts):
        assert _attempt(client, "ito", "wrong password") == 400
    token = csrf_from(client.get("/console/login").text)
    blocked = client.post("/console/login", data={"username": "ito", "password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429  # even the right password waits: the attacker might have guessed it
    assert "しばらくしてから" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    assert _attempt(client, "other-user", "wrong password") == 400  # another account is not blocked
    clock.now += web_settings.login_window_seconds + 1
    assert _attempt(client, "ito", PASSWORD) == 303


def test_one_address_cannot_spray_many_accounts(clocked: tuple[TestClient, ManualClock],
                                                web_settings: Settings) -> None:
    client, _clock = clocked
    budget = web_settings.login_max_attempts * 5
    statuses = [_attempt(client, f"user{i:03d}", "wrong password") for i in range(budget + 1)]
    assert statuses[:budget] == [400] * budget
    assert statuses[budget] == 429
