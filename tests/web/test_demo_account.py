from __future__ import annotations

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.demo_account import DemoRefused, ensure_demo_account
from core.settings import Settings
from core.users import Role, User, authenticate


def test_demo_account_is_created_once_and_its_password_reused(web_settings: Settings,
                                                              web_sessions: sessionmaker[Session]) -> None:
    first = ensure_demo_account(web_settings)
    again = ensure_demo_account(web_settings)
    assert first.created and not again.created
    assert first.password == again.password
    assert (web_settings.data_dir / "demo-login.txt").stat().st_mode & 0o077 == 0  # only the owner reads it
    with web_sessions() as session:
        user = session.scalar(select(User).where(User.username == "demo"))
        assert user is not None and user.role is Role.ADMIN
        assert authenticate(session, "demo", first.password) is not None


def test_production_refuses_the_demo_account(web_settings: Settings) -> None:
    production = web_settings.model_copy(update={"env": "production", "secret_key": SecretStr("x" * 40)})
    with pytest.raises(DemoRefused):
        ensure_demo_account(production)
