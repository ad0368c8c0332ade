"""Chats through the real gateway (real Rasa server, masking/'s real detector) are counted in the database
(SQLite and PostgreSQL), survive an app restart, and leave no raw personal information in any column."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select

from core.db import make_engine, make_session_factory
from routing.chat import Masker
from tests.routing.test_analytics import add_staff, analytics_app
from tests.web.conftest import log_in

pytestmark = [pytest.mark.rasa, pytest.mark.slow]
PHONE = "090-3141-5926"
NAME = "山田花子"
RAW_PIECES = (PHONE, PHONE.replace("-", ""), "3141-5926", "31415926", NAME)


@pytest.fixture(scope="module")
def masker() -> Masker:
    from routing.masker import DetectionMasker

    return DetectionMasker()  # loads GiNZA once for the module


def every_value(database_url: str) -> Iterator[tuple[str, str, str]]:
    """(table, column, value as text) for every cell of every table in the database."""
    engine = make_engine(database_url)
    metadata = MetaData()
    metadata.reflect(engine)
    try:
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                for row in connection.execute(select(table)).mappings():
                    for column, value in row.items():
                        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                        yield table.name, column, text
    finally:
        engine.dispose()


def chat(client: TestClient, session_id: str, message: str) -> dict[str, Any]:
    response = client.post("/api/routing/chat", json={"session_id": session_id, "message": message})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_chats_and_feedback_are_counted_in_the_database(
    database_url: str, rasa_url: str, masker: Masker, tmp_path: Path
) -> None:
    app = analytics_app(database_url, tmp_path, rasa_url=rasa_url)
    app.state.routing_masker = masker
    engine = make_engine(database_url)
    add_staff(make_session_factory(engine))
    engine.dispose()
    first, second, third = (uuid.uuid4().hex for _ in range(3))
    with TestClient(app) as client:
        assert chat(client, first, "生活保護を受けたい")["windows"][0]["id"] == "seikatsu-hogo"
        assert chat(client, first, "もう消えたい")["crisis"]
        assert chat(client, second, "相談があります")["buttons"]  # vague: a clarifying question
        assert chat(client, third, f"{NAME}です。電話は{PHONE}です。母の介護で困っています")["notices"]
        assert client.post("/api/routing/feedback", json={"session_id": first, "helpful": True}).json() == {
            "recorded": True}
        assert client.post("/api/routing/feedback", json={"session_id": first, "helpful": False}).json() == {
            "recorded": False}
        assert client.post("/api/routing/feedback", json={"session_id": third, "helpful": False}).json() == {
            "recorded": True}
    app.state.routing_client.close()

    # A new app process on the same database: the counts are still there.
    restarted = analytics_app(database_url, tmp_path)
    with TestClient(restarted, headers={"accept": "text/html"}) as client:
        log_in(client, "sato")
        counts = client.get("/api/routing/analytics?days=7", headers={"accept": "application/json"}).json()
        page = client.get("/console/routing/").text
    assert (counts["conversations"], counts["messages"]) == (3, 4)
    assert counts["crisis_messages"] == 1
    assert counts["clarifying_questions"] >= 1
    assert (counts["helpful"], counts["not_helpful"]) == (1, 1)
    assert counts["windows_recommended"].get("seikatsu-hogo", 0) >= 1
    assert "みらい市福祉事務所 生活支援課（生活保護担当）" in page
    assert "相談があります" in page  # the clarifying question, masked text (nothing to mask here)
    assert "母の介護で困っています" in page and not [piece for piece in RAW_PIECES if piece in page]

    cells = list(every_value(database_url))
    questions = [text for table, column, text in cells
                 if table == "routing_unclear_questions" and column == "text_masked"]
    assert any("母の介護" in text and "＊＊＊" in text for text in questions)  # the not-helpful conversation
    leaks = [(table, column) for table, column, text in cells for piece in RAW_PIECES if piece in text]
    assert leaks == []
