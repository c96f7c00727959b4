"""The vocabulary (a filtered gensim Dictionary) and the compact bag-of-words it encodes.

The bag-of-words of a corpus is one scipy CSR matrix of int32 counts (documents x terms), not
Python lists of ``(id, count)`` tuples, so a multi-million-comment corpus stays a few hundred MB.
``tokens.parquet`` is read in record batches: the Dictionary is built batch by batch and the
encoding is vectorised with pyarrow, so token lists for the whole corpus are never held at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ConfigError, StateError

BATCH_ROWS = 50_000


@dataclass(frozen=True)
class Vocab:
    """Terms in id order plus their document and collection frequencies (before filtering docs)."""

    terms: tuple[str, ...]
    dfs: np.ndarray  # (V,) int64: documents containing the term
    cfs: np.ndarray  # (V,) int64: occurrences of the term
    num_docs: int

    def __len__(self) -> int:
        return len(self.terms)

    @property
    def index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.terms)}

    def encode(self, token_lists: Sequence[Sequence[str]]):
        """Bag-of-words counts (n, V) int32 of ``token_lists``; unknown terms are dropped."""
        import pyarrow as pa

        arr = pa.array([list(t) for t in token_lists], type=pa.list_(pa.string()))
        return _encode_lists(arr, self._value_set(), len(self))

    def _value_set(self):
        import pyarrow as pa

        return pa.array(list(self.terms), type=pa.string())

    def to_gensim(self):
        """A gensim ``Dictionary`` with the same ids (for engines and coherence code that want one)."""
        from gensim.corpora import Dictionary

        d = Dictionary()
        d.token2id = {t: i for i, t in enumerate(self.terms)}
        d.dfs = {i: int(v) for i, v in enumerate(self.dfs)}
        d.cfs = {i: int(v) for i, v in enumerate(self.cfs)}
        d.num_docs = int(self.num_docs)
        d.num_pos = int(self.cfs.sum())
        d.num_nnz = int(self.dfs.sum())
        return d

    def to_dict(self) -> dict:
        return {
            "terms": list(self.terms),
            "dfs": [int(x) for x in self.dfs],
            "cfs": [int(x) for x in self.cfs],
            "num_docs": int(self.num_docs),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Vocab:
        return cls(
            terms=tuple(data["terms"]),
            dfs=np.asarray(data["dfs"], dtype=np.int64),
            cfs=np.asarray(data["cfs"], dtype=np.int64),
            num_docs=int(data["num_docs"]),
        )

    def save(self, path: str | Path) -> None:
        from .artifacts import write_text_atomic

        write_text_atomic(path, json.dumps(self.to_dict(), ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Vocab:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def build_vocab(
    batches: Iterable[Sequence[Sequence[str]]],
    no_below: int = 5,
    no_above: float = 0.5,
    keep_n: int | None = 100_000,
) -> Vocab:
    """Build a gensim Dictionary over ``batches`` of token lists and apply ``filter_extremes``.

    no_below: keep terms in at least this many documents; no_above: and in at most this fraction
    of the documents that have any token; keep_n: then keep only the most frequent this many.
    When the corpus is too small for ``no_below`` (it would remove everything) the bound is
    lowered to 1 so tiny corpora still get a vocabulary.
    """
    from gensim.corpora import Dictionary

    if no_below < 1 or not (0.0 < no_above <= 1.0):
        raise ConfigError(f"no_below must be >= 1 and 0 < no_above <= 1 (got {no_below}, {no_above})")
    d = Dictionary()
    n_nonempty = 0
    for batch in batches:
        docs = [list(t) for t in batch]
        n_nonempty += sum(1 for t in docs if t)
        d.add_documents([t for t in docs if t])
    if len(d) == 0:
        raise StateError("the corpus has no tokens — check the text column and the tokenizer settings")
    d.filter_extremes(no_below=no_below, no_above=no_above, keep_n=keep_n)
    if len(d) == 0:
        raise StateError(
            f"no term is in at least {no_below} and at most {no_above:.0%} of the {n_nonempty} documents "
            "— lower --no-below or raise --no-above"
        )
    terms = tuple(d[i] for i in range(len(d)))
    return Vocab(
        terms=terms,
        dfs=np.array([d.dfs.get(i, 0) for i in range(len(d))], dtype=np.int64),
        cfs=np.array([d.cfs.get(i, 0) for i in range(len(d))], dtype=np.int64),
        num_docs=n_nonempty,
    )


def _encode_lists(list_array, value_set, n_terms: int):
    """CSR counts for a pyarrow ListArray of strings against ``value_set`` (term id = position)."""
    import pyarrow.compute as pc
    from scipy import sparse

    n = len(list_array)
    offsets = list_array.offsets.to_numpy(zero_copy_only=False)
    offsets = offsets - offsets[0]
    flat = list_array.flatten()
    ids = pc.index_in(flat, value_set=value_set).to_numpy(zero_copy_only=False)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    if ids.dtype.kind == "f":  # nulls (out-of-vocabulary) come back as NaN
        keep = ~np.isnan(ids)
        rows, ids = rows[keep], ids[keep]
    ids = ids.astype(np.int32)
    data = np.ones(len(ids), dtype=np.int32)
    m = sparse.csr_matrix((data, (rows, ids)), shape=(n, n_terms), dtype=np.int32)
    m.sum_duplicates()
    m.sort_indices()
    return m


def iter_token_batches(tokens_path: str | Path, batch_rows: int = BATCH_ROWS) -> Iterator[list[list[str]]]:
    """Token lists from ``tokens.parquet`` in batches of at most ``batch_rows`` rows."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(tokens_path)
    for rb in pf.iter_batches(batch_size=batch_rows, columns=["tokens"]):
        yield [t if t is not None else [] for t in rb.column(0).to_pylist()]


def encode_tokens_file(tokens_path: str | Path, vocab: Vocab, batch_rows: int = BATCH_ROWS):
    """Return ``(comment_ids, X)``: every row's comment_id and its (n, V) int32 CSR counts."""
    import pyarrow.parquet as pq
    from scipy import sparse

    pf = pq.ParquetFile(tokens_path)
    value_set = vocab._value_set()
    ids: list[np.ndarray] = []
    mats = []
    for rb in pf.iter_batches(batch_size=batch_rows, columns=["comment_id", "tokens"]):
        ids.append(np.asarray(rb.column(0).to_pylist(), dtype=object))
        col = rb.column(1)
        if col.null_count:
            import pyarrow as pa
            import pyarrow.compute as pc

            col = pc.fill_null(col, pa.scalar([], type=col.type))
        mats.append(_encode_lists(col, value_set, len(vocab)))
    if not mats:
        return np.array([], dtype=object), sparse.csr_matrix((0, len(vocab)), dtype=np.int32)
    return np.concatenate(ids), sparse.vstack(mats, format="csr", dtype=np.int32)
