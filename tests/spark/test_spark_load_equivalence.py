"""``load --backend spark`` gives the local loader's corpus: rows, tokens, quarantine and counts."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest

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


def test_an_export_on_another_hadoop_file_system_loads_the_same(loaded, spark):
    """A ``file://`` export is only listed (its task streams it from the path, so no file is held
    whole); one on another Hadoop file system arrives as its bytes. ``viewfs://`` here: Hadoop's
    mount-table file system, its ``/exports`` mounted on the folder of the session's exports."""
    from textprofile.core.artifacts import sha256_file
    from textprofile.core.config import LoadConfig
    from textprofile.pipeline import spark as on_spark
    from textprofile.spark.datasets import uri
    from textprofile.spark.ingest import scan_export

    ws, exports, local, _, _ = loaded
    assert scan_export(spark, uri(exports[0])).first()["content"] is None
    key = "fs.viewfs.mounttable.tpexports.link./exports"
    spark.conf.set(key, exports[0].parent.as_uri())
    try:
        urls = [f"viewfs://tpexports/exports/{p.name}" for p in exports]
        assert bytes(scan_export(spark, urls[0]).first()["content"]) == exports[0].read_bytes()
        remote = on_spark.load(urls, "vfs", LoadConfig(), ws)
    finally:
        spark.conf.unset(key)
    assert remote["sources"] == _json(local)["sources"] and remote["counts"] == _json(local)["counts"]
    manifest = json.loads((ws.corpus_dir("vfs") / "manifest.json").read_text(encoding="utf-8"))
    assert [s["file"] for s in manifest["sources"]] == urls
    assert [s["sha256"] for s in manifest["sources"]] == [sha256_file(p) for p in exports]
    for name in ("comments.parquet", "tokens.parquet"):
        assert (pq.read_table(ws.corpus_dir("vfs") / name).to_pylist()
                == pq.read_table(ws.corpus_dir("loc") / name).to_pylist()), name


def test_a_large_json_lines_export_read_in_parts_loads_the_same(loaded, spark):
    """Above ``spark.sql.files.maxPartitionBytes`` a JSON Lines export is read by one task per part
    (whole lines, cut on the driver): the rows, their numbers, the quarantine, the column mapping,
    each row's meta and the counts are the local loader's, which reads the file in one stream."""
    from textprofile.core.config import LoadConfig
    from textprofile.pipeline import spark as on_spark
    from textprofile.pipeline.load import load
    from textprofile.spark.ingest import plan_exports

    ws, exports, _, _, _ = loaded
    with open(exports[0], encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    lines = []
    for i, r in enumerate(rows):
        rec = dict(zip(header, r, strict=True))
        if i == len(rows) - 3:
            rec["late_key"] = "only here"  # in the first chunk, in the last part: every part's mapping knows it
        lines.append(json.dumps(rec, ensure_ascii=False) + ("\r\n" if i % 2 else "\n"))
        if i % 17 == 3:
            lines.append("\n" if i % 2 else '{"customer_id": "C1", "text": \n')  # a blank line, a bad one
    path = exports[0].parent / "big.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "".join(lines).encode("utf-8"))
    # not tokenized (tokens follow from the comments: the tests above)
    local = _json(load([path], "jl_loc", LoadConfig(), ws, tokenize_config=None))
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        parts = plan_exports(spark, [str(path)], LoadConfig(), None)[0]
        with pytest.MonkeyPatch.context() as mp:  # a large CSV is not read here: its task checks it
            mp.setattr("textprofile.ingest.sniff.inspect", lambda *a, **k: pytest.fail("inspected a CSV"))
            assert exports[0].stat().st_size > 4096
            assert plan_exports(spark, [str(exports[0])], LoadConfig(), None) == [None]
        remote = on_spark.load([path], "jl_spk", LoadConfig(), ws, tokenize_config=None)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert parts is not None and len(parts) >= 5
    assert remote["sources"] == local["sources"] and remote["counts"] == local["counts"]
    assert local["counts"]["quarantined"] >= 3
    want = pq.read_table(ws.corpus_dir("jl_loc") / "comments.parquet").to_pylist()
    assert pq.read_table(ws.corpus_dir("jl_spk") / "comments.parquet").to_pylist() == want
    metas = pq.read_table(ws.corpus_dir("jl_spk") / "comments.parquet", columns=["meta"]).column(0).to_pylist()
    assert sum("late_key" in m for m in metas) == 1
    manifests = [json.loads((ws.corpus_dir(n) / "manifest.json").read_text(encoding="utf-8")) for n in ("jl_loc", "jl_spk")]
    assert [s["sha256"] for s in manifests[0]["sources"]] == [s["sha256"] for s in manifests[1]["sources"]]
    with open(ws.corpus_dir("jl_loc") / "quarantine.csv", encoding="utf-8", newline="") as f:
        want = list(csv.reader(f))
    got = [want[0]]
    for part in sorted((ws.corpus_dir("jl_spk") / "quarantine.csv").glob("part-*.csv")):
        with open(part, encoding="utf-8", newline="") as f:
            got.extend(list(csv.reader(f))[1:])
    assert got == want
