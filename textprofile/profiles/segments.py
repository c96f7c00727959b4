"""Customer segments: scikit-learn KMeans on topic shares plus scaled behaviour, K by silhouette.

Features: the topic shares as they are, and a few behaviour columns (log-counts, recency, rate,
channel shares, rating, amount) standardised and scaled so the behaviour block carries the same
total variance as the topic block — interests and behaviour weigh equally, whatever K is.
Missing behaviour values (no times, no ratings) become the column mean. KMeans and the silhouette
run on a seeded sample of at most ``SAMPLE`` customers; everyone is then assigned to the nearest
centre. The fitted ``SegmentModel`` is saved in the store so ``update`` can assign touched
customers without re-clustering everyone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

SAMPLE = 5_000
SILHOUETTE_SAMPLE = 2_000
K_RANGE = (2, 3, 4, 5, 6, 7, 8)
NEAREST_ROWS = 100_000  # customers whose distances to the centres are computed at once

# behaviour column -> transform applied before standardising
FEATURES: dict[str, str] = {
    "n_comments": "log1p",
    "n_chars": "log1p",
    "recency_days": "log1p",
    "comments_per_30d": "log1p",
    "share_review": "id",
    "share_chat": "id",
    "share_social": "id",
    "rating_mean": "id",
    "amount_mean": "log1p",
}


@dataclass
class SegmentModel:
    """What ``assign`` needs: behaviour scaling and the cluster centres (JSON-able)."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    block_weight: float
    centers: list[list[float]]
    silhouette: float | None
    k_scores: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SegmentModel:
        return cls(**d)


