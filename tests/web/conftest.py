"""Fixtures for the web tests: a real app on a migrated SQLite file, driven through Starlette's TestClient."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from core.db import make_engine, make_session_factory, session_scope
from core.migrate import upgrade
from core.settings import Settings
from core.users import Role, create_user

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    upgrade(url)
    return Settings(_env_file=None, env="test", database_url=url, data_dir=tmp_path,  # type: ignore[call-arg]
                    secret_key=SecretStr("test-secret-key-for-web-tests"), queue_backend="immediate",
                    login_max_attempts=3)


@pytest.fixture
def web_sessions(web_settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(web_settings.database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def make_user(web_sessions: sessionmaker[Session]) -> Callable[..., str]:
    def make(username: str, role: Role = Role.STAFF, display_name: str = "") -> str:
        with session_scope(web_sessions) as session:
            create_user(session, username, display_name or username, role, PASSWORD)
        return username

    return make


@pytest.fixture
def app(web_settings: Settings) -> FastAPI:
    return create_app(web_settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={"accept": "text/html"}) as test_client:
        yield test_client


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/console/login")
    response = client.post("/console/login", data={"username": username, "password": password,
                                                   "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client
