"""DuckDB connections, and SQL text helpers of the store: literals, paths in literals, COPY to a file."""

from __future__ import annotations

from pathlib import Path

__all__ = ["connect", "copy_query", "sql_literal", "sql_string"]


def connect(database: str = ":memory:", read_only: bool = False, config: dict | None = None):
    """A DuckDB connection without DuckDB's progress bar: a query longer than two seconds drew it
    on stdout, inside the JSON of ``--json`` (seen in a 1M-comment ``profile build``)."""
    import duckdb

    con = duckdb.connect(database, read_only=read_only, config=config or {})
    con.execute("SET enable_progress_bar = false")  # a session setting: not accepted in ``config``
    return con


def sql_string(path: Path) -> str:
    """A path inside a SQL string literal."""
    return str(path).replace("'", "''")


def sql_literal(value: str) -> str:
    """A SQL string literal (DuckDB has no backslash escapes, so doubling quotes is enough)."""
    return "'" + str(value).replace("'", "''") + "'"


def copy_query(con, sql: str, out: Path, fmt: str) -> int:
    """Write the result of ``sql`` on connection ``con`` to ``out`` (csv/parquet/jsonl) atomically."""
    from textprofile.core.artifacts import atomic_path

    options = {"csv": "FORMAT csv, HEADER true", "parquet": "FORMAT parquet", "jsonl": "FORMAT json"}[fmt]
    with atomic_path(out, suffix=f".{fmt}") as tmp:
        con.execute(f"COPY ({sql}) TO '{sql_string(tmp)}' ({options})")
    return con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
