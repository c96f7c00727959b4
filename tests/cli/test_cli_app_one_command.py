"""main() builds only the invoked command's module; it must be the same command as in the full app."""

from __future__ import annotations

import subprocess
import sys

import typer

from textprofile.cli.app import COMMAND_MODULES, MODULE_OF, app, build_app


def _info(command) -> dict:
    """What a user sees of a command: its help, every parameter, and its subcommands'."""
    params = [(p.name, tuple(p.opts), tuple(p.secondary_opts), getattr(p, "help", None), repr(p.default),
               p.required, repr(p.type)) for p in command.params]
    subs = {n: _info(c) for n, c in getattr(command, "commands", {}).items()}
    return {"help": command.help, "params": params, "commands": subs}


def test_each_command_built_alone_equals_the_one_in_the_full_app():
    full = typer.main.get_command(app)
    seen = set()
    for module in COMMAND_MODULES:
        alone = typer.main.get_command(build_app([module]))
        assert hasattr(alone, "commands")  # a group: `textprofile NAME ...` keeps its NAME
        for name, command in alone.commands.items():
            assert MODULE_OF.get(name, name) == module, f"{name} is registered by {module}: add it to MODULE_OF"
            assert _info(command) == _info(full.commands[name])
            seen.add(name)
    assert seen == set(full.commands)


def test_the_entry_point_runs_one_command_and_still_reports_unknown_ones():
    def run(*args):
        return subprocess.run([sys.executable, "-m", "textprofile", *args], check=False, capture_output=True, text=True, timeout=120)

    show = run("profile", "show", "--help")
    assert show.returncode == 0 and "--json" in show.stdout
    demo = run("demo", "--help")
    assert demo.returncode == 0 and "demo" in demo.stdout
    everything = run("--help")
    assert everything.returncode == 0 and all(m in everything.stdout for m in ("load", "serve", "forget"))
    typo = run("profil")
    assert typo.returncode == 2 and "No such command" in typo.stderr
