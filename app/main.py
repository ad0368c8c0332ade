"""The FastAPI application: composes the shared web pieces, the staff console and the domains' routers.

Adding a domain: its web module exposes ``router: APIRouter`` (pages under ``/console/<domain>/``, APIs
under ``/api/<domain>/``, webhooks wherever the outside service needs them), registers its templates
folder, console links and dashboard cards at import time (see ``core.web``), and gets one line in
``domain_routers`` below.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from app import health
from app.console import dashboard, faq_pages, faq_unresolved, login, users
from app.metrics import HttpMetrics
from app.middleware import RequestLog, SecurityHeaders
from app.runtime import Database
from core import jobs
from core.logging import configure_logging
from core.settings import Settings, get_settings
from core.web.errors import install_error_handlers
from core.web.ratelimit import RateLimiter, SlidingWindowLimiter
from core.web.templates import STATIC_DIR, add_template_dir

CONSOLE_TEMPLATES = Path(__file__).parent / "console" / "templates"
SESSION_COOKIE = "madoguchi_session"


def domain_routers(settings: Settings) -> list[APIRouter]:
    """Each domain's router, in the order their routes should match. Imports stay inside this function
    so that building one app does not import every domain at module import time."""
    routers: list[APIRouter] = []
    # e.g.  from voice.web import router as voice_router; routers.append(voice_router)
    from voice.web import router as voice_router

    routers.append(voice_router)
    from voice.stream_routes import router as voice_stream_router  # also registers the stream TwiML entry

    routers.append(voice_stream_router)
    from voice.softphone import router as softphone_router  # the console's try-the-bot page

    routers.append(softphone_router)
    from masking.web import router as masking_router

    routers.append(masking_router)
    from routing.web import router as routing_router  # residents' chat API, widget.js, demo page

    routers.append(routing_router)
    return routers


def build_rate_limiter(settings: Settings) -> RateLimiter:
    if settings.ratelimit_backend == "redis":
        from core.web.ratelimit_redis import RedisSlidingWindowLimiter

        return RedisSlidingWindowLimiter.from_url(settings.redis_url)
    return SlidingWindowLimiter()


def create_app(settings: Settings | None = None, *, rate_limiter: RateLimiter | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    database = Database.from_settings(settings)
    jobs.configure_queue(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.engine.dispose()

    app = FastAPI(title="Madoguchi", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.db_engine = database.engine
    app.state.db_sessions = database.sessions
    app.state.metrics = HttpMetrics()
    app.state.rate_limiter = rate_limiter or build_rate_limiter(settings)

    add_template_dir(CONSOLE_TEMPLATES)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(login.router)
    app.include_router(dashboard.router)
    app.include_router(users.router)
    app.include_router(faq_pages.router)
    app.include_router(faq_unresolved.router)
    for router in domain_routers(settings):
        app.include_router(router)
    app.mount("/static/console", StaticFiles(directory=STATIC_DIR / "console"), name="console-static")

    # Added innermost first: the request log sees every response, including the headers' and sessions'.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.is_production,
    )
    app.add_middleware(SecurityHeaders, hsts=settings.is_production)
    app.add_middleware(RequestLog, metrics=app.state.metrics)
    return app
