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

__all__ = ["BACKENDS", "SparkOptions", "build_profiles", "check_backend", "fit", "load", "run", "spark_options",
           "tokenize", "update"]


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
    from textprofile.spark.ingest import check_exports
    from textprofile.spark.load import load_corpus
    from textprofile.spark.session import spark_session

    check_exports([str(p) for p in exports])  # a missing file is one line now, not after the JVM's start
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
    import shutil
    import time

    from textprofile.spark.profile import CustomerDataset, check_corpus, customer_tables
    from textprofile.spark.segments import SEGMENTS_DATASET, segment_customers
    from textprofile.spark.session import spark_session
    from textprofile.topics.fitted import PROFILES_DIR, load_model

    config = (config or ProfileConfig()).validate()
    ws = ws or Workspace.resolve()
    started = time.perf_counter()
    step = progress or (lambda stage, done, total=None: None)
    corpus_dir = _require_corpus(ws, name)
    fm = load_model(ws, name)
    check_corpus(corpus_dir, fm, name)
    out = ws.model_dir(name) / PROFILES_DIR
    step("spark: profiles", 0, None)
    labels = out / SEGMENTS_DATASET
    try:
        with spark_session(spark) as session:
            info = customer_tables(session, corpus_dir, fm, config, out)
            step("profile: segments", 0, None)
            topics = fm.topics()
            seg_model, segments = segment_customers(session, out / "customers", fm.k, fm.vocab, config.seed, labels,
                                                    list(range(fm.k)), {int(t["id"]): t["label"] for t in topics})
        as_of = _as_of(config.as_of, info["as_of_us"])
        from textprofile.pipeline.profile import store_profile_parts

        result = store_profile_parts(name, ws, fm, config, as_of,
                                     CustomerDataset(out / "customers", fm.k, fm.vocab, segments=labels),
                                     seg_model, segments, comments_rows=info["comments_rows"], step=step)
    finally:
        shutil.rmtree(labels, ignore_errors=True)  # each customer's segment: the store holds them now
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
    import pyarrow as pa

    from textprofile.core import artifacts
    from textprofile.pipeline.fit import _summary as fit_summary
    from textprofile.pipeline.fit import _versions as versions
    from textprofile.spark.datasets import digest, persisted
    from textprofile.spark.mllib_lda import ENGINE as SPARK_LDA
    from textprofile.spark.session import spark_session
    from textprofile.spark.training import (
        corpus_rows,
        count_vocab,
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
            X = vocab.encode_array(token_lists)
            del token_lists
            data = TrainingData(
                vocab=vocab, ids=ids.cast(pa.string()), X=X, n_tokens=np.asarray(X.sum(axis=1)).ravel(),
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
    tfidf = TfidfKeywords(vocab.terms).fit_dfs(vocab.dfs, n_train)
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
    """``run --backend spark``: load, fit and profile build on one SparkSession, then the report
    (on this machine, from the datasets and the store, as ``report`` does)."""
    import time

    from textprofile.spark.ingest import check_exports
    from textprofile.spark.session import spark_session

    started = time.perf_counter()
    profile_config = (profile_config or ProfileConfig()).validate()
    fit_config = (fit_config or FitConfig()).validate()
    check_exports([str(p) for p in exports])  # before the JVM starts
    out: dict[str, Any] = {"name": name, "backend": "spark"}
    with spark_session(spark):  # the stages below reuse this session
        out["load"] = load(exports, name, load_config or LoadConfig(), ws,
                           tokenize_config=tokenize_config or TokenizeConfig(), progress=progress)
        out["fit"] = fit(name, fit_config, ws, progress=progress)
        out["profiles"] = build_profiles(name, profile_config, ws, progress=progress)
    if report:
        from textprofile.pipeline.report import report as write_report

        out["report"] = write_report(name, ws, progress=progress)
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


def update(name: str, exports: list[str | Path], ws: Workspace | None = None, spark: SparkOptions | None = None,
           progress: Progress | None = None) -> dict[str, Any]:
    """``update --backend spark``: the local ``update`` result, the new rows read, tokenized and profiled by Spark.

    Needs profiles built with ``profile build --backend spark`` (their ``profiles.parquet/``
    datasets). See ``textprofile.spark.update`` for the order of writes.
    """
    import shutil
    import time

    from textprofile.core.artifacts import read_manifest, write_manifest
    from textprofile.core.errors import StateError
    from textprofile.ingest.pii import pseudonym_key
    from textprofile.pipeline.load import config_from_manifest
    from textprofile.pipeline.update import (
        _mappings,
        _tokenize_config,
        check_row_ids,
        patch_profiles,
        profile_config,
    )
    from textprofile.spark.datasets import digest, num_rows
    from textprofile.spark.ingest import check_exports
    from textprofile.spark.load import erased_ids
    from textprofile.spark.profile import check_corpus, read_customers
    from textprofile.spark.session import spark_session
    from textprofile.spark.tokens import check_config, normalized
    from textprofile.spark.update import (
        CORPUS_DATASETS,
        commit_quarantine,
        commit_update,
        roll_back,
        stage_update,
        swap_customers,
    )
    from textprofile.store.profile_store import ProfileStore, store_path
    from textprofile.topics.fitted import PROFILES_DIR, load_model

    ws = ws or Workspace.resolve()
    started = time.perf_counter()
    corpus_dir = _require_corpus(ws, name)
    fm = load_model(ws, name)
    profiles_dir = ws.model_dir(name) / PROFILES_DIR
    manifest = read_manifest(corpus_dir)
    seq = len(manifest.get("updates", [])) + 1
    roll_back([*(corpus_dir / n for n in CORPUS_DATASETS), profiles_dir / "comment_topics"], seq)
    check_corpus(corpus_dir, fm, name)
    if not (profiles_dir / "customers").is_dir():
        raise StateError(f"the profiles of {name!r} were not built on Spark — run: textprofile profile build "
                         f"{name} --backend spark (or update with --backend local)")
    with ProfileStore(store_path(ws.model_dir(name)), model=name) as store:
        meta, store_customers = dict(store.meta), store.count()
    load_config = config_from_manifest(manifest)
    check_row_ids(manifest, load_config, name)
    tokenize_config = normalized(check_config(_tokenize_config(manifest)))
    grams = None
    if tokenize_config.phrases:  # joined in the new comments as locally; before any write: a bad table changes nothing
        from textprofile.text.phrases import read_table

        grams = read_table(corpus_dir, manifest, name)
    config = profile_config(meta)
    rows_before = num_rows(corpus_dir / "comments.parquet")
    if meta.get("comments_rows") is not None and meta["comments_rows"] != rows_before:
        raise StateError(f"the profiles of {name!r} cover {meta['comments_rows']} of the corpus's {rows_before} "
                         f"rows (an interrupted update) — run: textprofile profile build {name} --backend spark")
    exports = check_exports([str(p) for p in exports])
    key = pseudonym_key() if load_config.pseudonymize else None
    erased = erased_ids(corpus_dir, key)  # customers erased with forget never come back
    staging = corpus_dir / f".update-{seq:05d}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with spark_session(spark) as session:
            info = stage_update(session, corpus_dir, fm, exports, load_config, key, _mappings(manifest, exports),
                                tokenize_config, config, profiles_dir / "customers", staging, seq, progress,
                                erased, phrasegrams=grams)
        result = {"name": name, "comments_added": info["added"], "customers_changed": 0, "customers_new": 0,
                  "duplicates": info["duplicates"], "quarantined": info["quarantined"],
                  "customers": store_customers, "erased_skipped": info["erased"], "repaired_rows": 0,
                  "backend": "spark"}
        if info["quarantine_kept"]:  # kept with their reasons, first, as the local update keeps them
            commit_quarantine(corpus_dir, staging, info["quarantine_seq"])
            manifest = read_manifest(corpus_dir)
            manifest.setdefault("updates_quarantined", []).append(
                {"sources": [s.get("file") for s in info["sources"]], "quarantined": info["quarantine_kept"]})
            write_manifest(corpus_dir, {k: v for k, v in manifest.items() if k not in ("files", "format_version")})
        if info["added"]:
            commit_update(corpus_dir, profiles_dir, staging, seq)
            fm.record_corpus(corpus_dir, tokens_sha256=digest(corpus_dir / "tokens.parquet"))
            manifest = read_manifest(corpus_dir)
            if manifest.get("tokenize"):
                manifest["tokenize"]["input_sha256"] = digest(corpus_dir / "comments.parquet")
            manifest.setdefault("updates", []).append(
                {"sources": [s.get("file") for s in info["sources"]], "added": info["added"], "backend": "spark"})
            manifest.setdefault("counts", {})["kept"] = info["comments_rows"]
            write_manifest(corpus_dir, {k: v for k, v in manifest.items() if k not in ("files", "format_version")})
            swap_customers(profiles_dir, staging)
            as_of = _as_of(config.as_of, info["as_of_us"])
            meta_update = {"as_of": None if as_of is None else as_of.isoformat(),
                           "comments_rows": info["comments_rows"], "comments_used": info["comments_used"]}
            if num_rows(staging / "touched"):
                beh, shares, keywords, vectors = read_customers(staging / "touched", fm.k, fm.vocab)
                changed, total = patch_profiles(ws, name, fm, meta, meta_update, beh, shares, keywords, vectors)
            else:
                changed, total = patch_profiles(ws, name, fm, meta, meta_update)
            result.update({"customers_changed": changed, "customers_new": total - store_customers, "customers": total})
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def _as_of(as_of: str | None, as_of_us: int | None):
    """The store's reference time: ``--as-of`` parsed, else the latest customer comment's (None: no times)."""
    import pandas as pd

    from textprofile.core.config import parse_as_of

    if as_of is not None:
        return parse_as_of(as_of)
    return None if as_of_us is None else pd.Timestamp(int(as_of_us), unit="us", tz="UTC")
