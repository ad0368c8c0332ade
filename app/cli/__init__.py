"""The ``madoguchi`` command. Each domain's commands live in their own module here."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Madoguchi: AI contact center for municipalities.")


def _register() -> None:
    # Imported here so `madoguchi --help` stays fast and one broken domain does not hide the others.
    from app.cli import audit, db, serve, user

    app.add_typer(serve.app)
    app.add_typer(db.app, name="db")
    app.add_typer(user.app, name="user")
    app.add_typer(audit.app, name="audit")


def main() -> None:
    _register()
    app()
