"""Who is calling: the staff member behind the session cookie, and role checks.

The session cookie (signed with MADOGUCHI_SECRET_KEY) holds the user id, a random session token whose
hash is stored in ``staff_sessions`` (logout ends it on the server, so a copied cookie is worthless after
logout) and a fingerprint of the password hash. Each request reloads the user, so deactivating an
account or changing its role takes effect at once, and changing a password ends its other sessions.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from core.staff_sessions import end_session, session_user_id, start_session
from core.users import Role, User
from core.web.csrf import rotate_csrf_token
from core.web.deps import app_settings, db_session

LOGIN_PATH = "/console/login"
HOME_PATH = "/console/"
FORBIDDEN_MESSAGE = "この画面を開く権限がありません。必要な場合は管理者に依頼してください。"
SESSION_USER = "uid"
SESSION_FINGERPRINT = "pwfp"
SESSION_ID = "sid"


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    display_name: str
    role: Role

    def can(self, role: Role) -> bool:
        return self.role.at_least(role)


class LoginRequired(Exception):
    """No valid session: pages redirect to the login form, APIs answer 401."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def _fingerprint(secret: str, password_hash: str) -> str:
    return hmac.new(secret.encode(), password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def log_in(request: Request, user: User, db: Session) -> None:
    """Start a fresh session: the old one (and its CSRF token) is discarded against session fixation.
    The caller commits ``db``."""
    settings = app_settings(request)
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[SESSION_ID] = start_session(db, user.id, settings.session_max_age_seconds)
    request.session[SESSION_FINGERPRINT] = _fingerprint(settings.secret_key.get_secret_value(), user.password_hash)
    rotate_csrf_token(request)


def log_out(request: Request, db: Session) -> None:
    """End the session on the server and in the browser. The caller commits ``db``."""
    token = request.session.get(SESSION_ID)
    if isinstance(token, str):
        end_session(db, token)
    request.session.clear()


def optional_user(request: Request, session: Session = Depends(db_session)) -> StaffUser | None:
    if hasattr(request.state, "user"):
        cached: StaffUser | None = request.state.user
        return cached
    user_id = request.session.get(SESSION_USER)
    token = request.session.get(SESSION_ID)
    staff: StaffUser | None = None
    if isinstance(user_id, int) and isinstance(token, str):
        settings = app_settings(request)
        live = session_user_id(session, token, settings.session_max_age_seconds) == user_id
        user = session.get(User, user_id) if live else None
        secret = settings.secret_key.get_secret_value()
        if (user is not None and user.active and hmac.compare_digest(
                str(request.session.get(SESSION_FINGERPRINT, "")), _fingerprint(secret, user.password_hash))):
            staff = StaffUser(id=user.id, username=user.username, display_name=user.display_name, role=user.role)
    if staff is None and SESSION_USER in request.session:
        request.session.clear()
    request.state.user = staff  # the templates' context processor shows the name and the nav from this
    return staff


def _here(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query and request.method == "GET" else path


def require_role(min_role: Role) -> Callable[..., StaffUser]:
    """Dependency factory: the signed-in staff member with at least ``min_role``.

    No session → ``LoginRequired`` (pages: redirect to the login form; APIs: 401).
    Lower role → 403 with a Japanese message.
    """

    def dependency(request: Request, user: StaffUser | None = Depends(optional_user)) -> StaffUser:
        if user is None:
            raise LoginRequired(_here(request))
        if not user.can(min_role):
            raise HTTPException(status_code=403, detail=FORBIDDEN_MESSAGE)
        return user

    dependency.__name__ = f"require_{min_role.value}"
    return dependency


def safe_next(target: str | None) -> str:
    """Only same-site relative paths: ``next=//evil.example`` must not become an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME_PATH
    return target


def login_url(next_path: str) -> str:
    return f"{LOGIN_PATH}?next={quote(next_path, safe='/')}"
