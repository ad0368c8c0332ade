"""The ``madoguchi`` command. Each domain's commands live in their own module here."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(no_args_is_help=True, help="Madoguchi: AI contact center for municipalities.")

# (module under app.cli, sub-command name or None for top-level commands)
COMMAND_MODULES: list[tuple[str, str | None]] = [
    ("serve", None),
    ("db", "db"),
    ("user", "user"),
    ("audit", "audit"),
    ("keys", "keys"),
    ("worker", None),
    ("run", None),
    ("faq", "faq"),
    ("mask", "mask"),
    ("routing", "routing"),
    ("models", "models"),
    ("voice", "voice"),
]


def _register() -> None:
    # Imported lazily so `madoguchi --help` stays fast.
    for module_name, group in COMMAND_MODULES:
        module = importlib.import_module(f"app.cli.{module_name}")
        app.add_typer(module.app, name=group)


def main() -> None:
    _register()
    app()
