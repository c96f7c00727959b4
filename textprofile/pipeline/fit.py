"""``fit``: tokens.parquet -> vocabulary, topic model, TF-IDF, labels, mixtures in models/<name>/."""

from __future__ import annotations

import platform
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np

from textprofile.core import artifacts
from textprofile.core.config import FitConfig
from textprofile.core.errors import ColumnError, ConfigError, StateError
from textprofile.core.progress import Progress
from textprofile.core.workspace import Workspace

LABEL_TERMS = 3
TOPIC_TERMS = 30
RELEVANCE_LAMBDA = 0.6
# with --restarts, candidates are screened after 1/SCREEN_FRACTION of the iterations
SCREEN_FRACTION = 4


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for dist in ("textprofile", "numpy", "scipy", "pyarrow", "gensim", "tomotopy", "scikit-learn"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            out[dist] = "absent"
    return out


def topic_table(topic_word: np.ndarray, term_frequency: np.ndarray, vocab: tuple[str, ...],
                shares: np.ndarray) -> list[dict[str, Any]]:
    """topics.json rows: terms ranked by LDAvis relevance (lambda 0.6), weight = p(term|topic)."""
    from textprofile.topics.base import relevance

    rel = relevance(topic_word, term_frequency, RELEVANCE_LAMBDA)
    out = []
    for k in range(topic_word.shape[0]):
        order = np.lexsort((np.arange(len(vocab)), -rel[k]))[:TOPIC_TERMS]
        terms = [[vocab[i], round(float(topic_word[k, i]), 6)] for i in order]
        auto = " · ".join(t for t, _ in terms[:LABEL_TERMS])
        out.append({"id": k, "label": auto, "auto_label": auto, "terms": terms,
                    "share": round(float(shares[k]), 6)})
    return out


def _customer_authored(corpus_dir) -> np.ndarray:
    """Per comments.parquet row (= tokens.parquet row): is the text the customer's own?"""
    import pyarrow.parquet as pq

    path = corpus_dir / "comments.parquet"
    if "is_customer" not in pq.read_schema(path).names:
        raise ColumnError(f"{path} lacks column is_customer; it was written by an older textprofile "
                          f"— reload the corpus: textprofile load EXPORT --name {corpus_dir.name}")
    col = pq.read_table(path, columns=["is_customer"]).column(0)
    return np.asarray(col.fill_null(True).to_numpy(zero_copy_only=False), dtype=bool)


def _rows_where(batches, mask: np.ndarray):
    """Filter a stream of pyarrow arrays by consecutive slices of ``mask``."""
    import pyarrow as pa

    start = 0
    for arr in batches:
        part = mask[start:start + len(arr)]
        start += len(arr)
        yield arr if part.all() else arr.filter(pa.array(part))


def fit(name: str, config: FitConfig | None = None, ws: Workspace | None = None,
        progress: Progress | None = None) -> dict[str, Any]:
    """Fit the vocabulary, topic model and TF-IDF of corpus ``name``; write models/<name>/.

    Returns the chosen K, the sweep table (empty for a fixed K), coherence, diversity,
    seconds and paths.
    """
    from textprofile.text.stage import skipped_languages
    from textprofile.topics import engine_class, make_engine
    from textprofile.topics.base import FOLD_IN_ITERATIONS
    from textprofile.topics.coherence import score_topics
    from textprofile.topics.fitted import (
        DOC_TOPICS_FILE,
        LABELS_FILE,
        MODEL_FILE,
        TERM_FREQ_FILE,
        TOPIC_WORD_FILE,
        TOPICS_FILE,
        VOCAB_FILE,
        _save_npy,
        doc_topics_table,
        write_table_atomic,
    )
    from textprofile.topics.select import sweep, sweep_sample
    from textprofile.topics.tfidf import TfidfKeywords
    from textprofile.topics.vocab import build_vocab, encode_tokens_file, iter_token_batches

    config = config or FitConfig()
    ws = ws or Workspace.resolve()
    engine_class(config.engine)  # fail fast on an unknown engine
    if config.topics is not None and config.topics < 2:
        raise ConfigError(f"--topics must be at least 2 or 'auto' (got {config.topics})")
    if isinstance(config.restarts, bool) or not isinstance(config.restarts, int) or config.restarts < 1:
        raise ConfigError(f"--restarts must be a whole number of at least 1 (got {config.restarts!r})")
    t0 = time.perf_counter()
    corpus_dir = ws.require_corpus(name)
    tokens_path = corpus_dir / "tokens.parquet"
    if not tokens_path.is_file():
        raise StateError(f"corpus {name!r} has no tokens.parquet — tokenize it first: "
                         f"textprofile tokenize {name}")
    corpus_hash = artifacts.sha256_file(tokens_path)

    if progress:
        progress("vocabulary", 0, None)
    authored = _customer_authored(corpus_dir)
    vocab = build_vocab(_rows_where(iter_token_batches(tokens_path), authored), config.no_below,
                        config.no_above, config.keep_n)
    comment_ids, X = encode_tokens_file(tokens_path, vocab)
    if len(comment_ids) != len(authored):
        raise StateError(f"corpus {name!r}: tokens.parquet does not match comments.parquet — "
                         f"re-tokenize it: textprofile tokenize {name} --force")
    n_tokens = np.asarray(X.sum(axis=1)).ravel()
    keep = n_tokens > 0
    Xk, ids_k, nt_k = X[keep], comment_ids[keep], n_tokens[keep]
    # Agent turns get mixtures (for context) but do not shape the topics: their stock phrases
    # ("sorry for the inconvenience") would otherwise become topics of their own.
    train = authored[keep]
    Xt, nt_t = Xk[train], nt_k[train]
    if Xt.shape[0] < 2:
        raise StateError(f"corpus {name!r} has {Xt.shape[0]} customer comment(s) with in-vocabulary "
                         "tokens; a topic model needs more — lower --no-below or load more comments")
    term_frequency = np.asarray(Xt.sum(axis=0), dtype=np.int64).ravel()

    sweep_table: list[dict[str, Any]] = []
    if config.topics is None:
        sweep_iters = config.sweep_iterations
        if sweep_iters is None and config.iterations is not None:
            sweep_iters = max(1, config.iterations // 2)
        Xs = sweep_sample(Xt, config.sweep_max_docs, config.seed)
        k, sweep_table = sweep(Xs, vocab.terms, config.k_range, config.engine, config.seed,
                               sweep_iters if sweep_iters is not None else _half_default(config.engine),
                               config.workers, dict(config.params), progress)
    else:
        k = int(config.topics)

    # LDA finds a local optimum that depends on the seed. With restarts, each candidate seed is
    # trained for a quarter of the iterations (a poor optimum already shows as low coherence by
    # then), and the most coherent one continues to the full count.
    full = int(config.iterations or _default_iterations(config.engine))
    screen = max(1, full // SCREEN_FRACTION) if config.restarts > 1 else full
    eng, quality, restarts = None, None, []
    for r in range(config.restarts):
        cand = make_engine(config.engine, k=k, seed=config.seed + r, iterations=config.iterations,
                           workers=config.workers, **config.params)
        cand.fit(Xt, vocab.terms, progress, iterations=screen)
        q = score_topics(Xt, cand.topic_word_, top_n=10)
        restarts.append({"seed": config.seed + r, "iterations": screen, "npmi": round(q["npmi"], 6),
                         "diversity": round(q["diversity"], 6)})
        if quality is None or round(q["npmi"], 9) > round(quality["npmi"], 9):  # ties: the earlier seed
            eng, quality = cand, q
    if screen < full:
        eng.resume(full - screen, progress)
        quality = score_topics(Xt, eng.topic_word_, top_n=10)
    if progress:
        progress("infer", 0, None)
    theta = eng.transform(Xk)
    topic_word = eng.topic_word_
    shares = (nt_t @ theta[train]) / max(float(nt_t.sum()), 1.0)
    topics = topic_table(topic_word, term_frequency, vocab.terms, shares)
    tfidf = TfidfKeywords(vocab.terms).fit_counts(Xt)

    model_dir = ws.model_dir(name)
    settings = eng.settings()
    with artifacts.atomic_dir(model_dir) as tmp:
        vocab.save(tmp / VOCAB_FILE)
        _save_npy(tmp / TOPIC_WORD_FILE, topic_word)
        _save_npy(tmp / TERM_FREQ_FILE, term_frequency)
        write_table_atomic(doc_topics_table(ids_k.tolist(), nt_k, theta), tmp / DOC_TOPICS_FILE)
        artifacts.write_json_atomic(tmp / TOPICS_FILE, topics)
        artifacts.write_json_atomic(tmp / LABELS_FILE, {})
        engine_files = eng.save(tmp)
        tfidf_files = tfidf.save(tmp)
        artifacts.write_json_atomic(tmp / MODEL_FILE, {
            "engine": config.engine, "k": k, "alpha": [float(a) for a in eng.alpha_],
            "fold_in_iterations": FOLD_IN_ITERATIONS, "settings": settings,
            "engine_files": engine_files, "vocab_size": len(vocab),
        })
        seconds = round(time.perf_counter() - t0, 3)
        result = {
            "name": name,
            "engine": config.engine,
            "k": k,
            "auto": config.topics is None,
            "seed": config.seed,
            "model_seed": eng.seed,
            "sweep": sweep_table,
            "restarts": restarts if config.restarts > 1 else [],
            "coherence": round(quality["npmi"], 6),
            "npmi_per_topic": quality["npmi_per_topic"],
            "diversity": round(quality["diversity"], 6),
            "n_comments": int(X.shape[0]),
            "n_modelled": int(Xt.shape[0]),
            "skipped_languages": skipped_languages(corpus_dir),  # kept, untokenized, not modelled
            "vocab_size": len(vocab),
            "topics": [{"id": t["id"], "label": t["label"], "share": t["share"]} for t in topics],
            "seconds": seconds,
            "paths": {
                "model": str(model_dir),
                "manifest": str(model_dir / artifacts.MANIFEST),
                "topics": str(model_dir / TOPICS_FILE),
                "doc_topics": str(model_dir / DOC_TOPICS_FILE),
            },
        }
        artifacts.write_manifest(tmp, {
            "kind": "model",
            "name": name,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "seed": config.seed,
            "config": config.to_dict(),
            "config_hash": config.hash(),
            "engine": settings,
            "corpus": {"tokens_sha256": corpus_hash, "comments": int(X.shape[0]),
                       "modelled": int(Xt.shape[0]), "with_mixtures": int(Xk.shape[0]),
                       "vocab_size": len(vocab)},
            "versions": _versions(),
            "sweep": sweep_table,
            "restarts": restarts if config.restarts > 1 else [],
            "quality": quality,
            "model_files": sorted(engine_files + tfidf_files),
            "doc_topics_rows": int(Xk.shape[0]),
            "seconds": seconds,
        })
    return result


def _default_iterations(engine: str) -> int:
    if engine == "gensim":
        from textprofile.topics.gensim_engine import DEFAULT_PASSES

        return DEFAULT_PASSES
    from textprofile.topics.tomotopy_engine import DEFAULT_ITERATIONS

    return DEFAULT_ITERATIONS


def _half_default(engine: str) -> int:
    return max(1, _default_iterations(engine) // 2)
