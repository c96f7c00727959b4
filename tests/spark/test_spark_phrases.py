"""``--phrases`` on Spark gives the local backend's phrases: tokens, phrases.json, the manifest record, update.

A small English/mixed export (written here) with repeated pairs (battery life, customer service),
loaded with phrases on locally and by ``run --backend spark --phrases`` (CLI), then both updated
with a few new comments.
"""

from __future__ import annotations

import csv
import itertools
import json
import random

import pyarrow.parquet as pq
import pytest

from textprofile.core.config import TokenizeConfig

# made-up filler words, so the vocabulary is large enough for gensim's default score to pass 2
_FILLER = ["".join(p) for p in itertools.product("bdfgkpvz", "aiu", "lmnrt", "aiu")]
PHRASED = {"phrases": True, "phrase_min_count": 5, "phrase_threshold": 2.0}
FLAGS = ["--phrases", "--phrase-min-count", "5", "--phrase-threshold", "2"]
NEW = ["my battery life is short", "battery life and customer service", "新的 battery life 电池"]


def _texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)

    def f(k: int) -> str:
        return " ".join(rng.choice(_FILLER) for _ in range(k))

    kinds = [lambda: f"The battery life is {f(2)}. {f(2)}", lambda: f"{f(2)} customer service {f(3)}",
             lambda: f"电池续航很好 battery life {f(1)} 客服态度很差", lambda: f"battery 电池 life {f(2)}",
             lambda: f"customer service {f(1)} battery life", lambda: f"{f(3)} #batterylife mp3 player"]
    return [kinds[i % len(kinds)]() for i in range(n)]


def _export(path, texts, first: int = 0):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["customer_id", "text", "time"])
        for i, t in enumerate(texts, start=first):
            w.writerow([f"c{i % 30:02d}", t, f"2024-01-{1 + i % 28:02d}T10:00:00"])
    return path


@pytest.fixture(scope="module")
def phrased(spark, tmp_path_factory):
    """(local ws, Spark ws, root): corpus 'p' loaded with phrases locally and by ``load --backend spark`` (CLI)."""
    from typer.testing import CliRunner

    from textprofile.cli.app import app
    from textprofile.core.config import LoadConfig
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.load import load

    root = tmp_path_factory.mktemp("spark_phrases")
    base = _export(root / "base.csv", _texts(300))
    local = Workspace.resolve(root / "local")
    load([base], "p", LoadConfig(), local, tokenize_config=TokenizeConfig(**PHRASED), jobs=1)
    remote = Workspace.resolve(root / "spark")
    r = CliRunner().invoke(app, ["load", str(base), "--name", "p", "--backend", "spark", *FLAGS,
                                 "--home", str(remote.root), "--json"])
    assert r.exit_code == 0, r.output
    return local, remote, root


def _tokens(ws, name: str = "p") -> list[dict]:
    return pq.read_table(ws.corpus_dir(name) / "tokens.parquet").to_pylist()


def _record(ws, name: str = "p") -> dict:
    return json.loads((ws.corpus_dir(name) / "manifest.json").read_text(encoding="utf-8"))["tokenize"]


def test_tokens_table_and_record_equal_the_local_ones(phrased):
    local, remote, _ = phrased
    a, b = _tokens(local), _tokens(remote)
    assert (remote.corpus_dir("p") / "tokens.parquet").is_dir()
    assert a == b  # same comment ids, order and token lists
    flat = [t for row in b for t in row["tokens"]]
    assert "battery_life" in flat and "customer_service" in flat and "电池" in flat
    assert (local.corpus_dir("p") / "phrases.json").read_bytes() == (remote.corpus_dir("p") / "phrases.json").read_bytes()
    ra, rb = _record(local), _record(remote)
    assert rb["phrases"]["joined"] > 0 and rb["phrases"]["learned"] >= 2
    assert {k: v for k, v in rb["phrases"].items() if k != "seconds"} == {k: v for k, v in ra["phrases"].items() if k != "seconds"}
    assert rb["tokens"] == ra["tokens"] and rb["cache_key"] == ra["cache_key"]
    files = json.loads((remote.corpus_dir("p") / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert "phrases.json" in files and not any("unjoined" in f for f in files)


def test_tokenize_stage_on_spark_cached_then_forced_equals_local(phrased, tmp_path):
    """``tokenize --backend spark --phrases``: unchanged, it reuses the corpus; forced, the same tokens and table."""
    import shutil

    from textprofile.core.workspace import Workspace
    from textprofile.pipeline import spark as on_spark

    local, remote0, _ = phrased
    remote = Workspace.resolve(shutil.copytree(remote0.root, tmp_path / "ws"))
    config = TokenizeConfig(**PHRASED)
    assert on_spark.tokenize("p", config, remote)["cached"] is True
    (remote.corpus_dir("p") / "phrases.json").write_text("{}", encoding="utf-8")  # a damaged table is relearned
    forced = on_spark.tokenize("p", config, remote)
    assert forced["cached"] is False and _tokens(remote) == _tokens(local)
    assert (local.corpus_dir("p") / "phrases.json").read_bytes() == (remote.corpus_dir("p") / "phrases.json").read_bytes()
    assert forced["phrases"]["learned"] == _record(local)["phrases"]["learned"]
    assert not any(p.name.startswith(".") for p in remote.corpus_dir("p").iterdir())  # no staging left


def test_counts_past_the_cap_are_cut_at_the_smallest_count_that_fits(phrased, spark):
    from textprofile.spark.phrases import keep_below, learn

    assert keep_below({1: 5, 2: 3, 7: 1}, 9) == 0 and keep_below({1: 5, 2: 3, 7: 1}, 4) == 1
    assert keep_below({1: 5, 2: 3, 7: 1}, 1) == 2 and keep_below({3: 5, 9: 1}, 2) == 3
    local = phrased[0]
    path = local.corpus_dir("p") / "tokens.parquet"
    frozen, counts, r, total = learn(spark, path, TokenizeConfig(**PHRASED), max_vocab_size=50)
    assert total == sum(map(len, pq.read_table(path).column("tokens").to_pylist()))
    assert r >= 1 and set(counts) == set(frozen.phrasegrams) and all(c > r for c in counts.values())


def test_update_tokens_join_the_saved_table_as_locally(phrased, spark):
    """What ``update --backend spark`` writes for new comments: their tokens with the saved table joined
    (broadcast into the tokenize task), as the local update joins them (``pipeline.update._append``)."""
    from textprofile.core.artifacts import read_manifest
    from textprofile.spark.tokens import normalized, tokens_frame
    from textprofile.text.phrases import join_tokens, read_table
    from textprofile.text.tokenizer import Tokenizer

    remote = phrased[1]
    d = remote.corpus_dir("p")
    grams = read_table(d, read_manifest(d), "p")
    config = normalized(TokenizeConfig(**PHRASED))
    rows = spark.createDataFrame([(f"n{i}", t, i) for i, t in enumerate(NEW)], "comment_id string, text string, o long")
    table = spark.sparkContext.broadcast(grams)
    got = [r["tokens"] for r in tokens_frame(rows.coalesce(1), config, ["o"], table).collect()]  # one task: in order
    table.unpersist()
    want = [join_tokens(grams, t)[0] for t in Tokenizer(config).tokenize_chunk(NEW)[1]]
    assert got == want
    assert got[:2] == [["battery_life", "short"], ["battery_life", "customer_service"]]
    assert "battery_life" in got[2] and "battery" not in got[2]
