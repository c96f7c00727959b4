"""``forget``'s rewrite of a corpus (and its model's per-comment rows) without erased customers.

The local backend's files are rewritten whole (``rewrite_files``). Where it writes one file,
``--backend spark`` writes a directory of part files (``comments.parquet/``, ``tokens.parquet/``,
``quarantine.csv/``, and in the model folder ``profiles.parquet/comment_topics/`` and
``profiles.parquet/customers/``; ``rewrite_datasets``). Each part that holds a row of an erased customer is rewritten
without it, atomically and under its own name (so the parts keep their order), and Hadoop's
checksum file beside it (``.part-….crc``) is removed, since it would no longer match; a part without
their rows is left as it is. Memory: one part at a time, plus the erased customers' comment ids.

The order is ``forget``'s: mixtures, tokens, then comments (the rows that say which comment ids
were theirs) last, so an interrupted run is finished by running ``forget`` again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textprofile.core.artifacts import part_files
from textprofile.topics.fitted import PROFILES_DIR

# the datasets (directories) forget rewrites, in the corpus and the model folder
DATASETS = frozenset({"comments.parquet", "tokens.parquet", "quarantine.csv", PROFILES_DIR})


def _replaced(part: Path, write: Callable[[Path], None]) -> None:
    """Write ``part`` anew through ``write(tmp)``, atomically; drop its stale Hadoop checksum."""
    from textprofile.core.artifacts import atomic_path

    with atomic_path(part, part.suffix) as tmp:
        write(tmp)
    (part.parent / f".{part.name}.crc").unlink(missing_ok=True)


def filter_parts(dataset: Path, column: str, drop: Callable[[Any], Any]) -> int:
    """Rewrite every Parquet part of ``dataset`` that has rows where ``drop(column values)`` is true
    (a boolean Arrow array or numpy mask), without them; return how many rows went."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    removed = 0
    for part in part_files(dataset):
        gone = pa.array(drop(pq.read_table(part, columns=[column]).column(column)), pa.bool_())
        n = int(pc.sum(gone).as_py() or 0)
        if n:
            table = pq.read_table(part).filter(pc.invert(gone))
            _replaced(part, lambda tmp, t=table: pq.write_table(t, tmp, compression="zstd"))
            removed += n
    return removed


def erased_comments(comments: Path, erased) -> tuple[Any, int]:
    """(the erased customers' comment ids as an Arrow array, the rows the dataset holds)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    gone_ids, rows = [], 0
    for part in part_files(comments):
        t = pq.read_table(part, columns=["customer_id", "comment_id"])
        rows += t.num_rows
        mask = pa.array(erased.mask(t.column("customer_id").to_pylist()), pa.bool_())
        gone_ids.extend(t.column("comment_id").filter(mask).to_pylist())
    return pa.array(gone_ids, pa.string()), rows


def rewrite_datasets(corpus_dir: Path, erased, removed: dict[str, int], fm) -> tuple[int, int]:
    """Mixtures, customer rows, tokens and comments of a Spark corpus (and of model ``fm``, if any)
    without the erased customers; fills ``removed``; returns (comments kept, vocabulary terms of
    the model that only they used)."""
    import pyarrow.compute as pc

    comments, tokens = corpus_dir / "comments.parquet", corpus_dir / "tokens.parquet"
    gone_ids, rows = erased_comments(comments, erased)
    theirs = lambda col: pc.is_in(col, value_set=gone_ids)
    customers_mask = lambda col: erased.mask(col.to_pylist())
    if fm is not None:
        removed["doc_topics"] = fm.drop_doc_topics(gone_ids.to_pylist())  # the training rows' file
        for sub, column, drop in (("comment_topics", "comment_id", theirs), ("customers", "customer_id", customers_mask),
                                  ("segments", "customer_id", customers_mask)):  # left by a killed Spark build
            if (fm.folder / PROFILES_DIR / sub).is_dir():
                removed[f"profiles_{sub}"] = filter_parts(fm.folder / PROFILES_DIR / sub, column, drop)
    only_theirs = 0
    if tokens.is_dir():
        if fm is not None and len(gone_ids):
            only_theirs = _terms_only_in(tokens, gone_ids, fm.vocab)
        removed["tokens"] = filter_parts(tokens, "comment_id", theirs)
    removed["comments"] = filter_parts(comments, "customer_id", customers_mask)
    return rows - removed["comments"], only_theirs


def _terms_only_in(tokens: Path, gone_ids, vocab) -> int:
    """How many model vocabulary terms occur only in the erased comments, part by part."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    terms = pa.array(list(vocab), pa.string())
    theirs: set[str] = set()
    others: set[str] = set()
    for part in part_files(tokens):
        t = pq.read_table(part, columns=["comment_id", "tokens"])
        gone = pc.is_in(t.column("comment_id"), value_set=gone_ids)
        for target, rows in ((theirs, t.filter(gone)), (others, t.filter(pc.invert(gone)))):
            words = pc.unique(pc.list_flatten(rows.column("tokens")))
            target.update(words.filter(pc.is_in(words, value_set=terms)).to_pylist())
    return len(theirs - others)


