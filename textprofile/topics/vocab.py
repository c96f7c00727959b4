"""The vocabulary (gensim Dictionary semantics) and the compact bag-of-words it encodes.

The bag-of-words of a corpus is one scipy CSR matrix of int32 counts (documents x terms), not
Python lists of ``(id, count)`` tuples, so a multi-million-comment corpus stays a few hundred MB.
``tokens.parquet`` is read in record batches: the Dictionary is built batch by batch and the
encoding is vectorised with pyarrow, so token lists for the whole corpus are never held at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from textprofile.core.errors import ConfigError, StateError

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
        return self.encode_array(arr)

    def encode_array(self, list_array):
        """``encode`` of a pyarrow list<string> array (or chunked array), with no Python lists."""
        import pyarrow as pa

        if isinstance(list_array, pa.ChunkedArray):
            list_array = list_array.combine_chunks()
        return _encode_lists(list_array, self._value_set(), len(self))

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
        from textprofile.core.artifacts import write_text_atomic

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
    """Count terms over ``batches`` of token lists into a gensim Dictionary; ``filter_extremes``.

    no_below: keep terms in at least this many documents; no_above: and in at most this fraction
    of the documents that have any token; keep_n: then keep only the most frequent this many.
    Counting is vectorised with pyarrow per batch (gensim's per-document ``add_documents`` is
    much slower) and filtering follows gensim's ``filter_extremes`` exactly; ``Vocab.to_gensim``
    gives the equivalent gensim Dictionary. Term ids follow first appearance in the corpus.
    """
    import pyarrow as pa

    if no_below < 1 or not (0.0 < no_above <= 1.0):
        raise ConfigError(f"no_below must be >= 1 and 0 < no_above <= 1 (got {no_below}, {no_above})")
    parts = []
    n_nonempty = 0
    for batch in batches:
        arr = batch if isinstance(batch, (pa.ListArray, pa.ChunkedArray)) else pa.array(
            [list(t) for t in batch], type=pa.list_(pa.string()))
        counts, n = _count_batch(arr)
        parts.append(counts)
        n_nonempty += n
    return vocab_from_counts(parts, n_nonempty, no_below, no_above, keep_n)


def _count_batch(arr):
    """(table term/cf/df in first-appearance order, number of non-empty documents) of a batch."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    offsets = arr.offsets.to_numpy(zero_copy_only=False)
    lengths = np.diff(offsets)
    flat = arr.flatten()
    rows = np.repeat(np.arange(len(arr), dtype=np.int64), lengths)
    t = pa.table({"term": flat, "row": rows})
    t = t.filter(pc.is_valid(t["term"]))
    cf = t.group_by("term", use_threads=False).aggregate([("row", "count")])
    df = t.group_by(["term", "row"], use_threads=False).aggregate([]).group_by(
        "term", use_threads=False).aggregate([("row", "count")])
    out = cf.rename_columns(["term", "cf"]).join(df.rename_columns(["term", "df"]), "term",
                                                  use_threads=False)
    # the join does not keep order; restore first appearance
    first = pc.index_in(out["term"], value_set=cf["term"])
    out = out.take(pc.sort_indices(first))
    return out, int((lengths > 0).sum())


def filter_extremes(dfs: np.ndarray, n_docs: int, no_below: int, no_above: float,
                    keep_n: int | None) -> np.ndarray:
    """Ids kept by gensim's ``Dictionary.filter_extremes`` rule, in id order.

    Same rule as gensim 4 (tested against it): keep df in [no_below, int(no_above * n_docs)],
    then the ``keep_n`` highest df (ties: lower id), ids compacted in their original order.
    Done in numpy so fitting with tomotopy never pays for importing gensim.
    """
    no_above_abs = int(no_above * n_docs)
    good = np.flatnonzero((dfs >= no_below) & (dfs <= no_above_abs))
    if keep_n is not None and len(good) > keep_n:
        order = np.lexsort((good, -dfs[good]))[:keep_n]
        good = np.sort(good[order])
    return good


