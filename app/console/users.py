"""User administration (admins only): list staff accounts and add one with a role."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.users import Role, User, UserError, create_user
from core.web.auth import StaffUser, require_role
from core.web.console import register_console_link
from core.web.csrf import verify_csrf
from core.web.deps import db_session
from core.web.templates import render

USERS_PATH = "/console/users"
router = APIRouter()
register_console_link("ユーザー管理", USERS_PATH, min_role=Role.ADMIN, order=900)
admin_only = require_role(Role.ADMIN)


def _page(request: Request, session: Session, *, error: str | None = None, created: str | None = None,
          form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    users = session.scalars(select(User).order_by(User.username)).all()
    return render(request, "console/users.html", {
        "users": users, "roles": list(Role), "error": error, "created": created,
        "form": form or {"username": "", "display_name": "", "role": Role.STAFF.value},
    }, status_code=status_code)


@router.get(USERS_PATH)
def list_users(request: Request, created: str = "", _admin: StaffUser = Depends(admin_only),
               session: Session = Depends(db_session)) -> Response:
    return _page(request, session, created=created or None)


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
    return RedirectResponse(f"{USERS_PATH}?created={user.username}", status_code=303)
