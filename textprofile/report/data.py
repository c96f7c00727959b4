"""The report's numbers, computed from plain tables: no workspace, no files, no HTML.

``build_report_data`` takes the comments table, the per-comment topic shares and the profile
tables (all pandas DataFrames, formats in docs/internals.md) and returns a plain dict that the
templates render. Topic statistics count customer comments only (agent turns are excluded when
``is_customer`` says so), each comment counted under its dominant topic.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from textprofile.report.safe import customer_href

MAX_PERIODS = 36  # time columns: the finest of week/month/quarter/year that fits (else years)
READABLE = (20, 400)  # characters: representative comments are picked from this length first
SHOW_CHARS = 500  # longer comments are cut to this many characters on the page
NONE_CHANNEL = "(none)"


def topic_columns(doc_topics: pd.DataFrame) -> list[str]:
    """``topic_0`` .. ``topic_{K-1}`` in id order."""
    cols = [c for c in doc_topics.columns if c.startswith("topic_") and c[6:].isdigit()]
    return sorted(cols, key=lambda c: int(c[6:]))


def build_report_data(
    comments: pd.DataFrame,
    doc_topics: pd.DataFrame,
    topics: list[dict[str, Any]],
    *,
    interests: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    counts: dict[str, Any] | None = None,
    name: str = "",
    model_info: dict[str, Any] | None = None,
    n_examples: int = 5,
    n_top_customers: int = 5,
    n_terms: int = 12,
) -> dict[str, Any]:
    """Everything index.html shows, as plain Python values (deterministic for the same input).

    comments: comments.parquet (plus an optional ``lang`` column from tokens.parquet).
    doc_topics: doc_topics.parquet. topics: ``FittedModel.topics()``.
    interests/customers/segments: the profile store's tables (optional).
    counts: the corpus manifest's ``counts`` (for quarantined rows).
    """
    tcols = topic_columns(doc_topics)
    k = len(tcols)
    by_id = {int(t["id"]): t for t in topics}
    labels = [str(by_id.get(i, {}).get("label") or f"topic {i}") for i in range(k)]

    own = _customer_comments(comments)
    dt = doc_topics.drop_duplicates("comment_id")
    merged = own.drop_duplicates("comment_id").merge(dt, on="comment_id", how="inner")
    merged = merged.sort_values("comment_id", kind="stable").reset_index(drop=True)
    theta = merged[tcols].to_numpy(dtype=np.float64) if k else np.zeros((len(merged), 0))
    dominant = theta.argmax(axis=1) if len(merged) and k else np.zeros(0, dtype=int)
    n = len(merged)

    channel = merged["channel"].fillna(NONE_CHANNEL).astype(str) if "channel" in merged else \
        pd.Series([NONE_CHANNEL] * n, dtype=object)
    n_comments_by_customer = own.groupby("customer_id").size()
    cust_share, top_customers = _customer_stats(
        merged, theta, interests, n_comments_by_customer, k, n_top_customers)
    channels = _channel_order(channel)
    time_data = _time_series(merged, theta)

    topic_rows = []
    for t in range(k):
        mask = dominant == t
        info = by_id.get(t, {})
        rating = merged.loc[mask, "rating"].dropna() if "rating" in merged else pd.Series([])
        mix = channel[mask].value_counts()
        topic_rows.append({
            "id": t,
            "label": labels[t],
            "auto_label": str(info.get("auto_label") or ""),
            "terms": [str(term) for term, *_ in (info.get("terms") or [])][:n_terms],
            "highlight_terms": [str(term) for term, *_ in (info.get("terms") or [])][:30],
            "token_share": float(info.get("share") or 0.0),
            "n_comments": int(mask.sum()),
            "comment_share": float(mask.sum() / n) if n else 0.0,
            "customer_share": float(cust_share[t]),
            "examples": _examples(merged, theta[:, t], mask, n_examples) if n else [],
            "channel_mix": [
                {"channel": c, "n": int(mix.get(c, 0)), "share": float(mix.get(c, 0) / mask.sum())}
                for c in channels if mix.get(c, 0)
            ],
            "avg_rating": float(rating.mean()) if len(rating) else None,
            "n_rated": len(rating),
            "top_customers": top_customers[t],
            "trend": [float(row[t]) for row in time_data["matrix"]] if time_data else [],
        })

    channel_matrix = [
        [float(theta[(channel == c).to_numpy(), t].mean()) if n else 0.0 for c in channels]
        for t in range(k)
    ]
    linked = sorted({c["customer_id"] for row in topic_rows for c in row["top_customers"]}
                    | {e["customer_id"] for row in topic_rows for e in row["examples"]})
    return {
        "name": name,
        "overview": _overview(comments, own, merged, counts, k, model_info),
        "topics": topic_rows,
        "channels": channels,
        "channel_matrix": channel_matrix,
        "time": time_data,
        "segments": _segments(segments, interests, customers, labels),
        "linked_customers": linked,
    }


def _customer_comments(comments: pd.DataFrame) -> pd.DataFrame:
    """The customers' own comments: agent turns out when ``is_customer`` marks any row True."""
    if "is_customer" in comments and comments["is_customer"].fillna(False).astype(bool).any():
        return comments[comments["is_customer"].fillna(False).astype(bool)]
    return comments


