"""export of comments and topics tables from a real (small demo) model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from profile_corpus import NAME, demo_workspace

from textprofile.pipeline.export import export_table


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_workspace(tmp_path_factory)[0]


def test_export_comments_with_topic_shares(demo, tmp_path):
    out = tmp_path / "c.jsonl"
    result = export_table(demo, NAME, "comments", "jsonl", out)
    corpus = pd.read_parquet(demo.corpus_dir(NAME) / "comments.parquet")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert result["rows"] == len(lines) == len(corpus)
    first = json.loads(lines[0])
    assert first["comment_id"] == corpus["comment_id"].iloc[0]
    df = pd.read_json(out, lines=True, dtype={"customer_id": str})
    shares = df[[c for c in df.columns if c.startswith("topic_")]]
    modelled = shares.notna().all(axis=1)
    assert modelled.mean() > 0.8
    assert np.allclose(shares[modelled].sum(axis=1), 1.0, atol=1e-5)


def test_export_topics(demo, tmp_path):
    from textprofile.topics.fitted import load_model

    out = tmp_path / "t.csv"
    export_table(demo, NAME, "topics", "csv", out)
    df = pd.read_csv(out)
    fm = load_model(demo, NAME)
    assert list(df["topic_id"]) == list(range(fm.k))
    assert list(df["label"]) == [t["label"] for t in fm.topics()]
    assert df["terms"].str.len().min() > 0


def test_export_profiles_has_one_row_per_customer(demo, tmp_path):
    out = tmp_path / "p.csv"
    export_table(demo, NAME, "profiles", "csv", out)
    df = pd.read_csv(out, dtype={"customer_id": str})
    assert df["customer_id"].is_unique
    topics = [c for c in df.columns if c.startswith("topic_")]
    assert np.allclose(df[topics].sum(axis=1), 1.0)


def test_export_writes_through_symlinks_and_refuses_non_files(demo, tmp_path):
    from textprofile.core.errors import ConfigError, NotFoundError

    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    export_table(demo, NAME, "topics", "csv", link)
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("topic_id,")
    with pytest.raises(ConfigError, match="not a regular file"):
        export_table(demo, NAME, "topics", "csv", tmp_path)
    with pytest.raises(NotFoundError, match="does not exist"):
        export_table(demo, NAME, "topics", "csv", tmp_path / "nope" / "x.csv")


def test_export_to_stdout(demo):
    from typer.testing import CliRunner

    from textprofile.cli.app import app

    result = CliRunner().invoke(app, ["export", NAME, "--table", "topics", "-o", "-", "--home", str(demo.root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("topic_id,label,")
