"""The ``textprofile`` Typer app. Each command module exposes ``register(app)``.

``main()`` registers only the module of the command being run (``textprofile profile show ...``
does not import or build the other eighteen commands: Typer reads every registered command's
signature at start-up, about 0.15 s); ``--help``, a typo or anything else gets the whole app.
``app`` (the whole app, for tests and the command reference) is built on first access.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

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
# commands whose module has another name
MODULE_OF = {"demo": "run"}

SETTINGS: dict[str, Any] = {
    "name": "textprofile",
    "help": "Turn customer comment exports (Chinese, English, mixed) into per-customer interest profiles.",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
}


def build_app(modules: list[str] = COMMAND_MODULES):
    """A Typer app with the commands of ``modules``; a group even with one command."""
    import typer

    new = typer.Typer(**SETTINGS)
    for name in modules:
        importlib.import_module(f"{__package__}.{name}").register(new)
    if len(modules) == 1:
        new.callback()(lambda: None)  # keeps `textprofile NAME ...`: one command would become the root
    return new


def __getattr__(name: str):
    if name == "app":
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(name)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    module = MODULE_OF.get(command, command)
    if module in COMMAND_MODULES and "--help" not in sys.argv[1:2]:
        build_app([module])()
    else:
        __getattr__("app")()