def _examples(merged: pd.DataFrame, score: np.ndarray, dominant: np.ndarray, limit: int) -> list[dict[str, Any]]:
    """Comments with the highest share of the topic, no repeated text.

    Preference: comments whose main topic it is and of readable length, then those of any
    length, then (for tiny topics) comments where it is not the main topic.
    """
    lengths = merged["text"].fillna("").str.len().to_numpy()
    readable = (lengths >= READABLE[0]) & (lengths <= READABLE[1])
    tier = (~dominant).astype(int) * 2 + (~readable).astype(int)
    # rows are sorted by comment_id, so the row index breaks ties by comment_id
    order = np.lexsort((np.arange(len(score)), -score, tier))
    picked: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i in order[: limit * 20]:
        text = str(merged.at[i, "text"] or "").strip()
        if not text or text in seen or score[i] <= 0:
            continue
        seen.add(text)
        time = merged.at[i, "time"] if "time" in merged else None
        rating = merged.at[i, "rating"] if "rating" in merged else None
        picked.append({
            "comment_id": str(merged.at[i, "comment_id"]),
            "customer_id": str(merged.at[i, "customer_id"]),
            "href": customer_href(str(merged.at[i, "customer_id"])),
            "text": text if len(text) <= SHOW_CHARS else text[: SHOW_CHARS - 1] + "…",
            "share": float(score[i]),
            "channel": None if "channel" not in merged or pd.isna(merged.at[i, "channel"])
            else str(merged.at[i, "channel"]),
            "time": None if time is None or pd.isna(time) else pd.Timestamp(time).date().isoformat(),
            "rating": None if rating is None or pd.isna(rating) else float(rating),
        })
        if len(picked) >= limit:
            break
    return picked


def _customer_stats(
    merged: pd.DataFrame,
    theta: np.ndarray,
    interests: pd.DataFrame | None,
    n_comments: pd.Series,
    k: int,
    n_top: int,
) -> tuple[np.ndarray, list[list[dict[str, Any]]]]:
    """Share of customers whose main interest is each topic, and each topic's top customers.

    Top customers are ranked by share × ln(1 + comments), then by share and id: a high share
    counts most, and more comments are more evidence, so neither a one-comment customer with
    share 1.0 nor a prolific customer with a 5% share tops the list.
    """
    if interests is not None and len(interests):
        inter = interests[["customer_id", "topic_id", "share"]].copy()
    else:  # no profile store: mean θ per customer
        means = pd.DataFrame(theta, columns=range(k)).groupby(merged["customer_id"].to_numpy()).mean()
        inter = means.stack().rename("share").reset_index()
        inter.columns = ["customer_id", "topic_id", "share"]
    inter["customer_id"] = inter["customer_id"].astype(str)
    inter["topic_id"] = inter["topic_id"].astype(int)
    inter = inter[inter["topic_id"].between(0, k - 1)]
    counts = n_comments.rename(index=str)
    inter["n_comments"] = inter["customer_id"].map(counts).fillna(0).astype(int)
    inter["score"] = inter["share"] * np.log1p(inter["n_comments"].clip(lower=1))

    main = inter.sort_values(["customer_id", "share", "topic_id"], ascending=[True, False, True])
    main = main.drop_duplicates("customer_id")
    n_cust = len(main)
    share = np.bincount(main["topic_id"].to_numpy(), minlength=k)[:k] / n_cust if n_cust else np.zeros(k)

    ranked = inter[inter["share"] > 0].sort_values(
        ["topic_id", "score", "share", "customer_id"], ascending=[True, False, False, True])
    top: list[list[dict[str, Any]]] = [[] for _ in range(k)]
    for tid, group in ranked.groupby("topic_id", sort=True):
        top[int(tid)] = [
            {"customer_id": r.customer_id, "href": customer_href(r.customer_id),
             "share": float(r.share), "n_comments": int(r.n_comments)}
            for r in group.head(n_top).itertuples(index=False)
        ]
    return share, top


def _channel_order(channel: pd.Series) -> list[str]:
    counts = channel.value_counts()
    return sorted(counts.index.astype(str), key=lambda c: (-int(counts[c]), c))


def _bucket(first: pd.Timestamp, last: pd.Timestamp) -> tuple[str, str]:
    """The finest of week, month, quarter, year that gives at most ``MAX_PERIODS`` columns."""
    for freq, label in (("W", "week"), ("M", "month"), ("Q", "quarter")):
        n = (last.to_period(freq) - first.to_period(freq)).n + 1
        if n <= MAX_PERIODS:
            return freq, label
    return "Y", "year"


