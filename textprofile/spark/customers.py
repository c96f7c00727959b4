"""``profile build --backend spark``: every comment's mixture and every customer's profile row.

The corpus (comments joined to tokens by ``comment_id``) is shuffled by customer, so each
customer's comments meet in one task, in corpus order. There, with the fitted model shipped as
files (``SparkContext.addFile``), each comment gets its mixture by the model's own fold-in
(``FittedModel.infer``, the same numbers as ``doc_topics.parquet``) and each customer its
behaviour, interests, keywords and keyword vector, by ``profiles.compose_profiles``, the
function the local ``profile build`` calls. Two Parquet datasets come out, under
``models/<name>/profiles.parquet/``: ``comment_topics`` (the doc_topics schema) and
``customers`` (one row per customer, sorted by id).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from textprofile.core.config import ProfileConfig
from textprofile.profiles.behaviour import BEHAVIOUR_COLUMNS

SHIPPED = ("manifest.json", "vocab.json", "topic_word.npy", "term_frequency.npy", "model.json", "topics.json",
           "labels.json")
_SPARK_TYPES = {"BIGINT": "long", "TIMESTAMP": "long", "DOUBLE": "double", "VARCHAR": "string"}
_MODELS: dict[str, Any] = {}  # per Python worker: the shipped model, loaded once


def out_schema(k: int) -> str:
    beh = ", ".join(f"{c} {_SPARK_TYPES[t]}" for c, t in BEHAVIOUR_COLUMNS.items())
    return ("kind string, comment_id string, n_tokens long, theta array<float>, o_file string, o_row long, "
            f"customer_id string, {beh}, shares array<double>, kw_terms array<string>, kw_scores array<double>, "
            "vec_idx array<int>, vec_val array<float>")


def ship_model(spark: Any, folder: Path) -> str:
    """Copy the files inference needs to a fresh folder and register it with Spark; its name."""
    from textprofile.topics.tfidf import IDF_FILE, SETTINGS_FILE

    name = f"textprofile-model-{uuid.uuid4().hex[:12]}"
    stage = Path(tempfile.mkdtemp(prefix="textprofile-ship-")) / name
    for rel in (*SHIPPED, IDF_FILE, SETTINGS_FILE):
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / rel, stage / rel)
    spark.sparkContext.addFile(str(stage), recursive=True)
    return name


def _model(name: str):
    """The shipped model in this worker, verified against its manifest once."""
    if name not in _MODELS:
        import json

        import numpy as np
        from pyspark import SparkFiles

        from textprofile.core.artifacts import read_manifest, verify_file
        from textprofile.topics.fitted import FittedModel
        from textprofile.topics.tfidf import IDF_FILE, SETTINGS_FILE

        folder = Path(SparkFiles.get(name))
        manifest = read_manifest(folder)
        for rel in (*SHIPPED[1:], IDF_FILE, SETTINGS_FILE):
            verify_file(folder, rel, manifest)
        fm = FittedModel(folder, manifest)
        idf = np.load(folder / IDF_FILE, allow_pickle=False)
        settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
        _MODELS[name] = (fm, idf, settings)
    return _MODELS[name]


def profile_task(model: str, config: ProfileConfig, as_of_us: int | None, filter_as_of: bool):
    """``mapInPandas`` over one customer-partitioned, sorted partition: 'm' and 'p' rows."""

    def run(batches):
        import pandas as pd

        carry = None
        for b in batches:
            if carry is not None:
                b = pd.concat([carry, b], ignore_index=True)
            ids = b["customer_id"].to_numpy()
            cut = int((ids == ids[-1]).argmax())  # the last customer may go on in the next batch
            carry = b.iloc[cut:].reset_index(drop=True)
            if cut:
                yield from _process(b.iloc[:cut].reset_index(drop=True), model, config, as_of_us, filter_as_of)
        if carry is not None and len(carry):
            yield from _process(carry, model, config, as_of_us, filter_as_of)

    return run


def _process(rows, model: str, config: ProfileConfig, as_of_us: int | None, filter_as_of: bool):
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from textprofile.profiles.interests import encode_lists

    fm, idf, settings = _model(model)
    tokens = pa.array(rows["tokens"].tolist(), type=pa.list_(pa.string()))
    X = encode_lists(tokens, fm.vocab)
    ntok = np.asarray(X.sum(axis=1)).ravel().astype(np.int64)
    has = ntok > 0
    theta = np.zeros((len(rows), fm.k), dtype=np.float32)
    if has.any():
        theta[has] = fm.infer([t for t, h in zip(tokens.to_pylist(), has, strict=True) if h]).astype(np.float32)
    yield _frame(int(has.sum()), kind="m", comment_id=rows["comment_id"][has].to_numpy(), n_tokens=ntok[has],
                 theta=list(theta[has]), o_file=rows["o_file"][has].to_numpy(), o_row=rows["o_row"][has].to_numpy())
    time = pd.to_datetime(rows["time_us"], unit="us", utc=True).astype("datetime64[us, UTC]")
    mask = rows["is_customer"].fillna(False).astype(bool).to_numpy()
    as_of = None if as_of_us is None else pd.Timestamp(as_of_us, unit="us", tz="UTC")
    if filter_as_of:
        mask &= ~(time > as_of).fillna(False).to_numpy()
    if not mask.any():
        return
    own = pd.DataFrame({
        "comment_id": rows["comment_id"][mask].to_numpy(), "customer_id": rows["customer_id"][mask].to_numpy(),
        "time": time[mask].reset_index(drop=True), "channel": rows["channel"][mask].to_numpy(),
        "is_customer": True, "rating": rows["rating"][mask].to_numpy(), "amount": rows["amount"][mask].to_numpy(),
        "n_chars": rows["n_chars"][mask].to_numpy(), "lang": rows["lang"][mask].to_numpy(),
    })
    th = theta[mask].astype(np.float64)
    nt = ntok[mask].astype(np.float64)
    yield customer_rows(own, X[np.flatnonzero(mask)], th, nt, fm, idf, settings, config, as_of)


def customer_rows(own, X, theta, ntok, fm, idf, settings, config: ProfileConfig, as_of):
    """One 'p' row per customer of ``own``: ``profiles.compose_profiles``, as the local build calls it.

    ``theta``/``ntok``: each row's mixture (float32 values, as doc_topics stores them) and
    in-vocabulary token count; rows without one are zero, as a missing doc_topics row is locally.
    """
    import numpy as np
    import pandas as pd

    from textprofile.profiles.compose import compose_profiles
    from textprofile.profiles.similarity import keyword_vectors

    beh, shares, keywords, pooled = compose_profiles(own, X, fm, config, as_of, idf, settings,
                                                     mixtures=lambda: (theta, ntok))
    vectors = keyword_vectors(pooled, idf, settings.get("sublinear_tf", True))
    n = len(beh)
    cols = {c: beh[c].to_numpy() for c in beh.columns}
    for c in ("first_seen", "last_seen"):  # as microseconds: no time zone conversion on the way
        t = beh[c].astype("datetime64[us]")
        cols[c] = pd.array(np.where(t.isna(), None, t.to_numpy().view("int64")), dtype="Int64")
    ptr = vectors.indptr
    return _frame(n, kind="p", **cols, shares=list(shares),
                  kw_terms=[[t for t, _ in kw] for kw in keywords],
                  kw_scores=[[float(s) for _, s in kw] for kw in keywords],
                  vec_idx=[vectors.indices[ptr[i]:ptr[i + 1]].astype(np.int32) for i in range(n)],
                  vec_val=[vectors.data[ptr[i]:ptr[i + 1]] for i in range(n)])


_COLUMNS = [p.strip().split(" ")[0] for p in out_schema(1).split(", ") if " " in p.strip()]


def _frame(n: int, **cols):
    """A frame with every output column (None where this kind of row has no value)."""
    import pandas as pd

    return pd.DataFrame({c: cols[c] if c in cols else [None] * n for c in _COLUMNS})
