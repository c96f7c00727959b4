"""``textprofile export NAME --table profiles|comments|topics --format csv|parquet|jsonl -o FILE``."""

from __future__ import annotations

from typing import Annotated

import typer

from textprofile.cli.common import (
    DebugOpt,
    HomeOpt,
    JsonOpt,
    emit_json,
    handle_errors,
    stderr_console,
)


def register(app: typer.Typer) -> None:
    @app.command("export")
    @handle_errors
    def export_cmd(
        name: Annotated[str, typer.Argument(help="Model (corpus) name.")],
        output: Annotated[str, typer.Option("-o", "--output", help="File to write (replaced atomically); - for stdout.")],
        table: Annotated[str, typer.Option("--table", help="profiles (wide: customer_id, behaviour, topic_<id> shares), comments or topics.")] = "profiles",
        fmt: Annotated[str, typer.Option("--format", help="csv, parquet or jsonl.")] = "csv",
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Export profiles, comments or topics to CSV, Parquet or JSON Lines."""
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline.export import export_table

        if output == "-":
            if json_out:
                from textprofile.core.errors import ConfigError

                raise ConfigError("--json and -o - both write to stdout; choose one")
            result = _export_to_stdout(Workspace.resolve(home), name, table, fmt)
        else:
            result = export_table(Workspace.resolve(home), name, table, fmt, output)
        if json_out:
            emit_json(result)
        else:
            stderr_console().print(f"{result['rows']:,} {table} rows → {result['path']}")


def _export_to_stdout(ws, name: str, table: str, fmt: str) -> dict:
    """Export into a temporary file, then copy its bytes to stdout."""
    import shutil
    import sys
    import tempfile
    from pathlib import Path

    from textprofile.pipeline.export import export_table

    with tempfile.TemporaryDirectory(prefix="textprofile-export-") as tmp:
        result = export_table(ws, name, table, fmt, Path(tmp) / f"export.{fmt}")
        with open(result["path"], "rb") as f:
            shutil.copyfileobj(f, sys.stdout.buffer)
        sys.stdout.flush()
    result["path"] = "-"
    return result
