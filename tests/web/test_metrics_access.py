"""Who may read /metrics: a bearer token when MADOGUCHI_METRICS_TOKEN is set, otherwise loopback clients only.

The client address is the transport's (httpx's ASGI transport passes ``client`` into the ASGI scope as a
server would), so the app's own code decides, unpatched.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from app.main import create_app
from core.settings import Settings

TOKEN = "scrape-token-for-tests-0123456789"


def get(app: FastAPI, path: str, client: tuple[str, int], headers: dict[str, str] | None = None) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://madoguchi.test") as http:
            return await http.get(path, headers=headers)

    return asyncio.run(run())


@pytest.fixture
def open_app(web_settings: Settings) -> FastAPI:
    return create_app(web_settings)


@pytest.fixture
def token_app(web_settings: Settings) -> FastAPI:
    return create_app(web_settings.model_copy(update={"metrics_token": SecretStr(TOKEN)}))


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_without_a_token_loopback_clients_get_metrics(open_app: FastAPI, host: str) -> None:
    response = get(open_app, "/metrics", (host, 40000))
    assert response.status_code == 200
    assert "madoguchi_http_requests_total" in response.text


@pytest.mark.parametrize("host", ["10.0.0.5", "192.168.1.20", "2001:db8::5", "testclient"])
def test_without_a_token_other_clients_are_refused(open_app: FastAPI, host: str) -> None:
    response = get(open_app, "/metrics", (host, 1234))
    assert response.status_code == 403
    assert "MADOGUCHI_METRICS_TOKEN" in response.text
    assert "madoguchi_http_requests_total" not in response.text


def test_a_forwarding_header_does_not_make_a_client_local(open_app: FastAPI) -> None:
    response = get(open_app, "/metrics", ("10.0.0.5", 1234), {"x-forwarded-for": "127.0.0.1"})
    assert response.status_code == 403


def test_with_a_token_it_is_required_even_from_loopback(token_app: FastAPI) -> None:
    for host in ("127.0.0.1", "10.0.0.5"):
        response = get(token_app, "/metrics", (host, 1234))
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "madoguchi_http_requests_total" not in response.text


def test_with_a_token_the_right_one_is_accepted_from_anywhere(token_app: FastAPI) -> None:
    response = get(token_app, "/metrics", ("10.0.0.5", 1234), {"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert "madoguchi_http_requests_total" in response.text


@pytest.mark.parametrize("authorization", [f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", "Bearer ",
                                           f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN.upper()}"])
def test_with_a_token_a_wrong_one_is_refused(token_app: FastAPI, authorization: str) -> None:
    response = get(token_app, "/metrics", ("10.0.0.5", 1234), {"authorization": authorization})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_health_endpoints_stay_open(token_app: FastAPI, open_app: FastAPI) -> None:
    for app in (token_app, open_app):
        assert get(app, "/healthz", ("10.0.0.5", 1234)).status_code == 200
        assert get(app, "/readyz", ("10.0.0.5", 1234)).status_code == 200


def test_the_token_comes_from_the_environment(web_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MADOGUCHI_METRICS_TOKEN", TOKEN)
    settings = Settings(_env_file=None, env="test", database_url=web_settings.database_url,  # type: ignore[call-arg]
                        data_dir=web_settings.data_dir, queue_backend="immediate")
    app = create_app(settings)
    assert get(app, "/metrics", ("127.0.0.1", 1234)).status_code == 401
    assert get(app, "/metrics", ("127.0.0.1", 1234), {"authorization": f"Bearer {TOKEN}"}).status_code == 200
