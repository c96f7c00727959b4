"""``forget`` on a corpus without a model: pseudonymized ids, quarantine matching, bad requests."""

from __future__ import annotations

import csv
import json

import pytest

from textprofile.core.config import LoadConfig
from textprofile.core.errors import ConfigError, NotFoundError
from textprofile.pipeline.forget import forget, read_ids_file
from textprofile.pipeline.load import load


def _export(tmp_path):
    path = tmp_path / "e.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user_id", "text", "date"])
        w.writerow(["alice01", "电池很耐用 secret-alice-1", "2024-01-01"])
        w.writerow(["alice01", "屏幕坏了 secret-alice-2", "not a date"])
        w.writerow(["bob0002", "送货很快 bob text", "2024-01-02"])
        f.write("alice01,拆开就坏 secret-alice-3,2024-01-03,EXTRA\n")
    return path


def _texts(ws, name):
    import pyarrow.parquet as pq

    return pq.read_table(ws.corpus_dir(name) / "comments.parquet").column("text").to_pylist()


def test_pseudonymized_corpus_forgets_by_clear_id_and_reload_skips(tmp_path, workspace, monkeypatch):
    monkeypatch.setenv("TEXTPROFILE_PSEUDONYM_KEY", "k3y")
    export = _export(tmp_path)
    load([export], "p", LoadConfig(pseudonymize=True), workspace)
    # no clear id stored anywhere: the unparsable record's raw text (which holds it) is withheld
    q = (workspace.corpus_dir("p") / "quarantine.csv").read_text(encoding="utf-8")
    assert "alice01" not in q and "(raw record not kept: --pseudonymize)" in q
    result = forget("p", ["alice01"], workspace)
    assert result["erased"] == 1 and result["removed"]["comments"] == 1
    assert result["removed"]["quarantine"] == 1  # the bad date (by id)
    assert result["removed"]["tokens"] == 1
    assert all("secret-alice" not in t for t in _texts(workspace, "p"))
    q = (workspace.corpus_dir("p") / "quarantine.csv").read_text(encoding="utf-8")
    assert "secret-alice" not in q and "alice01" not in q
    again = load([export], "p", LoadConfig(pseudonymize=True), workspace)
    assert again["counts"]["erased"] == 2 and again["counts"]["kept"] == 1 and again["counts"]["quarantined"] == 1
    assert all("secret-alice" not in t for t in _texts(workspace, "p"))
    assert "secret-alice" not in (workspace.corpus_dir("p") / "quarantine.csv").read_text(encoding="utf-8")
    # the erasure list survived the re-load, checksummed with the corpus
    m = json.loads((workspace.corpus_dir("p") / "manifest.json").read_text(encoding="utf-8"))
    assert "erased.json" in m["files"]
    with pytest.raises(NotFoundError, match="already erased"):
        forget("p", ["alice01"], workspace)


def test_bad_requests_are_one_line_errors(tmp_path, workspace):
    load([_export(tmp_path)], "c", LoadConfig(), workspace, tokenize_config=None)
    with pytest.raises(ConfigError, match="no customer ids given"):
        forget("c", ["", "  "], workspace)
    with pytest.raises(NotFoundError, match="none of the 2 id"):
        forget("c", ["nobody", "ghost"], workspace)
    with pytest.raises(NotFoundError, match="not found"):
        forget("missing", ["alice01"], workspace)
    ids = tmp_path / "ids.txt"
    ids.write_text("\ufeffbob0002\n\n  alice01  \n", encoding="utf-8")
    assert read_ids_file(ids) == ["bob0002", "alice01"]
    assert not (workspace.corpus_dir("c") / "erased.json").exists()  # nothing written by a refusal
