from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from core.audit import AuditEntry, verify
from core.settings import Settings
from core.users import Role
from tests.web.conftest import PASSWORD, csrf_from, log_in


def test_login_page_is_japanese_and_has_labelled_fields(client: TestClient) -> None:
    page = client.get("/console/login")
    assert page.status_code == 200
    assert '<html lang="ja">' in page.text
    assert '<label for="username">ユーザー名' in page.text
    assert '<label for="password">パスワード' in page.text


def test_staff_logs_in_sees_dashboard_and_logs_out(client: TestClient, make_user: Callable[..., str],
                                                   web_sessions: sessionmaker[Session]) -> None:
    make_user("yamada", Role.STAFF, "市民税課 山田")
    assert client.get("/console/", follow_redirects=False).headers["location"] == "/console/login?next=/console/"

    page = client.get("/console/login?next=/console/")
    response = client.post("/console/login", data={"username": "yamada", "password": PASSWORD,
                                                   "next": "/console/", "csrf_token": csrf_from(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/"
    dashboard = client.get("/console/")
    assert dashboard.status_code == 200
    assert "ダッシュボード" in dashboard.text
    assert "市民税課 山田" in dashboard.text

    out = client.post("/console/logout", data={"csrf_token": csrf_from(dashboard.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert "ログアウトしました" in client.get(out.headers["location"]).text
    assert client.get("/console/", follow_redirects=False).status_code == 303

    with web_sessions() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
        assert actions == ["login.success", "logout"]
        assert verify(session).ok


def test_wrong_password_is_refused_in_japanese_and_audited(client: TestClient, make_user: Callable[..., str],
                                                           web_sessions: sessionmaker[Session]) -> None:
    make_user("sato")
    page = client.get("/console/login")
    response = client.post("/console/login", data={"username": "sato", "password": "wrong password!",
                                                   "csrf_token": csrf_from(page.text)})
    assert response.status_code == 400
    assert "ユーザー名またはパスワードが正しくありません。" in response.text
    assert client.get("/console/", follow_redirects=False).status_code == 303
    # An unknown username is not stored: it may be a password typed into the wrong field.
    client.post("/console/login", data={"username": "hunter2-secret", "password": "x" * 12,
                                        "csrf_token": csrf_from(page.text)})
    with web_sessions() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [(e.actor, e.action) for e in entries] == [("sato", "login.failure"), ("anonymous", "login.failure")]
        stored = " ".join(f"{e.actor} {e.target_id} {e.detail}" for e in entries)
        assert "wrong password" not in stored
        assert "hunter2" not in stored


def test_next_parameter_cannot_redirect_off_site(client: TestClient, make_user: Callable[..., str]) -> None:
    make_user("suzuki")
    page = client.get("/console/login?next=//evil.example/")
    response = client.post("/console/login", data={"username": "suzuki", "password": PASSWORD,
                                                   "next": "//evil.example/", "csrf_token": csrf_from(page.text)},
                           follow_redirects=False)
    assert response.headers["location"] == "/console/"


def test_deactivated_account_loses_its_session(client: TestClient, make_user: Callable[..., str],
                                               web_sessions: sessionmaker[Session]) -> None:
    from core.users import User

    make_user("tanaka")
    log_in(client, "tanaka")
    assert client.get("/console/").status_code == 200
    with web_sessions() as session:
        user = session.scalar(select(User).where(User.username == "tanaka"))
        assert user is not None
        user.active = False
        session.commit()
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_api_clients_get_401_not_a_redirect(client: TestClient) -> None:
    response = client.get("/console/", headers={"accept": "application/json"})
    assert response.status_code == 401
    assert response.json() == {"detail": "ログインが必要です。"}


def test_invalid_form_gets_a_japanese_page_and_apis_no_echo(client: TestClient, make_user: Callable[..., str]) -> None:
    token = csrf_from(client.get("/console/login").text)
    too_long = "x" * 65 + "秘密"
    page = client.post("/console/login", data={"username": too_long, "password": "p", "csrf_token": token})
    assert page.status_code == 400
    assert "入力内容に誤りがあります" in page.text
    api = client.post("/console/login", data={"username": too_long, "password": "p", "csrf_token": token},
                      headers={"accept": "application/json"})
    assert api.status_code == 422
    assert "秘密" not in api.text


def test_logout_ends_the_session_on_the_server(client: TestClient, make_user: Callable[..., str]) -> None:
    make_user("replay")
    log_in(client, "replay")
    copied = dict(client.cookies)  # what an attacker who copied the cookie would hold
    dashboard = client.get("/console/")
    client.post("/console/logout", data={"csrf_token": csrf_from(dashboard.text)})
    client.cookies.clear()
    client.cookies.update(copied)
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_sessions_end_after_the_maximum_age(web_settings: Settings, make_user: Callable[..., str],
                                            web_sessions: sessionmaker[Session]) -> None:
    from datetime import timedelta

    from core.staff_sessions import StaffSession

    make_user("tired")
    with TestClient(create_app(web_settings), headers={"accept": "text/html"}) as client:
        log_in(client, "tired")
        assert client.get("/console/").status_code == 200
        with web_sessions() as session:
            row = session.scalars(select(StaffSession)).one()
            row.started_at = row.started_at - timedelta(seconds=web_settings.session_max_age_seconds + 1)
            session.commit()
        assert client.get("/console/", follow_redirects=False).status_code == 303
