"""Contact handles never reach an output: load + fit + profile build + report + export, defaults.

An export of demo comments with 240 contact-detail lines planted (in the text, in an unmapped
column that becomes ``meta``, and in rows that are quarantined) goes through the whole pipeline;
then every file under corpora/, models/, reports/ and every export is scanned — raw bytes
(engine files included), decoded Parquet and DuckDB contents, and HTML/JSON text unescaped —
for every handle. Ordinary numbers planted the same way all survive into comments.parquet.
"""

from __future__ import annotations

import csv

import pytest
from pii_corpus import contact_lines, leaks, ordinary_lines


@pytest.fixture(scope="module")
def pipeline_ws(tmp_path_factory):
    from textprofile.core.config import FitConfig, LoadConfig, ProfileConfig
    from textprofile.core.workspace import Workspace
    from textprofile.demo_corpus import generate_demo_corpus
    from textprofile.pipeline.export import export_table
    from textprofile.pipeline.fit import fit
    from textprofile.pipeline.load import load
    from textprofile.pipeline.profile import build_profiles
    from textprofile.pipeline.report import report

    root = tmp_path_factory.mktemp("pii_ws")
    ws = Workspace.resolve(root / "ws")
    demo = generate_demo_corpus(root / "gen", seed=0, n_customers=120)["comments"]
    with open(demo, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    contacts = contact_lines(240)
    ordinary = ordinary_lines(220)
    needles = [n for _, ns in contacts for n in ns]
    header = [*rows[0].keys(), "note"]
    out_rows = []
    for i, r in enumerate(rows):
        r = dict(r, note="")
        if i < len(contacts):
            line = contacts[i][0]
            r["text"] = f"{r['text']} {line}" if i % 3 else line  # a whole comment, or appended
            if i % 7 == 0:
                r["note"] = contacts[(i * 11) % len(contacts)][0]  # unmapped column -> meta
        elif i - len(contacts) < len(ordinary):
            r["text"] = f"{r['text']} {ordinary[i - len(contacts)]}"
        out_rows.append(r)
    # quarantined rows (bad time) that carry contact details
    for j in range(12):
        out_rows.append({**rows[j], "text": contacts[j * 5][0], "time": "not a time", "note": ""})
    export = root / "export.csv"
    with open(export, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(out_rows)
    load([export], "pii", LoadConfig(), ws)
    fit("pii", FitConfig(), ws)
    build_profiles("pii", ProfileConfig(), ws)
    report("pii", ws)
    exports = root / "exports"
    exports.mkdir()
    for table in ("profiles", "comments", "topics"):
        for fmt in ("csv", "parquet", "jsonl"):
            export_table(ws, "pii", table, fmt, exports / f"{table}.{fmt}")
    return ws, root, needles, ordinary


def test_no_handle_in_any_output_file(pipeline_ws):
    ws, root, needles, _ = pipeline_ws
    assert len(needles) >= 240
    scanned = [ws.root / "corpora", ws.root / "models", ws.root / "reports", root / "exports"]
    files = [p for d in scanned for p in d.rglob("*") if p.is_file()]
    assert any(p.name == "tomotopy.bin" for p in files) and any(p.suffix == ".duckdb" for p in files)
    assert any(p.name == "quarantine.csv" for p in files) and any(p.suffix == ".html" for p in files)
    assert leaks(scanned, needles) == {}


def test_the_scan_finds_a_handle_that_is_there(pipeline_ws, tmp_path):
    # the scan itself can fail: a handle in a zstd Parquet file and in a DuckDB file is found
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"t": ["x wxid_planted99 y"] * 50}), tmp_path / "a.parquet", compression="zstd")
    con = duckdb.connect(str(tmp_path / "b.duckdb"))
    con.execute("CREATE TABLE t AS SELECT 'QQ 8877665544' AS s FROM range(5000)")
    con.close()
    assert set(leaks(tmp_path, ["wxid_planted99", "QQ 8877665544"])) == {"wxid_planted99", "QQ 8877665544"}


def test_ordinary_numbers_survive_the_pipeline(pipeline_ws):
    import pyarrow.parquet as pq

    ws, _, _, ordinary = pipeline_ws
    from textprofile.ingest.clean import clean_text

    texts = "\n".join(pq.read_table(ws.corpus_dir("pii") / "comments.parquet").column("text").to_pylist())
    assert [line for line in ordinary if clean_text(line) not in texts] == []


def test_quarantined_rows_are_scrubbed(pipeline_ws):
    ws, _, _, _ = pipeline_ws
    with open(ws.corpus_dir("pii") / "quarantine.csv", encoding="utf-8", newline="") as f:
        q = [r for r in csv.DictReader(f) if r["reason"].startswith("unparseable time")]
    assert len(q) == 12
    assert all("<" in r["text"] and ">" in r["text"] for r in q), q
