"""Error responses: Japanese pages for people in a browser, JSON for API clients."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.web.auth import LoginRequired, login_url
from core.web.templates import render

TITLES = {
    400: "入力内容を確認してください",
    401: "ログインが必要です",
    403: "操作できません",
    404: "ページが見つかりません",
    405: "この操作はできません",
    429: "しばらくしてからお試しください",
}
DEFAULT_DETAIL = {
    401: "ログインが必要です。",
    404: "お探しのページは見つかりませんでした。",
    405: "この操作はできません。",
}


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and "hx-request" not in request.headers


def _detail(exc: StarletteHTTPException) -> str:
    if isinstance(exc.detail, str) and exc.detail and exc.detail.isascii() and exc.status_code in DEFAULT_DETAIL:
        return DEFAULT_DETAIL[exc.status_code]  # Starlette's English defaults ("Not Found") → Japanese
    return str(exc.detail) if exc.detail else DEFAULT_DETAIL.get(exc.status_code, "エラーが発生しました。")


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    if wants_html(request):
        return RedirectResponse(login_url(exc.next_path), status_code=303)
    headers = {"HX-Redirect": login_url(exc.next_path)} if "hx-request" in request.headers else None
    return JSONResponse({"detail": "ログインが必要です。"}, status_code=401, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = _detail(exc)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    if wants_html(request):
        title = TITLES.get(exc.status_code, "エラーが発生しました")
        return render(request, "console/error.html", {"title": title, "message": message},
                      status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"detail": message}, status_code=exc.status_code, headers=exc.headers)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if wants_html(request):
        return render(request, "console/error.html", {
            "title": TITLES[400], "message": "入力内容に誤りがあります。前の画面に戻って確認してください。"},
            status_code=400)
    # Field locations and reasons only: FastAPI's default also echoes the submitted values back.
    errors = [{"loc": error.get("loc"), "type": error.get("type"), "msg": error.get("msg")} for error in exc.errors()]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