def filter_quarantine_parts(dataset: Path, erased) -> tuple[int, dict[str, int]]:
    """``ingest.erasure.filter_csv`` on every CSV part of a Spark ``quarantine.csv/``; summed."""
    from textprofile.ingest.erasure import filter_csv

    removed, reasons = 0, {}
    for part in part_files(dataset, ".csv"):
        n, by_reason = filter_csv(part, erased, replace=_replaced)
        removed += n
        for k, v in by_reason.items():
            reasons[k] = reasons.get(k, 0) + v
    return removed, dict(sorted(reasons.items()))


def filter_quarantine_any(corpus_dir: Path, erased) -> tuple[int, dict[str, int]]:
    """quarantine.csv without the erased customers' rows: the file, or a Spark dataset's parts."""
    from textprofile.ingest.erasure import QUARANTINE_FILE, filter_quarantine

    if (corpus_dir / QUARANTINE_FILE).is_dir():
        return filter_quarantine_parts(corpus_dir / QUARANTINE_FILE, erased)
    return filter_quarantine(corpus_dir, erased)


def rewrite_files(corpus_dir: Path, erased, removed: dict[str, int], fm) -> tuple[int, int]:
    """The local backend's files: mixtures, then tokens + comments, each atomically; returns
    (comments kept, vocabulary terms that only the erased comments held)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from textprofile.core.artifacts import atomic_path

    comments_path, tokens_path = corpus_dir / "comments.parquet", corpus_dir / "tokens.parquet"
    only_theirs = 0
    comments = pq.read_table(comments_path)
    gone = pa.array(erased.mask(comments.column("customer_id").to_pylist()), pa.bool_())
    gone_ids = comments.column("comment_id").filter(gone)
    keep_ids = comments.column("comment_id").filter(pc.invert(gone))
    if fm is not None:
        # rows of comments no longer in the corpus (erased now or by an interrupted run)
        dt_ids = pq.read_table(fm.folder / "doc_topics.parquet", columns=["comment_id"]).column("comment_id")
        orphans = dt_ids.filter(pc.invert(pc.is_in(dt_ids, value_set=keep_ids.combine_chunks())))
        removed["doc_topics"] = fm.drop_doc_topics(orphans.to_pylist())
    n_gone = int(pc.sum(gone).as_py() or 0)
    removed["comments"] = n_gone
    tokens = pq.read_table(tokens_path) if tokens_path.is_file() else None
    if tokens is not None:
        t_gone = pc.is_in(tokens.column("comment_id"), value_set=gone_ids.combine_chunks())
        removed["tokens"] = int(pc.sum(t_gone).as_py() or 0)
        if fm is not None and removed["tokens"]:
            only_theirs = _file_terms_only_in(tokens, t_gone, fm.vocab)
    if n_gone:
        with atomic_path(comments_path, ".parquet") as c_tmp:
            if tokens is not None:
                with atomic_path(tokens_path, ".parquet") as t_tmp:
                    pq.write_table(tokens.filter(pc.invert(t_gone)), t_tmp, compression="zstd",
                                   row_group_size=16_000)
            pq.write_table(comments.filter(pc.invert(gone)), c_tmp, compression="zstd")
    return comments.num_rows - n_gone, only_theirs


def _file_terms_only_in(tokens, gone, vocab: list[str]) -> int:
    """How many model vocabulary terms occur only in the removed comments (a refit drops them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = tokens.column("tokens")
    theirs = pc.unique(pc.list_flatten(col.filter(gone)))
    theirs = theirs.filter(pc.is_in(theirs, value_set=pa.array(vocab, pa.string())))
    if not len(theirs):
        return 0
    others = pc.list_flatten(col.filter(pc.invert(gone)))
    return int(len(theirs) - int(pc.sum(pc.is_in(theirs, value_set=pc.unique(others))).as_py() or 0))
