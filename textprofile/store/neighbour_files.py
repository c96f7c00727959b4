"""Writing the neighbour index's folder (its files: ``store.neighbours``' docstring): from every
customer's rows at once (``build_index``) or from rows that arrive in parts (``build_index_parts``,
the Spark backend's store), the same bytes and token either way.
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

from textprofile.store.neighbours import _PREFIX, FORMAT, NeighbourIndex, folder_for

POSTING_BLOCK = 4_000_000  # posting entries sorted and written at once while an index is built


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
