"""Phrase detection (``TokenizeConfig.phrases``): Latin neighbours only, thresholds from the
config, byte-identical output, cache invalidation and the CLI flags."""

from __future__ import annotations

import itertools
import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from textprofile.artifacts import read_manifest, write_manifest
from textprofile.config import TokenizeConfig
from textprofile.corpus import ROW_GROUP_ROWS, cache_key
from textprofile.errors import ConfigError
from textprofile.phrases import is_latin, join_tokens, latin_runs
from textprofile.tokenize import CHUNK_ROWS, tokenize_corpus

# Made-up filler words (consonant-vowel-consonant-vowel): many distinct words, as in real text,
# so that gensim's default score (which grows with the vocabulary size) can pass its threshold.
_FILLER = ["".join(p) for p in itertools.product("bdfgkpvz", "aiu", "lmnrt", "aiu")]
# gensim's default score grows with the vocabulary; on 400 short comments battery_life scores ~4.5
PHRASED = {"phrases": True, "phrase_min_count": 5, "phrase_threshold": 2.0}


def texts_for(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)

    def f(k: int) -> str:
        return " ".join(rng.choice(_FILLER) for _ in range(k))

    out = []
    for i in range(n):
        kind = i % 8
        if kind == 0:
            out.append(f"The battery life is {f(2)}. {f(2)}")
        elif kind == 1:
            out.append(f"{f(2)} customer service {f(3)}")
        elif kind == 2:
            out.append(f"电池续航很好 battery life {f(1)} 客服态度很差")
        elif kind == 3:
            out.append(f"battery 电池 life {f(2)}")  # a Chinese word between: never one phrase
        elif kind == 4:
            out.append("电池续航很好，客服态度很差，物流很快")
        elif kind == 5:
            out.append(f"{f(4)}")
        elif kind == 6:
            out.append(f"customer service {f(1)} battery life")
        else:
            out.append(f"{f(3)} #batterylife mp3 player")
    return out


def write_corpus(folder, texts) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    n = len(texts)
    pq.write_table(pa.table({"comment_id": [f"{i:016x}" for i in range(n)], "text": pa.array(texts, pa.string())}),
                   folder / "comments.parquet")
    write_manifest(folder, {"name": folder.name})


def tokens_of(folder) -> list[list[str]]:
    return pq.read_table(folder / "tokens.parquet").column("tokens").to_pylist()


@pytest.fixture(scope="module")
def phrased(tmp_path_factory):
    """A 400-comment corpus tokenized with and without phrases: (texts, off, on, result on)."""
    root = tmp_path_factory.mktemp("phrases")
    texts = texts_for(400)
    write_corpus(root / "off", texts)
    write_corpus(root / "on", texts)
    tokenize_corpus(root / "off", TokenizeConfig(), jobs=1)
    res = tokenize_corpus(root / "on", TokenizeConfig(**PHRASED), jobs=1)
    return texts, tokens_of(root / "off"), tokens_of(root / "on"), res, root


def test_repeated_pairs_become_one_token_only_with_phrases_on(phrased):
    _, off, on, res, _ = phrased
    flat_on = [t for toks in on for t in toks]
    flat_off = [t for toks in off for t in toks]
    assert "battery_life" in flat_on and "customer_service" in flat_on
    assert not any("_" in t for t in flat_off)
    assert on[0][:1] == ["battery_life"] and off[0][:2] == ["battery", "life"]
    assert on[6][0] == "customer_service" and on[6][-1] == "battery_life"
    # joining is the only change: the off tokens, with the joined pairs split again
    for a, b in zip(off, on):
        assert [w for t in b for w in t.split("_")] == a
    ph = res["phrases"]
    learned = {p for p, _, _ in ph["top"]}
    assert {"battery_life", "customer_service"} <= learned
    assert ph["learned"] >= len(ph["top"]) >= 2
    assert ph["joined"] == sum(map(len, off)) - sum(map(len, on))
    assert res["tokens"] == sum(map(len, on))
    assert ph["min_count"] == 5 and ph["threshold"] == 2.0
    m = read_manifest(phrased[4] / "on")
    assert m["tokenize"]["phrases"] == ph


