"""The ``textprofile`` Typer app. Each command module exposes ``register(app)``."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="textprofile",
    help="Turn customer comment exports (Chinese, English, mixed) into per-customer interest profiles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# One module per command group, in the order they appear in --help.
COMMAND_MODULES = [
    "load",
    "tokenize",
    "fit",
    "topics",
    "evaluate",
    "report",
    "profile",
    "export",
    "audience",
    "score",
    "update",
    "run",
    "forget",
    "serve",
]

for _name in COMMAND_MODULES:
    importlib.import_module(f"{__package__}.{_name}").register(app)


def main() -> None:
    app()
