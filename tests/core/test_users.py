from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from core.users import Role, UserError, authenticate, create_user


def test_password_is_hashed_with_argon2_and_authenticates(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        user = create_user(session, "yamada", "市民税課 山田", Role.STAFF, "correct horse 1")
        assert user.password_hash.startswith("$argon2id$")
        assert "correct horse" not in user.password_hash
    with session_scope(sessions) as session:
        assert authenticate(session, "yamada", "correct horse 1") is not None
        assert authenticate(session, "yamada", "wrong password") is None
        assert authenticate(session, "nobody", "correct horse 1") is None


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("Yamada!", "long enough pw", "ユーザー名"),
        ("yamada", "short", "10文字以上"),
        ("ab", "long enough pw", "ユーザー名"),
    ],
)
def test_bad_accounts_are_refused_with_japanese_message(
    sessions: sessionmaker[Session], username: str, password: str, message: str
) -> None:
    with pytest.raises(UserError, match=message), session_scope(sessions) as session:
        create_user(session, username, "", Role.STAFF, password)


def test_duplicate_username_is_refused(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        create_user(session, "sato", "", Role.SUPERVISOR, "long enough pw")
    with pytest.raises(UserError, match="すでに"), session_scope(sessions) as session:
        create_user(session, "sato", "", Role.STAFF, "long enough pw")


def test_inactive_user_cannot_log_in(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        create_user(session, "kato", "", Role.ADMIN, "long enough pw").active = False
    with sessions() as session:
        assert authenticate(session, "kato", "long enough pw") is None


def test_roles_are_ordered() -> None:
    assert Role.ADMIN.at_least(Role.SUPERVISOR)
    assert Role.SUPERVISOR.at_least(Role.STAFF)
    assert not Role.STAFF.at_least(Role.SUPERVISOR)
