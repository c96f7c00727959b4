"""ProfileStore: atomic build (crash and kill mid-build), lookups, suggestions, similar, export."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from textprofile.core.errors import NotFoundError
from textprofile.pipeline.export import export_table
from textprofile.profiles.behaviour import BEHAVIOUR_COLUMNS
from textprofile.store.profile_store import ProfileStore, ProfileTables, store_path, write_store


def make_tables(n: int = 6, k: int = 3, seed: int = 0, tag: str = "v1") -> ProfileTables:
    rng = np.random.default_rng(seed)
    ids = [f"cust{i:03d}" for i in range(n)]
    cust = pd.DataFrame({"customer_id": ids})
    for col, typ in BEHAVIOUR_COLUMNS.items():
        if typ == "BIGINT":
            cust[col] = np.arange(1, n + 1, dtype=np.int64)
        elif typ == "DOUBLE":
            cust[col] = rng.random(n)
        elif typ == "TIMESTAMP":
            cust[col] = pd.Timestamp("2024-05-01 12:30:00") + pd.to_timedelta(np.arange(n), unit="D")
        else:
            cust[col] = "zh"
    cust["rating_mean"] = np.nan  # no ratings: null, not NaN, in the card
    cust["segment"] = np.arange(n) % 2
    shares = rng.dirichlet(np.ones(k), n)
    shares[0] = [0.7, 0.2, 0.1][:k] if k == 3 else shares[0]
    shares[1] = [0.68, 0.22, 0.1][:k] if k == 3 else shares[1]  # nearest neighbour of cust000
    keywords = [[(f"{tag}词{i}", 0.9), ("电池", 0.5)] for i in range(n)]
    segments = pd.DataFrame({
        "segment_id": [0, 1], "size": [(n + 1) // 2, n // 2], "description": ["seg zero", "seg one"],
        "top_topics": ["[]", "[]"], "behaviour": ["{}", "{}"],
    })
    topics = pd.DataFrame({"topic_id": np.arange(k, dtype=np.int32), "label": [f"label {t}" for t in range(k)],
                           "share": np.full(k, 1 / k)})
    return ProfileTables(cust, shares, list(range(k)), keywords, segments, topics,
                         keyword_vectors=keyword_matrix(keywords), neighbour_weight=0.15)


def keyword_matrix(keywords):
    """Unit keyword vectors (CSR) from per-customer [(term, weight)] lists, vocabulary sorted."""
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    vocab = sorted({t for kw in keywords for t, _ in kw})
    pos = {t: i for i, t in enumerate(vocab)}
    rows = [i for i, kw in enumerate(keywords) for _ in kw]
    cols = [pos[t] for kw in keywords for t, _ in kw]
    vals = [w for kw in keywords for _, w in kw]
    return normalize(sp.csr_matrix((vals, (rows, cols)), shape=(len(keywords), len(vocab))))


@pytest.fixture()
def built(workspace):
    path = store_path(workspace.model_dir("m"))
    tables = make_tables()
    write_store(path, tables, {"model": "m"})
    return workspace, path, tables


def test_get_returns_the_card(built):
    ws, _, _ = built
    with ProfileStore.open(ws, "m") as store:
        card = store.get("cust000")
        assert store.count() == 6
    assert card["customer_id"] == "cust000" and card["model"] == "m"
    assert [i["topic_id"] for i in card["interests"]] == [0, 1, 2]  # ranked by share
    assert [i["share"] for i in card["interests"]] == pytest.approx([0.7, 0.2, 0.1])
    assert card["interests"][0]["label"] == "label 0"
    assert card["keywords"] == [{"term": "v1词0", "score": 0.9}, {"term": "电池", "score": 0.5}]
    assert card["segment"] == {"segment_id": 0, "description": "seg zero"}
    b = card["behaviour"]
    assert list(b) == list(BEHAVIOUR_COLUMNS)
    assert b["n_comments"] == 1 and b["first_seen"] == "2024-05-01T12:30:00Z"
    assert b["rating_mean"] is None
    json.dumps(card, allow_nan=False)  # strict JSON


def test_unknown_id_suggests_close_ids(built):
    ws, _, _ = built
    with ProfileStore.open(ws, "m") as store:
        assert store.get("nobody") is None
        assert store.get("cust000'; DROP TABLE cards; --") is None  # quoted, not executed
        assert store.suggest("cust00") == ["cust000", "cust001", "cust002"]
        with pytest.raises(NotFoundError, match=r"customer 'cust0x1' not found in model 'm'; did you mean: cust001"):
            store.require("cust0x1")
        with pytest.raises(NotFoundError, match="not found"):
            store.similar("zzzzzzzzzzzz", 3)
        assert store.count() == 6


def test_missing_store_names_the_fix(workspace):
    with pytest.raises(NotFoundError, match="textprofile profile build m"):
        ProfileStore.open(workspace, "m")


def test_similar_by_topics_is_bhattacharyya_nearest_first(built):
    ws, _, tables = built
    with ProfileStore.open(ws, "m") as store:
        sim = store.similar("cust000", 3, by="topics")
    assert sim[0]["customer_id"] == "cust001"
    assert len(sim) == 3 and "cust000" not in [s["customer_id"] for s in sim]
    p = tables.shares[0]
    for s in sim:
        q = tables.shares[int(s["customer_id"][-3:])]
        assert s["score"] == pytest.approx(np.sqrt(p * q).sum(), abs=1e-6)
    assert [s["score"] for s in sim] == sorted((s["score"] for s in sim), reverse=True)


def test_failure_mid_build_keeps_previous_store(built):
    ws, path, _ = built
    before = path.read_bytes()

    def boom(stage):
        if stage == "keywords":
            raise KeyboardInterrupt  # Ctrl-C in the middle of writing tables

    with pytest.raises(KeyboardInterrupt):
        write_store(path, make_tables(tag="v2"), {"model": "m"}, checkpoint=boom)
    assert path.read_bytes() == before
    with ProfileStore(path) as store:  # no temporary left behind; the old store's index stays
        index = f"profiles.neighbours-{store.meta['neighbours']}"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, index]
    with ProfileStore.open(ws, "m") as store:
        assert store.get("cust000")["keywords"][0]["term"] == "v1词0"


_KILL_SCRIPT = """
import sys, time
sys.path.insert(0, {tests!r})
from test_profile_store import make_tables
from textprofile.store.build import write_store
def stall(stage):
    if stage == "interests":
        print("mid-build", flush=True)
        time.sleep(60)
