"""`madoguchi user …`: staff accounts."""

from __future__ import annotations

import typer

from app.runtime import Database
from core import audit
from core.db import session_scope
from core.settings import get_settings
from core.users import Role, UserError, create_user

app = typer.Typer(no_args_is_help=True, help="Staff accounts.")


@app.command()
def add(
    username: str,
    role: Role = typer.Option(Role.STAFF, help="staff / supervisor / admin"),
    display_name: str = typer.Option("", "--name", help="表示名 (例: 市民税課 山田)"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                 envvar="MADOGUCHI_NEW_USER_PASSWORD"),
) -> None:
    """Create a staff account."""
    db = Database.from_settings(get_settings())
    try:
        with session_scope(db.sessions) as session:
            user = create_user(session, username, display_name, role, password)
            audit.record(session, "cli", "user.create", "user", user.id, {"role": role.value})
    except UserError as exc:
        typer.echo(f"エラー: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"ユーザー {username} ({role.value}) を作成しました。")


@app.command("ensure-demo")
def ensure_demo() -> None:
    """Create the demo admin account if missing and print its login (development only)."""
    from app.demo_account import DemoRefused, ensure_demo_account

    settings = get_settings()
    try:
        login = ensure_demo_account(settings)
    except DemoRefused as exc:
        typer.echo(f"エラー: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"URL: {settings.public_base_url}/console/")
    typer.echo(f"ユーザー名: {login.username}")
    typer.echo(f"パスワード: {login.password}")
