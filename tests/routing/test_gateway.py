"""The chat gateway against the real Rasa server and masking/'s real detector."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.settings import Settings
from core.web.ratelimit import SlidingWindowLimiter
from routing.web import MAX_MESSAGE_CHARS, PER_SESSION
from routing.web import router as routing_router
from tests.routing.conftest import NEEDS_PATH, WINDOWS_PATH

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


@pytest.fixture(scope="module")
def gateway(rasa_url: str) -> Iterator[TestClient]:
    app = FastAPI()
    app.state.settings = Settings(rasa_url=rasa_url, windows_path=WINDOWS_PATH, needs_path=NEEDS_PATH)
    app.state.rate_limiter = SlidingWindowLimiter()
    app.include_router(routing_router)
    with TestClient(app) as client:
        yield client
    rasa = getattr(app.state, "routing_client", None)
    if rasa is not None:
        rasa.close()


def session() -> str:
    return uuid.uuid4().hex


def test_a_worry_gets_window_cards_with_tap_to_call(gateway: TestClient) -> None:
    response = gateway.post("/api/routing/chat", json={"session_id": session(), "message": "生活保護を受けたい"})
    assert response.status_code == 200
    body = response.json()
    assert body["windows"][0]["id"] == "seikatsu-hogo"
    assert body["windows"][0]["tel"].startswith("tel:")
    assert body["texts"] and not body["crisis"]
    assert response.headers["access-control-allow-origin"] == "*"


def test_crisis_reply_puts_emergency_lines_first(gateway: TestClient) -> None:
    body = gateway.post("/api/routing/chat", json={"session_id": session(), "message": "もう消えたい"}).json()
    assert body["crisis"]
    assert "110" in body["texts"][0] and "119" in body["texts"][0]
    lines = [card["id"] for card in body["crisis_lines"]]
    assert {"kokoro-dial", "yorisoi", "police-110", "kyukyu-119"} <= set(lines)


def test_personal_information_is_masked_before_rasa_sees_it(gateway: TestClient, rasa_url: str) -> None:
    sid = session()
    body = gateway.post(
        "/api/routing/chat",
        json={"session_id": sid, "message": "山田花子です。電話は090-1234-5678です。母の介護で困っています"},
    ).json()
    assert any("個人情報" in notice for notice in body["notices"])
    tracker = httpx.get(f"{rasa_url}/conversations/{sid}/tracker", timeout=30).json()
    seen_by_rasa = " ".join(e.get("text") or "" for e in tracker["events"] if e["event"] == "user")
    assert "母の介護" in seen_by_rasa
    assert "090-1234-5678" not in seen_by_rasa
    assert "山田花子" not in seen_by_rasa


def test_vague_message_offers_quick_replies(gateway: TestClient) -> None:
    body = gateway.post("/api/routing/chat", json={"session_id": session(), "message": "相談があります"}).json()
    assert {"title": "介護・高齢の家族", "payload": "/elderly_care"} in body["buttons"]
    chosen = gateway.post("/api/routing/chat", json={"session_id": session(), "message": "/elderly_care"}).json()
    assert chosen["windows"][0]["id"] == "chiiki-houkatsu"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"session_id": "short", "message": "こんにちは"}, 422),
        ({"session_id": "bad id with spaces!", "message": "こんにちは"}, 400),
        ({"session_id": uuid.uuid4().hex, "message": "   "}, 400),
        ({"session_id": uuid.uuid4().hex, "message": "あ" * (MAX_MESSAGE_CHARS + 1)}, 400),
    ],
)
def test_bad_input_gets_a_japanese_4xx(gateway: TestClient, payload: dict[str, str], status: int) -> None:
    response = gateway.post("/api/routing/chat", json=payload)
    assert response.status_code == status
    if status == 400:
        assert "ください" in response.json()["detail"] or "正しくありません" in response.json()["detail"]


def test_one_session_is_rate_limited(gateway: TestClient) -> None:
    sid = session()
    statuses = [
        gateway.post("/api/routing/chat", json={"session_id": sid, "message": "こんにちは"}).status_code
        for _ in range(PER_SESSION.max_events + 1)
    ]
    assert statuses[:-1] == [200] * PER_SESSION.max_events
    assert statuses[-1] == 429


def test_widget_and_demo_page_are_served(gateway: TestClient) -> None:
    script = gateway.get("/routing/widget.js")
    assert script.status_code == 200 and "attachShadow" in script.text
    assert "innerHTML" not in script.text  # replies are rendered as text only
    page = gateway.get("/routing/demo")
    assert '<script src="/routing/widget.js"' in page.text
    assert "unsafe-inline" in page.headers["content-security-policy"]


def test_feedback_is_counted_once(gateway: TestClient) -> None:
    sid = session()
    gateway.post("/api/routing/chat", json={"session_id": sid, "message": "介護保険の申請をしたい"})
    first = gateway.post("/api/routing/feedback", json={"session_id": sid, "helpful": True}).json()
    second = gateway.post("/api/routing/feedback", json={"session_id": sid, "helpful": False}).json()
    assert first == {"recorded": True} and second == {"recorded": False}
    store = gateway.app.state.routing_store  # type: ignore[attr-defined]
    assert store.analytics().helpful >= 1


def test_rasa_down_gets_a_503_with_a_phone_number(gateway: TestClient) -> None:
    app: FastAPI = gateway.app  # type: ignore[assignment]
    saved = app.state.routing_chat
    try:
        from routing.chat import ChatService
        from routing.rasa_client import HttpRasaClient
        from routing.wiring import RoutingConfig, build_routing
        from tests.support import free_port

        down = HttpRasaClient(f"http://127.0.0.1:{free_port()}", timeout_seconds=2)
        services = build_routing(RoutingConfig("unused", WINDOWS_PATH, NEEDS_PATH), client=down)
        app.state.routing_chat = ChatService(
            services.router, down, services.directory, app.state.routing_masker, app.state.routing_store
        )
        response = gateway.post("/api/routing/chat", json={"session_id": session(), "message": "介護の相談"})
        assert response.status_code == 503
        assert "110" in response.json()["detail"]
        down.close()
    finally:
        app.state.routing_chat = saved
