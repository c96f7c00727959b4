"""``evaluate``: coherence and diversity of a fitted model, and agreement with known labels."""

from __future__ import annotations

from typing import Any

import numpy as np

from textprofile.core.errors import StateError
from textprofile.core.progress import Progress
from textprofile.core.workspace import Workspace


def evaluate(name: str, ws: Workspace | None = None, label_col: str | None = None,
             progress: Progress | None = None) -> dict[str, Any]:
    """NPMI, C_V and diversity of model ``name`` on its corpus; NMI/ARI/purity vs ``label_col``."""
    from textprofile.topics.coherence import score_topics
    from textprofile.topics.evaluate import clustering_scores, read_labels
    from textprofile.topics.fitted import load_model_with_corpus, topic_columns

    ws = ws or Workspace.resolve()
    corpus, fm = load_model_with_corpus(ws, name, datasets=True)
    tokens_path = corpus / "tokens.parquet"
    if not tokens_path.exists():
        raise StateError(f"corpus {name!r} has no tokens.parquet — re-run: textprofile load EXPORT --name {name}")
    if progress:
        progress("evaluate", 0, None)
    _, X = fm.encode_tokens_file(tokens_path)
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
        dt = fm.mixtures()
        mask = dt["comment_id"].isin(pairs.keys()).to_numpy()
        dominant = dt.loc[mask, topic_columns(fm.k)].to_numpy().argmax(axis=1)
        labels = [pairs[c] for c in dt.loc[mask, "comment_id"]]
        scores = clustering_scores(labels, dominant)
        result["labels"] = {"column": label_col, **{k: (round(v, 6) if isinstance(v, float) else v)
                                                   for k, v in scores.items()}}
    if progress:
        progress("evaluate", 1, 1)
    return result
