from __future__ import annotations

from collections.abc import Callable

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