def test_chinese_tokens_are_never_joined(phrased):
    _, _, on, res, _ = phrased
    han = [t for toks in on for t in toks if any("\u4e00" <= c <= "\u9fff" for c in t)]
    assert han and not any("_" in t for t in han)
    assert on[4] == ["电池", "续航", "客服", "态度", "物流"]  # always adjacent, still apart
    assert all(not any("\u4e00" <= c <= "\u9fff" for c in p) for p, _, _ in res["phrases"]["top"])


def test_mixed_text_joins_only_latin_neighbours(phrased):
    _, off, on, _, _ = phrased
    assert on[2] == ["电池", "续航", "battery_life", off[2][4], "客服", "态度"]
    assert on[3][:3] == ["battery", "电池", "life"]  # a Chinese word between: not a phrase
    # hashtags and tokens with digits are not Latin words, so never part of a phrase
    assert "#batterylife" in on[7] and "mp3" in on[7]
    assert not any(t.startswith("#") and "_" in t for toks in on for t in toks)


def test_latin_runs_and_join_helpers():
    assert is_latin("battery") and is_latin("e-mail") and is_latin("café")
    assert not any(map(is_latin, ["mp3", "#tag", "电池", "battery_life", "", "-x"]))
    assert latin_runs(["a", "b", "电池", "c", "#t", "d", "e"]) == [["a", "b"], ["c"], ["d", "e"]]

    class Frozen:  # the part of FrozenPhrases join_tokens uses
        def analyze_sentence(self, run):
            i = 0
            while i < len(run):
                if run[i:i + 2] == ["battery", "life"]:
                    yield "battery_life", 99.0
                    i += 2
                else:
                    yield run[i], None
                    i += 1

    assert join_tokens(Frozen(), ["battery", "电池", "life", "battery", "life"]) == (
        ["battery", "电池", "life", "battery_life"], 1)


def test_thresholds_from_the_config_change_the_result(tmp_path, phrased):
    texts, off, _, res, _ = phrased
    strict = tmp_path / "strict"
    write_corpus(strict, texts)
    r = tokenize_corpus(strict, TokenizeConfig(phrases=True, phrase_min_count=5, phrase_threshold=1e9), jobs=1)
    assert r["phrases"]["learned"] == 0 and tokens_of(strict) == off
    rare = tmp_path / "rare"
    write_corpus(rare, texts)
    r = tokenize_corpus(rare, TokenizeConfig(phrases=True, phrase_min_count=10_000), jobs=1)
    assert r["phrases"]["learned"] == 0 and tokens_of(rare) == off
    loose = tmp_path / "loose"
    write_corpus(loose, texts)
    r = tokenize_corpus(loose, TokenizeConfig(phrases=True, phrase_min_count=1, phrase_threshold=0.5), jobs=1)
    assert r["phrases"]["learned"] > res["phrases"]["learned"]


def test_invalid_settings_raise_config_errors(tmp_path):
    write_corpus(tmp_path / "c", ["battery life"])
    with pytest.raises(ConfigError, match="--phrase-min-count"):
        tokenize_corpus(tmp_path / "c", TokenizeConfig(phrases=True, phrase_min_count=0))
    with pytest.raises(ConfigError, match="--phrase-threshold"):
        tokenize_corpus(tmp_path / "c", TokenizeConfig(phrases=True, phrase_threshold=0))


def test_same_bytes_across_runs(phrased):
    root = phrased[4]
    before = (root / "on" / "tokens.parquet").read_bytes()
    again = tokenize_corpus(root / "on", TokenizeConfig(**PHRASED), jobs=1, force=True)
    assert again["cached"] is False
    assert (root / "on" / "tokens.parquet").read_bytes() == before


