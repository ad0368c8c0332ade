from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from core.settings import Settings
from tests.support import free_port
from tests.web.conftest import log_in


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_and_queue(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "queue": "ok"}}


def test_readyz_fails_when_the_database_is_gone(web_settings: Settings) -> None:
    # A directory is not a database file: SQLite cannot open it.
    broken = web_settings.model_copy(update={"database_url": f"sqlite:///{web_settings.data_dir}"})
    with TestClient(create_app(broken)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "fail"


class _RasaRoot(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"Hello from Rasa: 3.6.21")

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def rasa_like_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _RasaRoot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_readyz_checks_rasa_only_when_enabled(web_settings: Settings, rasa_like_server: str) -> None:
    down = web_settings.model_copy(update={"rasa_enabled": True, "rasa_url": f"http://127.0.0.1:{free_port()}"})
    with TestClient(create_app(down)) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["rasa"] == "fail"
    up = web_settings.model_copy(update={"rasa_enabled": True, "rasa_url": rasa_like_server})
    with TestClient(create_app(up)) as client:
        assert client.get("/readyz").json()["checks"]["rasa"] == "ok"


def test_metrics_count_by_route_template_not_raw_path(app: FastAPI, make_user: Callable[..., str]) -> None:
    # /metrics answers loopback clients when no token is set (tests/web/test_metrics_access.py)
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        log_in(client, make_user("metrics1"))
        client.get("/console/")
        client.get("/no/such/page/12345?name=yamada")
        body = client.get("/metrics").text
    assert 'madoguchi_http_requests_total{method="GET",route="/console/",status="200"}' in body
    assert 'route="unmatched",status="404"' in body
    assert "12345" not in body and "yamada" not in body
    assert 'madoguchi_staff_logins_total{outcome="success"} 1.0' in body


def test_route_template_keeps_the_include_prefix(web_settings: Settings) -> None:
    app: FastAPI = create_app(web_settings)
    router = APIRouter()

    @router.get("/items/{item_id}")
    def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    app.include_router(router, prefix="/api/sample")
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        assert client.get("/api/sample/items/42").status_code == 200
        body = client.get("/metrics").text
    assert 'route="/api/sample/items/{item_id}"' in body
