from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.main import create_app
from core.settings import DEV_SECRET, InsecureSettingsError, Settings
from core.users import Role
from tests.web.conftest import PASSWORD, csrf_from


def _session_cookie(response_headers: list[str]) -> str:
    cookies = [h for h in response_headers if h.startswith("madoguchi_session=")]
    assert cookies, "no session cookie was set"
    return cookies[-1].lower()


def test_session_cookie_is_httponly_and_samesite(client: TestClient, make_user: Callable[..., str]) -> None:
    make_user("cookie1", Role.STAFF)
    page = client.get("/console/login")
    response = client.post("/console/login", data={"username": "cookie1", "password": PASSWORD,
                                                   "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    cookie = _session_cookie(response.headers.get_list("set-cookie"))
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # development over plain http on 127.0.0.1
    assert "max-age=28800" in cookie


def test_production_cookie_is_secure(tmp_path: Path, web_settings: Settings) -> None:
    settings = web_settings.model_copy(update={
        "env": "production", "secret_key": SecretStr("a-real-production-secret-0123456789"),
    })
    with TestClient(create_app(settings), base_url="https://console.city.example") as client:
        page = client.get("/console/login")
        cookie = _session_cookie(page.headers.get_list("set-cookie"))
        assert "secure" in cookie and "httponly" in cookie
        assert page.headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize("secret", ["", "change-me", DEV_SECRET])
def test_production_refuses_placeholder_secrets(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.setenv("MADOGUCHI_ENV", "production")
    monkeypatch.setenv("MADOGUCHI_SECRET_KEY", secret)
    with pytest.raises(InsecureSettingsError, match="MADOGUCHI_SECRET_KEY"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_console_pages_carry_security_headers(client: TestClient) -> None:
    page = client.get("/console/login")
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text  # the CSP forbids inline script, and the console needs none


def test_changing_the_password_ends_other_sessions(client: TestClient, make_user: Callable[..., str],
                                                  web_sessions: object) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session, sessionmaker

    from core.users import User, set_password

    assert isinstance(web_sessions, sessionmaker)
    make_user("pwchange")
    page = client.get("/console/login")
    client.post("/console/login", data={"username": "pwchange", "password": PASSWORD,
                                        "csrf_token": csrf_from(page.text)})
    assert client.get("/console/").status_code == 200
    session: Session
    with web_sessions() as session:
        user = session.scalar(select(User).where(User.username == "pwchange"))
        assert user is not None
        set_password(user, "a brand new password")
        session.commit()
    assert client.get("/console/", follow_redirects=False).status_code == 303
