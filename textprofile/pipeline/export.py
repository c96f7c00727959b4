"""``textprofile export``: profiles (wide), comments (with topic shares) or topics to a file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from textprofile.store.profile_store import ProfileStore
from textprofile.store.sql import copy_query, sql_string

EXPORT_TABLES = ("profiles", "comments", "topics")
EXPORT_FORMATS = ("csv", "parquet", "jsonl")


def export_target(out: str | os.PathLike) -> Path:
    """The real file to replace: symlinks are followed; folders and devices are refused."""
    from textprofile.core.errors import ConfigError, NotFoundError

    target = Path(os.path.realpath(out))
    if target.exists() and not target.is_file():
        raise ConfigError(f"{out} is not a regular file — give a file path to write (or -o - for stdout)")
    if not target.parent.is_dir():
        raise NotFoundError(f"folder {target.parent} does not exist — create it first or choose another -o")
    return target


def export_table(ws, name: str, table: str, fmt: str, out: str | os.PathLike) -> dict[str, Any]:
    """Write ``table`` of model ``name`` to ``out`` (csv/parquet/jsonl), atomically.

    ``profiles``: the wide layout (customer_id, behaviour, segment, topic_<id> shares summing to 1).
    ``comments``: the corpus comments with their topic shares (null when the comment had no
    in-vocabulary token). ``topics``: id, label, automatic label, corpus share and top terms.
    """
    from textprofile.core.errors import ConfigError
    from textprofile.store.sql import connect

    if table not in EXPORT_TABLES:
        raise ConfigError(f"--table must be one of {', '.join(EXPORT_TABLES)} (got {table!r})")
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(EXPORT_FORMATS)} (got {fmt!r})")
    out = export_target(out)
    if table == "profiles":
        with ProfileStore.open(ws, name) as store:
            store.copy_to(store.profiles_sql(), out, fmt)
            rows = store.count()
        return {"name": name, "table": table, "format": fmt, "rows": rows, "path": str(Path(out))}
    model_dir = ws.require_model(name)
    con = connect()
    try:
        if table == "comments":
            comments, doc_topics = _comment_sources(ws, name, model_dir)
            sql = (
                f"SELECT c.*, d.* EXCLUDE (comment_id, n_tokens) FROM read_parquet('{sql_string(comments)}') c "
                f"LEFT JOIN read_parquet('{sql_string(doc_topics)}') d USING (comment_id) ORDER BY c.source, c.source_row"
            )
        else:
            import pyarrow as pa

            from textprofile.topics.fitted import load_model

            topics = load_model(ws, name).topics()
            con.register("_topics", pa.table({
                "topic_id": [int(t["id"]) for t in topics],
                "label": [t["label"] for t in topics],
                "auto_label": [t["auto_label"] for t in topics],
                "share": [float(t["share"]) for t in topics],
                "terms": [" ".join(term for term, _ in t["terms"][:10]) for t in topics],
            }))
            sql = "SELECT * FROM _topics ORDER BY topic_id"
        rows = copy_query(con, sql, Path(out), fmt)
    finally:
        con.close()
    return {"name": name, "table": table, "format": fmt, "rows": rows, "path": str(Path(out))}


def _comment_sources(ws, name: str, model_dir: Path) -> tuple[str, str]:
    """The comments and mixtures to join: single files, or (``--backend spark``) dataset globs.

    A Spark corpus is a directory of part files; its every-comment mixtures are the ones
    ``profile build --backend spark`` wrote (a Spark fit's doc_topics holds the training rows only).
    """
    from textprofile.topics.fitted import SPARK_MIXTURES

    corpus = ws.corpus_dir(name) / "comments.parquet"
    spark_mixtures = model_dir / SPARK_MIXTURES
    if corpus.is_dir():
        mixtures = spark_mixtures if spark_mixtures.is_dir() else model_dir / "doc_topics.parquet"
        return str(corpus / "*.parquet"), str(mixtures / "*.parquet") if mixtures.is_dir() else str(mixtures)
    return str(ws.require_corpus(name) / "comments.parquet"), str(model_dir / "doc_topics.parquet")
