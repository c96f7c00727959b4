"""``report``: gather a model's tables from the workspace and write ``reports/<name>/``.

The numbers come from ``textprofile.report.data`` (pure, on tables) and the pages from
``textprofile.report.render``; this module only reads the corpus, the model and the profile
store through their public APIs.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textprofile.core.progress import Progress
from textprofile.core.workspace import Workspace

COMMENT_COLUMNS = ["comment_id", "customer_id", "text", "time", "channel", "is_customer", "rating"]


def _read_parts(path: Path, columns: list[str] | None = None):
    """A Parquet file, or a dataset's part files in order (``--backend spark``), as one Arrow table;
    only the ``columns`` it has."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from textprofile.core.artifacts import part_files

    parts = part_files(path)
    names = pq.read_schema(parts[0]).names if parts else []
    cols = None if columns is None else [c for c in columns if c in names]
    return pa.concat_tables([pq.read_table(f, columns=cols) for f in parts])


def _read_corpus(corpus_dir: Path):
    """comments.parquet (the columns the report uses) with ``lang`` from tokens.parquet."""
    comments = _read_parts(corpus_dir / "comments.parquet", COMMENT_COLUMNS).to_pandas()
    tokens_path = corpus_dir / "tokens.parquet"
    if tokens_path.exists():
        langs = _read_parts(tokens_path, ["comment_id", "lang"]).to_pandas()
        if "lang" in langs:
            langs = langs.drop_duplicates("comment_id")
            comments = comments.merge(langs, on="comment_id", how="left")
    return comments


def _store_tables(store, k: int):
    """interests (long), customers (id + segment) and segments from the store's public API."""
    import pandas as pd

    wide = store.export_profiles()
    wide["customer_id"] = wide["customer_id"].astype(str)
    cols = [f"topic_{t}" for t in range(k) if f"topic_{t}" in wide]
    interests = wide.melt(id_vars="customer_id", value_vars=cols, var_name="topic", value_name="share")
    interests["topic_id"] = interests["topic"].str.slice(6).astype(int)
    interests = interests[["customer_id", "topic_id", "share"]]
    customers = wide[["customer_id", "segment"]] if "segment" in wide else None
    segments = pd.DataFrame(store.segments())
    return interests, customers, segments


def _relabeller(model):
    """Segment descriptions name topics by the labels of build time (usually the automatic ones):
    swap in the model's current labels, so every page names a topic the same way."""
    import re

    renamed = {}
    for t in model.topics():
        auto, now = str(t.get("auto_label") or ""), str(t["label"])
        if auto and auto != now:
            renamed[auto] = now
    if not renamed:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(old) for old in sorted(renamed, key=lambda x: (-len(x), x))))
    return lambda text: text if not isinstance(text, str) else pattern.sub(lambda m: renamed[m.group(0)], text)


def _relabel_card(card: dict[str, Any], relabel) -> dict[str, Any]:
    """The card with its segment description in the model's current labels (interests: see render)."""
    segment = card.get("segment")
    if isinstance(segment, dict) and segment.get("description"):
        card = {**card, "segment": {**segment, "description": relabel(segment["description"])}}
    return card


def report(
    name: str,
    ws: Workspace,
    all_customers: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write ``reports/<name>/`` (index.html, ldavis.html, customers/*.html) atomically.

    Customer cards are written for the customers the report links to, or for every customer
    in the profile store with ``all_customers``. Returns paths, sizes in bytes and seconds.
    """
    from textprofile.core import artifacts
    from textprofile.report import ldavis
    from textprofile.report.data import build_report_data
    from textprofile.report.render import write_report_folder
    from textprofile.store.profile_store import ProfileStore
    from textprofile.topics.fitted import load_model_with_corpus

    started = time.perf_counter()
    step = progress or (lambda stage, done, total=None: None)
    step("report", 0, 4)
    corpus_dir, model = load_model_with_corpus(ws, name, datasets=True)
    comments = _read_corpus(corpus_dir)
    counts = artifacts.read_manifest(corpus_dir).get("counts", {})
    doc_topics = model.mixtures()
    topics = model.topics()
    step("report", 1, 4)
    manifest = model.manifest
    model_info = {
        "engine": (manifest.get("config") or {}).get("engine"),
        "topics": model.k,
        "seed": manifest.get("seed"),
        "vocabulary": len(model.vocab),
    }
    with ProfileStore.open(ws, name) as store:
        interests, customers, segments = _store_tables(store, model.k)
        relabel = _relabeller(model)
        if "description" in segments:
            segments["description"] = segments["description"].map(relabel)
        data = build_report_data(
            comments, doc_topics, topics,
            interests=interests, customers=customers, segments=segments, counts=counts,
            name=name, model_info={k: v for k, v in model_info.items() if v is not None},
        )
        data["scores"] = _score_summaries(ws, name)
        step("report", 2, 4)
        ids = sorted(interests["customer_id"].unique()) if all_customers else data["linked_customers"]
        cards = (_relabel_card(card, relabel) for card in map(store.get, ids) if card is not None)
        tcols = [f"topic_{t}" for t in range(model.k)]
        labels = [model.label(t) for t in range(model.k)]

        def write_ldavis(path: Path) -> int:
            return ldavis.write_ldavis(
                path, model.topic_word, doc_topics[tcols].to_numpy(), doc_topics["n_tokens"].to_numpy(),
                model.vocab, model.term_frequency, labels, title=name,
            )

        result = write_report_folder(ws.report_dir(name), data, cards, write_ldavis, progress=progress)
    step("report", 4, 4)
    result.update({
        "name": name,
        "topics": model.k,
        "linked_customers": len(data["linked_customers"]),
        "all_customers": all_customers,
        "seconds": round(time.perf_counter() - started, 2),
    })
    return result


def _score_summaries(ws: Workspace, name: str) -> list[dict[str, Any]]:
    """The saved summaries of the model's scores (each verified against its manifest)."""
    from textprofile.pipeline.score import load_score, saved_scores

    return [load_score(ws, name, score)[1] for score in saved_scores(ws, name)]


write_report = report  # the public name: ``textprofile.report`` is the package of report code
