"""The demo staff account that `make run` creates, so a first-time user can log in at once.

The password is generated on first run and kept in ``<data_dir>/demo-login.txt`` (mode 600) so later
runs can print it again. Production refuses demo accounts: a real city creates named accounts with
``madoguchi user add``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.runtime import Database
from core import audit
from core.db import session_scope
from core.settings import Settings
from core.users import Role, User, authenticate, create_user, set_password

DEMO_USERNAME = "demo"
DEMO_DISPLAY_NAME = "デモ 管理者"


class DemoRefused(RuntimeError):
    """Demo accounts are for development machines only."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    created: bool


def _password_file(settings: Settings) -> Path:
    return settings.data_dir / "demo-login.txt"


def _store(path: Path, password: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")


def ensure_demo_account(settings: Settings) -> DemoLogin:
    """Create the demo admin if missing; if its stored password no longer works, set a new one."""
    if settings.is_production:
        raise DemoRefused("本番モード (MADOGUCHI_ENV=production) ではデモアカウントを作成しません。")
    path = _password_file(settings)
    stored = path.read_text(encoding="utf-8").strip() if path.exists() else ""
    database = Database.from_settings(settings)
    try:
        with session_scope(database.sessions) as session:
            user = session.scalar(select(User).where(User.username == DEMO_USERNAME))
            if user is None:
                password = stored or secrets.token_urlsafe(12)
                user = create_user(session, DEMO_USERNAME, DEMO_DISPLAY_NAME, Role.ADMIN, password)
                audit.record(session, "cli", "user.create", "user", user.id, {"role": Role.ADMIN.value, "demo": True})
                _store(path, password)
                return DemoLogin(DEMO_USERNAME, password, created=True)
            if stored and authenticate(session, DEMO_USERNAME, stored) is not None:
                return DemoLogin(DEMO_USERNAME, stored, created=False)
            password = secrets.token_urlsafe(12)
            set_password(user, password)
            user.active = True
            audit.record(session, "cli", "user.password_reset", "user", user.id, {"demo": True})
            _store(path, password)
            return DemoLogin(DEMO_USERNAME, password, created=False)
    finally:
        database.engine.dispose()
