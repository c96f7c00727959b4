"""Customers' keywords as three arrays instead of a Python list of (term, score) tuples each.

Ten keywords as tuples cost a customer about 1 kB of Python objects; as a term index (int32) and a
score (float64) per keyword, 120 bytes. ``profile build`` keeps a large corpus's keywords this way
bucket by bucket. A ``KeywordTable`` reads like the lists it replaces (``len``, ``[i]`` and
iteration give each customer's ``[(term, score), ...]``), so every reader of keywords takes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np


class KeywordTable(Sequence):
    """Row ``i``'s keywords: ``terms[term[ptr[i]:ptr[i + 1]]]`` with ``score[ptr[i]:ptr[i + 1]]``."""

    def __init__(self, terms: Sequence[str], ptr: np.ndarray, term: np.ndarray, score: np.ndarray) -> None:
        self.terms = terms
        self.ptr = np.asarray(ptr, dtype=np.int64)
        self.term = np.asarray(term, dtype=np.int32)
        self.score = np.asarray(score, dtype=np.float64)

    @classmethod
    def from_lists(cls, keywords: Sequence[Sequence[tuple[str, float]]], terms: Sequence[str],
                   index: dict[str, int] | None = None) -> KeywordTable:
        """From ``[[(term, score), ...], ...]`` whose terms are all in ``terms``."""
        index = index if index is not None else {t: i for i, t in enumerate(terms)}
        lengths = np.fromiter((len(kw) for kw in keywords), dtype=np.int64, count=len(keywords))
        ptr = np.concatenate([[0], np.cumsum(lengths)])
        term = np.fromiter((index[t] for kw in keywords for t, _ in kw), dtype=np.int32, count=int(ptr[-1]))
        score = np.fromiter((s for kw in keywords for _, s in kw), dtype=np.float64, count=int(ptr[-1]))
        return cls(terms, ptr, term, score)

    def take(self, rows: np.ndarray) -> KeywordTable:
        """The rows ``rows``, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        lengths = np.diff(self.ptr)[rows]
        ptr = np.concatenate([[0], np.cumsum(lengths)])
        # each kept keyword's position in the arrays: its row's start plus its rank within the row
        pos = np.repeat(self.ptr[rows] - ptr[:-1], lengths) + np.arange(int(ptr[-1]))
        return KeywordTable(self.terms, ptr, self.term[pos], self.score[pos])

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = range(len(self))[i]
        a, b = int(self.ptr[i]), int(self.ptr[i + 1])
        return [(self.terms[t], s) for t, s in zip(self.term[a:b].tolist(), self.score[a:b].tolist(), strict=True)]

    def __iter__(self) -> Iterator[list[tuple[str, float]]]:
        for i in range(len(self)):
            yield self[i]

    def arrow_columns(self):
        """(keywords per row int64, terms pa.string(), scores pa.float64()), flat in row order."""
        import pyarrow as pa

        vocab = pa.array(list(self.terms), type=pa.string())
        return np.diff(self.ptr), vocab.take(pa.array(self.term)), pa.array(self.score, type=pa.float64())
