"""``--backend spark``: the commands' library functions on Apache Spark (package ``textprofile.spark``).

Each function opens a SparkSession (or reuses the active one), runs the distributed stages and
returns the dict its local twin returns, plus ``"backend": "spark"``. See README "Running on Spark".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textprofile.core.config import FitConfig, LoadConfig, ProfileConfig, TokenizeConfig
from textprofile.core.errors import ConfigError
from textprofile.core.progress import Progress
from textprofile.core.workspace import Workspace
from textprofile.spark.session import SparkOptions

BACKENDS = ("local", "spark")

__all__ = ["BACKENDS", "SparkOptions", "check_backend", "load", "spark_options", "tokenize"]


def check_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ConfigError(f"unknown --backend {backend!r}; use one of {', '.join(BACKENDS)}")
    return backend


def spark_options(backend: str, master: str | None, conf: list[str] | None) -> SparkOptions | None:
    """The Spark options of a command line, None for the local backend (Spark flags then refused)."""
    from textprofile.spark.session import parse_conf

    if check_backend(backend) == "local":
        if master or conf:
            raise ConfigError("--spark-master and --spark-conf need --backend spark")
        return None
    parse_conf(conf or ())
    return SparkOptions(master=master, conf=tuple(conf or ()))


def _require_corpus(ws: Workspace, name: str) -> Path:
    """The corpus folder, whether its comments.parquet is one file (local) or a dataset (Spark)."""
    d = ws.corpus_dir(name)
    if not (d / "comments.parquet").exists():
        return ws.require_corpus(name)  # its NotFoundError says to run load
    return d


_DEFAULT_TOKENIZE = TokenizeConfig()  # load tokenizes unless given None (as pipeline.load.load)


def load(exports: list[str | Path], name: str, config: LoadConfig, ws: Workspace,
         tokenize_config: TokenizeConfig | None = _DEFAULT_TOKENIZE, spark: SparkOptions | None = None,
         progress: Progress | None = None) -> dict[str, Any]:
    """``load --backend spark``: corpora/NAME/ with Parquet datasets; same result keys as ``pipeline.load.load``."""
    from textprofile.spark.load import load_corpus
    from textprofile.spark.session import spark_session

    with spark_session(spark) as session:
        return load_corpus(session, [str(p) for p in exports], name, config, ws, tokenize_config, progress)


def tokenize(name: str, config: TokenizeConfig | None = None, ws: Workspace | None = None,
             spark: SparkOptions | None = None, force: bool = False) -> dict[str, Any]:
    """``tokenize --backend spark``: tokens.parquet/ from comments.parquet (a file or a dataset)."""
    from textprofile.spark.session import spark_session
    from textprofile.spark.tokens import tokenize_corpus

    ws = ws or Workspace.resolve()
    corpus = _require_corpus(ws, name)
    with spark_session(spark) as session:
        return tokenize_corpus(session, corpus, config or TokenizeConfig(), force=force)


def build_profiles(name: str, config: ProfileConfig | None = None, ws: Workspace | None = None,
                   spark: SparkOptions | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """``profile build --backend spark``: the local ``build_profiles`` result, from Spark's customer tables."""
    import time

    import pandas as pd

    from textprofile.spark.profile import (
        PROFILES_DIR,
        check_corpus,
        customer_tables,
        read_customers,
    )
    from textprofile.spark.session import spark_session
    from textprofile.topics.fitted import load_model

    config = (config or ProfileConfig()).validate()
    ws = ws or Workspace.resolve()
    started = time.perf_counter()
    step = progress or (lambda stage, done, total=None: None)
    corpus_dir = _require_corpus(ws, name)
    fm = load_model(ws, name)
    check_corpus(corpus_dir, fm, name)
    out = ws.model_dir(name) / PROFILES_DIR
    step("spark: profiles", 0, None)
    with spark_session(spark) as session:
        info = customer_tables(session, corpus_dir, fm, config, out)
    as_of = None if info["as_of_us"] is None else pd.Timestamp(info["as_of_us"], unit="us", tz="UTC")
    if config.as_of is not None:
        from textprofile.core.config import parse_as_of

        as_of = parse_as_of(config.as_of)
    beh, shares, keywords, vectors = read_customers(out / "customers", fm.k, len(fm.vocab))
    from textprofile.pipeline.profile import store_profiles

    result = store_profiles(name, ws, fm, config, as_of, beh, shares, keywords, vectors,
                            comments_used=int(beh["n_comments"].sum()), comments_rows=info["comments_rows"],
                            step=step)
    result["backend"] = "spark"
    result["datasets"] = str(out)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def fit(name: str, config: FitConfig | None = None, ws: Workspace | None = None,
        spark: SparkOptions | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """``fit --backend spark``: vocabulary and sample by Spark, the local engine on the driver.

    Same result keys as ``pipeline.fit.fit``. ``doc_topics.parquet`` holds the training rows'
    mixtures only: every comment's mixture is written by ``profile build --backend spark``.
    """
    import time
    from datetime import UTC, datetime

    import numpy as np

    from textprofile.core import artifacts
    from textprofile.pipeline.fit import _summary as fit_summary
    from textprofile.pipeline.fit import _versions as versions
    from textprofile.spark.datasets import digest, persisted
    from textprofile.spark.mllib_lda import ENGINE as SPARK_LDA
    from textprofile.spark.session import spark_session
    from textprofile.spark.training import (
        corpus_rows,
        count_vocab,
        idf_counts,
        topic_shares,
        training_sample,
    )
    from textprofile.topics import engine_class
    from textprofile.topics.fitted import write_model_files
    from textprofile.topics.sample import describe
    from textprofile.topics.tfidf import TfidfKeywords
    from textprofile.topics.training import TrainingData, choose_k, topic_table, train

    config = (config or FitConfig()).validate()
    mllib = config.engine == SPARK_LDA
    if mllib and config.topics is None:
        raise ConfigError("--engine spark-lda needs a fixed K: pass --topics K (the K sweep uses the local engines)")
    if not mllib:
        engine_class(config.engine)
    ws = ws or Workspace.resolve()
    t0 = time.perf_counter()
    corpus_dir = _require_corpus(ws, name)
    if not (corpus_dir / "tokens.parquet").exists():
        raise ConfigError(f"corpus {name!r} has no tokens.parquet — tokenize it first: textprofile tokenize {name}")
    step = progress or (lambda stage, done, total=None: None)
    with spark_session(spark) as session:
        rows = persisted(corpus_rows(session, corpus_dir))
        try:
            step("spark: vocabulary", 0, None)
            vocab = count_vocab(rows, config)
            step("spark: sample", 0, None)
            ids, token_lists, n_train, sampled = training_sample(rows, vocab, config)
            X = vocab.encode(token_lists)
            del token_lists
            data = TrainingData(
                vocab=vocab, ids=np.asarray(ids, dtype=object), X=X, n_tokens=np.asarray(X.sum(axis=1)).ravel(),
                train=np.ones(X.shape[0], dtype=bool), n_comments=rows.count(),
                term_frequency=np.asarray(vocab.cfs, dtype=np.int64),
                sample=describe(n_train, np.arange(X.shape[0]) if sampled else None, config.sample, config.seed))
            if mllib:  # Spark MLlib's LDA on every customer comment
                from textprofile.spark.mllib_lda import MllibLDA
                from textprofile.topics.coherence import score_topics

                step("spark: mllib lda", 0, None)
                k, sweep_table, restarts = int(config.topics), [], []
                engine = MllibLDA(k, config.seed, config.iterations, **config.params).fit(rows, vocab.terms)
                quality = score_topics(data.X, engine.topic_word_, top_n=10)
            else:
                k, sweep_table = choose_k(data, config, progress)
                engine, quality, restarts = train(data, k, config, progress)
            step("spark: topic shares", 0, None)
            shares = topic_shares(rows, vocab, engine.topic_word_, engine.alpha_)
        finally:
            rows.unpersist()
    theta = engine.transform(data.X)
    topics = topic_table(engine.topic_word_, data.term_frequency, vocab.terms, shares)
    tfidf = TfidfKeywords(vocab.terms).fit_counts(idf_counts(vocab, n_train))
    model_dir = ws.model_dir(name)
    with artifacts.atomic_dir(model_dir) as tmp:
        model_files = write_model_files(tmp, data, engine, theta, topics, tfidf, config.engine)
        seconds = round(time.perf_counter() - t0, 3)
        result = fit_summary(name, config, data, engine, k, sweep_table, restarts, quality, topics, model_dir,
                             seconds, corpus_dir)
        artifacts.write_manifest(tmp, {
            "kind": "model", "name": name, "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "seed": config.seed, "config": config.to_dict(), "config_hash": config.hash(),
            "engine": engine.settings(),
            "corpus": {"tokens_sha256": digest(corpus_dir / "tokens.parquet"), "comments": data.n_comments,
                       "modelled": data.sample["trained"], "with_mixtures": int(X.shape[0]),
                       "vocab_size": len(vocab)},
            "versions": versions(), "sweep": sweep_table, "restarts": restarts, "sample": data.sample,
            "quality": quality, "model_files": model_files, "doc_topics_rows": int(X.shape[0]),
            "doc_topics": "training rows only (every comment's mixture: profile build --backend spark)",
            "backend": "spark", "seconds": seconds,
        })
    result["backend"] = "spark"
    return result


def run(exports: list[str | Path], name: str, ws: Workspace, load_config: LoadConfig | None = None,
        tokenize_config: TokenizeConfig | None = None, fit_config: FitConfig | None = None,
        profile_config: ProfileConfig | None = None, report: bool = True, spark: SparkOptions | None = None,
        progress: Progress | None = None) -> dict[str, Any]:
    """``run --backend spark``: load, fit and profile build on one SparkSession.

    The report is not written from a Spark corpus yet (it reads single Parquet files): the
    result says so under ``report_skipped`` when ``report`` was asked for.
    """
    import time

    from textprofile.spark.session import spark_session

    started = time.perf_counter()
    profile_config = (profile_config or ProfileConfig()).validate()
    fit_config = (fit_config or FitConfig()).validate()
    out: dict[str, Any] = {"name": name, "backend": "spark"}
    with spark_session(spark):  # the stages below reuse this session
        out["load"] = load(exports, name, load_config or LoadConfig(), ws,
                           tokenize_config=tokenize_config or TokenizeConfig(), progress=progress)
        out["fit"] = fit(name, fit_config, ws, progress=progress)
        out["profiles"] = build_profiles(name, profile_config, ws, progress=progress)
    if report:
        out["report_skipped"] = ("the report reads single-file corpora: not available with --backend spark yet; "
                                 "the store serves profile show, similar, export and serve")
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out
