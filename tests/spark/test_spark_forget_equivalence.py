"""``forget`` on a workspace written by ``--backend spark`` erases what the local ``forget`` erases.

Copies of the ``updated`` workspaces (corpus 'loc': local files on one side; on the other Parquet
datasets, an older file and the Spark update's part files) forget the same customers: the two
customers with a quarantined row (one in the first load, one in the update), and an unknown id.
Same counts, same rows left, nothing of theirs in any part, and Spark still reads the rewritten
datasets (their stale Hadoop checksums are gone). And in a copy of the session's first workspace,
the first of them is forgotten from 'spk' (all of it written by ``run --backend spark``, its
quarantine a CSV dataset too) and from 'loc' (the same exports, loaded locally).
"""

from __future__ import annotations

import csv
import shutil

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from profile_corpus import store_frame

_CACHE: dict = {}
SAME = ("comments", "tokens", "quarantine", "customers", "interests", "keywords")


def _ids(gen) -> list[str]:
    """The customers of the planted bad-time rows: extra.csv's 4th row, part_b.csv's last row."""
    with open(gen / "extra.csv", encoding="utf-8", newline="") as f:
        first = list(csv.reader(f))[4][0]
    with open(gen / "part_b.csv", encoding="utf-8", newline="") as f:
        later = list(csv.reader(f))[-1][0]
    return [first, later]


@pytest.fixture(scope="module")
def forgotten(updated, tmp_path_factory):
    """(local ws, Spark ws, local result, Spark result, erased ids) after forgetting on copies."""
    if "done" not in _CACHE:
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline.forget import forget

        spaces = []
        for i, src in enumerate(updated[:2]):
            dst = tmp_path_factory.mktemp(f"spark_ws_forget{i}") / "ws"
            shutil.copytree(src.root, dst)
            spaces.append(Workspace.resolve(dst))
        ids = _ids(spaces[1].root / "gen")
        local = forget("loc", [*ids, "NOPE-404"], spaces[0])
        remote = forget("loc", [*ids, "NOPE-404"], spaces[1])
        _CACHE["done"] = (*spaces, local, remote, ids)
    return _CACHE["done"]


@pytest.fixture(scope="module")
def forgotten_run(loaded, profiled, tmp_path_factory):
    """(workspace, forget of 'loc', forget of 'spk', the id) in a copy of the session's first workspace
    (after ``profiled`` fitted and built 'loc' in it: both names have a store)."""
    if "run" not in _CACHE:
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline.forget import forget

        dst = tmp_path_factory.mktemp("spark_ws_forget_run") / "ws"
        shutil.copytree(loaded[0].root, dst)
        ws = Workspace.resolve(dst)
        first = _ids(ws.root / "gen")[0]
        _CACHE["run"] = (ws, forget("loc", [first], ws), forget("spk", [first], ws), first)
    return _CACHE["run"]


def test_forget_counts_equal_local(forgotten):
    _, ws_s, local, remote, _ = forgotten
    assert (ws_s.corpus_dir("loc") / "comments.parquet").is_dir()
    assert remote["erased"] == local["erased"] == 2 and remote["unknown"] == local["unknown"] == ["NOPE-404"]
    assert {k: remote["removed"][k] for k in SAME} == {k: local["removed"][k] for k in SAME}
    assert remote["removed"]["comments"] > 0 and remote["removed"]["quarantine"] >= 1
    # every comment's mixture of the Spark build, and its customer rows, went too
    assert remote["removed"]["profiles_comment_topics"] == local["removed"]["doc_topics"] > 0
    assert remote["removed"]["profiles_customers"] == 2
    assert remote["model_stale"] is False and remote["still_mentioned_in"] == []


def test_forget_leaves_the_same_rows(forgotten):
    ws_l, ws_s, _, _, ids = forgotten
    for name in ("comments.parquet", "tokens.parquet"):
        a = pq.read_table(ws_l.corpus_dir("loc") / name)
        b = pq.read_table(ws_s.corpus_dir("loc") / name)
        assert a.to_pylist() == b.to_pylist(), name
    for d in (ws_s.corpus_dir("loc") / "comments.parquet", ws_s.model_dir("loc") / "profiles.parquet" / "customers"):
        left = pq.read_table(d, columns=["customer_id"]).column("customer_id")
        assert not pc.any(pc.is_in(left, value_set=pa.array(ids, pa.string()))).as_py(), d
    sql = "SELECT customer_id FROM customers ORDER BY customer_id"
    assert list(store_frame(ws_l, "loc", sql)["customer_id"]) == list(store_frame(ws_s, "loc", sql)["customer_id"])


