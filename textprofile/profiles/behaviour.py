"""Per-customer behaviour features: pure functions on the comments table.

Only the customer's own rows count (``is_customer``); agent chat turns are excluded before this
is called (``customer_rows``). Every column is always present so the store and the wide export
have a fixed layout; values are null when the corpus has no such data (no times, ratings, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from textprofile.core.config import RECENCY_DECIMALS

CHANNELS = ("review", "chat", "social")
LOW_RATING = 2.0
# Rate denominators shorter than this are stretched to it, so one comment yesterday is
# "1 per 30 days", not "30 per 30 days".
MIN_SPAN_DAYS = 30.0

BEHAVIOUR_COLUMNS: dict[str, str] = {
    # column -> DuckDB type; the order is the export order
    "n_comments": "BIGINT",
    "n_chars": "BIGINT",
    "first_seen": "TIMESTAMP",
    "last_seen": "TIMESTAMP",
    "recency_days": "DOUBLE",
    "active_days": "BIGINT",
    "comments_per_30d": "DOUBLE",
    "share_review": "DOUBLE",
    "share_chat": "DOUBLE",
    "share_social": "DOUBLE",
    "languages": "VARCHAR",
    "rating_mean": "DOUBLE",
    "rating_min": "DOUBLE",
    "share_low_rating": "DOUBLE",
    "amount_total": "DOUBLE",
    "amount_mean": "DOUBLE",
}

_NOT_SPOKEN = "empty"  # the one tokens.parquet lang label that is not a language


def customer_rows(comments: pd.DataFrame) -> pd.DataFrame:
    """The rows that count toward a profile: the customer's own text (agent turns dropped)."""
    if "is_customer" not in comments.columns:
        return comments
    return comments[comments["is_customer"].fillna(False).astype(bool)]


def resolve_as_of(as_of: str | None, times: pd.Series) -> pd.Timestamp | None:
    """``as_of`` parsed as a UTC timestamp, or the latest time in ``times`` (None if there is none)."""
    import pandas as pd

    from textprofile.core.config import parse_as_of

    if as_of is not None:
        return parse_as_of(as_of)
    latest = times.max() if len(times) else None
    return None if latest is None or pd.isna(latest) else pd.Timestamp(latest)


def _utc(times: pd.Series) -> pd.Series:
    import pandas as pd

    t = pd.to_datetime(times, utc=True)
    return t.astype("datetime64[us, UTC]")


def behaviour(
    comments: pd.DataFrame,
    as_of: pd.Timestamp | None = None,
    langs: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per customer (sorted by customer_id) with the ``BEHAVIOUR_COLUMNS``.

    ``comments``: customer rows only (see ``customer_rows``), with ``customer_id``, ``text``,
    ``time``, ``channel``, ``rating``, ``amount``. ``langs``: the tokens table's ``lang`` aligned
    with ``comments``' index (optional). ``as_of``: the reference time for ``recency_days``.
    Times are in UTC; an "active day" is a distinct UTC calendar date.
    """
    import numpy as np
    import pandas as pd

    df = pd.DataFrame({"customer_id": comments["customer_id"].astype(str).to_numpy()})
    if "n_chars" in comments.columns:  # computed while streaming (pipeline.profile.read_corpus)
        df["n_chars"] = comments["n_chars"].to_numpy(dtype=np.int64)
    else:
        text = comments["text"] if "text" in comments.columns else pd.Series([""] * len(comments))
        df["n_chars"] = text.fillna("").astype(str).str.len().to_numpy()
    time = _utc(comments["time"]) if "time" in comments.columns else pd.Series(
        pd.NaT, index=comments.index, dtype="datetime64[us, UTC]"
    )
    df["time"] = time.to_numpy()
    df["day"] = df["time"].dt.floor("D")
    channel = comments["channel"] if "channel" in comments.columns else pd.Series([None] * len(comments))
    for ch in CHANNELS:
        df[f"is_{ch}"] = (channel.to_numpy() == ch).astype(np.float64)
    for col in ("rating", "amount"):
        src = comments[col] if col in comments.columns else pd.Series([np.nan] * len(comments))
        df[col] = pd.to_numeric(src, errors="coerce").astype(np.float64).to_numpy()
    df["low"] = np.where(df["rating"].isna(), np.nan, (df["rating"] <= LOW_RATING).astype(np.float64))

    g = df.groupby("customer_id", sort=True)
    out = pd.DataFrame(index=g.size().index)
    out["n_comments"] = g.size().astype("int64")
    out["n_chars"] = g["n_chars"].sum().astype("int64")
    out["first_seen"] = g["time"].min()
    out["last_seen"] = g["time"].max()
    out["first_seen"] = pd.to_datetime(out["first_seen"], utc=True)
    out["last_seen"] = pd.to_datetime(out["last_seen"], utc=True)
    if as_of is not None:
        # rounded (to ~9 s) so the store's own arithmetic on update gives the same numbers
        out["recency_days"] = ((as_of - out["last_seen"]) / pd.Timedelta(days=1)).round(RECENCY_DECIMALS)
    else:
        out["recency_days"] = np.nan
    out["active_days"] = g["day"].nunique().astype("int64")
    span = (out["last_seen"] - out["first_seen"]) / pd.Timedelta(days=1)
    out["comments_per_30d"] = out["n_comments"] * 30.0 / span.clip(lower=MIN_SPAN_DAYS)
    for ch in CHANNELS:
        out[f"share_{ch}"] = g[f"is_{ch}"].mean()
    out["languages"] = _languages(df["customer_id"], langs, out.index)
    out["rating_mean"] = g["rating"].mean()
    out["rating_min"] = g["rating"].min()
    out["share_low_rating"] = g["low"].mean()
    out["amount_total"] = g["amount"].sum(min_count=1)
    out["amount_mean"] = g["amount"].mean()

    out = out.reset_index()
    for col in ("first_seen", "last_seen"):
        # DuckDB TIMESTAMP is naive; store UTC wall time
        col_t = pd.to_datetime(out[col], utc=True)
        out[col] = col_t.dt.tz_localize(None).astype("datetime64[us]")
    for col in ("recency_days", "comments_per_30d"):
        out[col] = out[col].astype(np.float64)
    return out[["customer_id", *BEHAVIOUR_COLUMNS]]


def _languages(customer_ids: pd.Series, langs: pd.Series | None, index: pd.Index) -> pd.Series:
    """Sorted, comma-joined languages each customer wrote in ("en,es,zh"); "" when unknown.

    Every label of the tokens' ``lang`` column counts except ``empty``: zh, en, mixed, other and
    the codes of detected Latin languages (es, fr, ...), tokenized or not.
    """
    import pandas as pd

    if langs is None:
        return pd.Series([""] * len(index), index=index, dtype=object)
    import numpy as np

    values = pd.Series(langs.to_numpy())
    present = sorted(v for v in values.dropna().unique() if isinstance(v, str) and v != _NOT_SPOKEN)
    bits = {lang: 1 << i for i, lang in enumerate(present)}
    mask = values.map(bits).fillna(0).astype(np.int64).to_numpy()
    frame = pd.DataFrame({"customer_id": customer_ids.to_numpy(), "mask": mask})
    # OR of each customer's language bits, via the distinct (customer, bit) pairs' sum
    combined = frame.drop_duplicates().groupby("customer_id", sort=True)["mask"].sum()
    combined = combined.reindex(index).fillna(0).astype(np.int64)
    names = {m: ",".join(lang for lang in present if m & bits[lang]) for m in combined.unique().tolist()}
    return combined.map(names).astype(object)
