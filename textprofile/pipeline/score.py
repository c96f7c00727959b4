"""``score train`` / ``score show``, and re-applying saved scores on ``profile build`` and ``update``.

Labels are customer-level (one row per customer id) in a CSV/TSV, Parquet or JSONL file. They
are joined to the profile store by id; ids with no profile and profiles with no label are
counted and reported. The model, its cross-validated figures and both baselines are computed in
one run; the model is saved as plain data under ``models/<name>/scores/<score>/`` and every
profile gets its score and top reasons in the store.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textprofile.core.errors import (
    ColumnError,
    ConfigError,
    InputFileError,
    NotFoundError,
)
from textprofile.core.workspace import Workspace, check_name

if TYPE_CHECKING:
    import pandas as pd

    from textprofile.profiles.scoring import ProfileInputs

MIN_CLASS = 20
POSITIVE_WORDS = ("1", "true", "yes", "y", "positive", "pos")
NEGATIVE_WORDS = ("0", "false", "no", "n", "negative", "neg")


def scores_dir(ws: Workspace, name: str) -> Path:
    return ws.model_dir(name) / "scores"


def read_labels(path: str | Path, id_col: str, label_col: str) -> pd.DataFrame:
    """``customer_id`` and raw ``label`` (strings) from a CSV/TSV, Parquet or JSON Lines file."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"labels file {path} not found — pass --labels FILE (CSV, Parquet or JSONL)")
    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix.lower() == ".gz" else path.suffix.lower()
    try:
        if suffix.startswith(".parquet"):
            df = pd.read_parquet(path)
        elif suffix.startswith((".jsonl", ".json", ".ndjson")):
            df = pd.read_json(path, lines=True, dtype=False)
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                             sep="\t" if suffix.startswith(".tsv") else ",")
    except (ValueError, OSError, UnicodeDecodeError) as e:
        raise InputFileError(f"cannot read labels file {path}: {str(e).splitlines()[0][:200]}") from None
    for col, opt in ((id_col, "--id-col"), (label_col, "--label-col")):
        if col not in df.columns:
            raise ColumnError(f"column {col!r} not found in {path.name}; columns are: "
                              f"{', '.join(map(str, df.columns))} — pass {opt} COLUMN")
    ids = df[id_col].map(lambda v: None if pd.isna(v) else str(v))
    labels = df[label_col].map(lambda v: None if pd.isna(v) else str(v).strip())
    return pd.DataFrame({"customer_id": ids, "label": labels})


def map_labels(raw: pd.Series, source: str) -> tuple[pd.Series, dict[str, int]]:
    """0/1 labels and the mapping used: 0/1, true/false, yes/no as is; two other values sorted
    (the second is 1). One class or more than two values is an error."""
    values = sorted(set(raw.dropna()))
    if len(values) < 2:
        raise ConfigError(f"{source} has one class only ({values[0]!r}) — a score needs customers of both classes"
                          if values else f"{source} has no labels — fill the label column with 0/1")
    if len(values) > 2:
        shown = ", ".join(repr(v) for v in values[:5]) + (", ..." if len(values) > 5 else "")
        raise ConfigError(f"{source} has {len(values)} distinct labels ({shown}); a score needs two (0/1) — "
                          "map them to 0/1 first")
    low = [v.lower() for v in values]
    for pos_words, neg_words in ((("1", "1.0"), ("0", "0.0")), (POSITIVE_WORDS, NEGATIVE_WORDS)):
        if low[0] in pos_words and low[1] in neg_words:
            values = [values[1], values[0]]
            break
        if low[0] in neg_words and low[1] in pos_words:
            break
    mapping = {values[0]: 0, values[1]: 1}
    return raw.map(mapping), mapping


def store_inputs(store) -> tuple[ProfileInputs, dict[int, str]]:
    """Every profile in the store as scoring inputs, and the topics' current labels."""
    import numpy as np

    from textprofile.profiles.scoring import ProfileInputs

    wide = store.export_profiles()
    wide["customer_id"] = wide["customer_id"].astype(str)
    topics = store.topics()
    topic_ids = [int(t["topic_id"]) for t in topics]
    shares = wide[[f"topic_{t}" for t in topic_ids]].to_numpy(dtype=np.float64)
    kw = store.keywords_frame()
    codes = wide.set_index("customer_id").index.get_indexer(kw["customer_id"].astype(str))
    keywords: list[list[tuple[str, float]]] = [[] for _ in range(len(wide))]
    for c, term, score in zip(codes.tolist(), kw["term"].tolist(), kw["score"].tolist()):
        if c >= 0:
            keywords[c].append((term, float(score)))
    inputs = ProfileInputs(wide.drop(columns=[c for c in wide.columns if c.startswith(("topic_", "score_"))]),
                           shares, topic_ids, keywords)
    return inputs, {int(t["topic_id"]): t["label"] for t in topics}