def vocab_from_counts(parts, n_docs: int, no_below: int, no_above: float, keep_n: int | None) -> Vocab:
    """Merge per-batch counts (term ids by first appearance) and apply ``filter_extremes``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = [p for p in parts if p.num_rows]
    if not parts:
        raise StateError("the corpus has no tokens — check the text column and the tokenizer settings")
    t = pa.concat_tables(parts)
    merged = t.group_by("term", use_threads=False).aggregate([("cf", "sum"), ("df", "sum")])
    # first appearance across batches: position of each term's first row in the concatenation
    first = pc.index_in(merged["term"], value_set=t["term"]).to_numpy(zero_copy_only=False)
    merged = merged.take(pa.array(np.argsort(first, kind="stable")))
    terms = np.asarray(merged["term"].to_pylist(), dtype=object)
    cfs = merged["cf_sum"].to_numpy().astype(np.int64)
    dfs = merged["df_sum"].to_numpy().astype(np.int64)
    keep = filter_extremes(dfs, n_docs, no_below, no_above, keep_n)
    if len(keep) == 0:
        raise StateError(
            f"no term is in at least {no_below} and at most {no_above:.0%} of the {n_docs} documents "
            "— lower --no-below or raise --no-above"
        )
    return Vocab(terms=tuple(terms[keep].tolist()), dfs=dfs[keep], cfs=cfs[keep], num_docs=int(n_docs))


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


def iter_token_batches(tokens_path: str | Path, batch_rows: int = BATCH_ROWS):
    """The ``tokens`` column of ``tokens.parquet`` as pyarrow list arrays of ``batch_rows`` rows."""
    from textprofile.core.artifacts import parquet_stream

    pf = parquet_stream(tokens_path)
    for rb in pf.iter_batches(batch_size=batch_rows, columns=["tokens"]):
        yield rb.column(0)


def encode_tokens_file(tokens_path: str | Path, vocab: Vocab, batch_rows: int = BATCH_ROWS, nonempty: bool = False):
    """Return ``(comment_ids, X)``: every row's comment_id (a pyarrow string array) and its (n, V)
    int32 CSR counts.

    ``nonempty``: rows without an in-vocabulary token are left out as they are read, and a third
    value, the boolean mask of the file's rows that were kept, is returned as well. The batches
    are joined one array at a time, each part freed as it is copied, so the peak is about one
    matrix, not two (ten million comments: about 1 GB less).
    """
    import pyarrow as pa
    from scipy import sparse

    from textprofile.core.artifacts import parquet_stream, part_files

    value_set = vocab._value_set()
    ids: list = []
    parts: list[list[np.ndarray]] = [[], [], []]  # row lengths, indices, data of each batch
    kept: list[np.ndarray] = []
    # a file, or a dataset's part files in order (``--backend spark``)
    batches = (rb for part in part_files(tokens_path)
               for rb in parquet_stream(part).iter_batches(batch_size=batch_rows, columns=["comment_id", "tokens"]))
    for rb in batches:
        col = rb.column(1)
        if col.null_count:
            import pyarrow.compute as pc

            col = pc.fill_null(col, pa.scalar([], type=col.type))
        m = _encode_lists(col, value_set, len(vocab))
        batch_ids = rb.column(0).cast(pa.string())
        lengths = np.diff(m.indptr)
        if nonempty:
            keep = lengths > 0
            kept.append(keep)
            if not keep.all():
                batch_ids, lengths = batch_ids.filter(pa.array(keep)), lengths[keep]
        ids.append(batch_ids)
        parts[0].append(lengths)
        parts[1].append(m.indices)
        parts[2].append(m.data)
        del m
    n_rows = sum(len(p) for p in parts[0])
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(_join(parts[0], np.int64), out=indptr[1:])
    indices, data = _join(parts[1], np.int32), _join(parts[2], np.int32)
    index_type = np.int32 if len(indices) < 2**31 else np.int64
    X = sparse.csr_matrix((data, indices, indptr.astype(index_type)), shape=(n_rows, len(vocab)))
    comment_ids = pa.concat_arrays(ids) if ids else pa.array([], type=pa.string())
    if nonempty:
        return comment_ids, X, (np.concatenate(kept) if kept else np.zeros(0, dtype=bool))
    return comment_ids, X


def _join(arrays: list[np.ndarray], dtype) -> np.ndarray:
    """``np.concatenate(arrays)``, emptying the list as it goes (each part freed once copied)."""
    out = np.empty(sum(len(a) for a in arrays), dtype=dtype)
    pos = 0
    for i in range(len(arrays)):
        a = arrays[i]
        out[pos:pos + len(a)] = a
        pos += len(a)
        arrays[i] = None
        del a
    return out
