"""Agreement of topics with known labels: clustering scores and the label column of a corpus."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from textprofile.core.errors import ColumnError, StateError


def clustering_scores(labels: Sequence[Any], clusters: Sequence[int]) -> dict[str, float]:
    """NMI (arithmetic mean normalisation), adjusted Rand index and purity of ``clusters``.

    Purity: the share of items whose cluster's most common label is their own label.
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    labels = np.asarray([str(x) for x in labels], dtype=object)
    clusters = np.asarray(clusters)
    n = len(labels)
    if n == 0:
        raise StateError("no comment has both a label and a topic mixture to evaluate")
    _, lab_idx = np.unique(labels, return_inverse=True)
    _, clu_idx = np.unique(clusters, return_inverse=True)
    table = np.zeros((clu_idx.max() + 1, lab_idx.max() + 1), dtype=np.int64)
    np.add.at(table, (clu_idx, lab_idx), 1)
    return {
        "nmi": float(normalized_mutual_info_score(labels, clusters)),
        "ari": float(adjusted_rand_score(labels, clusters)),
        "purity": float(table.max(axis=1).sum() / n),
        "n": int(n),
    }


def read_labels(comments_path, label_col: str):
    """(comment_id, label) for comments with a non-empty label, from a column or ``meta`` JSON."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from textprofile.core.artifacts import part_files

    parts = part_files(comments_path)  # a file, or a dataset's part files in order (--backend spark)
    names = pq.read_schema(parts[0]).names

    def read(columns):
        return pa.concat_tables([pq.read_table(f, columns=columns) for f in parts]).to_pandas()

    if label_col in names and label_col != "meta":
        t = read(["comment_id", label_col])
        ids, vals = t["comment_id"].tolist(), t[label_col].tolist()
    elif "meta" in names:
        t = read(["comment_id", "meta"])
        ids, vals, keys = t["comment_id"].tolist(), [], set()
        for m in t["meta"].tolist():
            d = json.loads(m) if isinstance(m, str) and m else {}
            keys.update(d)
            vals.append(d.get(label_col))
        if all(v is None for v in vals):
            raise ColumnError(
                f"label column {label_col!r} not found; columns are: {', '.join(names)}; "
                f"metadata keys are: {', '.join(sorted(keys)) or '(none)'} — pass one of them to --label-col"
            )
    else:
        raise ColumnError(f"label column {label_col!r} not found; columns are: {', '.join(names)}")
    out = [(i, str(v)) for i, v in zip(ids, vals)
           if v is not None and not (isinstance(v, float) and np.isnan(v)) and str(v).strip() != ""]
    return out
