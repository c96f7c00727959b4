"""``textprofile run --backend spark``: load, fit and profile build on Spark from the command line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from textprofile.cli.app import app


def test_run_on_spark_cli_json(loaded, run_fit):
    """The session's ``run --backend spark --json`` (conftest ``loaded``): one JSON object, a store that serves."""
    import duckdb

    ws, _, local_load, _, out = loaded
    assert out["backend"] == "spark" and "report_skipped" not in out
    assert (ws.report_dir("spk") / "index.html").is_file() and out["report"]["linked_customers"] > 0
    assert out["load"]["counts"] == local_load["counts"]
    assert out["fit"]["backend"] == "spark" and out["fit"]["k"] == run_fit["topics"]
    prof = out["profiles"]
    assert prof["backend"] == "spark" and prof["customers"] == local_load["customers"]
    con = duckdb.connect(str(ws.model_dir("spk") / "profiles.duckdb"), read_only=True)
    try:
        lo, hi = con.execute("SELECT min(s), max(s) FROM (SELECT sum(share) s FROM interests GROUP BY customer_id)").fetchone()
        cid = con.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1").fetchone()[0]
    finally:
        con.close()
    assert abs(lo - 1) < 1e-9 and abs(hi - 1) < 1e-9
    # profile show reads the store the Spark build wrote
    show = CliRunner().invoke(app, ["profile", "show", cid, "--model", "spk", "--home", str(ws.root), "--json"])
    assert show.exit_code == 0, show.output
    assert json.loads(show.stdout)["customer_id"] == cid


def test_export_reads_the_spark_corpus_and_store(loaded, tmp_path):
    """``export`` on the Spark-built workspace: comments (datasets) and profiles."""
    import pyarrow.parquet as pq

    from textprofile.pipeline.export import export_table

    ws = loaded[0]
    out = export_table(ws, "spk", "comments", "parquet", tmp_path / "c.parquet")
    kept = loaded[2]["counts"]["kept"]
    assert out["rows"] == kept
    table = pq.read_table(tmp_path / "c.parquet")
    assert table.num_rows == kept and "topic_0" in table.column_names
    assert table.column("topic_0").null_count < kept  # every comment's mixture from profile build
    prof = export_table(ws, "spk", "profiles", "csv", tmp_path / "p.csv")
    assert prof["rows"] == loaded[2]["customers"]
