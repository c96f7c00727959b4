"""Column auto-mapping from English/Chinese headers, explicit overrides, and --customer-filter."""

from __future__ import annotations

import pytest

from textprofile.core.config import LoadConfig
from textprofile.core.errors import ColumnError, ConfigError
from textprofile.ingest.columns import CustomerFilter, resolve_mapping


@pytest.mark.parametrize("columns,expected", [
    (["customer_id", "text", "time", "channel", "role", "thread_id", "rating", "amount"],
     {"customer_id": "customer_id", "text": "text", "time": "time", "channel": "channel", "role": "role",
      "thread_id": "thread_id", "rating": "rating", "amount": "amount"}),
    (["reviewerID", "asin", "reviewerName", "helpful", "reviewText", "overall", "summary",
      "unixReviewTime", "reviewTime"],
     {"customer_id": "reviewerID", "text": "reviewText", "time": "unixReviewTime", "rating": "overall"}),
    (["column_1", "tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id"],
     {"customer_id": "author_id", "text": "text", "time": "created_at"}),
    (["用户ID", "评论内容", "评论时间", "评分", "订单金额"],
     {"customer_id": "用户ID", "text": "评论内容", "time": "评论时间", "rating": "评分", "amount": "订单金额"}),
    (["客户编号", "内容", "时间"], {"customer_id": "客户编号", "text": "内容", "time": "时间"}),
    (["User Id", "Review", "Date"], {"customer_id": "User Id", "text": "Review", "time": "Date"}),
])
def test_auto_mapping(columns, expected):
    assert resolve_mapping(columns, LoadConfig(), "f.csv") == expected


def test_explicit_flags_override_and_are_checked():
    cols = ["user_id", "review", "body", "when"]
    m = resolve_mapping(cols, LoadConfig(text_col="body", time_col="when"), "f.csv")
    assert m == {"customer_id": "user_id", "text": "body", "time": "when"}
    with pytest.raises(ColumnError) as e:
        resolve_mapping(cols, LoadConfig(text_col="nope"), "f.csv")
    assert str(e.value) == "f.csv: column 'nope' (--text-col) not found; columns are: user_id, review, body, when"


def test_missing_required_columns_name_the_flag():
    with pytest.raises(ColumnError) as e:
        resolve_mapping(["用户ID", "备注"], LoadConfig(), "x.csv")
    assert "columns are: 用户ID, 备注" in str(e.value) and "--text-col" in str(e.value)
    with pytest.raises(ColumnError) as e:
        resolve_mapping(["cat", "label", "review"], LoadConfig(), "x.csv")
    assert "--customer-col" in str(e.value) and "--row-as-customer" in str(e.value)
    m = resolve_mapping(["cat", "label", "review"], LoadConfig(row_as_customer=True), "x.csv")
    assert m == {"text": "review"}


def test_constant_channel_skips_channel_column():
    m = resolve_mapping(["user", "text", "channel"], LoadConfig(channel="review"), "f.csv")
    assert "channel" not in m


def test_customer_filter_parse():
    f = CustomerFilter.parse("inbound=True")
    assert (f.column, f.values, f.negate) == ("inbound", frozenset({"true"}), False)
    f = CustomerFilter.parse(" speaker != agent,bot ")
    assert (f.column, f.values, f.negate) == ("speaker", frozenset({"agent", "bot"}), True)
    assert f.resolve_column(["Speaker", "text"], "f") == "Speaker"
    with pytest.raises(ColumnError):
        f.resolve_column(["text"], "f")
    for bad in ("inbound", "=x", "inbound="):
        with pytest.raises(ConfigError):
            CustomerFilter.parse(bad)
