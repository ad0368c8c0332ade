"""`madoguchi serve`: run the web application."""

from __future__ import annotations

import typer

app = typer.Typer()


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1, migrate: bool = True) -> None:
    """Run the web app (staff console, Twilio webhooks, chat gateway)."""
    import uvicorn

    if migrate:  # a fresh database (first `make run`, a test's temp file) gets its schema before requests
        from core.migrate import upgrade
        from core.settings import get_settings

        upgrade(get_settings().database_url)

    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=True, log_config=None, access_log=False)
