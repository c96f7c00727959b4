"""``evaluate``: coherence and diversity of a fitted model, and agreement with known labels."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from textprofile.core.errors import ColumnError, StateError
from textprofile.core.progress import Progress
from textprofile.core.workspace import Workspace


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
    import pyarrow.parquet as pq

    names = pq.read_schema(comments_path).names
    if label_col in names and label_col != "meta":
        t = pq.read_table(comments_path, columns=["comment_id", label_col]).to_pandas()
        ids, vals = t["comment_id"].tolist(), t[label_col].tolist()
    elif "meta" in names:
        t = pq.read_table(comments_path, columns=["comment_id", "meta"]).to_pandas()
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


def evaluate(name: str, ws: Workspace | None = None, label_col: str | None = None,
             progress: Progress | None = None) -> dict[str, Any]:
    """NPMI, C_V and diversity of model ``name`` on its corpus; NMI/ARI/purity vs ``label_col``."""
    from textprofile.topics.coherence import score_topics
    from textprofile.topics.fitted import load_model_with_corpus, topic_columns
    from textprofile.topics.vocab import encode_tokens_file

    ws = ws or Workspace.resolve()
    corpus, fm = load_model_with_corpus(ws, name)
    tokens_path = corpus / "tokens.parquet"
    if not tokens_path.is_file():
        raise StateError(f"corpus {name!r} has no tokens.parquet — re-run: textprofile load EXPORT --name {name}")
    if progress:
        progress("evaluate", 0, None)
    _, X = encode_tokens_file(tokens_path, fm._vocab)
    X = X[np.asarray(X.sum(axis=1)).ravel() > 0]
    q = score_topics(X, fm.topic_word, top_n=10, cv=True)
    result: dict[str, Any] = {
        "name": name,
        "k": fm.k,
        "engine": fm.manifest.get("engine", {}).get("engine"),
        "npmi": round(q["npmi"], 6),
        "c_v": round(q["c_v"], 6),
        "diversity": round(q["diversity"], 6),
        "per_topic": [
            {"id": i, "label": fm.label(i), "npmi": q["npmi_per_topic"][i], "c_v": q["c_v_per_topic"][i]}
            for i in range(fm.k)
        ],
        "n_documents": int(X.shape[0]),
    }
    if label_col:
        pairs = dict(read_labels(corpus / "comments.parquet", label_col))
        dt = fm.doc_topics()
        mask = dt["comment_id"].isin(pairs.keys()).to_numpy()
        dominant = dt.loc[mask, topic_columns(fm.k)].to_numpy().argmax(axis=1)
        labels = [pairs[c] for c in dt.loc[mask, "comment_id"]]
        scores = clustering_scores(labels, dominant)
        result["labels"] = {"column": label_col, **{k: (round(v, 6) if isinstance(v, float) else v)
                                                   for k, v in scores.items()}}
    if progress:
        progress("evaluate", 1, 1)
    return result
