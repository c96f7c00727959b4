"""load tokenizes rows as it writes them: the same tokens.parquet bytes as tokenizing afterwards."""

from __future__ import annotations

import csv
import random

from textprofile.core.artifacts import read_manifest, sha256_file
from textprofile.core.config import LoadConfig, TokenizeConfig
from textprofile.pipeline.load import load
from textprofile.text.stage import tokenize_corpus

WORDS = ["电池续航很好", "快递太慢了", "屏幕很清晰", "battery life is great", "客服态度不错", "size偏大",
         "#双十一#抢到了", "質量很好", "the box was damaged", "性价比很高"]


def _export(path, n):
    rng = random.Random(2)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "text", "time"])
        for i in range(n):
            text = "，".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
            w.writerow([f"{rng.randrange(900):05d}", text if i % 997 else "", f"2024-01-{1 + i % 28:02d}"])


def test_streamed_tokens_equal_a_later_tokenize(workspace, tmp_path):
    src = tmp_path / "big.csv"
    _export(src, 9_500)  # several chunks, a short last one, and some quarantined empty texts
    for jobs in (1, 2):
        res = load([src], f"s{jobs}", LoadConfig(), workspace, TokenizeConfig(), jobs=jobs)
        c = res["counts"]
        assert c["read"] == c["kept"] + c["duplicates"] + c["quarantined"] and c["quarantined"] > 0
        d = workspace.corpus_dir(f"s{jobs}")
        streamed = sha256_file(d / "tokens.parquet")
        m = read_manifest(d)
        assert m["tokenize"]["input_sha256"] == sha256_file(d / "comments.parquet")
        assert m["files"]["tokens.parquet"] == streamed and res["tokenize"]["rows"] == c["kept"]
        assert tokenize_corpus(d, TokenizeConfig(), jobs=1)["cached"] is True  # the manifest's entry is valid
        tokenize_corpus(d, TokenizeConfig(), jobs=jobs, force=True)
        assert sha256_file(d / "tokens.parquet") == streamed
    assert sha256_file(workspace.corpus_dir("s1") / "tokens.parquet") == sha256_file(workspace.corpus_dir("s2") / "tokens.parquet")