def _raw_behaviour(beh: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    cols = [c for c in FEATURES if c in beh.columns]
    out = np.empty((len(beh), len(cols)))
    for j, c in enumerate(cols):
        v = beh[c].to_numpy(dtype=np.float64, na_value=np.nan)
        if FEATURES[c] == "log1p":
            v = np.log1p(np.clip(v, 0.0, None))
        out[:, j] = v
    return cols, out


def _features(shares: np.ndarray, raw: np.ndarray, model: SegmentModel) -> np.ndarray:
    z = (raw - np.asarray(model.mean)) / np.asarray(model.scale)
    z = np.where(np.isnan(z), 0.0, z) * model.block_weight
    return np.hstack([np.asarray(shares, dtype=np.float64), z])


def _scaling(shares: np.ndarray, beh: pd.DataFrame) -> tuple[SegmentModel, np.ndarray]:
    cols, raw = _raw_behaviour(beh)
    ok = ~np.isnan(raw)
    count = ok.sum(axis=0)
    filled = np.where(ok, raw, 0.0)
    with np.errstate(all="ignore"):
        mean = np.where(count > 0, filled.sum(axis=0) / np.maximum(count, 1), 0.0)
        dev = np.where(ok, raw - mean, 0.0)
        std = np.where(count > 1, np.sqrt((dev * dev).sum(axis=0) / np.maximum(count, 1)), 0.0)
    topic_var = float(np.var(shares, axis=0).sum()) if len(shares) else 0.0
    model, keep = _scaled(cols, mean, std, topic_var)
    return model, raw[:, keep]


def _scaled(cols: list[str], mean: np.ndarray, std: np.ndarray, topic_var: float) -> tuple[SegmentModel, np.ndarray]:
    """The model's scaling from the behaviour columns' means and deviations and the topics' total
    variance; and which columns it keeps."""
    keep = np.isfinite(std) & (std > 1e-12)  # constant or all-missing columns say nothing
    cols = [c for c, k in zip(cols, keep) if k]
    weight = float(np.sqrt(topic_var / len(cols))) if cols and topic_var > 0 else 0.0
    return SegmentModel(cols, mean[keep].tolist(), std[keep].tolist(), weight, [], None, {}), keep


def fit_segments(
    shares: np.ndarray, beh: pd.DataFrame, seed: int = 0, k_range: tuple[int, ...] = K_RANGE,
) -> tuple[np.ndarray, SegmentModel]:
    """Segment id per customer (0 = largest segment) and the fitted model."""
    from threadpoolctl import threadpool_limits

    # one thread: on a busy 2-core machine OpenMP's spinning threads make KMeans ~20x slower
    with threadpool_limits(1):
        return _fit_segments(shares, beh, seed, k_range)


def _fit_segments(shares, beh, seed, k_range):
    model, raw = _scaling(shares, beh)
    F = _features(shares, raw, model)
    n = len(F)
    if n == 0:
        return np.zeros(0, dtype=np.int64), model
    best = _best_kmeans(F[sample_rows(n, seed)], model, seed, k_range)
    if best is None:  # too few distinct customers to cluster: one segment
        model.centers = [F.mean(axis=0).tolist()]
        return np.zeros(n, dtype=np.int64), model
    labels = nearest(F, best)
    remap = number(model, best, np.bincount(labels, minlength=len(best)))
    return remap[labels], model


# The Spark backend's segments (``spark.segments``) are ``fit_segments`` by its parts: the scaling
# from Spark's aggregates (``scaling``), KMeans on ``sample_rows``' customers (``fit_centres``),
# everyone's nearest centre in the executors (``part_features`` + ``nearest``), the numbering
# (``number``) and the segments table from the aggregated figures (``segments_table``).

MEDIANS = ("n_comments", "recency_days")  # the segments table's medians, then its means
MEANS = ("comments_per_30d", "rating_mean", "amount_mean")


def scaling(cols: list[str], count, mean, std, topic_var: float) -> SegmentModel:
    """The model's scaling from each behaviour feature's count of values, mean and population
    deviation (after ``FEATURES``' transform) and the topic shares' total population variance,
    with ``_scaling``'s rules (no values: mean 0; fewer than two: deviation 0)."""
    count = np.asarray(count, dtype=np.float64)
    mean = np.where(count > 0, np.nan_to_num(np.asarray(mean, dtype=np.float64)), 0.0)
    std = np.where(count > 1, np.nan_to_num(np.asarray(std, dtype=np.float64)), 0.0)
    return _scaled(list(cols), mean, std, float(topic_var))[0]


def part_features(shares: np.ndarray, beh: pd.DataFrame, model: SegmentModel) -> np.ndarray:
    """``_features`` of some customers with the model's scaling (its kept columns)."""
    cols, raw = _raw_behaviour(beh)
    return _features(shares, raw[:, [cols.index(c) for c in model.features]], model)


def fit_centres(Fs: np.ndarray, model: SegmentModel, seed: int, k_range=K_RANGE) -> np.ndarray | None:
    """``fit_segments``' KMeans on the sample's features (one thread); None: one segment."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _best_kmeans(Fs, model, seed, k_range)


@dataclass
class SegmentFigures:
    """What a segment's row says: its size, mean topic shares and behaviour statistics."""

    size: int
    mean_shares: np.ndarray
    median_comments: float
    median_recency_days: float
    mean_comments_per_30d: float
    mean_rating: float
    mean_amount: float


def segments_table(figures: list[SegmentFigures], topic_ids: list[int], topic_labels: dict[int, str]) -> pd.DataFrame:
    """One row per segment (in ``figures``' order): segment_id, size, description, top_topics
    (JSON), behaviour (JSON)."""
    import json

    import pandas as pd

    rows = []
    for s, f in enumerate(figures):
        top = np.argsort(-f.mean_shares, kind="stable")[:3]
        top_topics = [
            {"topic_id": int(topic_ids[j]), "label": topic_labels.get(int(topic_ids[j]), str(topic_ids[j])),
             "share": round(float(f.mean_shares[j]), 4)}
            for j in top
        ]
        names = ("median_comments", "median_recency_days", "mean_comments_per_30d", "mean_rating", "mean_amount")
        stats = {k: _num(getattr(f, k)) if f.size else None for k in names}
        rows.append({
            "segment_id": s, "size": f.size, "description": description(top_topics, stats),
            "top_topics": json.dumps(top_topics, ensure_ascii=False),
            "behaviour": json.dumps(stats, ensure_ascii=False, sort_keys=True),
        })
    return pd.DataFrame(rows, columns=["segment_id", "size", "description", "top_topics", "behaviour"])


def sample_rows(n: int, seed: int) -> np.ndarray:
    """The rows KMeans and the silhouette see: a seeded sample of at most ``SAMPLE``, ascending."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, SAMPLE, replace=False)) if n > SAMPLE else np.arange(n)


def _best_kmeans(Fs: np.ndarray, model: SegmentModel, seed: int, k_range) -> np.ndarray | None:
    """The centres of the K with the best silhouette on the sample's features ``Fs`` (None: too
    few distinct customers to cluster); records each K's score and the best in ``model``."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n_distinct = len(np.unique(np.round(Fs, 9), axis=0))
    best = None
    for k in k_range:
        if k >= n_distinct or k < 2:
            continue
        km = KMeans(n_clusters=k, n_init=2, random_state=seed).fit(Fs)
        score = float(silhouette_score(Fs, km.labels_, sample_size=min(SILHOUETTE_SAMPLE, len(Fs)),
                                       random_state=seed))
        model.k_scores[str(k)] = round(score, 6)
        if best is None or score > best[0] + 1e-12:
            best = (score, km)
    if best is None:
        return None
    model.silhouette = round(best[0], 6)
    return best[1].cluster_centers_


