"""The CLI's shared error handling: one line, exit 1, the user's path in OS errors."""

from __future__ import annotations

import errno
import os

import pytest
import typer
from typer.testing import CliRunner

from textprofile.cli.common import DebugOpt, handle_errors, os_error_message
from textprofile.core.errors import NotFoundError


def test_os_error_names_the_users_target_not_the_temp_file(tmp_path):
    e = OSError(errno.EISDIR, "Is a directory", str(tmp_path / ".out.abc.csv.tmp"), None, str(tmp_path / "out"))
    assert os_error_message(e) == f"{tmp_path / 'out'}: Is a directory"
    assert os_error_message(FileNotFoundError(errno.ENOENT, "No such file or directory", "/x/y")) == \
        "/x/y: No such file or directory"


def _app(exc: BaseException) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @handle_errors
    def boom(debug: DebugOpt = False) -> None:
        raise exc

    return app


@pytest.mark.parametrize("exc,needle", [
    (NotFoundError("model 'x' not found — run: textprofile fit x"), "textprofile fit x"),
    (PermissionError(errno.EACCES, os.strerror(errno.EACCES), "/root/secret.csv"), "/root/secret.csv"),
])
def test_errors_are_one_line_and_exit_1(exc, needle):
    result = CliRunner().invoke(_app(exc), [])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.output


def test_debug_shows_the_traceback():
    result = CliRunner().invoke(_app(NotFoundError("nope")), ["--debug"])
    assert result.exit_code == 1 and isinstance(result.exception, NotFoundError)


def test_help_shows_flags_without_a_value_and_arguments_by_name():
    """Usage reads `... NAME`, and a flag such as --json is not shown as taking a value."""
    from textprofile.cli.app import app

    result = CliRunner().invoke(app, ["profile", "build", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert "[OPTIONS] NAME" in result.output
    flag_lines = [line for line in result.output.splitlines() if "--json" in line or "--help" in line]
    assert flag_lines and not any("<bool>" in line or "BOOLEAN" in line for line in flag_lines)
