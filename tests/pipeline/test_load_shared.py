"""The real exports in ../shared/data load with at most the flags a user would pass (no tokenizing).

Expected figures come from each folder's SOURCE.md (measured there with pandas).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from textprofile.cli.app import app

pytestmark = pytest.mark.integration


def _load(workspace, *args):
    r = CliRunner().invoke(app, ["load", *map(str, args), "--no-tokenize", "--json", "--home", str(workspace.root)])
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    c = out["counts"]
    assert c["read"] == c["kept"] + c["duplicates"] + c["quarantined"]
    return out


def test_amazon_all_three_files(shared_data, workspace):
    d = shared_data / "amazon_reviews_5core_en"
    files = sorted(d.glob("*.json.gz"))
    out = _load(workspace, *files, "--name", "amazon")
    assert out["counts"]["read"] == 10_261 + 6_908 + 5_269
    assert out["counts"]["quarantined_by_reason"] == {"empty text": out["counts"]["quarantined"]}
    for s in out["sources"]:
        assert s["format"] == "jsonl.gz"
        assert s["mapping"] == {"customer_id": "reviewerID", "text": "reviewText", "time": "unixReviewTime",
                                "rating": "overall"}
    df = pd.read_parquet(workspace.corpus_dir("amazon") / "comments.parquet", columns=["customer_id", "rating", "meta"])
    assert df["customer_id"].nunique() == out["customers"]
    assert set(df["rating"].dropna().unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert "asin" in json.loads(df["meta"].iloc[0])
    assert out["time_range"][0].startswith("1998-04-28") and out["time_range"][1].startswith("2018-08-23")


def test_twcs_customer_tweets_only(shared_data, workspace):
    d = shared_data / "twcs_customer_support_en"
    out = _load(workspace, d / "twcs_head_5000.csv.gz", d / "twcs_random_5000.csv.gz",
                "--name", "twcs", "--customer-filter", "inbound=True")
    c = out["counts"]
    assert c["read"] == 10_000  # tweet 3399's bare CRs do not split its record
    assert c["kept"] + c["duplicates"] == 2_778 + 2_718
    assert c["quarantined_by_reason"] == {"excluded by --customer-filter": 10_000 - 2_778 - 2_718}
    df = pd.read_parquet(workspace.corpus_dir("twcs") / "comments.parquet", columns=["customer_id", "text"])
    assert df["customer_id"].str.fullmatch(r"\d+").all()  # no company handles left
    assert not df["text"].str.contains("https://t.co").any()  # URLs scrubbed to <URL>


def test_douban_flat_reviews(shared_data, workspace):
    out = _load(workspace, shared_data / "douban_dmr_zh" / "user_reviews_flat.csv.gz", "--name", "douban")
    c = out["counts"]
    assert c["read"] == 1_583 and c["quarantined_by_reason"] == {"empty text": 360}
    assert out["customers"] == 44
    assert out["sources"][0]["mapping"] == {"customer_id": "user_id", "text": "text", "time": "date",
                                            "rating": "stars"}


def test_online_shopping_row_as_customer(shared_data, workspace):
    out = _load(workspace, shared_data / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz",
                "--name", "shop", "--row-as-customer")
    c = out["counts"]
    assert c["read"] == 62_774 and c["quarantined_by_reason"] == {"empty text": 1}
    assert out["customers"] == c["kept"] and out["time_range"] is None
    assert out["languages"]["zh"] > 0.95 * c["kept"]
    meta = pd.read_parquet(workspace.corpus_dir("shop") / "comments.parquet", columns=["meta"])["meta"]
    cats = meta.map(lambda s: json.loads(s)["cat"])
    assert cats.nunique() == 10
