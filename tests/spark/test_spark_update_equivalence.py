"""``update --backend spark`` gives the local ``update``: same rows appended, same profiles after.

Both sides start from the session's corpus 'loc' (the demo export's part A and a file of
duplicates and bad rows) with the model fitted locally; the local store was built locally, the
Spark one by ``profile build --backend spark``. Part B (conftest ``_exports``) is then added.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from profile_corpus import store_frame

SAME = ("comments_added", "customers_changed", "customers_new", "duplicates", "quarantined", "customers",
        "erased_skipped", "repaired_rows")


def test_update_counts_equal_and_second_update_adds_nothing(updated):
    _, _, local, remote, again = updated
    assert remote["backend"] == "spark"
    assert {k: remote[k] for k in SAME} == {k: local[k] for k in SAME}
    assert local["comments_added"] > 0 and local["customers_new"] == 2  # part B's two new customers
    assert local["duplicates"] >= 1 and local["quarantined"] == 1  # part B's planted rows (and the demo's own)
    assert again["comments_added"] == 0 and again["customers_changed"] == 0
    assert again["duplicates"] == local["duplicates"] + local["comments_added"]


def test_update_cli_json_equals_library(updated):
    """The CLI's JSON (the fixture's second update) equals the library's result for the same no-op update."""
    from textprofile.pipeline import spark as on_spark

    ws_s, again = updated[1], updated[4]
    lib = on_spark.update("loc", [ws_s.root / "gen" / "part_b.csv"], ws_s)
    assert {k: v for k, v in lib.items() if k != "seconds"} == {k: v for k, v in again.items() if k != "seconds"}


def test_updated_corpus_rows_and_new_mixtures_equal(updated):
    ws_l, ws_s, _, _, _ = updated
    for name in ("comments.parquet", "tokens.parquet"):
        a = pq.read_table(ws_l.corpus_dir("loc") / name)
        b = pq.read_table(ws_s.corpus_dir("loc") / name)  # now a dataset: the old file, then the update's parts
        assert (ws_s.corpus_dir("loc") / name).is_dir()
        assert a.schema.equals(b.schema), name
        assert a.to_pylist() == b.to_pylist(), name
    local = pq.read_table(ws_l.model_dir("loc") / "doc_topics.parquet").to_pandas()
    remote = pq.read_table(ws_s.model_dir("loc") / "profiles.parquet" / "comment_topics").to_pandas()
    assert list(remote["comment_id"]) == list(local["comment_id"])  # every comment, corpus order
    cols = [c for c in local.columns if c.startswith("topic_")]
    assert np.abs(remote[cols].to_numpy(np.float64) - local[cols].to_numpy(np.float64)).max() <= 1e-9


def test_updated_profiles_within_1e6(updated):
    ws_l, ws_s, _, _, _ = updated
    sql = "SELECT customer_id, topic_id, share FROM interests ORDER BY customer_id, topic_id"
    a, b = store_frame(ws_l, "loc", sql), store_frame(ws_s, "loc", sql)
    assert list(a["customer_id"]) == list(b["customer_id"]) and len(a) > 0
    assert np.abs(a["share"].to_numpy() - b["share"].to_numpy()).max() <= 1e-6
    for sql in ("SELECT * FROM customers ORDER BY customer_id",
                "SELECT customer_id, term, rank FROM keywords ORDER BY customer_id, rank"):
        pd.testing.assert_frame_equal(store_frame(ws_l, "loc", sql), store_frame(ws_s, "loc", sql), check_exact=False, rtol=0, atol=1e-6)
    meta = "SELECT value FROM meta WHERE key IN ('as_of', 'comments_rows', 'comments_used') ORDER BY key"
    assert store_frame(ws_l, "loc", meta).equals(store_frame(ws_s, "loc", meta))
    # the Parquet customer table (profiles.parquet/customers) holds the updated profiles too
    table = pq.read_table(ws_s.model_dir("loc") / "profiles.parquet" / "customers").to_pandas()
    local = store_frame(ws_l, "loc", "SELECT customer_id, n_comments FROM customers ORDER BY customer_id")
    assert list(table["customer_id"]) == list(local["customer_id"])  # one row per customer, by id
    assert (table["n_comments"].to_numpy() == local["n_comments"].to_numpy()).all()
    wide = a.pivot(index="customer_id", columns="topic_id", values="share").fillna(0.0).to_numpy()
    assert np.abs(np.stack(table["shares"].to_numpy()) - wide).max() <= 1e-6


def test_spark_update_cli_refuses_a_store_built_locally(updated):
    from typer.testing import CliRunner

    from textprofile.cli.app import app

    ws_l = updated[0]
    r = CliRunner().invoke(app, ["update", "loc", str(ws_l.root / "gen" / "part_b.csv"), "--backend", "spark",
                                 "--home", str(ws_l.root)])
    assert r.exit_code == 1, r.output
    assert "profile build loc --backend spark" in r.output and "Traceback" not in r.output


def test_update_keeps_the_same_quarantined_rows(updated):
    """Both updates append part B's rejected row to the quarantine (once: the second update's is there)."""
    import csv

    from textprofile.core.artifacts import part_files

    ws_l, ws_s = updated[:2]

    def rows(path):
        out = []
        for part in part_files(path, ".csv"):
            with open(part, encoding="utf-8", newline="") as f:
                out += list(csv.reader(f))[1:]
        return out

    q_l, q_s = ws_l.corpus_dir("loc") / "quarantine.csv", ws_s.corpus_dir("loc") / "quarantine.csv"
    assert q_s.is_dir() and q_l.is_file()
    assert rows(q_s) == rows(q_l) and any(r[0] == "part_b.csv" for r in rows(q_l))


def test_report_from_the_spark_datasets_equals_the_local_one(updated, tmp_path):
    """``report`` reads the Spark corpus (datasets) and its mixtures (profiles.parquet/comment_topics):
    the same pages as the local report of the same corpus."""
    import shutil

    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.report import report

    pages = []
    for i, src in enumerate(updated[:2]):
        ws = Workspace.resolve(shutil.copytree(src.root, tmp_path / f"ws{i}"))
        out = report("loc", ws)
        pages.append((out, (ws.report_dir("loc") / "index.html").read_text(encoding="utf-8"),
                      sorted(p.name for p in (ws.report_dir("loc") / "customers").glob("*.html"))))
    (local, html_l, cards_l), (remote, html_s, cards_s) = pages
    assert remote["linked_customers"] == local["linked_customers"] > 0 and cards_s == cards_l
    assert html_s == html_l


def test_evaluate_on_the_spark_datasets_equals_local(updated):
    """``evaluate`` reads the Spark corpus's datasets: the same figures as on the local corpus."""
    from textprofile.pipeline.evaluate import evaluate

    ws_l, ws_s = updated[:2]
    local, remote = evaluate("loc", ws_l, label_col="product"), evaluate("loc", ws_s, label_col="product")
    assert remote == local
    assert local["labels"]["n"] > 0 and local["n_documents"] > 0  # the mixtures and labels were matched