def with_history(ws: Workspace, name: str, inputs: ProfileInputs, fm, meta: dict[str, Any]) -> ProfileInputs:
    """``inputs`` plus each customer's pooled word counts, last rating and pooled raw text (for the
    TF-IDF baseline), from their comments up to the store's --as-of (the comments the profiles were
    built from)."""
    import pandas as pd

    from textprofile.pipeline.corpus import comment_texts, read_corpus
    from textprofile.profiles.behaviour import customer_rows

    df, X = read_corpus(ws.require_corpus(name), fm.vocab)
    own = customer_rows(df)
    if (meta.get("config") or {}).get("as_of") is not None and meta.get("as_of"):
        own = own[~(own["time"] > pd.Timestamp(meta["as_of"])).fillna(False).to_numpy()]
    inputs = inputs.with_history(own, X[own.index.to_numpy()], fm.vocab)
    return inputs.with_texts(own.assign(text=comment_texts(ws.require_corpus(name), own.index.to_numpy())))


def score_rows(model, inputs: ProfileInputs, score: str) -> pd.DataFrame:
    """Rows of the store's scores table for ``inputs``."""
    import pandas as pd

    values, reasons = model.predict(inputs)
    return pd.DataFrame({
        "customer_id": inputs.customers["customer_id"].astype(str).to_numpy(),
        "score": score,
        "value": [round(float(v), 6) for v in values],
        "reasons": [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in reasons],
    })


def train_score(
    name: str, labels: str | Path, *, id_col: str = "customer_id", label_col: str = "label",
    score: str | None = None, model: str = "logistic", seed: int = 0, ws: Workspace | None = None,
) -> dict[str, Any]:
    """Train score ``score`` (default: the label column's name) on model ``name``'s profiles.

    Returns the label counts, the model's cross-validated figures (``cv``), both baselines
    (``baselines``), the top drivers and where the model was saved.
    """
    import numpy as np

    from textprofile.core.artifacts import atomic_dir
    from textprofile.profiles.score_model import ScoreModel, baselines
    from textprofile.profiles.scoring import MODELS
    from textprofile.store.profile_store import ProfileStore, put_scores, store_path
    from textprofile.topics.fitted import load_model

    ws = ws or Workspace.resolve()
    started = time.perf_counter()
    score = check_name(score or label_col)
    if model not in MODELS:
        raise ConfigError(f"--model must be one of {', '.join(MODELS)} (got {model!r})")
    fm = load_model(ws, name)
    raw = read_labels(labels, id_col, label_col)
    source = Path(labels).name
    with ProfileStore.open(ws, name) as store:
        inputs, topic_labels = store_inputs(store)
        meta = dict(store.meta)
    inputs = with_history(ws, name, inputs, fm, meta)
    rows_in = len(raw)
    raw = raw[raw["customer_id"].notna()]
    missing_label = int(raw["label"].isna().sum())
    raw = raw[raw["label"].notna()]
    conflicts = raw.groupby("customer_id")["label"].nunique()
    if (conflicts > 1).any():
        bad = min(conflicts[conflicts > 1].index)
        raise ConfigError(f"customer {bad!r} has different labels in {source} — keep one label per customer")
    duplicates = int(len(raw) - raw["customer_id"].nunique())
    raw = raw.drop_duplicates("customer_id")
    y_all, mapping = map_labels(raw["label"], source)
    pos = {c: i for i, c in enumerate(inputs.customers["customer_id"].tolist())}
    rows = raw["customer_id"].map(pos)
    known = rows.notna().to_numpy()
    unknown = sorted(raw.loc[~known, "customer_id"])
    if not known.any():
        raise NotFoundError(f"none of the {len(raw):,} ids in {source} has a profile in model {name!r} "
                            f"(e.g. {unknown[0]!r}) — check --id-col, or build profiles first")
    idx = rows[known].astype(np.int64).to_numpy()
    order = np.argsort(idx, kind="stable")
    idx, y = idx[order], y_all[known].to_numpy(dtype=np.int64)[order]
    inv = {v: k for k, v in mapping.items()}
    for cls in (0, 1):
        count = int((y == cls).sum())
        if count < MIN_CLASS:
            raise ConfigError(f"only {count} customers with profiles have label {inv[cls]!r} in {source}; "
                              f"a score needs at least {MIN_CLASS} of each class")
    train = inputs.take(idx)
    sm = ScoreModel(model, seed).fit(train, y, topic_labels)
    base = baselines(train, y, seed)
    summary = {
        "score": score, "model": model, "seed": seed, "labels": source, "id_col": id_col, "label_col": label_col,
        "label_mapping": mapping, "cv": sm.cv_, "baselines": base, "drivers": sm.drivers_,
        "calibration": sm.calibration_, "features": len(sm.names), "C": sm.C_,
        "text": text_summary(sm),
        "as_of": meta.get("as_of"), "topic_word_sha256": fm.manifest.get("files", {}).get("topic_word.npy"),
        "counts": {"label_rows": rows_in, "labelled": len(y), "unknown_ids": len(unknown),
                   "unlabelled_profiles": int(len(inputs.customers) - len(y)), "duplicate_rows": duplicates,
                   "missing_labels": missing_label},
        "unknown_examples": unknown[:5],
    }
    folder = scores_dir(ws, name) / score
    with atomic_dir(folder) as tmp:
        sm.save(tmp, summary)
    put_scores(store_path(ws.model_dir(name)), score, score_rows(sm, inputs, score))
    return {"name": name, **summary, "scored": len(inputs.customers), "path": str(folder),
            "seconds": round(time.perf_counter() - started, 2)}


