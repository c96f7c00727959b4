"""``textprofile export NAME --table profiles|comments|topics --format csv|parquet|jsonl -o FILE``."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import DebugOpt, HomeOpt, JsonOpt, emit_json, handle_errors, stderr_console


def register(app: typer.Typer) -> None:
    @app.command("export")
    @handle_errors
    def export_cmd(
        name: Annotated[str, typer.Argument(help="Model (corpus) name.")],
        output: Annotated[str, typer.Option("-o", "--output", help="File to write (replaced atomically).")],
        table: Annotated[str, typer.Option("--table", help="profiles (wide: customer_id, behaviour, topic_<id> shares), comments or topics.")] = "profiles",
        fmt: Annotated[str, typer.Option("--format", help="csv, parquet or jsonl.")] = "csv",
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Export profiles, comments or topics to CSV, Parquet or JSON Lines."""
        from ..export import export_table
        from ..workspace import Workspace

        result = export_table(Workspace.resolve(home), name, table, fmt, output)
        if json_out:
            emit_json(result)
        else:
            stderr_console().print(f"{result['rows']:,} {table} rows → {result['path']}")
