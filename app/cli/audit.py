"""`madoguchi audit …`: check the audit log's hash chain."""

from __future__ import annotations

import typer

from app.runtime import Database
from core import audit
from core.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Audit log.")


@app.command()
def verify() -> None:
    """Verify the hash chain; exit 1 when an entry was modified or deleted."""
    db = Database.from_settings(get_settings())
    with db.sessions() as session:
        report = audit.verify(session)
    if report.ok:
        typer.echo(f"OK: {report.entries} entries, head {report.head_hash}")
        return
    for problem in report.problems:
        typer.echo(f"NG seq {problem.seq}: {problem.problem}", err=True)
    raise typer.Exit(1)
