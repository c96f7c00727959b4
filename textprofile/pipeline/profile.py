"""``profile build``: corpus + fitted model in, ``models/<name>/profiles.duckdb`` out."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textprofile.core.config import ProfileConfig
from textprofile.core.errors import StateError
from textprofile.core.progress import Progress
from textprofile.core.workspace import Workspace
from textprofile.pipeline.corpus import read_corpus

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from textprofile.topics.fitted import FittedModel


def customer_profiles(
    own: pd.DataFrame, X, fm: FittedModel, config: ProfileConfig, as_of: pd.Timestamp | None,
    doc_topics: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, np.ndarray, list[list[tuple[str, float]]]]:
    """Behaviour, topic shares (over topic ids 0..K-1) and keywords of the customers in ``own``.

    ``own``: customer rows only (``is_customer``) with ``lang``; every comment of each customer
    in it must be present. ``X``: their (rows, V) token counts over the model vocabulary
    (``profiles.encode_lists``). ``doc_topics`` (``method="mean"``): the model's per-comment
    mixtures. Rows are returned sorted by customer_id.
    """
    from textprofile.profiles.compose import compose_profiles

    idf, settings = _tfidf_state(fm)
    # the second core computes keywords while this one computes behaviour and interests
    beh, shares, keywords, _ = compose_profiles(
        own, X, fm, config, as_of, idf, settings, threaded=True,
        mixtures=lambda: aligned_mixtures(doc_topics, fm, own["comment_id"].to_numpy()))
    return beh, shares, keywords


def aligned_mixtures(doc_topics, fm: FittedModel, comment_ids) -> tuple[np.ndarray, np.ndarray]:
    """(theta (n, K) float64, n_tokens float64) of ``comment_ids`` from the model's mixtures
    (``doc_topics`` as a DataFrame, or the model's doc_topics.parquet when None); 0 for a
    comment without one. The file is matched through Arrow (``pc.index_in``), so no pandas
    index of every comment id is built: the same values as a reindex, in a fraction of the memory.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from textprofile.topics.fitted import DOC_TOPICS_FILE

    cols = [f"topic_{k}" for k in range(fm.k)]
    if doc_topics is not None:
        dt = doc_topics.set_index("comment_id").reindex(comment_ids)
        return dt[cols].to_numpy(dtype=np.float64, na_value=0.0), dt["n_tokens"].to_numpy(dtype=np.float64, na_value=0.0)
    table = pq.read_table(fm.folder / DOC_TOPICS_FILE, columns=["comment_id", "n_tokens", *cols])
    ids = table.column("comment_id").combine_chunks()
    if pc.count_distinct(ids).as_py() != len(ids):
        raise StateError(f"{fm.folder / DOC_TOPICS_FILE} repeats a comment id — refit the model")
    if len(ids) == 0:
        return np.zeros((len(comment_ids), len(cols))), np.zeros(len(comment_ids))
    idx = pc.index_in(pa.array(comment_ids, type=pa.string()), value_set=ids)
    found = pc.is_valid(idx).to_numpy(zero_copy_only=False)
    rows = pc.fill_null(idx, 0).to_numpy(zero_copy_only=False)
    theta = np.zeros((len(rows), len(cols)), dtype=np.float64)
    for k, c in enumerate(cols):
        theta[:, k] = table.column(c).to_numpy()[rows]
    ntok = table.column("n_tokens").to_numpy().astype(np.float64)[rows]
    theta[~found] = 0.0
    theta[np.isnan(theta)] = 0.0  # as the reindex's to_numpy(na_value=0.0) did
    ntok[~found] = 0.0
    return theta, ntok


def customer_vectors(own: pd.DataFrame, X, fm: FittedModel):
    """Each customer's unit keyword vector (rows sorted by customer_id, like ``customer_profiles``)."""
    import numpy as np

    from textprofile.profiles.interests import customer_codes, pool_rows
    from textprofile.profiles.similarity import keyword_vectors

    ids, codes = customer_codes(own["customer_id"].astype(str).to_numpy())
    idf, settings = _tfidf_state(fm)
    return keyword_vectors(pool_rows(X, codes, len(ids), np.ones(len(codes))), idf,
                           settings.get("sublinear_tf", True))


def _tfidf_state(fm: FittedModel) -> tuple[np.ndarray, dict[str, Any]]:
    """The model's saved idf vector and TF-IDF settings (checksummed by ``load_model``).

    Read directly rather than through ``TfidfKeywords.load``, which builds a scikit-learn
    vectorizer: importing scikit-learn alone costs ``update`` more than its real work.
    """
    import json

    import numpy as np

    from textprofile.topics.tfidf import IDF_FILE, SETTINGS_FILE

    idf = np.load(fm.folder / IDF_FILE, allow_pickle=False)
    settings = json.loads((fm.folder / SETTINGS_FILE).read_text(encoding="utf-8"))
    return idf, settings


def build_profiles(
    name: str, config: ProfileConfig | None = None, ws: Workspace | None = None,
    progress: Progress | None = None, buckets: int | None = None,
) -> dict[str, Any]:
    """Build every customer's profile from corpus and model ``name`` into the profile store.

    ``buckets``: how many customer buckets to compose the profiles in (None: one per
    ``pipeline.buckets.BUCKET_ROWS`` customer comments); the store is the same for any number.
    Returns a summary: customers, comments used, method, as_of, half_life_days, segments, path.
    """
    from textprofile.pipeline.buckets import bucket_count, remove_stale, scan_corpus
    from textprofile.topics.fitted import load_model_with_corpus

    config = (config or ProfileConfig()).validate()
    ws = ws or Workspace.resolve()
    started = time.perf_counter()
    step = progress or (lambda stage, done, total=None: None)
    corpus_dir, fm = load_model_with_corpus(ws, name)
    step("profile: read", 0, None)
    scan = scan_corpus(corpus_dir, config.as_of)
    if scan.n_own == 0:
        raise StateError(f"corpus {name!r} has no customer comments to profile (all rows are agent turns or after --as-of)")
    n = int(buckets) if buckets else bucket_count(scan.n_own)
    remove_stale(ws.model_dir(name))
    if n == 1:
        result = _build_whole(name, ws, corpus_dir, fm, config, step)
    else:
        result = _build_bucketed(name, ws, corpus_dir, fm, config, step, scan, n)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def _build_whole(name, ws, corpus_dir, fm, config: ProfileConfig, step) -> dict[str, Any]:
    """The whole corpus in memory at once (small corpora)."""
    from textprofile.profiles.behaviour import customer_rows, resolve_as_of

    df, X_all = read_corpus(corpus_dir, fm.vocab)
    own = customer_rows(df)
    as_of = resolve_as_of(config.as_of, own["time"])
    if config.as_of is not None:  # "as of" a date: later comments did not exist yet
        own = own[~(own["time"] > as_of).fillna(False).to_numpy()]
    n_rows = len(df)
    # every row a customer's (reviews): the counts as they are, not a copy of them
    X = X_all if len(own) == n_rows else X_all[own.index.to_numpy()]
    del df, X_all
    step("profile: interests", 0, None)
    beh, shares, keywords = customer_profiles(own, X, fm, config, as_of)
    return store_profiles(name, ws, fm, config, as_of, beh, shares, keywords, customer_vectors(own, X, fm),
                          comments_used=len(own), comments_rows=n_rows, step=step, history=(own, X))


def _build_bucketed(name, ws, corpus_dir, fm, config: ProfileConfig, step, scan, n: int) -> dict[str, Any]:
    """Customer bucket by bucket (``pipeline.buckets``): only per-customer tables are kept."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from textprofile.core.memory import release_freed_memory
    from textprofile.pipeline import ordered
    from textprofile.pipeline.buckets import customer_buckets, read_bucket
    from textprofile.pipeline.score import saved_scores
    from textprofile.profiles.compose import compose_profiles
    from textprofile.profiles.keyword_table import KeywordTable
    from textprofile.profiles.scoring import last_rating
    from textprofile.profiles.similarity import keyword_vectors

    idf, settings = _tfidf_state(fm)
    k = fm.k if config.method in ("mean", "comment") else None
    keep_history = bool(saved_scores(ws, name))  # a saved score's text sub-model reads pooled counts
    schema = pq.read_schema(corpus_dir / "comments.parquet")
    value_set = pa.array(list(fm.vocab), type=pa.string())
    index = {t: i for i, t in enumerate(fm.vocab)}
    parts: list[tuple] = []
    used = 0
    with customer_buckets(corpus_dir, ws.model_dir(name), n, k, scan.n_customer) as folders:
        for b, folder in enumerate(folders):
            step("profile: interests", b, n)
            got = read_bucket(folder, schema, fm.vocab, value_set, k, scan.as_of, config.as_of is not None)
            if got is None or got[0].empty:
                continue
            own, X, mix = got
            beh, shares, keywords, pooled = compose_profiles(
                own, X, fm, config, scan.as_of, idf, settings, threaded=True, mixtures=lambda m=mix: m)
            vectors = keyword_vectors(pooled, idf, settings.get("sublinear_tf", True))
            history = (pooled, last_rating(own)) if keep_history else None
            parts.append((beh, shares, KeywordTable.from_lists(keywords, fm.vocab, index), vectors, history))
            used += len(own)
            del own, X, mix, pooled
    release_freed_memory()  # the buckets' freed pages, before the tables are joined
    # one list per table; each joined straight into customer order, every part freed once placed
    dest = ordered.destinations([p[0]["customer_id"].to_numpy(dtype=object) for p in parts])
    cols = [list(c) for c in zip(*parts, strict=True)]
    del parts
    beh = ordered.frame(cols[0], dest)
    shares = ordered.dense(cols[1], dest)
    ptr, (term, score) = ordered.ragged(cols[2], dest, lambda t: (t.ptr, [t.term, t.score]))
    keywords = KeywordTable(fm.vocab, ptr, term, score)
    vectors = ordered.csr(cols[3], dest)
    history = None
    if keep_history:
        rating = pd.concat([h[1] for h in cols[4]])
        words = ordered.csr([h[0] for h in cols[4]], dest)
        history = PooledHistory(words, rating.reindex(beh["customer_id"].astype(str)).to_numpy())
    del cols
    release_freed_memory()
    return store_profiles(name, ws, fm, config, scan.as_of, beh, shares, keywords, vectors, comments_used=used,
                          comments_rows=scan.n_rows, step=step, history=history)


@dataclass
class PooledHistory:
    """What a saved score's text sub-model reads of the customers' comments, pooled per bucket:
    each customer's token counts over the model vocabulary and last rating, rows as the store's."""

    words: Any
    rating_last: Any


def store_profiles(name, ws, fm, config, as_of, beh, shares, keywords, vectors, *, comments_used: int,
                   comments_rows: int, step, history=None) -> dict[str, Any]:
    """Segments, saved scores (re-applied, never retrained) and the DuckDB store from the customer
    tables in memory; ``build_profiles`` ends here (``store_profile_parts``: the Spark backend's). ``history``: the
    customers' comment rows and counts, or their ``PooledHistory``, for a saved score's text sub-model.
    ``beh`` becomes the store's customers table: it gains the ``segment`` column in place."""

    from textprofile.core.memory import release_freed_memory
    from textprofile.pipeline.score import rescore
    from textprofile.profiles.scoring import ProfileInputs
    from textprofile.profiles.segments import describe, fit_segments
    from textprofile.profiles.similarity import W_TOPICS
    from textprofile.store.profile_store import ProfileTables, store_path, write_store

    step("profile: segments", 0, None)
    topic_ids = list(range(fm.k))
    labels, seg_model = fit_segments(shares, beh, config.seed)
    topics = fm.topics()
    segments = describe(labels, shares, beh, topic_ids, _topic_labels(topics), len(seg_model.centers))
    customers = beh  # not a copy (0.4 GB at two million customers): the caller's frame gains the column
    customers["segment"] = labels
    del labels
    release_freed_memory()  # the segment fit's temporaries
    meta = _store_meta(name, fm, config, as_of, seg_model, comments_used, comments_rows)
    step("profile: store", 0, None)
    inputs = ProfileInputs(customers, shares, topic_ids, keywords)
    if isinstance(history, PooledHistory):  # ``ProfileInputs.with_history``'s result, built per bucket
        inputs = ProfileInputs(customers.assign(rating_last=history.rating_last), shares, topic_ids, keywords,
                               history.words, list(fm.vocab))
        history = None
    scores, skipped = rescore(ws, name, inputs, fm, history=history)
    path = write_store(store_path(ws.model_dir(name)),
                       ProfileTables(customers, shares, topic_ids, keywords, segments, _topics_frame(topics), scores,
                                     keyword_vectors=vectors, neighbour_weight=W_TOPICS),
                       meta, checkpoint=lambda stage: step("profile: store", 0, None))
    return _stored(name, len(customers), comments_used, config, meta, len(segments), seg_model, path,
                   scores is not None, skipped, scores["score"] if scores is not None else ())


def store_profile_parts(name, ws, fm, config, as_of, source, seg_model, segments, *, comments_rows: int,
                        step) -> dict[str, Any]:
    """``store_profiles`` of customers read a part at a time from ``source`` (the Spark backend's
    ``spark.profile.CustomerDataset``, its behaviour with each customer's ``segment``; ``seg_model``
    and the ``segments`` table from ``spark.segments``), so the memory the build needs does not grow
    with the number of customers: saved scores re-applied part by part (without the customers'
    comment history: a text sub-model scores no words), the neighbour index and the DuckDB store
    written part by part (``store.build.write_store_parts``)."""
    from textprofile.pipeline.score import rescore
    from textprofile.profiles.scoring import ProfileInputs
    from textprofile.profiles.similarity import W_TOPICS
    from textprofile.store.build import (
        PARTS_MEMORY,
        ProfileTables,
        StoreParts,
        sqrt_shares,
        write_store_parts,
    )
    from textprofile.store.neighbour_files import IndexParts, build_index_parts
    from textprofile.store.profile_store import store_path

    if source.n == 0:
        raise StateError("no customer comments to profile (all rows are agent turns or after --as-of)")
    topic_ids = list(range(fm.k))
    comments_used = source.comments_used()
    meta = _store_meta(name, fm, config, as_of, seg_model, comments_used, comments_rows)
    step("profile: store", 0, None)
    topics_df, found = _topics_frame(fm.topics()), {"skipped": [], "scores": set()}

    def parts(scored: bool):
        for beh, shares, keywords, _ in source.parts(vectors=False):  # the index reads its own rows
            scores = None
            if scored:
                scores, found["skipped"] = rescore(ws, name, ProfileInputs(beh, shares, topic_ids, keywords), fm)
                found["scores"].update(() if scores is None else scores["score"])
            yield ProfileTables(beh, shares, topic_ids, keywords, segments, topics_df, scores)

    target = store_path(ws.model_dir(name))
    nnz, width = source.index_sizes()
    index = IndexParts(source.n, nnz, width, len(fm.vocab), fm.k,
                       lambda: ((ids, vectors, sqrt_shares(shares)) for ids, vectors, shares in source.index_rows()))
    path = write_store_parts(target, StoreParts(lambda: parts(True), segments, topics_df,
                                                lambda: build_index_parts(target, index, W_TOPICS),
                                                card_parts=lambda: parts(False)),
                             meta, checkpoint=lambda stage: step("profile: store", 0, None), memory=PARTS_MEMORY)
    return _stored(name, source.n, comments_used, config, meta, len(segments), seg_model, path,
                   bool(found["scores"]), found["skipped"], found["scores"])


def _topic_labels(topics: list[dict[str, Any]]) -> dict[int, str]:
    return {int(t["id"]): t["label"] for t in topics}


def _topics_frame(topics: list[dict[str, Any]]):
    import numpy as np
    import pandas as pd

    return pd.DataFrame({
        "topic_id": np.array([int(t["id"]) for t in topics], dtype=np.int32),
        "label": [t["label"] for t in topics],
        "share": [float(t.get("share", 0.0)) for t in topics],
    })


def _store_meta(name, fm, config, as_of, seg_model, comments_used: int, comments_rows: int) -> dict[str, Any]:
    return {"model": name, "config": config.to_dict(), "method": config.method,
            "as_of": None if as_of is None else as_of.isoformat(), "half_life_days": config.half_life_days,
            "k": fm.k, "segment_model": seg_model.to_dict(), "comments_used": comments_used,
            "comments_rows": comments_rows}  # corpus rows the store covers: ``update`` repairs a partial one


def _stored(name, n_customers, comments_used, config, meta, n_segments, seg_model, path, scored: bool,
            skipped: list[str], score_names) -> dict[str, Any]:
    """``profile build``'s result."""
    out = {"name": name, "customers": n_customers, "comments_used": comments_used, "method": config.method,
           "as_of": meta["as_of"], "half_life_days": config.half_life_days, "topics": meta["k"],
           "segments": n_segments, "silhouette": seg_model.silhouette, "path": str(path)}
    if scored:
        out["scores"] = sorted(set(score_names))
    if skipped:
        out["scores_skipped"] = skipped  # the topic model was refitted since: retrain them
    return out
