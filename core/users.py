"""Staff accounts: roles, argon2 password hashes."""

from __future__ import annotations

import enum
import re
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, Enum, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import utcnow
from core.db import Base

_hasher = PasswordHasher()
# Verified against when the user does not exist, so a missing account costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD_LENGTH = 10


class Role(enum.StrEnum):
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {Role.STAFF: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class UserError(ValueError):
    """A user could not be created or changed; the message is safe to show to an administrator."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20,
                                            values_callable=lambda roles: [r.value for r in roles]))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(session: Session, username: str, display_name: str, role: Role, password: str) -> User:
    if not USERNAME_RE.match(username):
        raise UserError("ユーザー名は半角英小文字・数字・._- で3〜64文字にしてください。")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise UserError(f"ユーザー名 {username} はすでに使われています。")
    user = User(username=username, display_name=display_name or username, role=role,
                password_hash=hash_password(password), active=True)
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。")
    user.password_hash = hash_password(password)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, or None. Rehashes when argon2 parameters changed."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
