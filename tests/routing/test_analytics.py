"""Chat analytics in the database (SQLite and PostgreSQL): counters, retention, failure isolation, the
console page 「チャット相談の分析」, the staff JSON, and the 503 message naming the city's own window."""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from core.clock import utcnow
from core.db import make_engine, make_session_factory, session_scope
from core.logging import configure_logging
from core.settings import Settings
from core.users import Role, create_user
from routing.analytics_models import RoutingDailyCounts, RoutingDailyWindow, RoutingUnclearQuestion
from routing.analytics_queries import period_analytics
from routing.analytics_store import DatabaseAnalytics, purge_expired, tokyo_day
from routing.conversations import MaskedTurn
from routing.web import unavailable_message
from routing.windows import NeedMap
from routing.wiring import HelpLine, RoutingConfig, build_routing
from tests.routing.conftest import NEEDS_PATH, WINDOWS_PATH
from tests.support import free_port
from tests.web.conftest import PASSWORD, log_in

TODAY = tokyo_day(utcnow())
SAKURA = {"name": "さくら市福祉まるごと相談センター", "phone": "022-222-2222", "hours": "24時間365日"}
SAKURA_GENERAL = {"name": "さくら市役所 代表電話", "phone": "011-111-1111", "hours": "平日 9:00〜17:00", "url": ""}


def sakura_windows(folder: Path) -> Path:
    """Another city's windows file: the same ids (the crisis layer needs its lines), its own all-round
    center (the window request_staff names) and general line."""
    raw = yaml.safe_load(WINDOWS_PATH.read_text(encoding="utf-8"))
    help_id = NeedMap.load(NEEDS_PATH).windows_by_need["request_staff"][0]
    for window in raw["windows"]:
        if window["id"] == help_id:
            window.update(SAKURA)
    raw["general_line"] = SAKURA_GENERAL
    path = folder / "windows.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def analytics_app(database_url: str, data_dir: Path, **routing: Any) -> FastAPI:
    settings = Settings(_env_file=None, env="test", database_url=database_url, data_dir=data_dir,  # type: ignore[call-arg]
                        secret_key=SecretStr("test-secret-key-for-routing-analytics"), queue_backend="immediate",
                        **{"windows_path": WINDOWS_PATH, "needs_path": NEEDS_PATH, **routing})
    return create_app(settings)


def add_staff(sessions: sessionmaker[Session], username: str = "sato", role: Role = Role.STAFF) -> str:
    with session_scope(sessions) as session:
        create_user(session, username, "福祉課 佐藤", role, PASSWORD)
    return username


def at(day: date) -> datetime:
    """Noon in Tokyo on ``day``, as UTC."""
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)


def turn(text: str = "相談したい", *, windows: tuple[str, ...] = (), crisis: bool = False,
         intent: str | None = "unclear") -> MaskedTurn:
    return MaskedTurn(text, intent, windows, crisis)


