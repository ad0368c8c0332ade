"""`madoguchi keys new`: generate a data-encryption key for MADOGUCHI_DATA_KEY."""

from __future__ import annotations

import typer

from core.crypto import new_key

app = typer.Typer(no_args_is_help=True, help="Encryption keys.")


@app.command()
def new() -> None:
    """Print a new Fernet key. Put it first in MADOGUCHI_DATA_KEY (old keys after a comma stay readable)."""
    typer.echo(new_key())
