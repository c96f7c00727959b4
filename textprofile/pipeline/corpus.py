"""The corpus as the profile stages read it: comments with their tokens' language, and tokens.

Shared by ``profile build``, ``update`` and ``score`` (which must read exactly what profiles were
built from).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textprofile.core.errors import StateError

if TYPE_CHECKING:
    import pandas as pd

COMMENT_COLUMNS = ["comment_id", "customer_id", "text", "time", "channel", "is_customer", "rating", "amount"]


def read_corpus(corpus_dir: Path, vocab=None) -> tuple[pd.DataFrame, Any]:
    """comments.parquet with tokens.parquet's ``lang`` joined row by row, and the tokens.

    Without ``vocab``: the frame (with ``text``) and the Arrow tokens column. With ``vocab`` (the
    model's terms), both files are streamed by row groups: the frame holds ``n_chars`` (the text's
    length, all ``behaviour`` needs) instead of the text, and the tokens come back as the sparse
    (rows, V) counts of ``profiles.encode_lists``, so no text or token list of the whole corpus
    is ever held (memory: the per-comment table and the counts, not the corpus).
    """
    import pyarrow.parquet as pq

    tokens_path = corpus_dir / "tokens.parquet"
    if not tokens_path.is_file():
        raise StateError(f"{tokens_path} not found — run: textprofile tokenize {corpus_dir.name}")
    if vocab is not None:
        return _stream_corpus(corpus_dir, tokens_path, vocab)
    comments = pq.read_table(corpus_dir / "comments.parquet", columns=COMMENT_COLUMNS)
    tokens = pq.read_table(tokens_path, columns=["comment_id", "lang", "tokens"])
    if tokens.num_rows != comments.num_rows or not tokens.column("comment_id").equals(comments.column("comment_id")):
        raise StateError(
            f"{tokens_path} does not match comments.parquet — run: textprofile tokenize {corpus_dir.name}"
        )
    df = comments.to_pandas()
    df["lang"] = tokens.column("lang").to_pandas()
    return df, tokens.column("tokens").combine_chunks()


def comment_texts(corpus_dir: Path, rows) -> list[str | None]:
    """The ``text`` of comments.parquet rows ``rows`` (positions; ``read_corpus`` with a vocabulary
    streams lengths, not text)."""
    import numpy as np
    import pyarrow.parquet as pq

    column = pq.read_table(corpus_dir / "comments.parquet", columns=["text"]).column(0)
    return column.take(np.asarray(rows, dtype=np.int64)).to_pylist()


STREAM_ROWS = 65_536


def _stream_corpus(corpus_dir: Path, tokens_path: Path, vocab) -> tuple[pd.DataFrame, Any]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from scipy import sparse

    from textprofile.profiles.interests import encode_lists

    cols = [c for c in COMMENT_COLUMNS if c != "text"]
    cf, tf = pq.ParquetFile(corpus_dir / "comments.parquet"), pq.ParquetFile(tokens_path)
    mismatch = StateError(f"{tokens_path} does not match comments.parquet — run: textprofile tokenize {corpus_dir.name}")
    if cf.metadata.num_rows != tf.metadata.num_rows:
        raise mismatch
    parts, counts = [], []
    value_set = pa.array(list(vocab), type=pa.string())
    for cb, tb in zip(cf.iter_batches(STREAM_ROWS, columns=[*cols, "text"]),
                      tf.iter_batches(STREAM_ROWS, columns=["comment_id", "lang", "tokens"]), strict=True):
        if not tb.column(0).equals(cb.column(0)):
            raise mismatch
        n_chars = pc.fill_null(pc.utf8_length(cb.column(len(cols))), 0)
        parts.append(pa.table([*cb.columns[:len(cols)], n_chars, tb.column(1)], names=[*cols, "n_chars", "lang"]))
        counts.append(encode_lists(tb.column(2), vocab, value_set))
    df = pa.concat_tables(parts).to_pandas() if parts else pd_empty(cols)
    X = sparse.vstack(counts, format="csr") if counts else sparse.csr_matrix((0, len(vocab)))
    return df, X


def pd_empty(cols: list[str]):
    import pandas as pd

    return pd.DataFrame({c: [] for c in [*cols, "n_chars", "lang"]})
