from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.audit import AuditEntry
from core.users import Role, User
from tests.web.conftest import csrf_from, log_in


def test_staff_cannot_open_user_admin(client: TestClient, make_user: Callable[..., str]) -> None:
    log_in(client, make_user("staff1", Role.STAFF))
    response = client.get("/console/users")
    assert response.status_code == 403
    assert "権限がありません" in response.text
    assert "ユーザー管理" not in client.get("/console/").text  # the nav hides what the role cannot open


def test_supervisor_cannot_add_users(client: TestClient, make_user: Callable[..., str]) -> None:
    log_in(client, make_user("super1", Role.SUPERVISOR))
    token = csrf_from(client.get("/console/").text)
    response = client.post("/console/users", data={"username": "newbie", "role": "admin",
                                                   "password": "long enough pw", "csrf_token": token})
    assert response.status_code == 403


def test_admin_lists_and_adds_users_audited(client: TestClient, make_user: Callable[..., str],
                                            web_sessions: sessionmaker[Session]) -> None:
    log_in(client, make_user("admin1", Role.ADMIN))
    page = client.get("/console/users")
    assert page.status_code == 200
    assert "admin1" in page.text
    response = client.post("/console/users", data={
        "username": "kobayashi", "display_name": "介護保険課 小林", "role": "supervisor",
        "password": "long enough pw", "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    listing = client.get(response.headers["location"]).text
    assert "ユーザー kobayashi を作成しました" in listing
    assert "介護保険課 小林" in listing
    with web_sessions() as session:
        user = session.scalar(select(User).where(User.username == "kobayashi"))
        assert user is not None and user.role is Role.SUPERVISOR
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
        assert (entry.actor, entry.target_id) == ("admin1", str(user.id))
        assert "long enough pw" not in entry.detail


def test_bad_new_user_gets_japanese_error_and_keeps_input(client: TestClient, make_user: Callable[..., str]) -> None:
    log_in(client, make_user("admin2", Role.ADMIN))
    page = client.get("/console/users")
    response = client.post("/console/users", data={"username": "ok-name", "display_name": "福祉課",
                                                   "role": "staff", "password": "short",
                                                   "csrf_token": csrf_from(page.text)})
    assert response.status_code == 400
    assert "10文字以上" in response.text
    assert 'value="福祉課"' in response.text


def test_display_name_is_escaped(client: TestClient, make_user: Callable[..., str]) -> None:
    make_user("xss", Role.ADMIN, display_name='<script>alert("x")</script>')
    log_in(client, "xss")
    for page in (client.get("/console/").text, client.get("/console/users").text):
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def _user_id(web_sessions: sessionmaker[Session], username: str) -> int:
    with web_sessions() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        assert user_id is not None
        return user_id


def test_admin_disables_and_enables_an_account(app: FastAPI, client: TestClient, make_user: Callable[..., str],
                                               web_sessions: sessionmaker[Session]) -> None:
    make_user("clerk", Role.STAFF)
    with TestClient(app, headers={"accept": "text/html"}) as clerk:
        log_in(clerk, "clerk")
        assert clerk.get("/console/").status_code == 200
        log_in(client, make_user("admin3", Role.ADMIN))
        token = csrf_from(client.get("/console/users").text)
        clerk_id = _user_id(web_sessions, "clerk")
        off = client.post(f"/console/users/{clerk_id}/active", data={"active": "false", "csrf_token": token})
        assert "ユーザー clerk を無効にしました" in off.text
        assert clerk.get("/console/", follow_redirects=False).status_code == 303  # at once, not at cookie expiry
        on = client.post(f"/console/users/{clerk_id}/active", data={"active": "true", "csrf_token": token})
        assert "ユーザー clerk を有効にしました" in on.text
    with web_sessions() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(clerk_id))).all()
        assert "user.disable" in actions and "user.enable" in actions


def test_admin_cannot_disable_themselves(client: TestClient, make_user: Callable[..., str],
                                         web_sessions: sessionmaker[Session]) -> None:
    log_in(client, make_user("admin4", Role.ADMIN))
    token = csrf_from(client.get("/console/users").text)
    response = client.post(f"/console/users/{_user_id(web_sessions, 'admin4')}/active",
                           data={"active": "false", "csrf_token": token})
    assert response.status_code == 400
    assert "自分のアカウントは無効にできません" in response.text


def test_admin_sets_a_new_password(client: TestClient, make_user: Callable[..., str],
                                   web_sessions: sessionmaker[Session]) -> None:
    make_user("forgetful", Role.STAFF)
    log_in(client, make_user("admin5", Role.ADMIN))
    token = csrf_from(client.get("/console/users").text)
    target = _user_id(web_sessions, "forgetful")
    short = client.post(f"/console/users/{target}/password", data={"password": "short", "csrf_token": token})
    assert short.status_code == 400 and "10文字以上" in short.text
    done = client.post(f"/console/users/{target}/password", data={"password": "a new long password",
                                                                  "csrf_token": token})
    assert "パスワードを変更しました" in done.text
    with web_sessions() as session:
        from core.users import authenticate

        assert authenticate(session, "forgetful", "a new long password") is not None
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.password_reset")).one()
        assert "a new long password" not in entry.detail
