"""``load --backend spark`` gives the local loader's corpus: rows, tokens, quarantine and counts."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq

DROP = ("name", "corpus_dir", "tokenize", "seconds", "backend")


def _json(d: dict) -> dict:
    return json.loads(json.dumps(d))  # the Spark side is ``run --json``'s output


def test_counts_sources_and_summary_equal(loaded):
    _, _, local, remote, _ = loaded
    local = _json(local)
    assert remote["backend"] == "spark"
    c = remote["counts"]
    assert c["read"] == c["kept"] + c["duplicates"] + c["quarantined"]
    assert c["duplicates"] >= 3 and c["quarantined"] >= 2  # the second file's planted rows
    assert {k: v for k, v in remote.items() if k not in DROP} == {k: v for k, v in local.items() if k not in DROP}


def test_comments_and_tokens_byte_identical(loaded):
    ws = loaded[0]
    for name in ("comments.parquet", "tokens.parquet"):
        a = pq.read_table(ws.corpus_dir("loc") / name)
        b = pq.read_table(ws.corpus_dir("spk") / name)  # a directory of part files
        assert (ws.corpus_dir("spk") / name).is_dir()
        assert a.schema.equals(b.schema), name
        assert a.num_rows == b.num_rows
        assert a.to_pylist() == b.to_pylist(), name  # same rows, same order, same tokens
    assert "<WECHAT>" in str(pq.read_table(ws.corpus_dir("spk") / "comments.parquet").column("text").to_pylist())


def test_tokenize_record_matches(loaded):
    _, _, local, remote, _ = loaded
    local = _json(local)
    keys = ("config", "config_hash", "cache_key", "rows", "tokens", "empty", "langs", "languages")
    assert {k: remote["tokenize"][k] for k in keys} == {k: local["tokenize"][k] for k in keys}


def test_quarantine_rows_equal(loaded):
    ws = loaded[0]
    with open(ws.corpus_dir("loc") / "quarantine.csv", encoding="utf-8", newline="") as f:
        local = list(csv.reader(f))
    remote = [local[0]]
    for part in sorted((ws.corpus_dir("spk") / "quarantine.csv").glob("part-*.csv")):
        with open(part, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == local[0]
        remote.extend(rows[1:])
    assert remote == local


def test_tokenize_stage_on_a_dataset_is_cached_and_cli_json_equals_library(loaded):
    """``tokenize --backend spark`` reads the Spark corpus; unchanged, it reuses it (CLI = library)."""
    from typer.testing import CliRunner

    from textprofile.cli.app import app
    from textprofile.pipeline import spark as on_spark

    ws = loaded[0]
    lib = on_spark.tokenize("spk", ws=ws)
    assert lib["cached"] is True
    r = CliRunner().invoke(app, ["tokenize", "spk", "--backend", "spark", "--home", str(ws.root), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == json.loads(json.dumps(lib))