def _period_label(p: pd.Period, freq: str) -> str:
    if freq == "W":
        return p.start_time.date().isoformat()
    if freq == "M":
        return p.strftime("%Y-%m")
    if freq == "Q":
        return f"{p.year} Q{p.quarter}"
    return p.strftime("%Y")


def _time_series(merged: pd.DataFrame, theta: np.ndarray) -> dict[str, Any] | None:
    """Mean topic share per week, month, quarter or year (at most ~36 columns), every period in the range."""
    if "time" not in merged or theta.shape[1] == 0:
        return None
    times = pd.to_datetime(merged["time"], utc=True, errors="coerce")
    ok = times.notna().to_numpy()
    if ok.sum() < 2:
        return None
    naive = times[ok].dt.tz_convert(None)
    freq, label = _bucket(naive.min(), naive.max())
    periods = naive.dt.to_period(freq)
    frame = pd.DataFrame(theta[ok])
    frame["period"] = periods.to_numpy()
    means = frame.groupby("period").mean()
    sizes = frame.groupby("period").size()
    full = pd.period_range(periods.min(), periods.max(), freq=freq)
    means = means.reindex(full, fill_value=0.0)
    sizes = sizes.reindex(full, fill_value=0)
    return {
        "freq": label,
        "periods": [_period_label(p, freq) for p in full],
        "counts": [int(x) for x in sizes.to_numpy()],
        "matrix": [[float(v) for v in row] for row in means.to_numpy()],
    }


def _overview(comments, own, merged, counts, k, model_info) -> dict[str, Any]:
    counts = counts or {}
    times = pd.to_datetime(comments["time"], utc=True, errors="coerce") if "time" in comments else None
    has_time = times is not None and times.notna().any()

    def tally(col: str) -> list[dict[str, Any]]:
        if col not in comments:
            return []
        vc = comments[col].fillna(NONE_CHANNEL).astype(str).value_counts()
        return [{"name": str(i), "n": int(vc[i])} for i in sorted(vc.index, key=lambda x: (-vc[x], x))]

    return {
        "comments": len(comments),
        "customer_comments": len(own),
        "modelled_comments": len(merged),
        "customers": int(own["customer_id"].nunique()),
        "channels": tally("channel"),
        "languages": tally("lang"),
        "time_min": times.min().date().isoformat() if has_time else None,
        "time_max": times.max().date().isoformat() if has_time else None,
        "quarantined": counts.get("quarantined"),
        "duplicates": counts.get("duplicates"),
        "topics": k,
        "model": dict(model_info or {}),
    }


def _loads(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _segments(segments, interests, customers, labels) -> list[dict[str, Any]]:
    """Segments with their size, description, dominant interests and behaviour."""
    if segments is None or not len(segments):
        return []
    k = len(labels)
    mean_share: dict[Any, dict[int, float]] = {}
    if interests is not None and customers is not None and "segment" in customers and len(interests):
        joined = interests.merge(customers[["customer_id", "segment"]], on="customer_id")
        sizes = customers.groupby("segment").size()
        sums = joined.groupby(["segment", "topic_id"])["share"].sum()
        for (seg, tid), total in sums.items():
            mean_share.setdefault(str(seg), {})[int(tid)] = float(total / sizes[seg])
    total_size = float(segments["size"].sum()) or 1.0
    out = []
    for row in segments.sort_values("segment_id", kind="stable").itertuples(index=False):
        top = []
        for item in _as_list(_loads(getattr(row, "top_topics", None))):
            tid, share = item
            if 0 <= tid < k:
                top.append({"id": tid, "label": labels[tid], "share": share})
        behaviour = _loads(getattr(row, "behaviour", None))
        out.append({
            "id": str(row.segment_id),
            "size": int(row.size),
            "share": float(row.size / total_size),
            "description": str(getattr(row, "description", "") or ""),
            "top_topics": top,
            "behaviour": [{"name": str(key), "value": behaviour[key]} for key in sorted(behaviour)]
            if isinstance(behaviour, dict) else [],
            "interest_profile": [mean_share.get(str(row.segment_id), {}).get(t, 0.0) for t in range(k)],
        })
    return out


def _as_list(value: Any) -> list[tuple[int, float | None]]:
    """top_topics in any of the shapes a store may write: ids, [id, share], {topic_id, share}, {id: share}."""
    items: list[tuple[int, float | None]] = []
    if isinstance(value, dict):
        value = [[key, val] for key, val in value.items()]
    for item in value or []:
        try:
            if isinstance(item, dict):
                tid = item.get("topic_id", item.get("id"))
                items.append((int(tid), None if item.get("share") is None else float(item["share"])))
            elif isinstance(item, (list, tuple)):
                items.append((int(item[0]), float(item[1]) if len(item) > 1 else None))
            else:
                items.append((int(item), None))
        except (TypeError, ValueError):
            continue
    return items
