"""`madoguchi db …`: schema migrations."""

from __future__ import annotations

import typer

from core.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Database schema.")


@app.command()
def upgrade() -> None:
    """Apply every pending migration (all domains)."""
    from core.migrate import upgrade as run_upgrade

    run_upgrade(get_settings().database_url)
    typer.echo("データベースを最新の状態にしました。")