def text_summary(sm) -> dict[str, Any] | None:
    """What the model read of the customers' words: the logistic model's keyword columns (terms,
    block weight, the model's C) or the gbm's stacked text sub-model (terms, its C, inner ROC AUC)."""
    if sm.keywords_ is not None:
        return {"terms": len(sm.keywords_.terms_), "C": sm.C_, "weight": round(sm.keywords_.weight_, 4)}
    if sm.text_ is not None:
        return {"terms": len(sm.text_.terms_), "C": sm.text_.C_, "inner_roc_auc": sm.text_.inner_auc_}
    return None


def load_score(ws: Workspace, name: str, score: str | None):
    """(ScoreModel, summary) of a saved score, verified; ``score`` may be omitted when there is one."""
    from textprofile.profiles.score_model import ScoreModel

    names = saved_scores(ws, name)
    if score is None:
        if len(names) != 1:
            raise NotFoundError(f"model {name!r} has no scores — run: textprofile score train {name} --labels FILE"
                                if not names else f"model {name!r} has scores {', '.join(names)} — pass --score NAME")
        score = names[0]
    if check_name(score) not in names:
        raise NotFoundError(f"score {score!r} not found for model {name!r}"
                            + (f"; scores are: {', '.join(names)}" if names else
                               f" — run: textprofile score train {name} --labels FILE"))
    return ScoreModel.load(scores_dir(ws, name) / score)


def saved_scores(ws: Workspace, name: str) -> list[str]:
    d = scores_dir(ws, name)
    return sorted(p.name for p in d.iterdir() if (p / "manifest.json").is_file()) if d.is_dir() else []


def show_score(name: str, score: str | None = None, ws: Workspace | None = None, top: int = 5) -> dict[str, Any]:
    """A saved score's figures, drivers and calibration, and its highest-scored customers' reasons."""
    from textprofile.store.profile_store import ProfileStore

    ws = ws or Workspace.resolve()
    _, summary = load_score(ws, name, score)
    with ProfileStore.open(ws, name) as store:
        frame = store.scores_frame(summary["score"]).head(top)
    highest = [{"customer_id": c, "value": v, "reasons": json.loads(r)}
               for c, v, r in zip(frame["customer_id"], frame["value"], frame["reasons"])]
    return {"name": name, **summary, "highest": highest}


def rescore(ws: Workspace, name: str, inputs: ProfileInputs, fm, history=None) -> tuple[pd.DataFrame | None, list[str]]:
    """Scores table rows for ``inputs`` from every saved score (no retraining), and the scores
    skipped because the topic model was refitted since they were trained. ``history``: (the
    customers' comment rows, their counts over the model vocabulary), for the text sub-model and
    the last rating; pooled only when there is a saved score."""
    import pandas as pd

    frames, skipped = [], []
    names = saved_scores(ws, name)
    if names and history is not None:
        inputs = inputs.with_history(history[0], history[1], fm.vocab)
    for score in names:
        model, summary = load_score(ws, name, score)
        if summary.get("topic_word_sha256") != fm.manifest.get("files", {}).get("topic_word.npy"):
            skipped.append(score)
            continue
        frames.append(score_rows(model, inputs, score))
    if not frames:
        return None, skipped
    return pd.concat(frames, ignore_index=True), skipped
