"""Voice fixtures: the real FAQ matcher (loaded once), an app with signed-webhook settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from core.migrate import upgrade
from core.settings import PROJECT_ROOT
from tests.voice.gather_harness import TwilioCall, harness_settings
from voice.answerer import FaqLibraryAnswerer
from voice.wiring import VoiceRuntime

KB_PATH = PROJECT_ROOT / "faq" / "data" / "tax_faq.yaml"


@pytest.fixture(scope="session")
def answerer() -> FaqLibraryAnswerer:
    return FaqLibraryAnswerer.from_path(KB_PATH)


AppFactory = Callable[..., FastAPI]


@pytest.fixture
def make_app(tmp_path: Path, answerer: FaqLibraryAnswerer) -> Iterator[AppFactory]:
    """Builds the real app on a migrated SQLite file; office hours and recording are per test."""
    built: list[FastAPI] = []

    def factory(office_hours: str = "always", recording: bool = False) -> FastAPI:
        url = f"sqlite:///{tmp_path / f'voice{len(built)}.db'}"
        upgrade(url)
        settings = harness_settings(tmp_path, url, office_hours=office_hours, recording=recording)
        app = create_app(settings)
        app.state.voice = VoiceRuntime(settings, app.state.db_sessions, answerer=answerer)
        built.append(app)
        return app

    yield factory
    for app in built:
        app.state.db_engine.dispose()


@pytest.fixture
def client(make_app: AppFactory) -> Iterator[TestClient]:
    with TestClient(make_app()) as test_client:
        yield test_client


@pytest.fixture
def new_call(client: TestClient) -> Callable[[str], TwilioCall]:
    return lambda sid: TwilioCall(client, sid)
