"""Behaviour features against values computed by hand on a small table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from textprofile.profiles.behaviour import (
    BEHAVIOUR_COLUMNS,
    behaviour,
    customer_rows,
    resolve_as_of,
)


def _table() -> tuple[pd.DataFrame, pd.Series]:
    rows = [
        # customer, text, time, channel, role, is_customer, rating, amount, lang
        ("00123", "好用", "2024-01-01T10:00:00Z", "review", None, True, 5.0, 100.0, "zh"),
        ("00123", "battery died", "2024-01-01T23:00:00Z", "review", None, True, 1.0, None, "en"),
        ("00123", "再也不买了!!", "2024-03-01T08:00:00Z", "chat", "customer", True, None, 50.0, "zh"),
        ("00123", "How can I help?", "2024-03-01T08:01:00Z", "chat", "agent", False, None, None, "en"),
        ("b", "ok", "2024-03-31T00:00:00Z", "social", None, True, None, None, "en"),
        ("b", "", "2024-03-31T12:00:00Z", "social", None, True, None, None, "empty"),
        ("c", "no time", None, None, None, True, None, None, "other"),
    ]
    df = pd.DataFrame(
        rows,
        columns=["customer_id", "text", "time", "channel", "role", "is_customer", "rating", "amount", "lang"],
    )
    df["time"] = pd.to_datetime(df["time"], utc=True).astype("datetime64[us, UTC]")
    return df.drop(columns="lang"), df["lang"]


def _by_id(out: pd.DataFrame) -> dict[str, dict]:
    return {r["customer_id"]: r for r in out.to_dict("records")}


def test_behaviour_matches_hand_computed_values():
    comments, langs = _table()
    own = customer_rows(comments)
    assert len(own) == 6  # the agent turn is dropped
    as_of = resolve_as_of(None, own["time"])
    assert as_of == pd.Timestamp("2024-03-31T12:00:00Z")
    out = behaviour(own, as_of, langs.loc[own.index])
    assert list(out.columns) == ["customer_id", *BEHAVIOUR_COLUMNS]
    assert list(out["customer_id"]) == ["00123", "b", "c"]  # ids stay strings, sorted
    r = _by_id(out)

    a = r["00123"]
    assert a["n_comments"] == 3
    assert a["n_chars"] == 2 + 12 + 7
    assert a["first_seen"] == pd.Timestamp("2024-01-01T10:00:00")
    assert a["last_seen"] == pd.Timestamp("2024-03-01T08:00:00")
    # 2024-03-01 08:00 -> 2024-03-31 12:00 = 30 days 4 hours
    assert a["recency_days"] == round(30 + 4 / 24, 4)  # rounded to ~9 s
    assert a["active_days"] == 2  # 2024-01-01 twice, 2024-03-01 once
    span = (pd.Timestamp("2024-03-01T08:00") - pd.Timestamp("2024-01-01T10:00")) / pd.Timedelta(days=1)
    assert a["comments_per_30d"] == pytest.approx(3 * 30 / span)
    assert a["share_review"] == pytest.approx(2 / 3)
    assert a["share_chat"] == pytest.approx(1 / 3)
    assert a["share_social"] == 0.0
    assert a["languages"] == "en,zh"
    assert a["rating_mean"] == pytest.approx(3.0)
    assert a["rating_min"] == 1.0
    assert a["share_low_rating"] == pytest.approx(0.5)  # one of the two rated comments is <= 2
    assert a["amount_total"] == 150.0
    assert a["amount_mean"] == 75.0

    b = r["b"]
    assert b["n_comments"] == 2 and b["n_chars"] == 2
    assert b["recency_days"] == 0.0
    assert b["active_days"] == 1
    assert b["comments_per_30d"] == pytest.approx(2.0)  # span under 30 days counts as 30
    assert b["share_social"] == 1.0
    assert b["languages"] == "en"  # "empty" is not a language
    for col in ("rating_mean", "rating_min", "share_low_rating", "amount_total", "amount_mean"):
        assert math.isnan(b[col]), col

    c = r["c"]
    assert c["n_comments"] == 1 and pd.isna(c["first_seen"]) and pd.isna(c["last_seen"])
    assert math.isnan(c["recency_days"]) and math.isnan(c["comments_per_30d"])
    assert c["active_days"] == 0
    assert c["share_review"] == 0.0 and c["languages"] == "other"


def test_as_of_option_and_bad_value():
    comments, _ = _table()
    ts = resolve_as_of("2024-04-30", comments["time"])
    assert ts == pd.Timestamp("2024-04-30T00:00:00Z")
    out = behaviour(customer_rows(comments), ts)
    assert _by_id(out)["b"]["recency_days"] == pytest.approx(29.5)
    assert set(out["languages"]) == {""}  # no token table given
    from textprofile.core.errors import ConfigError

    with pytest.raises(ConfigError, match="--as-of"):
        resolve_as_of("not a date", comments["time"])


def test_no_times_at_all():
    comments, _ = _table()
    comments["time"] = pd.Series(pd.NaT, index=comments.index, dtype="datetime64[us, UTC]")
    assert resolve_as_of(None, comments["time"]) is None
    out = behaviour(customer_rows(comments), None)
    assert out["recency_days"].isna().all() and (out["active_days"] == 0).all()
