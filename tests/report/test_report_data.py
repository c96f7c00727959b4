"""The report's numbers, from small tables the tests write (no workspace)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from report_synthetic import synthetic_inputs

from textprofile.report.data import build_report_data


def _tables(thetas, customers, texts=None, times=None, channels=None, ratings=None):
    n = len(thetas)
    k = len(thetas[0])
    comments = pd.DataFrame({
        "comment_id": [f"c{i:03d}" for i in range(n)],
        "customer_id": customers,
        "text": texts or [f"comment number {i} about things" for i in range(n)],
        "time": pd.to_datetime(times or ["2024-01-01"] * n, utc=True),
        "channel": channels or ["review"] * n,
        "is_customer": [True] * n,
        "rating": ratings or [None] * n,
    })
    doc = pd.DataFrame({"comment_id": comments["comment_id"], "n_tokens": 5,
                        **{f"topic_{t}": [row[t] for row in thetas] for t in range(k)}})
    topics = [{"id": t, "label": f"L{t}", "auto_label": f"L{t}", "terms": [[f"w{t}", 0.5]], "share": 1 / k}
              for t in range(k)]
    return comments, doc, topics


def test_shares_mix_ratings_and_overview():
    thetas = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8]]
    comments, doc, topics = _tables(
        thetas, ["a", "a", "b", "c"], channels=["review", "chat", "chat", None], ratings=[5.0, 3.0, None, 2.0])
    comments.loc[len(comments)] = ["c999", "agent", "an agent reply text here", pd.Timestamp("2024-02-01", tz="UTC"),
                                   "chat", False, None]
    d = build_report_data(comments, doc, topics, counts={"quarantined": 3, "duplicates": 1}, name="t")
    o = d["overview"]
    assert (o["comments"], o["customer_comments"], o["modelled_comments"], o["customers"]) == (5, 4, 4, 3)
    assert o["quarantined"] == 3
    assert o["time_min"] == "2024-01-01" and o["time_max"] == "2024-02-01"
    assert [c["name"] for c in o["channels"]] == ["chat", "(none)", "review"]
    t0, t1 = d["topics"]
    assert t0["comment_share"] == pytest.approx(0.5) and t1["comment_share"] == pytest.approx(0.5)
    assert t0["avg_rating"] == pytest.approx(4.0) and t0["n_rated"] == 2
    assert t1["avg_rating"] == pytest.approx(2.0)
    assert {c["channel"]: c["n"] for c in t0["channel_mix"]} == {"review": 1, "chat": 1}
    # customers' main interests from mean θ: a→0, b→1, c→1
    assert t0["customer_share"] == pytest.approx(1 / 3) and t1["customer_share"] == pytest.approx(2 / 3)
    # channel heatmap columns are mean θ per channel
    chat = d["channels"].index("chat")
    assert d["channel_matrix"][0][chat] == pytest.approx((0.8 + 0.3) / 2)


def test_examples_prefer_readable_high_share_unique():
    thetas = [[0.99, 0.01], [0.95, 0.05], [0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.1, 0.9]]
    texts = ["ok",  # too short to be readable, though the highest share
             "x" * 30, "the same readable comment", "the same readable comment",
             "another readable comment here", "topic one comment, readable"]
    comments, doc, topics = _tables(thetas, list("abcdef"), texts=texts)
    d = build_report_data(comments, doc, topics, n_examples=4)
    ex = [e["text"] for e in d["topics"][0]["examples"]]
    assert ex == ["x" * 30, "the same readable comment", "another readable comment here",
                  "topic one comment, readable"][:3] + ["ok"]
    assert d["topics"][0]["examples"][0]["share"] == pytest.approx(0.95)


def test_top_customers_rank_by_share_and_evidence():
    # scores share × ln(1 + n): a 0.99·ln2=0.69, b 0.6·ln4=0.83, c 0.6·ln3=0.66, d 0.05·ln11=0.12
    interests = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "topic_id": [0] * 4,
                              "share": [0.99, 0.6, 0.6, 0.05]})
    customers = ["a", "b", "b", "b", "c", "c"] + ["d"] * 10
    comments, doc, topics = _tables([[0.9, 0.1]] * len(customers), customers)
    d = build_report_data(comments, doc, topics, interests=interests)
    top = d["topics"][0]["top_customers"]
    assert [c["customer_id"] for c in top] == ["b", "a", "c", "d"]
    assert top[0]["n_comments"] == 3 and top[0]["href"].startswith("customers/b-")
    assert set(d["linked_customers"]) == {"a", "b", "c", "d"}


def test_time_series_weekly_for_short_spans_monthly_for_long():
    thetas = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]
    short = _tables(thetas, list("abc"), times=["2024-01-01", "2024-01-09", "2024-01-20"])
    d = build_report_data(*short)
    assert d["time"]["freq"] == "week"
    assert d["time"]["periods"] == ["2024-01-01", "2024-01-08", "2024-01-15"]
    assert d["time"]["matrix"][0] == [1.0, 0.0] and d["time"]["counts"] == [1, 1, 1]
    long = _tables(thetas, list("abc"), times=["2023-01-05", "2023-03-09", "2024-01-20"])
    d = build_report_data(*long)
    assert d["time"]["freq"] == "month"
    assert len(d["time"]["periods"]) == 13 and d["time"]["periods"][0] == "2023-01"
    assert d["time"]["counts"][1] == 0  # empty months are kept, so the axis is even
    assert d["topics"][1]["trend"][2] == 1.0


def test_segments_parsed_from_store_shapes():
    s = synthetic_inputs(k=4, n_customers=12, n_comments=60, plant=False)
    segs = s["segments"].copy()
    segs.loc[1, "top_topics"] = json.dumps([[2, 0.5], [3, 0.25]])
    segs.loc[2, "top_topics"] = json.dumps([1])
    d = build_report_data(s["comments"], s["doc_topics"], s["topics"], interests=s["interests"],
                          customers=s["customers"], segments=segs)
    got = d["segments"]
    assert [g["id"] for g in got] == ["0", "1", "2"]
    assert [t["id"] for t in got[1]["top_topics"]] == [2, 3] and got[1]["top_topics"][0]["share"] == 0.5
    assert got[2]["top_topics"][0] == {"id": 1, "label": s["topics"][1]["label"], "share": None}
    assert [b["name"] for b in got[0]["behaviour"]] == ["mean_amount", "mean_rating", "median_comments"]
    assert sum(got[0]["interest_profile"]) == pytest.approx(1.0)


def test_deterministic_and_independent_of_row_order():
    s = synthetic_inputs(k=5, n_customers=30, n_comments=200)
    kw = {"interests": s["interests"], "customers": s["customers"], "segments": s["segments"], "counts": s["counts"]}
    a = build_report_data(s["comments"], s["doc_topics"], s["topics"], **kw)
    shuffled = s["comments"].sample(frac=1.0, random_state=np.random.RandomState(1))
    b = build_report_data(shuffled, s["doc_topics"].iloc[::-1], s["topics"], **kw)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_minimal_corpus_without_time_channel_or_rating():
    comments, doc, topics = _tables([[0.7, 0.3], [0.2, 0.8]], ["a", "b"])
    comments = comments[["comment_id", "customer_id", "text"]]
    d = build_report_data(comments, doc, topics)
    assert d["time"] is None and d["overview"]["time_min"] is None
    assert d["channels"] == ["(none)"] and d["overview"]["channels"] == []
    assert all(t["avg_rating"] is None and t["n_rated"] == 0 for t in d["topics"])
    assert d["segments"] == [] and d["overview"]["quarantined"] is None
    from textprofile.report.render import render_index

    html = render_index(d)
    assert "The comments have no timestamps." in html and "profile build" in html


def test_time_buckets_keep_at_most_36_columns():
    thetas = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]

    def buckets(times):
        d = build_report_data(*_tables(thetas, list("abc"), times=times))
        return d["time"]["freq"], d["time"]["periods"]

    freq, periods = buckets(["2024-01-01", "2024-05-01", "2024-08-20"])  # 34 weeks
    assert freq == "week" and len(periods) <= 36
    freq, periods = buckets(["2022-01-05", "2023-06-09", "2024-12-20"])  # 36 months
    assert freq == "month" and len(periods) == 36 and periods[-1] == "2024-12"
    freq, periods = buckets(["2022-01-05", "2023-06-09", "2025-01-20"])  # 37 months: quarters
    assert freq == "quarter" and periods[0] == "2022 Q1" and periods[-1] == "2025 Q1" and len(periods) == 13
    freq, periods = buckets(["2000-01-05", "2010-06-09", "2020-05-20"])  # Amazon-like: 245 months
    assert freq == "year" and periods[0] == "2000" and len(periods) == 21