def test_forget_a_spark_run_quarantine_dataset_too(forgotten_run, spark):
    from textprofile.spark.datasets import uri

    ws, local, remote, first = forgotten_run
    quarantine = ws.corpus_dir("spk") / "quarantine.csv"
    assert quarantine.is_dir() and (ws.corpus_dir("spk") / "tokens.parquet").is_dir()
    assert {k: remote["removed"][k] for k in SAME} == {k: local["removed"][k] for k in SAME}
    assert remote["removed"]["quarantine"] == 1 and remote["still_mentioned_in"] == []
    parts = sorted(quarantine.glob("*.csv"))
    assert parts and all(first not in p.read_text(encoding="utf-8") for p in parts)
    left = 0
    for p in parts:
        with p.open(encoding="utf-8", newline="") as f:
            left += sum(1 for _ in csv.DictReader(f))
    # Spark still reads the rewritten part (a stale Hadoop checksum beside it would fail this)
    assert spark.read.option("header", "true").option("escape", '"').csv(uri(quarantine)).count() == left
    from textprofile.core.artifacts import read_manifest

    assert read_manifest(ws.corpus_dir("spk"))["counts"]["quarantined"] == left


def test_forget_keeps_datasets_readable_and_checksummed(forgotten, spark):
    from textprofile.core.artifacts import checksums, read_manifest
    from textprofile.spark.datasets import uri
    from textprofile.topics.fitted import load_model

    ws_l, ws_s, _, _, _ = forgotten
    corpus = ws_s.corpus_dir("loc")
    for name in ("comments.parquet", "tokens.parquet"):
        assert spark.read.parquet(uri(corpus / name)).count() == pq.read_table(corpus / name).num_rows
    mixtures = ws_s.model_dir("loc") / "profiles.parquet" / "comment_topics"  # the modelled comments'
    local_mixtures = pq.read_table(ws_l.model_dir("loc") / "doc_topics.parquet").num_rows
    assert spark.read.parquet(uri(mixtures)).count() == pq.read_table(mixtures).num_rows == local_mixtures
    assert read_manifest(corpus)["files"] == checksums(corpus)
    load_model(ws_s, "loc").check_corpus(corpus, "loc")  # the model still pairs with the corpus


def test_forget_again_is_refused_with_one_line(forgotten):
    from typer.testing import CliRunner

    from textprofile.cli.app import app

    _, ws_s, _, _, ids = forgotten
    r = CliRunner().invoke(app, ["forget", "loc", *ids, "--home", str(ws_s.root)])
    assert r.exit_code == 1
    assert "already erased" in r.output and len(r.output.strip().splitlines()) == 1


def test_update_after_forget_skips_them_as_locally(forgotten):
    """Part B again: its rows of the erased customer are skipped and counted, not re-added."""
    from textprofile.pipeline import spark as on_spark
    from textprofile.pipeline.update import update

    ws_l, ws_s, _, _, _ = forgotten
    later = ws_s.root / "gen" / "part_b.csv"
    local = update("loc", [ws_l.root / "gen" / "part_b.csv"], ws_l)
    remote = on_spark.update("loc", [later], ws_s)
    keys = ("comments_added", "duplicates", "quarantined", "erased_skipped", "customers")
    assert {k: remote[k] for k in keys} == {k: local[k] for k in keys}
    assert remote["erased_skipped"] > 0 and remote["comments_added"] == 0


def test_load_after_forget_skips_them_as_locally(forgotten_run):
    """Re-loading the exports into the erased corpora: their rows stay out, counted under erased."""
    from textprofile.core.config import LoadConfig
    from textprofile.pipeline import spark as on_spark
    from textprofile.pipeline.load import load

    ws, _, _, first = forgotten_run
    exports = [ws.root / "gen" / "part_a.csv", ws.root / "gen" / "extra.csv"]
    local = load(exports, "loc", LoadConfig(), ws)
    remote = on_spark.load(exports, "spk", LoadConfig(), ws)
    assert remote["counts"] == local["counts"] and remote["counts"]["erased"] > 0
    c = remote["counts"]
    assert c["read"] == c["kept"] + c["duplicates"] + c["quarantined"] + c["erased"]
    left = pq.read_table(ws.corpus_dir("spk") / "comments.parquet", columns=["customer_id"]).column("customer_id")
    assert first not in set(left.to_pylist())
    assert (ws.corpus_dir("spk") / "erased.json").is_file()