@pytest.fixture
def sessions_(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def test_turns_and_feedback_add_up_per_tokyo_day(sessions_: sessionmaker[Session]) -> None:
    moment = [at(TODAY - timedelta(days=1))]
    analytics = DatabaseAnalytics(sessions_, clock=lambda: moment[0])
    analytics.record_turn(turn(windows=("seikatsu-hogo", "jiritsu-soudan")), new_conversation=True,
                          clarifying=False, out_of_scope=False)
    analytics.record_turn(turn("消えたい", windows=("seishin-hoken",), crisis=True), new_conversation=False,
                          clarifying=False, out_of_scope=False)
    analytics.record_turn(turn("相談があります"), new_conversation=True, clarifying=True, out_of_scope=False)
    analytics.record_feedback(True, None)
    moment[0] = at(TODAY)
    analytics.record_turn(turn("税金の納付", intent="out_of_scope"), new_conversation=True, clarifying=False,
                          out_of_scope=True)
    analytics.record_turn(turn(windows=("seikatsu-hogo",)), new_conversation=False, clarifying=False,
                          out_of_scope=False)
    analytics.record_feedback(False, turn("母の介護＊＊＊", intent="elderly_care"))

    with sessions_() as session:
        yesterday = session.get(RoutingDailyCounts, TODAY - timedelta(days=1))
        assert yesterday is not None
        assert (yesterday.conversations, yesterday.messages, yesterday.crisis, yesterday.clarifying,
                yesterday.helpful, yesterday.not_helpful) == (2, 3, 1, 1, 1, 0)
        data = period_analytics(session, TODAY, 7)
    assert (data.totals.conversations, data.totals.messages, data.totals.out_of_scope) == (3, 5, 1)
    assert data.windows == [("seikatsu-hogo", 2), ("seishin-hoken", 1)]  # the first window only
    assert data.helpful_rate == 0.5
    assert [(q.reason, q.text_masked) for q in data.questions] == [
        ("not_helpful", "母の介護＊＊＊"), ("clarifying", "相談があります")]
    assert len(data.days) == 7 and data.days[0].day == TODAY and data.days[0].messages == 2


def test_counts_from_many_threads_are_not_lost(sessions_: sessionmaker[Session]) -> None:
    analytics = DatabaseAnalytics(sessions_)

    def chat() -> None:
        for _ in range(10):
            analytics.record_turn(turn(windows=("hikikomori",)), new_conversation=True, clarifying=False,
                                  out_of_scope=False)

    workers = [threading.Thread(target=chat) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    with sessions_() as session:
        row = session.get(RoutingDailyCounts, TODAY)
        window = session.get(RoutingDailyWindow, (TODAY, "hikikomori"))
    assert row is not None and (row.messages, row.conversations) == (60, 60)
    assert window is not None and window.recommended == 60


def test_retention_deletes_old_questions_and_keeps_the_counts(sessions_: sessionmaker[Session]) -> None:
    moment = [at(TODAY - timedelta(days=120))]
    analytics = DatabaseAnalytics(sessions_, retention_days=90, clock=lambda: moment[0])
    analytics.record_turn(turn("ずっと前の質問"), new_conversation=True, clarifying=True, out_of_scope=False)
    moment[0] = at(TODAY - timedelta(days=89))
    analytics.record_turn(turn("89日前の質問"), new_conversation=True, clarifying=True, out_of_scope=False)
    with sessions_() as session:
        assert session.scalar(select(func.count()).select_from(RoutingUnclearQuestion)) == 2
    moment[0] = at(TODAY)  # the first write of a new day purges
    analytics.record_turn(turn("きょうの質問"), new_conversation=True, clarifying=True, out_of_scope=False)
    with sessions_() as session:
        kept = session.scalars(select(RoutingUnclearQuestion.text_masked).order_by(RoutingUnclearQuestion.id))
        assert list(kept) == ["89日前の質問", "きょうの質問"]
        old = session.get(RoutingDailyCounts, TODAY - timedelta(days=120))
        assert old is not None and old.messages == 1
        assert purge_expired(session, TODAY + timedelta(days=1), 1) == 2  # only tomorrow's window is kept


def test_a_failed_write_never_reaches_the_resident_and_logs_no_text(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'not-migrated.db'}")  # no analytics tables
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    try:
        analytics = DatabaseAnalytics(make_session_factory(engine))
        analytics.record_turn(turn("電話は090-3141-5926"), new_conversation=True, clarifying=True,
                              out_of_scope=False)
        analytics.record_feedback(False, turn("電話は090-3141-5926"))
    finally:
        configure_logging("INFO")
        engine.dispose()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    failures = [line for line in lines if line.get("event") == "routing.analytics_failed"]
    assert [f["record"] for f in failures] == ["turn", "feedback"]
    assert "3141" not in stream.getvalue()


def test_help_line_is_the_request_staff_window_else_the_general_line(tmp_path: Path) -> None:
    windows = sakura_windows(tmp_path)
    services = build_routing(RoutingConfig("http://127.0.0.1:1", windows, NEEDS_PATH, nlu_dir=None))
    assert services.help_line == HelpLine(SAKURA["name"], SAKURA["phone"], SAKURA["hours"])
    without = NeedMap({"elderly_care": ("chiiki-houkatsu",)}, frozenset())
    fallback = dataclasses.replace(services, needs=without).help_line
    assert fallback == HelpLine("さくら市役所 代表電話", "011-111-1111", "平日 9:00〜17:00")
    assert "110番" in unavailable_message(None) and "お電話" not in unavailable_message(None)
    services.client.close()  # type: ignore[attr-defined]


@pytest.mark.slow
def test_rasa_down_503_names_the_window_of_the_citys_own_file(tmp_path: Path) -> None:
    windows = sakura_windows(tmp_path)
    url = f"sqlite:///{tmp_path / 'down.db'}"
    from core.migrate import upgrade

    upgrade(url)
    app = analytics_app(url, tmp_path, windows_path=windows,
                        rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=2)
    with TestClient(app) as client:
        response = client.post("/api/routing/chat", json={"session_id": uuid.uuid4().hex, "message": "介護の相談"})
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "さくら市福祉まるごと相談センター（022-222-2222、24時間365日）へお電話ください" in detail
    assert "みらいネット" not in detail and "000-0000-0010" not in detail
    assert "110番" in detail and "119番" in detail
    app.state.routing_client.close()


# --- the console page and the staff JSON ---


@pytest.fixture
def seeded(database_url: str, sessions_: sessionmaker[Session]) -> str:
    moment = [at(TODAY - timedelta(days=20))]
    analytics = DatabaseAnalytics(sessions_, clock=lambda: moment[0])
    analytics.record_turn(turn(windows=("chiiki-houkatsu",)), new_conversation=True, clarifying=False,
                          out_of_scope=False)
    moment[0] = at(TODAY)
    for window in ("seikatsu-hogo", "seikatsu-hogo", "no-longer-listed"):
        analytics.record_turn(turn(windows=(window,)), new_conversation=True, clarifying=False, out_of_scope=False)
    analytics.record_turn(turn("消えたい", crisis=True, windows=("seishin-hoken",)), new_conversation=False,
                          clarifying=False, out_of_scope=False)
    analytics.record_turn(turn("<script>alert(1)</script>＊＊＊の件"), new_conversation=True, clarifying=True,
                          out_of_scope=False)
    analytics.record_feedback(True, None)
    analytics.record_feedback(True, None)
    analytics.record_feedback(False, turn("窓口が遠い＊＊＊", intent="elderly_care"))
    add_staff(sessions_)
    return database_url


def test_the_page_needs_a_login(seeded: str, tmp_path: Path) -> None:
    with TestClient(analytics_app(seeded, tmp_path), headers={"accept": "text/html"}) as client:
        page = client.get("/console/routing/", follow_redirects=False)
        assert page.status_code in (302, 303)
        assert page.headers["location"].startswith("/console/login")
        assert client.get("/api/routing/analytics", headers={"accept": "application/json"}).status_code == 401


def test_the_page_shows_counts_windows_by_name_and_escaped_masked_questions(seeded: str, tmp_path: Path) -> None:
    with TestClient(analytics_app(seeded, tmp_path), headers={"accept": "text/html"}) as client:
        log_in(client, "sato")
        page = client.get("/console/routing/")
        assert page.status_code == 200
        html = page.text
        assert "<h1>チャット相談の分析</h1>" in html
        assert 'href="/console/routing/"' in html  # the navigation link
        for label in ("会話数", "メッセージ数", "緊急案内", "確認の質問", "対象外", "役に立った", "役に立たなかった"):
            assert label in html
        assert "67%" in html  # 2 of 3 answers were 役に立った
        assert "みらい市福祉事務所 生活支援課（生活保護担当）" in html  # the name, not the id
        assert "みらい市地域包括支援センター" in html  # 20 days ago: inside the default 30 days
        assert "no-longer-listed" in html and "現在の窓口一覧にありません" in html
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;＊＊＊の件" in html
        assert html.index("窓口が遠い＊＊＊") < html.index("＊＊＊の件")  # newest first
        assert "高齢者・介護" in html and "elderly_care" not in html  # the need by its Japanese name

        week = client.get("/console/routing/?days=7").text
        assert "みらい市地域包括支援センター" not in week
        assert '<strong aria-current="page">過去7日</strong>' in week
        assert client.get("/console/routing/?days=5").status_code == 200  # an unknown period: the default

        card = client.get("/console/").text
        assert "福祉チャット相談" in card and "チャット相談の分析を開く" in card

        counts = client.get("/api/routing/analytics?days=7", headers={"accept": "application/json"}).json()
        assert counts["conversations"] == 4 and counts["messages"] == 5 and counts["crisis_messages"] == 1
        assert counts["windows_recommended"] == {"seikatsu-hogo": 2, "no-longer-listed": 1, "seishin-hoken": 1}
        assert (counts["helpful"], counts["not_helpful"]) == (2, 1)
        assert "alert" not in json.dumps(counts)  # counts only, no question text
