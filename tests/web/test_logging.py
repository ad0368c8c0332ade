from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from core.logging import configure_logging, get_logger
from tests.web.conftest import csrf_from

SECRET_PASSWORD = "Sekret-Pa55word-7731"
RESIDENT_TEXT = "山田太郎です。住所は神戸市中央区の…"


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    yield stream
    configure_logging("INFO")


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_logs_are_json_and_never_hold_posted_passwords_or_text(
        client: TestClient, make_user: Callable[..., str], captured_logs: io.StringIO) -> None:
    make_user("logger1")
    token = csrf_from(client.get("/console/login").text)
    for password in (SECRET_PASSWORD, "correct horse battery"):
        client.post("/console/login", data={"username": "logger1", "password": password, "text": RESIDENT_TEXT,
                                            "csrf_token": token})
    client.get(f"/console/?q={RESIDENT_TEXT}")
    raw = captured_logs.getvalue()
    records = _lines(captured_logs)
    events = [record["event"] for record in records]
    assert "login.failure" in events and "login.success" in events
    assert any(r["event"] == "request" and r.get("route") == "/console/login" for r in records)
    assert SECRET_PASSWORD not in raw
    assert "correct horse" not in raw
    assert "山田" not in raw and "神戸" not in raw
    assert "?q=" not in raw


def test_text_bearing_fields_are_dropped_even_when_a_developer_logs_them(captured_logs: io.StringIO) -> None:
    get_logger("madoguchi.test").info("asr.result", text=RESIDENT_TEXT, masked_text="[氏名]です",
                                      transcript="...", call_id=42, confidence=0.8)
    (record,) = [r for r in _lines(captured_logs) if r["event"] == "asr.result"]
    assert record["call_id"] == 42 and record["confidence"] == 0.8
    assert record["dropped_text_fields"] == ["masked_text", "text", "transcript"]
    assert "山田" not in captured_logs.getvalue()
