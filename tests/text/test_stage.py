"""tokenize_corpus: tokens.parquet layout, empty comments, manifest, determinism across jobs,
cache reuse and invalidation; and the ``textprofile tokenize`` command."""

from __future__ import annotations

import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from textprofile.core.artifacts import read_manifest, sha256_file, write_manifest
from textprofile.core.config import TokenizeConfig
from textprofile.text.stage import tokenize_corpus
from textprofile.text.tokenizer import CHUNK_ROWS, Tokenizer

ZH = ["电池续航很好", "快递太慢了", "这款面霜很滋润", "尺码偏小一号", "申请退款一直没处理", "屏幕很清晰",
      "客服态度不错", "物流很快第二天就到了", "颜色和图片一样", "性价比很高", "包装破损了", "這個東西質量很好"]
EN = ["battery life is great", "delivery took two weeks", "this moisturizer is lovely", "runs one size small",
      "still waiting for my refund", "the screen is sharp", "support was helpful", "the box was damaged"]
ODD = ["", "😀😀", "12345", "转发微博", "<EMAIL> <PHONE>", "#双十一# 抢到了", "@bob thanks!", None]


def write_corpus(folder, n: int, seed: int = 0, zh_only: bool = False) -> list:
    """A comments.parquet with the columns of docs/internals.md, and a load-style manifest."""
    rng = random.Random(seed)
    texts = []
    for i in range(n):
        r = rng.random() * (0.45 if zh_only else 1.0)
        if r < 0.45:
            t = "，".join(rng.choice(ZH) for _ in range(rng.randint(1, 3)))
        elif r < 0.85:
            t = ". ".join(rng.choice(EN) for _ in range(rng.randint(1, 3)))
        elif r < 0.95:
            t = rng.choice(ZH) + " " + rng.choice(EN) + f" iPhone {i % 17}"
        else:
            t = ODD[i % len(ODD)]
        texts.append(t)
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.table({
        "comment_id": [f"{i:016x}" for i in range(n)],
        "customer_id": [f"c{i % 50:03d}" for i in range(n)],
        "text": pa.array(texts, pa.string()),
        "time": pa.array([None] * n, pa.timestamp("us", tz="UTC")),
        "channel": ["review"] * n,
        "role": pa.array([None] * n, pa.string()),
        "is_customer": [True] * n,
        "thread_id": pa.array([None] * n, pa.string()),
        "rating": pa.array([None] * n, pa.float64()),
        "amount": pa.array([None] * n, pa.float64()),
        "source": ["export.csv"] * n,
        "source_row": list(range(1, n + 1)),
        "meta": ["{}"] * n,
    })
    pq.write_table(table, folder / "comments.parquet", row_group_size=3000)
    write_manifest(folder, {"name": folder.name, "counts": {"kept": n}})
    return texts


@pytest.fixture(scope="module")
def tok():
    return Tokenizer(TokenizeConfig())


def test_rows_order_langs_and_empty_comments(tmp_path, tok):
    d = tmp_path / "small"
    texts = write_corpus(d, 300)
    res = tokenize_corpus(d, TokenizeConfig(), jobs=1)
    t = pq.read_table(d / "tokens.parquet")
    assert t.schema.names == ["comment_id", "lang", "tokens"]
    assert t.schema.field("tokens").type == pa.list_(pa.string())
    assert t.column("comment_id").to_pylist() == [f"{i:016x}" for i in range(300)]
    assert list(zip(t.column("lang").to_pylist(), t.column("tokens").to_pylist())) == [tok.tokenize(x) for x in texts]
    # empty-after-cleaning comments are kept, with [] and their language recorded
    langs = t.column("lang").to_pylist()
    toks = t.column("tokens").to_pylist()
    empties = [i for i, x in enumerate(toks) if x == []]
    assert empties and all(langs[i] in ("zh", "en", "mixed", "other", "empty") for i in empties)
    assert res["empty"] == len(empties)
    assert res["rows"] == 300 and res["tokens"] == sum(map(len, toks))
    assert sum(res["langs"].values()) == 300
    assert res["cached"] is False
    m = read_manifest(d)
    assert m["tokenize"]["cache_key"] == res["cache_key"]
    assert m["tokenize"]["input_sha256"] == sha256_file(d / "comments.parquet")
    assert m["files"]["tokens.parquet"] == sha256_file(d / "tokens.parquet")
    assert m["counts"] == {"kept": 300}  # the loader's keys are left alone


