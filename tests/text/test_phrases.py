"""Phrase detection (``TokenizeConfig.phrases``): Latin neighbours only, thresholds from the
config, byte-identical output, cache invalidation, the CLI flags, the saved phrase table
(phrases.json) and ``update`` joining new comments with it."""

from __future__ import annotations

import itertools
import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from textprofile.core.artifacts import read_manifest, sha256_file, write_manifest
from textprofile.core.config import TokenizeConfig
from textprofile.core.errors import ConfigError, StateError
from textprofile.text.phrases import (
    PHRASES_FILE,
    count_grams,
    freeze_counts,
    is_latin,
    join_tokens,
    latin_runs,
    learn,
    phrase_table,
)
from textprofile.text.stage import cache_key, tokenize_corpus
from textprofile.text.tokenizer import CHUNK_ROWS
from textprofile.text.tokens_file import ROW_GROUP_ROWS

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

    grams = {"battery_life": 9.0, "life_span": 9.0}
    assert join_tokens(grams, ["battery", "电池", "life", "battery", "life"]) == (
        ["battery", "电池", "life", "battery_life"], 1)
    # greedy, left to right: once joined, "life" does not pair again with "span"
    assert join_tokens(grams, ["battery", "life", "span", "mp3", "life", "span"]) == (
        ["battery_life", "span", "mp3", "life_span"], 2)


def _gensim_join(frozen, tokens):
    """The reference: each run of Latin tokens through gensim's own ``analyze_sentence``."""
    out, run, joined = [], [], 0

    def flush():
        nonlocal joined
        for word, score in frozen.analyze_sentence(run):
            out.append(word)
            joined += score is not None
        run.clear()

    for t in tokens:
        if is_latin(t):
            run.append(t)
        else:
            flush()
            out.append(t)
    flush()
    return out, joined


def test_join_tokens_matches_gensim_frozen_phrases(phrased):
    from gensim.models.phrases import Phrases

    rng = random.Random(3)
    words, core = _FILLER[:300], _FILLER[300:330]
    # planted chains of 2-4 words from a small set, so that overlapping phrases (a b c with both
    # a_b and b_c learned) are common; filler words and non-Latin tokens between them
    chains = [[rng.choice(core) for _ in range(rng.randint(2, 4))] for _ in range(25)]

    def sentence():
        out = []
        for _ in range(rng.randint(0, 6)):
            r = rng.random()
            out.extend(rng.choice(chains) if r < 0.4 else [rng.choice(words)] if r < 0.9
                       else [rng.choice(["电池", "mp3", "#tag"])])
        return out

    sentences = [sentence() for _ in range(3000)]
    model = Phrases(min_count=2, threshold=1.0, delimiter="_", scoring="default")
    model.add_vocab(run for toks in sentences for run in latin_runs(toks))
    frozen = model.freeze()
    grams = frozen.phrasegrams
    assert len(grams) > 20
    assert sum(f"{a}_{b}" in grams and f"{b}_{c}" in grams
               for toks in sentences for a, b, c in zip(toks, toks[1:], toks[2:])) > 1000
    joined = 0
    for toks in sentences:
        got = join_tokens(frozen.phrasegrams, toks)
        assert got == _gensim_join(frozen, toks), toks
        joined += got[1]
    assert joined > 1000
    # and the corpus rewrite: the tokens without phrases, joined by gensim, are the tokens with them
    _, off, on, _, root = phrased
    frozen, _ = learn(root / "off" / "tokens.parquet", TokenizeConfig(**PHRASED))
    assert [_gensim_join(frozen, toks)[0] for toks in off] == on


def test_counts_summed_in_parts_give_learns_phrasegrams(phrased):
    """What the Spark backend does: ``count_grams`` per batch, counts summed, scored by ``freeze_counts``."""
    from collections import Counter

    _, off, _, _, root = phrased
    config = TokenizeConfig(**PHRASED)
    frozen, counts = learn(root / "off" / "tokens.parquet", config)
    summed: Counter = Counter()
    for i in range(0, len(off), 70):
        summed.update(count_grams(off[i:i + 70], config))
    words = sum(n for g, n in summed.items() if "_" not in g)
    frozen2, counts2 = freeze_counts(config, dict(summed), words)
    assert frozen2.phrasegrams == frozen.phrasegrams and counts2 == counts and counts
    assert phrase_table(frozen2) == phrase_table(frozen)


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


def test_phrase_table_is_saved_and_checksummed(phrased):
    _, _, _, res, root = phrased
    path = root / "on" / PHRASES_FILE
    table = json.loads(path.read_text(encoding="utf-8"))
    assert table["delimiter"] == "_" and table["min_count"] == 5 and table["threshold"] == 2.0
    grams = table["phrasegrams"]
    assert len(grams) == res["phrases"]["learned"] and list(grams) == sorted(grams)
    assert {"battery_life", "customer_service"} <= set(grams)
    assert all(s > 2.0 for s in grams.values())
    assert {p: round(grams[p], 3) for p, _, _ in res["phrases"]["top"]} == \
        {p: s for p, _, s in res["phrases"]["top"]}
    assert read_manifest(root / "on")["files"][PHRASES_FILE] == sha256_file(path)
    assert not (root / "off" / PHRASES_FILE).exists()
    assert PHRASES_FILE not in read_manifest(root / "off")["files"]