write_store({path!r}, make_tables(tag="v2"), {{"model": "m"}}, checkpoint=stall)
"""


def test_killed_build_keeps_previous_store(built):
    ws, path, _ = built
    before = path.read_bytes()
    code = _KILL_SCRIPT.format(tests=str(Path(__file__).resolve().parent), path=str(path))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "mid-build"
        building = [p for p in path.parent.iterdir() if p.name.endswith(".building")]
        assert building, "the build should be writing a temporary file"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert path.read_bytes() == before
    with ProfileStore.open(ws, "m") as store:
        assert store.get("cust003")["keywords"][0]["term"] == "v1词3"
    # the next build succeeds and replaces it (stale temporaries of dead builds do not block it)
    write_store(path, make_tables(tag="v3"), {"model": "m"})
    with ProfileStore.open(ws, "m") as store:
        assert store.get("cust003")["keywords"][0]["term"] == "v3词3"


def test_lookups_while_another_reader_is_open(built):
    ws, _, _ = built
    a = ProfileStore.open(ws, "m")
    b = ProfileStore.open(ws, "m")
    try:
        assert a.get("cust002") == b.get("cust002")
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_export_profiles_wide_and_deterministic(built, tmp_path, fmt):
    ws, _, tables = built
    out = tmp_path / f"p.{fmt}"
    result = export_table(ws, "m", "profiles", fmt, out)
    assert result["rows"] == 6
    df = {"csv": pd.read_csv, "parquet": pd.read_parquet, "jsonl": lambda p: pd.read_json(p, lines=True)}[fmt](out)
    assert list(df.columns) == ["customer_id", *BEHAVIOUR_COLUMNS, "segment", "topic_0", "topic_1", "topic_2"]
    assert np.allclose(df[["topic_0", "topic_1", "topic_2"]].sum(axis=1), 1.0)
    assert np.allclose(df[["topic_0", "topic_1", "topic_2"]].to_numpy(), tables.shares)
    first = out.read_bytes()
    time.sleep(0.01)
    export_table(ws, "m", "profiles", fmt, out)
    if fmt != "parquet":  # parquet embeds a writer version only; compare content instead
        assert out.read_bytes() == first
    else:
        assert pd.read_parquet(out).equals(df)


def _table_digests(path: Path) -> dict[str, tuple]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*), md5(string_agg(hash(x)::VARCHAR, ',' ORDER BY rowid)) FROM {t} x").fetchone()
                for t in ("customers", "interests", "keywords", "cards", "segments", "topics", "scores", "meta")}
    finally:
        con.close()


@pytest.mark.parametrize("keyword_table", [False, True])
def test_store_built_in_chunks_holds_the_same_rows_in_the_same_order(workspace, monkeypatch, keyword_table):
    """Large stores are written CHUNK_CUSTOMERS customers at a time; any chunking gives the same tables."""
    from textprofile.profiles.keyword_table import KeywordTable
    from textprofile.store import build

    tables = make_tables(n=7)
    if keyword_table:  # the bucketed build's keywords, as three arrays
        terms = sorted({t for kw in tables.keywords for t, _ in kw})
        tables.keywords = KeywordTable.from_lists(tables.keywords, terms)
    ids = list(tables.customers["customer_id"])  # two saved scores, rows not in customer order
    tables.scores = pd.DataFrame({"customer_id": ids[::-1] + ids, "score": ["b"] * 7 + ["a"] * 7,
                                  "value": np.linspace(0, 1, 14), "reasons": ["[]"] * 14})
    whole = write_store(store_path(workspace.model_dir("whole")), tables, {"model": "m"})
    monkeypatch.setattr(build, "CHUNK_CUSTOMERS", 3)  # chunks of 3, 3 and 1 customers
    chunked = write_store(store_path(workspace.model_dir("chunked")), tables, {"model": "m"})
    assert _table_digests(chunked) == _table_digests(whole)
    assert _table_digests(whole)["interests"][0] == 7 * 3 and _table_digests(whole)["scores"][0] == 14
    with ProfileStore(chunked) as store:
        assert store.get("cust006")["keywords"][0]["term"] == "v1词6"


def test_square_roots_of_the_shares_by_parts_are_the_float32_of_the_float64_ones():
    from textprofile.store.build import sqrt_shares

    shares = np.random.default_rng(2).dirichlet(np.ones(7), size=1_001)
    shares[3, 0] = -1e-17  # a rounding error below zero: clipped
    want = np.sqrt(np.clip(shares, 0.0, None)).astype(np.float32)
    for rows in (1, 64, 10_000):
        got = sqrt_shares(shares, rows)
        assert got.dtype == np.float32 and got.tobytes() == want.tobytes()
