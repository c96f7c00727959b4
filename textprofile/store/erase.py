"""Removing customers from ``profiles.duckdb`` (``forget``): a fresh file, renamed into place.

A DELETE in place would leave the removed rows' bytes in free blocks of the file, so the store
is copied table by table into a new file without them (every table, including ones other stages
add, such as scores: rows go when a customer-id column names an erased customer), with the same
definitions and indexes. Segments get the recomputed table the caller passes; ``meta`` keys are
overwritten; ``recency_days`` is recomputed from ``meta["as_of"]`` as ``patch_store`` does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textprofile.store.build import _remove, parse_time

if TYPE_CHECKING:
    import pandas as pd

# columns that name a customer: a row goes when any of them is an erased id
ID_COLUMNS = ("customer_id", "neighbour_id", "neighbor_id", "other_customer_id")


def store_customer_ids(target: str | os.PathLike) -> list[str]:
    from textprofile.store.sql import connect

    con = connect(str(target), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT customer_id FROM customers").fetchall()]
    finally:
        con.close()


def rewrite_without(
    target: str | os.PathLike, customer_ids: list[str], segments: pd.DataFrame | None,
    meta: dict[str, Any],
) -> dict[str, int]:
    """Copy the store without ``customer_ids``' rows into a new file and swap it in.

    Returns the rows removed per table. The previous store stays in place until the copy is
    complete; a crash leaves it untouched.
    """
    import pyarrow as pa

    from textprofile.store.build import _current_neighbours, _drop_stale_neighbours
    from textprofile.store.neighbour_files import index_without
    from textprofile.store.neighbours import NeighbourIndex
    from textprofile.store.sql import connect

    target = Path(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.erasing")
    _remove(tmp)
    removed: dict[str, int] = {}
    # the neighbour index is rewritten without them too (a new folder, named in the new meta)
    token = _current_neighbours(target)
    old_index = NeighbourIndex.open(target, token)
    if old_index is not None:
        token, removed["neighbour_index"] = index_without(old_index, target, customer_ids)
        meta = {**meta, "neighbours": token}
    try:
        con = connect(str(tmp))
        try:
            con.execute(f"ATTACH '{_sql_str(target)}' AS old (READ_ONLY)")
            con.register("_erase", pa.table({"customer_id": pa.array(customer_ids, pa.string())}))
            tables = con.execute(
                "SELECT table_name, sql FROM duckdb_tables() WHERE database_name = 'old' ORDER BY table_name"
            ).fetchall()
            cols = {}
            for name, _ in tables:
                cols[name] = [r[0] for r in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name = 'old' AND table_name = ? "
                    "ORDER BY column_index", [name]).fetchall()]
            # cards last and uncompressed, as write_store builds it (long JSON strings)
            order = [t for t in tables if t[0] != "cards"] + [t for t in tables if t[0] == "cards"]
            for name, ddl in order:
                if name == "cards":
                    con.execute("CHECKPOINT")
                    con.execute("PRAGMA force_compression = 'uncompressed'")
                con.execute(ddl)
                ids = [c for c in cols[name] if c in ID_COLUMNS]
                where = " AND ".join(f'"{c}" NOT IN (SELECT customer_id FROM _erase)' for c in ids) or "TRUE"
                if name == "segments" and segments is not None:
                    con.register("_segments", segments)
                    con.execute(f'INSERT INTO "{name}" SELECT * FROM _segments ORDER BY segment_id')
                else:
                    con.execute(f'INSERT INTO "{name}" SELECT * FROM old.main."{name}" WHERE {where}')
                if ids:
                    before = con.execute(f'SELECT count(*) FROM old.main."{name}"').fetchone()[0]
                    after = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                    removed[name] = int(before - after)
            for (sql,) in con.execute(
                "SELECT sql FROM duckdb_indexes() WHERE database_name = 'old' AND sql IS NOT NULL ORDER BY index_name"
            ).fetchall():
                con.execute(sql)
            for (sql,) in con.execute(  # views another stage may define over the tables
                "SELECT sql FROM duckdb_views() WHERE database_name = 'old' AND NOT internal AND sql IS NOT NULL "
                "ORDER BY view_name"
            ).fetchall():
                con.execute(sql)
            if meta.get("as_of"):
                con.execute(
                    "UPDATE customers SET recency_days = round(date_diff('microsecond', last_seen, ?::TIMESTAMP) "
                    "/ 86400000000.0, 4) WHERE last_seen IS NOT NULL",
                    [parse_time(meta["as_of"]).replace(tzinfo=None)],
                )
            for key, value in sorted(meta.items()):
                con.execute("DELETE FROM meta WHERE key = ?", [key])
                con.execute("INSERT INTO meta VALUES (?, ?)",
                            [key, json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)])
            con.execute("DETACH old")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, target)
    finally:
        _remove(tmp)
    _drop_stale_neighbours(target, token)
    return removed


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")
