"""Request-scoped dependencies every router uses: settings and a database session."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from core.settings import Settings


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def db_session(request: Request) -> Iterator[Session]:
    """A session for this request. Handlers call ``session.commit()`` themselves before they respond,
    so a failed commit becomes an error response instead of a lost write after a success page."""
    factory: sessionmaker[Session] = request.app.state.db_sessions
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
