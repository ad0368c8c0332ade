"""CSRF protection for every state-changing request (synchronizer token pattern).

A random token lives in the signed session cookie; every form carries it in a hidden field
(``{{ csrf_field() }}`` in templates) and htmx/fetch calls send it as ``X-CSRF-Token``. The session
cookie is SameSite=Lax as a second layer, not the only one.

Every POST/PUT/PATCH/DELETE route depends on ``verify_csrf`` unless it authenticates its caller some
other way (Twilio's request signature, the residents' widget which has no session); such routes say so
with ``@csrf_exempt("reason")``. tests/web/test_csrf.py walks ``app.routes`` and checks both.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from markupsafe import Markup, escape

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
MESSAGE = ("送信を受け付けられませんでした。画面の有効期限が切れた可能性があります。"
           "ページを再読み込みしてからもう一度お試しください。")

F = TypeVar("F", bound=Callable[..., Any])


class CsrfError(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=403, detail=MESSAGE)


def csrf_token(request: Request) -> str:
    """This session's token, created on first use (so the login form gets one too)."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def rotate_csrf_token(request: Request) -> str:
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return str(request.session[SESSION_KEY])


def csrf_field(request: Request) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(FORM_FIELD, escape(csrf_token(request)))


async def verify_csrf(request: Request) -> None:
    """Dependency: 403 unless the request carries this session's token (header or form field)."""
    expected = request.session.get(SESSION_KEY)
    supplied: Any = request.headers.get(HEADER)
    if not supplied:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            # Starlette caches the parsed form on the request, so the endpoint's Form(...) fields still work.
            supplied = (await request.form()).get(FORM_FIELD)
    if not isinstance(expected, str) or not isinstance(supplied, str) or not supplied:
        raise CsrfError
    if not hmac.compare_digest(expected.encode(), supplied.encode()):
        raise CsrfError


def csrf_exempt(reason: str) -> Callable[[F], F]:
    """Mark an endpoint that authenticates requests without a staff session (say how, in ``reason``)."""

    def mark(endpoint: F) -> F:
        endpoint.__csrf_exempt__ = reason  # type: ignore[attr-defined]
        return endpoint

    return mark


def exemption(endpoint: Callable[..., Any]) -> str | None:
    reason = getattr(endpoint, "__csrf_exempt__", None)
    return reason if isinstance(reason, str) else None
