"""Building and patching ``profiles.duckdb``: always in a temporary copy, renamed into place.

A crash or Ctrl-C at any point leaves the previous store intact. Only the standard library is
imported at module level (``store`` re-exports these and must stay light for ``profile show``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textprofile.core.memory import release_freed_memory

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

STORE_VERSION = 1
_TIME_COLUMNS = ("first_seen", "last_seen")
BUILD_MEMORY = "1GB"  # DuckDB's memory while a store is built (its default: 80 % of the RAM)
# DuckDB's memory while a store is built part by part (``write_store_parts``): DuckDB fills its limit
# as the store grows, so a limit reached at a few hundred thousand customers keeps the build flat
PARTS_MEMORY = "256MB"
# customers whose long tables (interests, keywords, card lists) are built and inserted at once: at
# two million customers the whole tables were ~2 GB of Arrow beside DuckDB's own memory
CHUNK_CUSTOMERS = 200_000


def parse_time(value: str | None) -> datetime | None:
    """An ISO timestamp from the store's meta or cards as an aware datetime (naive = UTC)."""
    if not value:
        return None
    t = datetime.fromisoformat(value)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@dataclass
class ProfileTables:
    """Everything a store is built from; rows of ``customers``, ``shares`` and ``keywords`` align.

    ``customers``: customer_id (sorted, unique) + behaviour columns + ``segment``.
    ``shares``: (n, K) topic mixtures over ``topic_ids`` (rows sum to 1).
    ``keywords``: per customer, [(term, score), ...] best first.
    ``segments``: segment_id, size, description, top_topics (JSON), behaviour (JSON).
    ``topics``: topic_id, label, share.
    ``scores`` (optional): customer_id, score, value, reasons (JSON) — saved scores re-applied.
    ``keyword_vectors`` (optional): per customer, a unit keyword vector (scipy CSR, one row per
    customer) for the neighbour index; ``neighbour_weight`` is the topics' weight in it.
    """

    customers: pd.DataFrame
    shares: np.ndarray
    topic_ids: list[int]
    keywords: list[list[tuple[str, float]]]
    segments: pd.DataFrame
    topics: pd.DataFrame
    scores: pd.DataFrame | None = None
    keyword_vectors: Any = None
    neighbour_weight: float = 0.0


SCORES_DDL = "CREATE TABLE scores (customer_id VARCHAR, score VARCHAR, value DOUBLE, reasons VARCHAR)"


def _insert_scores(con, scores: pd.DataFrame | None) -> None:
    if scores is not None and len(scores):
        con.register("_scores", scores[["customer_id", "score", "value", "reasons"]])
        con.execute("INSERT INTO scores SELECT * FROM _scores ORDER BY customer_id, score")
        con.unregister("_scores")


