"""``fit``: tokens.parquet -> vocabulary, topic model, TF-IDF, labels, mixtures in models/<name>/."""

from __future__ import annotations

import platform
import time
from datetime import UTC, datetime
from typing import Any

from textprofile.core import artifacts
from textprofile.core.config import FitConfig
from textprofile.core.progress import Progress
from textprofile.core.workspace import Workspace


def fit(name: str, config: FitConfig | None = None, ws: Workspace | None = None,
        progress: Progress | None = None) -> dict[str, Any]:
    """Fit the vocabulary, topic model and TF-IDF of corpus ``name``; write models/<name>/.

    Returns the chosen K, the sweep table (empty for a fixed K), coherence, diversity,
    seconds and paths.
    """
    from textprofile.topics import engine_class
    from textprofile.topics.fitted import DOC_TOPICS_FILE, write_model_files
    from textprofile.topics.tfidf import TfidfKeywords
    from textprofile.topics.training import (
        choose_k,
        infer_doc_topics,
        topic_table,
        train,
        training_data,
    )

    config = (config or FitConfig()).validate()
    engine_class(config.engine)  # fail fast on an unknown engine
    ws = ws or Workspace.resolve()
    t0 = time.perf_counter()
    corpus_dir = ws.require_corpus(name)

    stages: dict[str, float] = {}
    mark = [t0]

    def lap(stage: str) -> None:  # wall seconds of each stage, for fit --json (not the manifest)
        now = time.perf_counter()
        stages[stage] = round(now - mark[0], 3)
        mark[0] = now

    data = training_data(corpus_dir, config, progress)      # customers' words shape the vocabulary
    lap("read")
    k, sweep_table = choose_k(data, config, progress)         # fixed K, or the best NPMI of a sweep
    lap("choose_k")
    engine, quality, restarts = train(data, k, config, progress)
    lap("train")
    if progress:
        progress("infer", 0, None)
    tfidf = TfidfKeywords(data.vocab.terms).fit_counts(data.X_train)

    model_dir = ws.model_dir(name)
    with artifacts.atomic_dir(model_dir) as tmp:
        # every comment's mixture, streamed into doc_topics.parquet row group by row group
        shares = infer_doc_topics(data, engine.transform, tmp / DOC_TOPICS_FILE)
        lap("infer")
        topics = topic_table(engine.topic_word_, data.term_frequency, data.vocab.terms, shares)
        model_files = write_model_files(tmp, data, engine, None, topics, tfidf, config.engine)
        seconds = round(time.perf_counter() - t0, 3)
        result = _summary(name, config, data, engine, k, sweep_table, restarts, quality, topics, model_dir, seconds,
                          corpus_dir)
        artifacts.write_manifest(tmp, {
            "kind": "model",
            "name": name,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "seed": config.seed,
            "config": config.to_dict(),
            "config_hash": config.hash(),
            "engine": engine.settings(),
            "corpus": {"tokens_sha256": artifacts.sha256_file(corpus_dir / "tokens.parquet"),
                       "comments": data.n_comments, "modelled": data.sample["trained"],
                       "with_mixtures": int(data.X.shape[0]), "vocab_size": len(data.vocab)},
            "versions": _versions(),
            "sweep": sweep_table,
            "restarts": restarts,
            "sample": data.sample,
            "quality": quality,
            "model_files": model_files,
            "doc_topics_rows": int(data.X.shape[0]),
            "seconds": seconds,
        })
    lap("write")
    result["stage_seconds"] = stages
    return result


def _summary(name, config, data, engine, k, sweep_table, restarts, quality, topics, model_dir,
             seconds, corpus_dir) -> dict[str, Any]:
    """What ``fit`` returns (and ``fit --json`` prints)."""
    from textprofile.text.stage import skipped_languages
    from textprofile.topics.fitted import DOC_TOPICS_FILE, TOPICS_FILE

    return {
        "name": name,
        "engine": config.engine,
        "k": k,
        "auto": config.topics is None,
        "seed": config.seed,
        "model_seed": engine.seed,
        "sweep": sweep_table,
        "restarts": restarts,
        "coherence": round(quality["npmi"], 6),
        "npmi_per_topic": quality["npmi_per_topic"],
        "diversity": round(quality["diversity"], 6),
        "n_comments": data.n_comments,
        "n_modelled": data.sample["trained"],
        "sample": data.sample,
        "skipped_languages": skipped_languages(corpus_dir),
        "vocab_size": len(data.vocab),
        "topics": [{"id": t["id"], "label": t["label"], "share": t["share"]} for t in topics],
        "seconds": seconds,
        "paths": {
            "model": str(model_dir),
            "manifest": str(model_dir / artifacts.MANIFEST),
            "topics": str(model_dir / TOPICS_FILE),
            "doc_topics": str(model_dir / DOC_TOPICS_FILE),
        },
    }


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for dist in ("textprofile", "numpy", "scipy", "pyarrow", "gensim", "tomotopy", "scikit-learn"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            out[dist] = "absent"
    return out
