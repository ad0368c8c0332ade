"""Staff login and logout.

Failed attempts are limited per (username, client address) and, more loosely, per client address, so
neither guessing one account's password nor trying one password on many accounts gets far. Every
attempt is in the audit log; the password never is, and an unknown username is not stored either
(people type their password into the username field).
"""

from __future__ import annotations

import math

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.logging import get_logger
from core.settings import Settings
from core.users import User, authenticate
from core.web.auth import HOME_PATH, LOGIN_PATH, StaffUser, log_in, log_out, optional_user, safe_next
from core.web.csrf import verify_csrf
from core.web.deps import app_settings, db_session
from core.web.ratelimit import Limit, RateLimiter
from core.web.templates import render

router = APIRouter()
log = get_logger("madoguchi.login")
BAD_LOGIN = "ユーザー名またはパスワードが正しくありません。"
# Addresses shared by a whole office (a city hall's NAT) get more room than one account does.
PER_ADDRESS_FACTOR = 5


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limits(settings: Settings) -> tuple[Limit, Limit]:
    account = Limit(settings.login_max_attempts, settings.login_window_seconds)
    address = Limit(settings.login_max_attempts * PER_ADDRESS_FACTOR, settings.login_window_seconds)
    return account, address


def _too_many(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"ログインの試行回数が上限に達しました。しばらくしてから（約{minutes}分後に）もう一度お試しください。"


@router.get(LOGIN_PATH)
def login_form(request: Request, next: str = "", logged_out: bool = False,
               user: StaffUser | None = Depends(optional_user)) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "console/login.html", {"next": safe_next(next), "error": None, "username": "",
                                                  "logged_out": logged_out})


@router.post(LOGIN_PATH, dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    username: str = Form("", max_length=64),
    password: str = Form("", max_length=1024),
    next: str = Form(""),
    session: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
) -> Response:
    limiter: RateLimiter = request.app.state.rate_limiter
    metrics = request.app.state.metrics
    username = username.strip().lower()
    address = _client(request)
    account_limit, address_limit = _limits(settings)
    wait = max(limiter.retry_after("login", f"{username}|{address}", account_limit),
               limiter.retry_after("login-address", address, address_limit))
    if wait > 0:
        metrics.logins.labels("throttled").inc()
        log.warning("login.throttled")
        return render(request, "console/login.html",
                      {"next": safe_next(next), "error": _too_many(wait), "username": username,
                       "logged_out": False},
                      status_code=429, headers={"Retry-After": str(math.ceil(wait))})

    user = authenticate(session, username, password) if username and password else None
    if user is None:
        limiter.hit("login", f"{username}|{address}", account_limit)
        limiter.hit("login-address", address, address_limit)
        known_id = session.scalar(select(User.id).where(User.username == username))
        known = known_id is not None
        audit.record(session, username if known else "anonymous", "login.failure", "user",
                     known_id if known_id is not None else "-", {"client": address})
        session.commit()
        metrics.logins.labels("failure").inc()
        log.info("login.failure", known_user=known)
        return render(request, "console/login.html",
                      {"next": safe_next(next), "error": BAD_LOGIN, "username": username,
                       "logged_out": False}, status_code=400)

    limiter.reset("login", f"{username}|{address}")
    audit.record(session, user.username, "login.success", "user", user.id, {"client": address})
    log_in(request, user, session)
    session.commit()  # the session record, the audit entry, and a rehashed password if argon2 parameters changed
    metrics.logins.labels("success").inc()
    log.info("login.success", user_id=user.id)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/console/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, session: Session = Depends(db_session),
           user: StaffUser | None = Depends(optional_user)) -> Response:
    if user is not None:
        audit.record(session, user.username, "logout", "user", user.id)
    log_out(request, session)
    session.commit()
    return RedirectResponse(f"{LOGIN_PATH}?logged_out=1", status_code=303)


@router.get("/")
def root() -> Response:
    return RedirectResponse(HOME_PATH, status_code=303)