def test_same_bytes_across_runs(phrased):
    root = phrased[4]
    before = (root / "on" / "tokens.parquet").read_bytes()
    table = (root / "on" / PHRASES_FILE).read_bytes()
    again = tokenize_corpus(root / "on", TokenizeConfig(**PHRASED), jobs=1, force=True)
    assert again["cached"] is False
    assert (root / "on" / "tokens.parquet").read_bytes() == before
    assert (root / "on" / PHRASES_FILE).read_bytes() == table


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
    (d / PHRASES_FILE).unlink()  # a corpus tokenized before phrase tables were saved: not reused
    assert tokenize_corpus(d, cfg, jobs=1)["cached"] is False and (d / PHRASES_FILE).is_file()
    assert tokenize_corpus(d, TokenizeConfig(**{**PHRASED, "phrase_min_count": 6}), jobs=1)["cached"] is False
    off = tokenize_corpus(d, TokenizeConfig(), jobs=1)
    assert off["cached"] is False and "phrases" not in off
    assert not any("_" in t for toks in tokens_of(d) for t in toks)
    # re-tokenizing without phrases removes the table, and the manifest no longer lists it
    assert not (d / PHRASES_FILE).exists() and PHRASES_FILE not in read_manifest(d)["files"]


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


# --- update on a corpus tokenized with phrases ---------------------------------------------


def _write_export(path, texts, first: int = 0) -> None:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "text", "time"])
        for i, t in enumerate(texts, start=first):
            w.writerow([f"c{i % 40:02d}", t, f"2024-01-{1 + i % 28:02d}T10:00:00"])


@pytest.fixture(scope="module")
def phrased_ws(tmp_path_factory):
    """A workspace whose corpus "p" was loaded with phrases on, fitted and profiled."""
    from textprofile.core.config import FitConfig, LoadConfig, ProfileConfig
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.fit import fit
    from textprofile.pipeline.load import load
    from textprofile.pipeline.profile import build_profiles

    root = tmp_path_factory.mktemp("phrased_ws")
    ws = Workspace.resolve(root / "ws")
    _write_export(root / "base.csv", texts_for(400))
    load([root / "base.csv"], "p", LoadConfig(), ws, tokenize_config=TokenizeConfig(**PHRASED), jobs=1)
    fit("p", FitConfig(topics=3, seed=0, iterations=50, workers=1), ws)
    build_profiles("p", ProfileConfig(), ws)
    new = ["my battery life is short", "battery life and customer service", "新的 battery life 电池"]
    _write_export(root / "new.csv", new, first=1000)
    return ws, root


def _copy(ws, dest):
    import shutil

    from textprofile.core.workspace import Workspace

    shutil.copytree(ws.root, dest)
    return Workspace.resolve(dest)


def test_update_joins_the_corpus_phrases_in_new_comments(phrased_ws, tmp_path):
    from textprofile.pipeline.update import update

    ws0, root = phrased_ws
    ws = _copy(ws0, tmp_path / "ws")
    d = ws.corpus_dir("p")
    table = (d / PHRASES_FILE).read_bytes()
    n_old = pq.read_metadata(d / "tokens.parquet").num_rows
    res = update("p", [root / "new.csv"], ws)
    assert res["comments_added"] == 3
    new = tokens_of(d)[n_old:]
    assert new[0] == ["battery_life", "short"]
    assert new[1] == ["battery_life", "customer_service"]
    assert "battery_life" in new[2] and "battery" not in new[2]
    # not relearned: the table is unchanged and still matches the (rewritten) manifest
    assert (d / PHRASES_FILE).read_bytes() == table
    assert read_manifest(d)["files"][PHRASES_FILE] == sha256_file(d / PHRASES_FILE)


def test_reload_without_phrases_drops_the_table(phrased_ws, tmp_path):
    from textprofile.core.config import LoadConfig
    from textprofile.pipeline.load import load

    ws0, root = phrased_ws
    ws = _copy(ws0, tmp_path / "ws")
    load([root / "new.csv"], "p", LoadConfig(), ws, tokenize_config=TokenizeConfig(), jobs=1)
    assert not (ws.corpus_dir("p") / PHRASES_FILE).exists()


@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_update_with_a_bad_phrase_table_names_the_fix(phrased_ws, tmp_path, damage):
    from typer.testing import CliRunner

    from textprofile.cli.app import app
    from textprofile.pipeline.update import update

    ws0, root = phrased_ws
    ws = _copy(ws0, tmp_path / "ws")
    d = ws.corpus_dir("p")
    path = d / PHRASES_FILE
    if damage == "corrupt":
        path.write_text(path.read_text(encoding="utf-8").replace("battery_life", "battery_lifx"), encoding="utf-8")
    else:
        path.unlink()
    before = {f: (d / f).read_bytes() for f in ("comments.parquet", "tokens.parquet", "manifest.json")}
    with pytest.raises(StateError, match="tokenize p --force"):
        update("p", [root / "new.csv"], ws)
    r = CliRunner().invoke(app, ["update", "p", str(root / "new.csv"), "--home", str(ws.root)])
    assert r.exit_code == 1, r.output
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert len(lines) == 1 and PHRASES_FILE in lines[0]
    assert "textprofile tokenize p --force --phrases --phrase-min-count 5 --phrase-threshold 2.0" in lines[0]
    assert "Traceback" not in r.output
    assert {f: (d / f).read_bytes() for f in before} == before  # nothing was written
