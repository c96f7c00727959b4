"""The neighbour index beside ``profiles.duckdb``: who is most like a customer, fast.

Each customer is one unit vector in two parts: their keyword vector (sparse, over the model's
vocabulary) times ``sqrt(1 - w)``, and the square roots of their topic shares times ``sqrt(w)``;
the inner product of two customers is then ``(1 - w) cos(keywords) + w BC(topics)`` (BC is the
Bhattacharyya coefficient, 1 - Hellinger²). ``w`` is the caller's (``profiles.similarity``) and is
kept in ``meta.json``; ``by="keywords"`` and ``by="topics"`` use one part alone.

Files (one folder, named ``profiles.neighbours-<token>``; the store's meta names the token, so the
store file's rename is the commit point of both and a crash leaves the previous pair intact):
``ids.npy`` (customer ids, sorted, fixed-width UTF-8), ``kw_indptr.npy`` / ``kw_indices.npy`` /
``kw_data.npy`` (CSR rows, float32), ``post_indptr.npy`` / ``post_rows.npy`` / ``post_data.npy``
(the same vectors by term: each term's posting list, rows ascending) and ``post_max.npy`` (each
term's largest weight), ``topics.npy`` (float32, sqrt of shares), ``meta.json``. The folder is the
same bytes for the same input, at any size. All arrays are memory-mapped, so opening costs
milliseconds at any size.

A search reads only the posting lists of the query's terms. When they hold at most
``POSTINGS_BUDGET`` entries together (every query on stores of a few hundred thousand customers
with real texts), the keyword scores are exact sums over them. Otherwise the query's terms are
taken by their largest possible contribution (query weight x ``post_max``) while they fit the
budget, the best ``CANDIDATES`` customers by those partial scores plus the topics are re-scored
exactly, and the best of them returned: the common terms skipped weigh little (idf^1.5), so the
true neighbours are among the candidates (``benchmarks/bench_store.py`` measures how often).
An index written before the posting lists existed is searched exactly over its rows.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import numpy as np

from textprofile.core.errors import IntegrityError

POSTINGS_BUDGET = 300_000  # posting entries one query reads before it falls back to candidates
POSTING_BLOCK = 4_000_000  # posting entries sorted and written at once while an index is built
CANDIDATES = 1000  # candidates re-scored exactly per query (at least; 50 x the answers asked for)
FORMAT = 2  # 1: CSR rows only (and, above 250,000 customers, an HNSW index no longer used)
MODES = ("mixed", "keywords", "topics")
_PREFIX = "profiles.neighbours-"


def folder_for(store_file: Path, token: str) -> Path:
    return store_file.with_name(f"{_PREFIX}{token}")


def remove_stale(store_file: Path, keep: str | None) -> None:
    """Delete neighbour folders the store no longer names, and those of killed builds."""
    from textprofile.core.artifacts import remove_orphans

    for p in store_file.parent.glob(f"{_PREFIX}*"):
        if p.name != f"{_PREFIX}{keep}":
            shutil.rmtree(p, ignore_errors=True)
    remove_orphans(store_file.parent, f".{_PREFIX}")
    remove_orphans(store_file.parent, f".{store_file.name}.")


def build_index(store_file: Path, ids, keywords, sqrt_topics: np.ndarray, w_topics: float) -> str:
    """Write the index of customers ``ids`` (sorted) beside ``store_file``; return its token.

    The token is a hash of the content, so the same input gives the same folder name (and the
    same store meta) every time. Written under a temporary name, then renamed.
    """
    return _built(store_file, lambda tmp: write_index(tmp, ids, keywords, sqrt_topics, w_topics))


def build_index_parts(store_file: Path, parts: IndexParts, w_topics: float) -> str:
    """``build_index`` from rows that arrive in parts (``IndexParts``): the same folder, bytes and
    token as ``build_index`` of all of them at once, in memory bounded by one part."""
    return _built(store_file, lambda tmp: write_index_parts(tmp, parts, w_topics))


def _built(store_file: Path, write) -> str:
    import hashlib

    tmp = store_file.with_name(f".{_PREFIX}{os.getpid()}.building")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        write(tmp)
        digest = hashlib.sha256()
        for name in sorted(p.name for p in tmp.iterdir()):
            with open(tmp / name, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
        token = digest.hexdigest()[:16]
        target = folder_for(store_file, token)
        if target.is_dir():
            shutil.rmtree(tmp)  # the same content is already there
        else:
            os.replace(tmp, target)
        return token
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class IndexParts:
    """The index's rows in parts: ``n`` customers in all, ``nnz`` keyword entries in all, the longest
    id ``id_bytes`` bytes in UTF-8 (all known before the first part is read), over ``vocab`` terms and
    ``k`` topics; ``parts()`` yields ``(ids, keyword CSR rows, sqrt topic shares)``, ids ascending."""

    n: int
    nnz: int
    id_bytes: int
    vocab: int
    k: int
    parts: Callable[[], Iterator[tuple[Any, Any, np.ndarray]]]


def write_index(folder: Path, ids, keywords, sqrt_topics: np.ndarray, w_topics: float) -> dict:
    """Write the index of customers ``ids`` (sorted) into a new ``folder``; return its meta."""
    import scipy.sparse as sp

    kw = sp.csr_matrix(keywords, dtype=np.float32)
    ids = np.asarray(ids, dtype=object)
    if len(ids) != kw.shape[0] or len(ids) != sqrt_topics.shape[0]:
        raise ValueError("one keyword row and one topic row per customer")
    width = max((len(str(i).encode("utf-8")) for i in ids), default=1)
    parts = IndexParts(len(ids), int(kw.nnz), width, int(kw.shape[1]), int(sqrt_topics.shape[1]),
                       lambda: iter([(ids, kw, sqrt_topics)]))
    meta = _write_rows(folder, parts, w_topics)
    kw.sort_indices()
    # copy=False: at two million customers each needless copy is 0.4 GB
    entries = lambda: ((a, kw.indices[a:a + POSTING_BLOCK], kw.data[a:a + POSTING_BLOCK])
                       for a in range(0, kw.nnz, POSTING_BLOCK))
    _write_postings(folder, parts.vocab, kw.indptr, kw.nnz, entries, _index_type(kw.nnz))
    return meta


def write_index_parts(folder: Path, parts: IndexParts, w_topics: float) -> dict:
    """``write_index`` of rows in parts: the rows are written part by part, then the posting lists
    are made from the row files on disk, read a block at a time."""
    meta = _write_rows(folder, parts, w_topics)
    index_type = _index_type(parts.nnz)
    row_ptr = np.load(folder / "kw_indptr.npy", allow_pickle=False)

    def entries():
        with open(folder / "kw_indices.npy", "rb") as fi, open(folder / "kw_data.npy", "rb") as fd:
            for f in (fi, fd):
                np.lib.format.read_magic(f)
                np.lib.format.read_array_header_1_0(f)
            for a in range(0, parts.nnz, POSTING_BLOCK):
                count = min(POSTING_BLOCK, parts.nnz - a)
                yield a, np.fromfile(fi, dtype=index_type, count=count), np.fromfile(fd, dtype=np.float32, count=count)

    _write_postings(folder, parts.vocab, row_ptr, parts.nnz, entries, index_type)
    return meta


def _index_type(nnz: int):
    return np.int32 if nnz < 2**31 else np.int64  # one type for both: scipy copies mixed ones


def _write_rows(folder: Path, parts: IndexParts, w_topics: float) -> dict:
    """``ids.npy``, the CSR rows (``kw_*.npy``), ``topics.npy`` and ``meta.json`` from ``parts``."""
    import scipy.sparse as sp

    folder.mkdir(parents=True, exist_ok=False)
    index_type = _index_type(parts.nnz)
    written = entries = 0
    with _NpyWriter(folder / "ids.npy", f"S{parts.id_bytes}", parts.n) as ids_out, \
            _NpyWriter(folder / "kw_indptr.npy", index_type, parts.n + 1) as ptr_out, \
            _NpyWriter(folder / "kw_indices.npy", index_type, parts.nnz) as ind_out, \
            _NpyWriter(folder / "kw_data.npy", np.float32, parts.nnz) as data_out, \
            _NpyWriter(folder / "topics.npy", np.float32, (parts.n, parts.k)) as topics_out:
        ptr_out.write(np.zeros(1, dtype=index_type))
        for ids, keywords, sqrt_topics in parts.parts():
            kw = sp.csr_matrix(keywords, dtype=np.float32)
            kw.sort_indices()
            if len(ids) != kw.shape[0] or len(ids) != len(sqrt_topics) or kw.shape[1] != parts.vocab:
                raise ValueError("one keyword row and one topic row per customer")
            ids_out.write(np.array([str(i).encode("utf-8") for i in ids], dtype=f"S{parts.id_bytes}"))
            ptr_out.write(kw.indptr[1:].astype(np.int64) + entries)
            ind_out.write(kw.indices)
            data_out.write(kw.data)
            topics_out.write(np.asarray(sqrt_topics, dtype=np.float32).reshape(-1, parts.k))
            written, entries = written + len(ids), entries + int(kw.nnz)
    meta = {"n": parts.n, "vocab": parts.vocab, "k": parts.k, "w_topics": float(w_topics), "format": FORMAT}
    (folder / "meta.json").write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
    return meta


def _write_postings(folder: Path, vocab: int, row_ptr, n_entries: int, entries, index_type) -> None:
    """The posting lists (``post_*.npy``) of the CSR rows, rows ascending within each term.

    ``entries()`` yields ``(start, indices, data)``: the rows' entries in order, in pieces (read
    again for every block of terms). Written a block of terms at a time, at most ``POSTING_BLOCK``
    entries each (or one term's when it alone holds more): a by-term copy of the whole matrix
    (``tocsc``) was 0.8 GB beside the rows at two million customers. The files are the bytes
    ``np.save`` writes of ``tocsc``'s arrays, so the index's token does not depend on how it was written.
    """
    counts = np.zeros(vocab, dtype=np.int64)
    for _, indices, _ in entries():
        counts += np.bincount(indices, minlength=vocab)
    ptr = np.zeros(vocab + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    _save(folder / "post_indptr.npy", ptr)
    top = np.zeros(vocab, dtype=np.float32)
    with _NpyWriter(folder / "post_rows.npy", index_type, n_entries) as rows_out, \
            _NpyWriter(folder / "post_data.npy", np.float32, n_entries) as data_out:
        for t0, t1 in _term_blocks(ptr, POSTING_BLOCK):
            found = []
            for start, indices, data in entries():
                sel = np.flatnonzero((indices >= t0) & (indices < t1))  # ascending: row order
                found.append((sel + start, indices[sel], data[sel]))
            pos, term, values = (np.concatenate(c) for c in zip(*found)) if found else (np.zeros(0, np.int64),) * 3
            order = np.argsort(term, kind="stable")  # by term, rows ascending in each
            rows_out.write(np.searchsorted(row_ptr, pos[order], side="right").astype(index_type) - 1)
            values = np.asarray(values[order], dtype=np.float32)
            data_out.write(values)
            starts = ptr[t0:t1] - ptr[t0]
            filled = np.flatnonzero(counts[t0:t1] > 0)
            if len(filled):
                top[t0 + filled] = np.maximum.reduceat(values, starts[filled])
    _save(folder / "post_max.npy", top)


def _term_blocks(ptr: np.ndarray, size: int) -> list[tuple[int, int]]:
    """``(t0, t1)`` ranges of terms holding at most ``size`` entries each (a larger term alone)."""
    blocks, t0, vocab = [], 0, len(ptr) - 1
    while t0 < vocab:
        t1 = max(t0 + 1, int(np.searchsorted(ptr, ptr[t0] + size, side="right")) - 1)
        t1 = min(t1, vocab)
        blocks.append((t0, t1))
        t0 = t1
    return blocks


class _NpyWriter:
    """A ``.npy`` file written in pieces (rows of its first dimension): the header ``np.save`` writes, then the data."""

    def __init__(self, path: Path, dtype, shape: int | tuple[int, ...]) -> None:
        self.shape = (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)
        self.path, self.dtype, self.length, self.written = path, np.dtype(dtype), self.shape[0], 0

    def __enter__(self) -> Self:
        self.f = open(self.path, "wb")
        header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": self.shape}
        np.lib.format.write_array_header_1_0(self.f, header)
        return self

    def write(self, arr: np.ndarray) -> None:
        arr = np.ascontiguousarray(arr, dtype=self.dtype)
        self.f.write(arr.tobytes() if arr.size == 0 else memoryview(arr).cast("B"))
        self.written += len(arr)

    def __exit__(self, *exc) -> None:
        self.f.close()
        if exc[0] is None and self.written != self.length:
            raise RuntimeError(f"{self.path.name}: {self.written} of {self.length} entries written")


def _save(path: Path, arr: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.save(f, arr, allow_pickle=False)


def _best(s: np.ndarray, n: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Positions of the ``n`` highest finite scores in ``s``, best first, ties by row.

    ``rows`` (ascending, default the positions themselves) are what ties are broken by. An
    argpartition finds the ``n``-th score; every position at or above it is then sorted, so ties
    at the boundary are broken by row as well, never by where the partition left them.
    """
    if n <= 0 or not len(s):
        return np.zeros(0, dtype=np.int64)
    if n < len(s):
        kth = np.partition(s, len(s) - n)[len(s) - n]
        sel = np.flatnonzero(s >= kth)
    else:
        sel = np.arange(len(s))
    sel = sel[np.isfinite(s[sel])]
    key = sel if rows is None else rows[sel]
    return sel[np.lexsort((key, -s[sel]))][:n]


class NeighbourIndex:
    """Read-only view of one neighbour folder (memory-mapped)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        try:
            self.meta: dict[str, Any] = json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))
            load = lambda name: np.load(self.folder / name, mmap_mode="r", allow_pickle=False)
            self.ids = load("ids.npy")
            self.topics = load("topics.npy")
            self._kw = (load("kw_data.npy"), load("kw_indices.npy"), load("kw_indptr.npy"))
            self._post = None
            if self.meta.get("format", 1) >= 2:
                self._post = (load("post_data.npy"), load("post_rows.npy"), load("post_indptr.npy"),
                              load("post_max.npy"))
        except (OSError, ValueError, KeyError) as e:
            raise IntegrityError(f"neighbour index {self.folder} cannot be read ({e})") from None
        self._keywords = None

    @property
    def keywords(self):
        """Every customer's keyword vector (CSR over the memory maps; built on first use)."""
        if self._keywords is None:
            import scipy.sparse as sp

            self._keywords = sp.csr_matrix(self._kw, shape=(self.meta["n"], self.meta["vocab"]))
        return self._keywords

    def _gather(self, rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(positions into the maps, values, per-row offsets) of a few ``rows``, numpy only.

        Lookups of a few customers touch only their own entries and never import scipy (whose
        import alone costs a lookup process 0.3 s).
        """
        data, _, indptr = self._kw
        take, offsets = _spans(indptr, rows)
        return take, np.asarray(data[take], dtype=np.float64), offsets

    def _row_scores(self, rows, kw_vec: np.ndarray) -> np.ndarray:
        """Keyword inner products of ``rows`` with a dense query vector."""
        take, vals, offsets = self._gather(rows)
        prod = vals * kw_vec[np.asarray(self._kw[1][take])]
        sums = np.add.reduceat(prod, offsets[:-1]) if len(prod) else np.zeros(len(offsets) - 1)
        return np.where(offsets[1:] > offsets[:-1], sums, 0.0)  # reduceat repeats at empty rows

    def _posting_scores(self, kw_vec: np.ndarray, terms: np.ndarray) -> np.ndarray:
        """Every customer's keyword inner product with ``kw_vec`` over ``terms`` only."""
        data, rows, indptr, _ = self._post
        take, offsets = _spans(indptr, terms)
        weights = np.repeat(kw_vec[terms], np.diff(offsets)) * data[take]
        return np.bincount(rows[take], weights=weights, minlength=self.meta["n"])

    @classmethod
    def open(cls, store_file: Path, token: str | None) -> NeighbourIndex | None:
        if not token:
            return None
        folder = folder_for(store_file, token)
        return cls(folder) if folder.is_dir() else None

    def row(self, customer_id: str) -> int | None:
        key = customer_id.encode("utf-8")
        i = int(np.searchsorted(self.ids, key))
        return i if i < len(self.ids) and self.ids[i] == key else None

    def vector(self, rows) -> tuple[Any, np.ndarray]:
        """(keyword rows, sqrt-topic rows) of ``rows``, the mean when several (a seed list)."""
        rows = np.asarray(rows, dtype=np.int64)
        take, vals, _ = self._gather(rows)
        kw = np.zeros(self.meta["vocab"])
        np.add.at(kw, np.asarray(self._kw[1][take]), vals)
        return kw / max(1, len(rows)), np.asarray(self.topics[rows], dtype=np.float64).mean(axis=0)

    def scores(self, kw_vec: np.ndarray, top_vec: np.ndarray, by: str, rows=None) -> np.ndarray:
        """Exact similarity of ``rows`` (default: every customer) to the query parts."""
        w = self._weight(by)
        tp = self.topics if rows is None else self.topics[rows]
        out = np.zeros(tp.shape[0])
        if w < 1:
            out += (1 - w) * self._keyword_scores(kw_vec, rows)
        if w > 0:
            out += w * _topic_scores(tp, top_vec)
        return out

    def _keyword_scores(self, kw_vec: np.ndarray, rows) -> np.ndarray:
        if rows is not None:
            return self._row_scores(rows, kw_vec)
        terms = np.flatnonzero(kw_vec)
        if self._post is not None:
            indptr = self._post[2]
            if int(np.sum(indptr[terms + 1] - indptr[terms])) <= len(self._kw[0]) // 3:
                return self._posting_scores(kw_vec, terms)  # the same sums, in the same order
        return self.keywords @ kw_vec

    def _weight(self, by: str) -> float:
        return {"mixed": self.meta["w_topics"], "keywords": 0.0, "topics": 1.0}[by]

    def search(self, kw_vec: np.ndarray, top_vec: np.ndarray, n: int, by: str, exclude=()) -> list[tuple[int, float]]:
        """The ``n`` best rows (row, score), best first, ties by row; ``exclude`` rows left out."""
        exclude = np.asarray(sorted({int(x) for x in exclude}), dtype=np.int64)
        rows = self._candidates(kw_vec, top_vec, by, max(CANDIDATES, 50 * (n + len(exclude))))
        if rows is None:
            s = self.scores(kw_vec, top_vec, by)
            s[exclude] = -np.inf
        else:
            rows = rows[~np.isin(rows, exclude)]
            s = self.scores(kw_vec, top_vec, by, rows)
        best = _best(s, n, rows)
        return [(int(j if rows is None else rows[j]), float(s[j])) for j in best]

    def _candidates(self, kw_vec: np.ndarray, top_vec: np.ndarray, by: str, count: int) -> np.ndarray | None:
        """Rows to score exactly (ascending), or None when every row's exact score is cheap.

        Exact whenever the query's posting lists fit ``POSTINGS_BUDGET``; otherwise the best
        ``count`` rows by the topics and the terms that can contribute most while they fit.
        """
        w = self._weight(by)
        if w >= 1 or self._post is None or self.meta["n"] <= count:
            return None
        _, _, indptr, top_weight = self._post
        terms = np.flatnonzero(kw_vec)
        lengths = np.asarray(indptr[terms + 1] - indptr[terms], dtype=np.int64)
        if lengths.sum() <= POSTINGS_BUDGET:
            return None
        order = np.argsort(-(kw_vec[terms] * top_weight[terms]), kind="stable")
        chosen, used = [], 0
        for t in order:  # a few hundred terms at most: each one a query term
            if used + lengths[t] <= POSTINGS_BUDGET:
                chosen.append(terms[t])
                used += int(lengths[t])
        partial = (1 - w) * self._posting_scores(kw_vec, np.asarray(chosen, dtype=np.int64))
        if w > 0:
            partial += w * _topic_scores(self.topics, top_vec)
        return np.sort(_best(partial, count))


def _topic_scores(sqrt_topics, top_vec: np.ndarray) -> np.ndarray:
    """Bhattacharyya coefficients of every row with the query: one float32 mat-vec (a float64
    one would first copy the whole memory-mapped matrix)."""
    return np.asarray(sqrt_topics @ np.asarray(top_vec, dtype=np.float32), dtype=np.float64)


def _spans(indptr, items) -> tuple[np.ndarray, np.ndarray]:
    """(positions of every entry of ``items`` in a CSR/CSC layout, per-item offsets into them)."""
    items = np.asarray(items, dtype=np.int64)
    starts = np.asarray(indptr[items], dtype=np.int64)
    lengths = np.asarray(indptr[items + 1], dtype=np.int64) - starts
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    return np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1]), offsets


