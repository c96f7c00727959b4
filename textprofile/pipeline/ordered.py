"""Per-bucket customer tables joined straight into customer order, each part freed once placed.

A bucketed ``profile build`` ends with one piece of every table per bucket, each in its own
order. Concatenating the pieces and then reordering the result holds two whole copies of each
table at once (at ten million comments, 0.7 GB for the keyword vectors alone). Here the ordered
table is allocated once and every part is copied into its rows and then dropped from the list
it came in, so a table costs one copy plus one bucket's part. The result is the same table,
value for value and dtype for dtype, as ``concat`` then ``take``.

Every function *consumes* ``parts``: its entries are set to None as they are placed. The parts
are small allocations (one bucket's), so glibc keeps their pages after they are freed; the freed
pages are handed back every ``RELEASE_EVERY`` parts (``core.memory.release_freed_memory``), or
the RSS would still hold the whole joined table twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from textprofile.core.memory import release_freed_memory

if TYPE_CHECKING:
    import pandas as pd


RELEASE_EVERY = 4  # parts placed between two hand-backs of their freed pages


def _drop(parts: list, i: int) -> None:
    parts[i] = None
    if (i + 1) % RELEASE_EVERY == 0:
        release_freed_memory()


def destinations(keys: list[np.ndarray]) -> np.ndarray:
    """Each row's position in the joined order (rows of the parts one after another, ascending
    by key, ties in part order): the inverse of a stable argsort."""
    joined = np.concatenate(keys) if keys else np.zeros(0, dtype=object)
    order = np.argsort(joined, kind="stable")
    del joined
    dest = np.empty(len(order), dtype=np.int64)
    dest[order] = np.arange(len(order), dtype=np.int64)
    return dest


def _spans(parts: list, size: Callable[[Any], int]) -> list[tuple[int, int]]:
    out, at = [], 0
    for p in parts:
        out.append((at, at + size(p)))
        at += size(p)
    return out


def dense(parts: list[np.ndarray], dest: np.ndarray) -> np.ndarray:
    """Row blocks (same columns and dtype) into one array in ``dest`` order."""
    first = parts[0]
    out = np.empty((len(dest), *first.shape[1:]), dtype=first.dtype)
    for i, (a, b) in enumerate(_spans(parts, len)):
        out[dest[a:b]] = parts[i]
        _drop(parts, i)
    return out


def ragged(parts: list, dest: np.ndarray, arrays: Callable[[Any], tuple[np.ndarray, list[np.ndarray]]]
           ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Row-pointer tables (CSR-like: ``ptr`` and flat arrays, ``arrays(part)`` gives them) into
    one in ``dest`` order: (ptr int64, flat arrays)."""
    spans = _spans(parts, lambda p: len(arrays(p)[0]) - 1)
    lengths = np.empty(len(dest), dtype=np.int64)
    for p, (a, b) in zip(parts, spans, strict=True):
        lengths[dest[a:b]] = np.diff(arrays(p)[0])
    ptr = np.zeros(len(dest) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    del lengths
    outs = [np.empty(int(ptr[-1]), dtype=x.dtype) for x in arrays(parts[0])[1]]
    for i, (a, b) in enumerate(spans):
        src_ptr, flats = arrays(parts[i])
        src_ptr = np.asarray(src_ptr, dtype=np.int64)
        lens = np.diff(src_ptr)
        # entry j of source row r goes to the row's new start plus its place in the row
        pos = np.repeat(ptr[dest[a:b]] - src_ptr[:-1], lens) + np.arange(src_ptr[0], src_ptr[-1])
        for out, flat in zip(outs, flats, strict=True):
            out[pos] = flat[src_ptr[0]:src_ptr[-1]]
        del pos
        _drop(parts, i)
    return ptr, outs


def csr(parts: list, dest: np.ndarray):
    """CSR matrices (same columns) into one in ``dest`` order, as ``vstack`` then row indexing."""
    import scipy.sparse as sp

    cols = parts[0].shape[1]
    ptr, (indices, data) = ragged(parts, dest, lambda m: (m.indptr, [m.indices, m.data]))
    return sp.csr_matrix((data, indices, ptr), shape=(len(dest), cols))


def frame(parts: list[pd.DataFrame], dest: np.ndarray) -> pd.DataFrame:
    """DataFrames (same columns) into one in ``dest`` order, index reset, dtypes kept."""
    import pandas as pd

    first = parts[0]
    columns, dtypes = list(first.columns), first.dtypes.to_dict()
    outs: dict[Any, Any] = {}
    for c in columns:
        dt = dtypes[c]
        if isinstance(dt, pd.DatetimeTZDtype):
            outs[c] = np.empty(len(dest), dtype=f"datetime64[{dt.unit}]")
        elif isinstance(dt, np.dtype):
            outs[c] = np.empty(len(dest), dtype=dt)
        else:  # other extension dtypes: joined as pandas does, after the parts are placed
            outs[c] = [None] * len(parts)
    for i, (a, b) in enumerate(_spans(parts, len)):
        part, where = parts[i], dest[a:b]
        for c in columns:
            if isinstance(outs[c], list):
                outs[c][i] = part[c].reset_index(drop=True)
            elif isinstance(dtypes[c], pd.DatetimeTZDtype):
                outs[c][where] = part[c].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
            else:
                outs[c][where] = part[c].to_numpy()
        _drop(parts, i)
    order = None
    data = {}
    for c in columns:
        dt = dtypes[c]
        if isinstance(outs[c], list):
            if order is None:
                order = np.argsort(dest, kind="stable")
            data[c] = pd.concat(outs[c], ignore_index=True).take(order).reset_index(drop=True)
        elif isinstance(dt, pd.DatetimeTZDtype):
            data[c] = pd.Series(outs[c]).dt.tz_localize("UTC").dt.tz_convert(dt.tz)
        else:
            data[c] = pd.Series(outs[c])
        outs[c] = None
    return pd.DataFrame(data, columns=columns)
