"""Alembic environment. The URL comes from the caller (core.migrate) or from Settings."""

from __future__ import annotations

from alembic import context

import app.models  # noqa: F401  (registers every domain's tables on Base.metadata)
from core.db import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
if not url:
    from core.settings import get_settings

    url = get_settings().database_url


def run_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
