"""Which comments the topic model trains on (``fit --sample N``): a pure function of ids and seed.

A corpus of up to ``FitConfig.sample`` comments trains on all of them, in corpus order (as
before sampling existed). A larger one trains on a seeded uniform sample of exactly that many:
each comment id gets a 64-bit key, ``blake2b(id, key="textprofile-sample:<seed>")``, and the
``n`` smallest keys (ties by id) are chosen, in key order. The choice and the order the engine
sees them in depend only on the ids and the seed — not on chunking, row order, partitioning or
the number of workers — so a Spark driver that collects the n smallest keys trains the same model.
Every comment, sampled or not, then gets its mixture from the fitted model (fold-in).
"""

from __future__ import annotations

import hashlib

import numpy as np

from textprofile.core.errors import ConfigError

DEFAULT_SAMPLE = 2_000_000


def sample_keys(comment_ids, seed: int) -> np.ndarray:
    """The uint64 sampling key of each comment id for ``seed`` (a sequence of strings, or a
    pyarrow string array, read a slice at a time so its ids never all become Python strings)."""
    salt = f"textprofile-sample:{int(seed)}".encode()
    h = hashlib.blake2b
    blob = b"".join(h(str(c).encode("utf-8"), digest_size=8, key=salt).digest() for c in _each(comment_ids))
    return np.frombuffer(blob, dtype=">u8").astype(np.uint64)


def _each(comment_ids):
    if not hasattr(comment_ids, "slice"):  # a plain sequence
        yield from comment_ids
        return
    for start in range(0, len(comment_ids), 100_000):
        yield from comment_ids.slice(start, 100_000).to_pylist()


def _pick(comment_ids, rows: np.ndarray) -> np.ndarray:
    if hasattr(comment_ids, "take"):  # pyarrow
        import pyarrow as pa

        return np.asarray(comment_ids.take(pa.array(rows)).to_pylist(), dtype=object)
    return np.asarray(comment_ids, dtype=object)[rows]


def training_rows(comment_ids, sample: int | None, seed: int) -> np.ndarray | None:
    """Row positions to train on, in training order; ``None`` when every row trains, in order.

    ``comment_ids``: a sequence of strings or a pyarrow string array. ``sample``: at most this
    many rows (``None`` or 0: all of them).
    """
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, int) or sample < 0):
        raise ConfigError(f"--sample must be a whole number of comments, 0 for all (got {sample!r})")
    n = len(comment_ids)
    if not sample or n <= sample:
        return None
    keys = sample_keys(comment_ids, seed)
    cut = np.partition(keys, sample - 1)[sample - 1]
    chosen = np.flatnonzero(keys <= cut)
    ids = _pick(comment_ids, chosen)
    # by key, ties (and the rows tied at the cut) by comment id: exactly ``sample`` rows
    order = np.lexsort((ids.astype(str), keys[chosen]))[:sample]
    return chosen[order]


def describe(n_rows: int, rows: np.ndarray | None, sample: int | None, seed: int) -> dict:
    """What the manifest records about the training sample."""
    return {"requested": sample, "seed": int(seed), "rows": n_rows,
            "trained": n_rows if rows is None else len(rows),
            "method": "all rows, corpus order" if rows is None else "blake2b(comment_id, seed) smallest keys"}
