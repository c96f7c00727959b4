"""Tiny corpora written by the fit/model/evaluate tests themselves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

PLANTED_K = 4
THEMES = [
    ["battery", "charge", "charger", "power", "cable", "usb", "volt", "plug", "drain", "recharge"],
    ["pizza", "cheese", "sauce", "crust", "oven", "pepperoni", "slice", "dough", "basil", "tomato"],
    ["hotel", "room", "bed", "lobby", "checkin", "pillow", "suite", "towel", "reception", "floor"],
    ["novel", "author", "chapter", "plot", "story", "reader", "page", "ending", "writer", "prose"],
]
BACKGROUND = ["good", "bad", "really", "very", "okay"]


def planted_docs(n_docs: int = 320, seed: int = 0) -> tuple[list[list[str]], list[int]]:
    """Documents that each draw ~85% of their words from one planted theme, the rest background."""
    rng = np.random.default_rng(seed)
    docs, labels = [], []
    for d in range(n_docs):
        t = d % PLANTED_K
        n = int(rng.integers(8, 16))
        words = []
        for _ in range(n):
            if rng.random() < 0.85:
                words.append(THEMES[t][int(rng.integers(len(THEMES[t])))])
            else:
                words.append(BACKGROUND[int(rng.integers(len(BACKGROUND)))])
        docs.append(words)
        labels.append(t)
    return docs, labels


def write_corpus(root: Path, name: str, docs: list[list[str]], labels: list | None = None,
                 is_customer: list[bool] | None = None) -> Path:
    """Write corpora/<name>/comments.parquet + tokens.parquet in the documented schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    d = Path(root) / "corpora" / name
    d.mkdir(parents=True, exist_ok=True)
    ids = [f"{i:016x}" for i in range(len(docs))]
    meta = [json.dumps({"cat": str(labels[i])} if labels is not None else {}) for i in range(len(docs))]
    comments = pa.table({
        "comment_id": pa.array(ids, pa.string()),
        "customer_id": pa.array([f"c{i % 50}" for i in range(len(docs))], pa.string()),
        "text": pa.array([" ".join(t) for t in docs], pa.string()),
        "is_customer": pa.array(is_customer if is_customer is not None else [True] * len(docs), pa.bool_()),
        "meta": pa.array(meta, pa.string()),
    })
    pq.write_table(comments, d / "comments.parquet")
    tokens = pa.table({
        "comment_id": pa.array(ids, pa.string()),
        "lang": pa.array(["en" if t else "empty" for t in docs], pa.string()),
        "tokens": pa.array(docs, pa.list_(pa.string())),
    })
    pq.write_table(tokens, d / "tokens.parquet")
    return d
