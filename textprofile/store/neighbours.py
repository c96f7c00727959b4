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
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from textprofile.core.errors import IntegrityError

POSTINGS_BUDGET = 300_000  # posting entries one query reads before it falls back to candidates
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