def test_jobs_1_and_2_write_identical_bytes(tmp_path):
    n = 2 * CHUNK_ROWS + 1500  # enough chunks for the process pool to be used
    a, b = tmp_path / "a", tmp_path / "b"
    write_corpus(a, n)
    write_corpus(b, n)
    ra = tokenize_corpus(a, TokenizeConfig(), jobs=1)
    rb = tokenize_corpus(b, TokenizeConfig(), jobs=2)
    assert ra["jobs"] == 1 and rb["jobs"] == 2
    assert (a / "tokens.parquet").read_bytes() == (b / "tokens.parquet").read_bytes()


def test_mostly_chinese_corpus_defers_latin_to_the_parent_with_identical_bytes(tmp_path):
    # Latin is rare here, so the parent forks the workers before loading spaCy and lemmatizes
    # their Latin runs itself; the bytes must still equal a one-process run.
    texts = [("，".join(ZH[(i + k) % len(ZH)] for k in range(1 + i % 3)) if i % 10 else
              ZH[i % len(ZH)] + f" the batteries died iPhone {i % 17}") for i in range(2 * CHUNK_ROWS + 300)]
    tok = Tokenizer(TokenizeConfig())
    assert tok.warm_up(texts[:CHUNK_ROWS]) is True and tok._en is None
    assert tok.tokenize_many(texts, jobs=2) == Tokenizer(TokenizeConfig()).tokenize_many(texts, jobs=1)
    assert tok.defer_latin is False and tok._en is not None  # loaded by the parent, later
    assert tok.tokenize(texts[0])[1][-2:] == ["die", "iphone"]


def test_cache_reuse_and_invalidation(tmp_path):
    d = tmp_path / "c"
    write_corpus(d, 400, zh_only=True)  # Chinese only: spaCy is never loaded, the test stays quick
    first = tokenize_corpus(d, TokenizeConfig(), jobs=1)
    stamp = (d / "tokens.parquet").stat().st_mtime_ns
    again = tokenize_corpus(d, TokenizeConfig(), jobs=1)
    assert again["cached"] is True
    assert {k: v for k, v in again.items() if k != "cached"} == {k: v for k, v in first.items() if k != "cached"}
    assert (d / "tokens.parquet").stat().st_mtime_ns == stamp

    # a config change invalidates
    sw = tmp_path / "stop.txt"
    sw.write_text("电池\n", encoding="utf-8")
    cfg = TokenizeConfig(stopword_files=(str(sw),))
    changed = tokenize_corpus(d, cfg, jobs=1)
    assert changed["cached"] is False and changed["config_hash"] != first["config_hash"]
    assert tokenize_corpus(d, cfg, jobs=1)["cached"] is True

    # so does a change inside a stop-word file under the same path
    sw.write_text("电池\n续航\n", encoding="utf-8")
    assert tokenize_corpus(d, cfg, jobs=1)["cached"] is False

    # a changed input invalidates
    write_corpus(d, 400, seed=1, zh_only=True)
    assert tokenize_corpus(d, cfg, jobs=1)["cached"] is False

    # a tampered tokens.parquet is not trusted
    with open(d / "tokens.parquet", "ab") as f:
        f.write(b"x")
    assert tokenize_corpus(d, cfg, jobs=1)["cached"] is False
    pq.read_table(d / "tokens.parquet")  # rewritten, readable
    assert tokenize_corpus(d, cfg, jobs=1)["cached"] is True


def test_empty_corpus_and_missing_input(tmp_path):
    from textprofile.core.errors import NotFoundError

    d = tmp_path / "e"
    write_corpus(d, 0)
    res = tokenize_corpus(d, TokenizeConfig(), jobs=2)
    assert res["rows"] == 0 and pq.read_table(d / "tokens.parquet").num_rows == 0
    with pytest.raises(NotFoundError, match="textprofile load"):
        tokenize_corpus(tmp_path / "nothing", TokenizeConfig())


def test_cli_json_equals_library_result(workspace):
    from typer.testing import CliRunner

    from textprofile.cli.app import app

    d = workspace.corpus_dir("shop")
    write_corpus(d, 200)
    lib = tokenize_corpus(d, TokenizeConfig(), jobs=1)
    r = CliRunner().invoke(app, ["tokenize", "shop", "--home", str(workspace.root), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out == json.loads(json.dumps({**lib, "cached": True}))

    r = CliRunner().invoke(app, ["tokenize", "nope", "--home", str(workspace.root)])
    assert r.exit_code == 1
    assert "textprofile load" in r.output

    r = CliRunner().invoke(app, ["tokenize", "shop", "--home", str(workspace.root), "--stopwords", "/no/such.txt"])
    assert r.exit_code == 1
    assert "--stopwords" in r.output
