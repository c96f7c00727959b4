"""Every command and option has help text and is named in the README (as sqlite-utils tests its docs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from textprofile.cli.app import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(cmd, path: tuple[str, ...] = ("textprofile",)):
    if hasattr(cmd, "commands"):
        for name, sub in sorted(cmd.commands.items()):
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), cmd


COMMANDS = list(_commands(typer.main.get_command(app)))
# options every command shares; the README documents them once, in "Commands"
SHARED = {"--home", "--json", "--debug", "--help"}


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_docs_command_has_help_and_is_in_readme(path, cmd):
    assert (cmd.help or "").strip(), f"{path} has no help text"
    assert f"`{path}" in README, f"{path} is not in README.md's command reference"


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_docs_every_option_has_help_and_is_in_readme(path, cmd):
    section = _section(path)
    for param in cmd.params:
        if param.param_type_name != "option":
            assert param.name, f"{path}: an argument has no name"
            continue
        flags = [f for f in param.opts if f.startswith("--")] or param.opts
        assert (param.help or "").strip(), f"{path} {flags[0]} has no help text"
        if set(flags) & SHARED:
            continue
        assert any(re.search(rf"`{re.escape(f)}\b", section) for f in flags), \
            f"{path} {flags[0]} is not in its README reference entry"


def _section(path: str) -> str:
    """The README's reference entry for ``path``: from its heading to the next one."""
    m = re.search(rf"^#### `{re.escape(path)}`.*?(?=^#### |^## |\Z)", README, flags=re.MULTILINE | re.DOTALL)
    assert m, f"README.md has no '#### `{path}`' reference entry"
    return m.group(0)