def _arrow_tables(t: ProfileTables, start: int = 0, stop: int | None = None,
                  parts: tuple[str, ...] = ("interests", "keywords", "lists")) -> dict[str, Any]:
    """The long ``interests``/``keywords`` tables and the per-customer list columns for ``cards``,
    of customers ``start:stop`` (all by default); only the tables named in ``parts``."""
    import numpy as np
    import pyarrow as pa

    stop = len(t.customers) if stop is None else stop
    shares = t.shares[start:stop]
    n, k = shares.shape
    ids = pa.array(t.customers["customer_id"].iloc[start:stop].astype(str).to_numpy(), type=pa.string())
    order = np.argsort(-shares, axis=1, kind="stable")
    topic = np.asarray(t.topic_ids, dtype=np.int32)[order].ravel()
    share = np.take_along_axis(shares, order, axis=1).astype(np.float64).ravel()
    del order
    if hasattr(t.keywords, "arrow_columns"):  # a profiles.KeywordTable: already columns
        lengths, terms, scores = t.keywords.take(np.arange(start, stop)).arrow_columns()
    else:
        rows = t.keywords[start:stop]
        lengths = np.fromiter((len(kw) for kw in rows), dtype=np.int64, count=n)
        terms = pa.array([term for kw in rows for term, _ in kw], type=pa.string())
        scores = pa.array([float(sc) for kw in rows for _, sc in kw], type=pa.float64())
    out: dict[str, Any] = {}
    if "interests" in parts:
        out["interests"] = pa.table({
            "customer_id": ids.take(pa.array(np.repeat(np.arange(n), k))),
            "topic_id": topic, "share": share, "rank": np.tile(np.arange(1, k + 1, dtype=np.int32), n),
        })
    if "keywords" in parts:
        out["keywords"] = pa.table({
            "customer_id": ids.take(pa.array(np.repeat(np.arange(n), lengths))),
            "term": terms, "score": scores,
            "rank": np.concatenate([np.arange(1, m + 1, dtype=np.int32) for m in lengths]) if n else np.zeros(0, np.int32),
        })
    if "lists" in parts:
        i_off = pa.array(np.arange(0, n * k + 1, k, dtype=np.int32))
        k_off = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
        out["lists"] = pa.table({
            "it": pa.ListArray.from_arrays(i_off, pa.array(topic)),
            "is": pa.ListArray.from_arrays(i_off, pa.array(share)),
            "kt": pa.ListArray.from_arrays(k_off, terms),
            "ks": pa.ListArray.from_arrays(k_off, scores),
        })
    return out


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` slices of ``n`` rows, at least one (empty) so every table is created."""
    return [(a, min(n, a + size)) for a in range(0, max(n, 1), size)]


def _cards_sql(behaviour_cols: list[str]) -> str:
    """SQL building ``cards``: one JSON document per customer (behaviour, interests, keywords, segment).

    Denormalised on purpose: a lookup is then one indexed point query on a narrow table, which
    is what keeps ``get`` in single-digit milliseconds on a million customers.
    """
    # recency depends on the store's as-of time, which ``update`` may move: computed in ``get``
    fields = ", ".join(
        f"{c} := strftime(c.{c}, '%Y-%m-%dT%H:%M:%SZ')" if c in _TIME_COLUMNS else f"{c} := c.{c}"
        for c in behaviour_cols if c != "recency_days"
    )
    return (
        "SELECT c.customer_id, to_json({'b': struct_pack(" + fields + "), "
        "'it': l.it, 'is': l.\"is\", 'kt': l.kt, 'ks': l.ks, 's': c.segment})::VARCHAR AS card "
        "FROM _customers c POSITIONAL JOIN _lists l"
    )


def write_store(
    target: str | os.PathLike,
    tables: ProfileTables,
    meta: dict[str, Any],
    checkpoint: Callable[[str], None] | None = None,
) -> Path:
    """Build the store in a temporary file beside ``target`` and rename it into place.

    ``meta`` (JSON-able) is kept in a ``meta`` table. ``checkpoint(stage)`` is called as the
    build proceeds (progress, and tests that interrupt a build). A crash or Ctrl-C at any point
    leaves the previous store intact.
    """
    cust = tables.customers
    ids = cust["customer_id"]
    if not (ids.is_monotonic_increasing and ids.is_unique):
        raise ValueError("customers must be sorted by a unique customer_id")
    if tables.shares.shape[0] != len(cust) or len(tables.keywords) != len(cust):
        raise ValueError("shares and keywords must have one row per customer")
    index = None
    if tables.keyword_vectors is not None:
        from textprofile.store.neighbour_files import build_index

        index = lambda: build_index(Path(target), ids.to_numpy(), tables.keyword_vectors, sqrt_shares(tables.shares),
                                    tables.neighbour_weight)

    def parts():
        for a, b in _chunks(len(cust), CHUNK_CUSTOMERS):
            yield _part(tables, a, b)

    return write_store_parts(target, StoreParts(parts, tables.segments, tables.topics, index), meta, checkpoint)


@dataclass
class StoreParts:
    """A store's customers in parts (``parts()`` yields ``ProfileTables`` of consecutive customers,
    ids ascending, each with its own ``scores`` rows; read twice), the whole ``segments`` and
    ``topics`` tables, and ``index()``, which writes the neighbour index and returns its token.
    ``card_parts()``: the same customers again for the cards (their ``scores`` are not read)."""

    parts: Callable[[], Any]
    segments: pd.DataFrame
    topics: pd.DataFrame
    index: Callable[[], str] | None = None
    card_parts: Callable[[], Any] | None = None  # the parts again for the cards (default: ``parts``)


def _part(t: ProfileTables, a: int, b: int) -> ProfileTables:
    """Customers ``a:b`` of ``t`` (their scores rows included)."""
    import numpy as np

    cust = t.customers.iloc[a:b]
    scores = t.scores
    if scores is not None and len(scores):
        scores = scores[scores["customer_id"].isin(cust["customer_id"])]
    keywords = t.keywords.take(np.arange(a, b)) if hasattr(t.keywords, "take") else t.keywords[a:b]
    return ProfileTables(cust, t.shares[a:b], t.topic_ids, keywords, t.segments, t.topics, scores)


def write_store_parts(
    target: str | os.PathLike,
    store: StoreParts,
    meta: dict[str, Any],
    checkpoint: Callable[[str], None] | None = None,
    memory: str = BUILD_MEMORY,
) -> Path:
    """``write_store`` of customers that arrive in parts: DuckDB gets one part at a time and at
    most ``memory`` (past it, it spills beside the store), so the memory the build needs is one
    part's plus ``memory``, whatever the number of customers."""
    from textprofile.store.sql import connect

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.building")
    _remove(tmp)
    step = checkpoint or (lambda stage: None)
    token = None
    if store.index is not None:
        token = store.index()
        meta = {**meta, "neighbours": token}
        release_freed_memory()  # the index build's small temporaries, before DuckDB's memory
        step("neighbours")
    try:
        # bounded: past the limit DuckDB spills to ``<tmp>.tmp`` beside the store (in the workspace)
        con = connect(str(tmp), config={"memory_limit": memory})
        try:
            con.execute(SCORES_DDL)
            last, n_parts = None, 0
            # the long tables part by part, in customer order: the same rows in the same order
            for i, part in enumerate(store.parts()):
                last, n_parts = _check_part(part, last), n_parts + 1
                arrow = _arrow_tables(part, parts=("interests", "keywords"))
                arrow["customers"] = part.customers
                for name in ("customers", "interests", "keywords"):
                    con.register(f"_{name}", arrow[name])
                    head = f"CREATE TABLE {name} AS" if i == 0 else f"INSERT INTO {name}"
                    con.execute(f"{head} SELECT * FROM _{name}")
                    con.unregister(f"_{name}")
                _insert_scores(con, part.scores)
                del arrow
            if not n_parts:
                raise ValueError("a store needs at least one (possibly empty) part")
            step("customers")
            step("interests")
            step("keywords")
            con.register("_segments", store.segments)
            con.register("_topics", store.topics)
            con.execute("CREATE TABLE segments AS SELECT * FROM _segments ORDER BY segment_id")
            step("segments")
            con.execute("CREATE TABLE topics AS SELECT * FROM _topics ORDER BY topic_id")
            step("topics")
            con.execute("CREATE INDEX scores_id ON scores(customer_id)")
            con.execute("CHECKPOINT")
            # Long JSON strings: compressing them costs build time and lookup time, saves little.
            con.execute("PRAGMA force_compression = 'uncompressed'")
            for i, part in enumerate((store.card_parts or store.parts)()):
                behaviour_cols = [c for c in part.customers.columns if c not in ("customer_id", "segment")]
                con.register("_customers", part.customers)
                con.register("_lists", _arrow_tables(part, parts=("lists",))["lists"])
                head = "CREATE TABLE cards AS " if i == 0 else "INSERT INTO cards "
                con.execute(head + _cards_sql(behaviour_cols))
                con.unregister("_customers")
                con.unregister("_lists")
            con.execute("CREATE UNIQUE INDEX cards_id ON cards(customer_id)")
            step("cards")
            con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            rows = [(k, json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)) for k, v in sorted(meta.items())]
            rows.append(("store_version", json.dumps(STORE_VERSION)))
            con.executemany("INSERT INTO meta VALUES (?, ?)", rows)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        step("done")
        os.replace(tmp, target)
    except BaseException:
        if token is not None and token != _current_neighbours(target):
            _drop_index(target, token)  # ours, and the store in place does not use it
        raise
    finally:
        _remove(tmp)
    _drop_stale_neighbours(target, token)
    return target


def _check_part(part: ProfileTables, last: str | None) -> str | None:
    """The part's last customer id, after checking its ids ascend from ``last`` and its rows align."""
    ids = part.customers["customer_id"]
    if not (ids.is_monotonic_increasing and ids.is_unique) or (last is not None and len(ids) and ids.iloc[0] <= last):
        raise ValueError("customers must be sorted by a unique customer_id")
    if part.shares.shape[0] != len(ids) or len(part.keywords) != len(ids):
        raise ValueError("shares and keywords must have one row per customer")
    return ids.iloc[-1] if len(ids) else last


def sqrt_shares(shares, rows: int = CHUNK_CUSTOMERS):
    """The square roots of the shares, float32 (computed in float64 by parts of ``rows`` rows)."""
    import numpy as np

    out = np.empty(np.shape(shares), dtype=np.float32)
    for a in range(0, len(out), rows):
        out[a:a + rows] = np.sqrt(np.clip(np.asarray(shares[a:a + rows], dtype=np.float64), 0.0, None))
    return out


def _drop_stale_neighbours(target: Path, token: str | None) -> None:
    from textprofile.store.neighbours import remove_stale

    remove_stale(target, token)


def _drop_index(target: Path, token: str) -> None:
    import shutil

    from textprofile.store.neighbours import folder_for

    shutil.rmtree(folder_for(target, token), ignore_errors=True)


def _current_neighbours(target: Path) -> str | None:
    """The neighbour index token recorded in the store's meta (None when it has none)."""
    from textprofile.store.sql import connect

    if not target.is_file():
        return None
    con = connect(str(target), read_only=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'neighbours'").fetchone()
    finally:
        con.close()
    return json.loads(row[0]) if row else None


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        if p.exists():
            p.unlink()