def test_same_bytes_across_jobs(tmp_path):
    n = 2 * CHUNK_ROWS + 300  # workers are used from 2 chunks on
    texts = texts_for(n, seed=1)
    a, b = tmp_path / "a", tmp_path / "b"
    write_corpus(a, texts)
    write_corpus(b, texts)
    cfg = TokenizeConfig(**PHRASED)
    ra = tokenize_corpus(a, cfg, jobs=1)
    rb = tokenize_corpus(b, cfg, jobs=2)
    assert ra["jobs"] == 1 and rb["jobs"] == 2
    assert (a / "tokens.parquet").read_bytes() == (b / "tokens.parquet").read_bytes()
    assert ra["phrases"]["joined"] > 0
    assert {k: v for k, v in ra["phrases"].items() if k != "seconds"} == \
        {k: v for k, v in rb["phrases"].items() if k != "seconds"}
    f = pq.ParquetFile(a / "tokens.parquet")
    assert f.schema_arrow == pa.schema([("comment_id", pa.string()), ("lang", pa.string()),
                                        ("tokens", pa.list_(pa.string()))])
    assert n <= ROW_GROUP_ROWS and f.num_row_groups == 1  # as corpus.py writes it
    assert f.read().column("comment_id").to_pylist() == [f"{i:016x}" for i in range(n)]


def test_phrase_settings_invalidate_the_cache(tmp_path):
    d = tmp_path / "c"
    write_corpus(d, texts_for(120))
    cfg = TokenizeConfig(**PHRASED)
    keys = {cache_key(c) for c in (TokenizeConfig(), cfg, TokenizeConfig(**{**PHRASED, "phrase_min_count": 6}),
                                   TokenizeConfig(**{**PHRASED, "phrase_threshold": 2.5}))}
    assert len(keys) == 4
    assert tokenize_corpus(d, TokenizeConfig(), jobs=1)["cached"] is False
    assert tokenize_corpus(d, cfg, jobs=1)["cached"] is False
    assert tokenize_corpus(d, cfg, jobs=1)["cached"] is True
    assert tokenize_corpus(d, TokenizeConfig(**{**PHRASED, "phrase_min_count": 6}), jobs=1)["cached"] is False
    off = tokenize_corpus(d, TokenizeConfig(), jobs=1)
    assert off["cached"] is False and "phrases" not in off
    assert not any("_" in t for toks in tokens_of(d) for t in toks)


def test_cli_flags_and_their_validation(workspace):
    from typer.testing import CliRunner

    from textprofile.cli.app import app

    d = workspace.corpus_dir("shop")
    write_corpus(d, texts_for(200))
    home = ["--home", str(workspace.root)]
    r = CliRunner().invoke(app, ["tokenize", "shop", *home, "--phrases", "--phrase-min-count", "5",
                                 "--phrase-threshold", "2", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["config"]["phrases"] is True and out["config"]["phrase_min_count"] == 5
    assert out["phrases"]["joined"] > 0
    for flags, name in ((["--phrase-min-count", "0"], "--phrase-min-count"),
                        (["--phrases", "--phrase-threshold", "-1"], "--phrase-threshold")):
        r = CliRunner().invoke(app, ["tokenize", "shop", *home, *flags])
        assert r.exit_code == 1, r.output
        lines = [x for x in r.output.splitlines() if x.strip()]
        assert len(lines) == 1 and name in lines[0] and "Traceback" not in r.output
    export = workspace.root / "e.csv"
    export.write_text("customer_id,text\nc1,battery life\n", encoding="utf-8")
    for cmd in ("load", "run"):
        r = CliRunner().invoke(app, [cmd, str(export), "--name", "x", *home, "--phrases", "--phrase-threshold", "0"])
        assert r.exit_code == 1, r.output
        assert "--phrase-threshold" in r.output and "Traceback" not in r.output
        assert not workspace.corpus_dir("x").exists()