def merge_index(old: NeighbourIndex, store_file: Path, ids, keywords, sqrt_topics: np.ndarray) -> str:
    """A new index with ``ids``' rows replaced or added (``update``), the rest copied from ``old``."""
    import scipy.sparse as sp

    new_ids = np.asarray([str(i) for i in ids], dtype=object)
    old_ids = np.array([b.decode("utf-8") for b in old.ids], dtype=object)
    keep = ~np.isin(old_ids, new_ids)
    all_ids = np.concatenate([old_ids[keep], new_ids])
    order = np.argsort(all_ids.astype(str), kind="stable")
    kw = sp.vstack([old.keywords[np.flatnonzero(keep)], sp.csr_matrix(keywords, dtype=np.float32)], format="csr")
    tp = np.vstack([np.asarray(old.topics)[keep], np.asarray(sqrt_topics, dtype=np.float32)])
    return build_index(store_file, all_ids[order], kw[order], tp[order], old.meta["w_topics"])


def index_without(old: NeighbourIndex, store_file: Path, customer_ids) -> tuple[str, int]:
    """A new index without ``customer_ids``' rows (``forget``); returns (token, rows removed)."""
    old_ids = np.array([b.decode("utf-8") for b in old.ids], dtype=object)
    keep = ~np.isin(old_ids, np.asarray(list(customer_ids), dtype=object))
    rows = np.flatnonzero(keep)
    token = build_index(store_file, old_ids[rows], old.keywords[rows], np.asarray(old.topics)[rows],
                        old.meta["w_topics"])
    return token, int((~keep).sum())