def number(model: SegmentModel, centers: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Number segments by size, largest first (ties: by centre coordinates) so ids are stable:
    the centres go into ``model`` in that order; returns the map from KMeans' label to segment id."""
    order = sorted(range(len(centers)), key=lambda j: (-sizes[j], tuple(np.round(centers[j], 9))))
    model.centers = [centers[j].tolist() for j in order]
    remap = np.empty(len(centers), dtype=np.int64)
    remap[order] = np.arange(len(centers))
    return remap


def nearest(F: np.ndarray, centers: np.ndarray, rows: int = NEAREST_ROWS) -> np.ndarray:
    """Each row's nearest centre, ``rows`` rows at a time (the distances of two million customers
    at once were 0.9 GB of temporaries); each row's arithmetic is the same at any chunking."""
    out = np.empty(len(F), dtype=np.int64)
    c2 = (centers * centers).sum(1)[None, :]
    for a in range(0, len(F), rows):
        f = F[a:a + rows]
        out[a:a + rows] = np.argmin((f * f).sum(1)[:, None] - 2 * f @ centers.T + c2, axis=1)
    return out


def assign(shares: np.ndarray, beh: pd.DataFrame, model: SegmentModel) -> np.ndarray:
    """Nearest saved centre for each customer (used by ``update``)."""
    return nearest(part_features(shares, beh, model), np.asarray(model.centers))


def describe(
    labels: np.ndarray, shares: np.ndarray, beh: pd.DataFrame, topic_ids: list[int],
    topic_labels: dict[int, str], n_segments: int,
) -> pd.DataFrame:
    """One row per segment: segment_id, size, description, top_topics (JSON), behaviour (JSON)."""
    figures = []
    for s in range(n_segments):
        m = labels == s
        size = int(m.sum())
        b = beh[m]
        figures.append(SegmentFigures(size, shares[m].mean(axis=0) if size else np.zeros(len(topic_ids)),
                                b["n_comments"].median(), b["recency_days"].median(), b["comments_per_30d"].mean(),
                                b["rating_mean"].mean(), b["amount_mean"].mean()))
    return segments_table(figures, topic_ids, topic_labels)


def description(top_topics: list[dict[str, Any]], stats: dict[str, Any]) -> str:
    """A segment's one-line text from its top topics (with labels) and behaviour statistics.

    The store calls it again at lookup time so labels from ``topics rename`` show up.
    """
    parts = [", ".join(f"{t['label']} {t['share']:.0%}" for t in top_topics if t["share"] >= 0.05)]
    if stats.get("median_comments") is not None:
        parts.append(f"{stats['median_comments']:g} comments (median)")
    if stats.get("median_recency_days") is not None:
        parts.append(f"last seen {stats['median_recency_days']:.0f} days ago (median)")
    if stats.get("mean_rating") is not None:
        parts.append(f"rating {stats['mean_rating']:.1f}")
    return " · ".join(p for p in parts if p)


def _num(x: Any) -> float | None:
    x = float(x)
    return None if np.isnan(x) else round(x, 2)
