"""User administration (admins only): list staff accounts, add one with a role, switch an account off or
on, set a new password. Every change is audited; an admin cannot switch off their own account."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.staff_sessions import end_all_sessions
from core.users import Role, User, UserError, create_user, set_password
from core.web.auth import StaffUser, require_role
from core.web.console import register_console_link
from core.web.csrf import verify_csrf
from core.web.deps import db_session
from core.web.templates import render

USERS_PATH = "/console/users"
router = APIRouter()
register_console_link("ユーザー管理", USERS_PATH, min_role=Role.ADMIN, order=900)
admin_only = require_role(Role.ADMIN)


NOTICES = {
    "created": "ユーザー {name} を作成しました。",
    "enabled": "ユーザー {name} を有効にしました。",
    "disabled": "ユーザー {name} を無効にしました。ログイン中の画面もすぐに使えなくなります。",
    "password": "ユーザー {name} のパスワードを変更しました。ほかの端末のログインは終了します。",
}


def _page(request: Request, session: Session, *, error: str | None = None, notice: str | None = None,
          form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    users = session.scalars(select(User).order_by(User.username)).all()
    return render(request, "console/users.html", {
        "users": users, "roles": list(Role), "error": error, "notice": notice,
        "form": form or {"username": "", "display_name": "", "role": Role.STAFF.value},
    }, status_code=status_code)


@router.get(USERS_PATH)
def list_users(request: Request, done: str = "", name: str = "", _admin: StaffUser = Depends(admin_only),
               session: Session = Depends(db_session)) -> Response:
    notice = NOTICES[done].format(name=name) if done in NOTICES and name else None
    return _page(request, session, notice=notice)


def _target(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="ユーザーが見つかりません。")
    return user


def _done(kind: str, user: User) -> RedirectResponse:
    return RedirectResponse(f"{USERS_PATH}?done={kind}&name={user.username}", status_code=303)


@router.post(USERS_PATH, dependencies=[Depends(verify_csrf)])
def add_user(
    request: Request,
    username: str = Form("", max_length=64),
    display_name: str = Form("", max_length=100),
    role: str = Form(Role.STAFF.value),
    password: str = Form("", max_length=1024),
    admin: StaffUser = Depends(admin_only),
    session: Session = Depends(db_session),
) -> Response:
    form = {"username": username, "display_name": display_name, "role": role}
    try:
        chosen = Role(role)
        user = create_user(session, username.strip(), display_name.strip(), chosen, password)
    except ValueError as exc:  # UserError, or a role that is not one of ours
        session.rollback()
        message = str(exc) if isinstance(exc, UserError) else "役割を選んでください。"
        return _page(request, session, error=message, form=form, status_code=400)
    audit.record(session, admin.username, "user.create", "user", user.id, {"role": chosen.value})
    session.commit()
    return _done("created", user)


@router.post(USERS_PATH + "/{user_id}/active", dependencies=[Depends(verify_csrf)])
def set_active(user_id: int, active: bool = Form(...), admin: StaffUser = Depends(admin_only),
               session: Session = Depends(db_session)) -> Response:
    user = _target(session, user_id)
    if user.id == admin.id and not active:
        raise HTTPException(status_code=400, detail="自分のアカウントは無効にできません。")
    user.active = active
    if not active:
        end_all_sessions(session, user.id)
    audit.record(session, admin.username, "user.enable" if active else "user.disable", "user", user.id)
    session.commit()
    return _done("enabled" if active else "disabled", user)


@router.post(USERS_PATH + "/{user_id}/password", dependencies=[Depends(verify_csrf)])
def reset_password(request: Request, user_id: int, password: str = Form("", max_length=1024),
                   admin: StaffUser = Depends(admin_only), session: Session = Depends(db_session)) -> Response:
    user = _target(session, user_id)
    try:
        set_password(user, password)
    except UserError as exc:
        session.rollback()
        return _page(request, session, error=str(exc), status_code=400)
    end_all_sessions(session, user.id)
    audit.record(session, admin.username, "user.password_reset", "user", user.id)
    session.commit()
    return _done("password", user)
