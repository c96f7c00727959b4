"""Patching ``profiles.duckdb`` in place of a rebuild (``update``, ``score train``, ``topics rename``):
always a patched copy, renamed over the store, so readers keep the old file until the rename and
a crash leaves it in place. Only the standard library at module level, as ``store.build``.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textprofile.core.config import RECENCY_DECIMALS
from textprofile.store.build import (
    SCORES_DDL,
    ProfileTables,
    _arrow_tables,
    _cards_sql,
    _current_neighbours,
    _drop_stale_neighbours,
    _insert_scores,
    _remove,
    parse_time,
    sqrt_shares,
)

if TYPE_CHECKING:
    import pandas as pd


@contextmanager
def _patched_copy(target: Path):
    """A write connection to a copy of ``target``, renamed over it when the block succeeds.

    Readers keep the old file until the rename; a crash leaves it in place.
    """
    import shutil

    from textprofile.store.sql import connect

    tmp = target.with_name(f".{target.name}.{os.getpid()}.building")
    _remove(tmp)
    try:
        shutil.copyfile(target, tmp)
        con = connect(str(tmp))
        try:
            con.execute("BEGIN")
            yield con
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, target)
    finally:
        _remove(tmp)


def patch_store(
    target: str | os.PathLike, tables: ProfileTables | None, meta: dict[str, Any],
) -> Path:
    """Replace the rows of ``tables.customers``' customers in a copy of the store, then swap it in.

    Used by ``update``: only the touched customers are rewritten; ``recency_days`` of everyone is
    recomputed from ``meta["as_of"]`` (one column update), segment sizes are recounted, and
    ``meta`` keys are overwritten. The previous store stays in place until the copy is complete.
    """
    target = Path(target)
    token = _current_neighbours(target)
    if tables is not None and tables.keyword_vectors is not None and token and len(tables.customers):
        from textprofile.store.neighbour_files import merge_index
        from textprofile.store.neighbours import NeighbourIndex

        old = NeighbourIndex.open(target, token)
        if old is not None:
            token = merge_index(old, target, tables.customers["customer_id"].to_numpy(),
                                tables.keyword_vectors, sqrt_shares(tables.shares))
            meta = {**meta, "neighbours": token}
    with _patched_copy(target) as con:
        if tables is not None and len(tables.customers):
            _replace_rows(con, tables)
        if meta.get("as_of"):
            con.execute(
                "UPDATE customers SET recency_days = round(date_diff('microsecond', last_seen, ?::TIMESTAMP) "
                f"/ 86400000000.0, {RECENCY_DECIMALS}) WHERE last_seen IS NOT NULL",
                [parse_time(meta["as_of"]).replace(tzinfo=None)],
            )
        con.execute(
            "UPDATE segments SET size = (SELECT count(*) FROM customers c WHERE c.segment = segments.segment_id)"
        )
        for key, value in sorted(meta.items()):
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [key, json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)],
            )
    _drop_stale_neighbours(target, token)
    return target


def set_segment_descriptions(target: str | os.PathLike, descriptions: dict[int, str]) -> Path:
    """Rewrite segments' descriptions (after ``topics rename``) in a copy, then swap it in."""
    target = Path(target)
    with _patched_copy(target) as con:
        for segment_id, text in sorted(descriptions.items()):
            con.execute("UPDATE segments SET description = ? WHERE segment_id = ?", [text, int(segment_id)])
    return target


def _replace_rows(con, tables: ProfileTables) -> None:
    arrow = _arrow_tables(tables)
    cust = tables.customers
    behaviour_cols = [c for c in cust.columns if c not in ("customer_id", "segment")]
    con.register("_customers", cust)
    con.register("_lists", arrow["lists"])
    con.register("_interests", arrow["interests"])
    con.register("_keywords", arrow["keywords"])
    for name in ("customers", "interests", "keywords", "cards"):
        con.execute(f"DELETE FROM {name} WHERE customer_id IN (SELECT customer_id FROM _customers)")
    for name in ("customers", "interests", "keywords"):
        con.execute(f"INSERT INTO {name} SELECT * FROM _{name}")
    con.execute("INSERT INTO cards " + _cards_sql(behaviour_cols))
    if tables.scores is not None and _has_table(con, "scores"):
        con.execute("DELETE FROM scores WHERE customer_id IN (SELECT customer_id FROM _customers)")
        _insert_scores(con, tables.scores)


def _has_table(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0])


def put_scores(target: str | os.PathLike, score: str, scores: pd.DataFrame) -> Path:
    """Replace every row of score ``score`` with ``scores`` in a copy of the store, then swap it in.

    A store built before scores existed gets its ``scores`` table here.
    """
    target = Path(target)
    with _patched_copy(target) as con:
        if not _has_table(con, "scores"):
            con.execute(SCORES_DDL)
            con.execute("CREATE INDEX scores_id ON scores(customer_id)")
        con.execute("DELETE FROM scores WHERE score = ?", [score])
        _insert_scores(con, scores)
    return target
