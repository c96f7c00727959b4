"""tokens.parquet, the corpus manifest, fit's summary and the customers' languages column for a
corpus with Spanish and French comments; same bytes for any --jobs; the --languages flag."""

from __future__ import annotations

import json
import random

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from textprofile.cli.app import app
from textprofile.core.artifacts import read_manifest
from textprofile.core.config import FitConfig, LoadConfig, TokenizeConfig
from textprofile.pipeline.fit import fit
from textprofile.pipeline.load import load
from textprofile.text.stage import skipped_languages, tokenize_corpus
from textprofile.text.tokenizer import CHUNK_ROWS

EN = ["the battery drains fast and the charger cable gets hot overnight",
      "pizza crust was soggy and the cheese cold, sauce far too salty",
      "hotel room noisy, pillow flat, reception slow at checkin"]
ES = ["hola necesito ayuda con mi pedido porque la batería no carga",
      "la pizza llegó fría y el queso estaba duro, muy mala experiencia"]
FR = ["bonjour je suis très déçu par la livraison, le colis est arrivé en retard"]
ZH = ["电池续航太差了，充电器发热", "披萨饼皮太软，芝士是凉的"]


def write_export(path, n: int, seed: int = 0) -> dict[str, int]:
    rng = random.Random(seed)
    want = {"en": 0, "es": 0, "fr": 0, "zh": 0}
    lines = ["customer_id,text"]
    for i in range(n):
        r = rng.random()
        lang, pool = ("es", ES) if r < 0.1 else ("fr", FR) if r < 0.15 else ("zh", ZH) if r < 0.4 else ("en", EN)
        want[lang] += 1
        lines.append(f'c{i % 30:02d},"{rng.choice(pool)} {i}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return want


@pytest.fixture()
def export(tmp_path):
    p = tmp_path / "export.csv"
    return p, write_export(p, 300)


def test_manifest_tokens_and_fit_summary_mark_other_languages(workspace, export):
    path, want = export
    res = load([path], "c", LoadConfig(channel="review"), workspace, jobs=1)
    tk = res["tokenize"]
    assert tk["langs"]["es"] == want["es"] and tk["langs"]["fr"] == want["fr"]
    assert list(tk["langs"])[:5] == ["zh", "en", "mixed", "other", "empty"]
    assert tk["languages"] == {"tokenized": ["en", "zh"], "skipped": {"es": want["es"], "fr": want["fr"]}}
    assert read_manifest(workspace.corpus_dir("c"))["tokenize"]["languages"] == tk["languages"]
    tokens = pq.read_table(workspace.corpus_dir("c") / "tokens.parquet").to_pylist()
    assert all(r["tokens"] == [] for r in tokens if r["lang"] in ("es", "fr"))
    assert all(r["tokens"] for r in tokens if r["lang"] == "en")

    result = fit("c", FitConfig(topics=3, iterations=30, no_below=2), workspace)
    assert result["skipped_languages"] == {"es": want["es"], "fr": want["fr"]}
    assert result["n_modelled"] == want["en"] + want["zh"]
    vocab = set(json.loads((workspace.model_dir("c") / "vocab.json").read_text())["terms"])
    assert not {"hola", "necesito", "bonjour", "pedido", "livraison"} & vocab


def test_opting_in_tokenizes_the_language_and_fits_it(workspace, export):
    path, want = export
    res = load([path], "c", LoadConfig(), workspace, tokenize_config=TokenizeConfig(languages=("es",)), jobs=1)
    assert res["tokenize"]["languages"] == {"tokenized": ["en", "es", "zh"], "skipped": {"fr": want["fr"]}}
    assert res["tokenize"]["config"]["languages"] == ["en", "es", "zh"]
    result = fit("c", FitConfig(topics=3, iterations=30, no_below=2), workspace)
    assert result["skipped_languages"] == {"fr": want["fr"]}
    assert result["n_modelled"] == want["en"] + want["zh"] + want["es"]
    assert skipped_languages(workspace.corpus_dir("c")) == {"fr": want["fr"]}


def test_customers_languages_column_lists_detected_codes():
    import pandas as pd

    from textprofile.profiles.behaviour import behaviour

    comments = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "c"], "text": ["x"] * 5,
        "time": pd.to_datetime(["2024-01-01"] * 5, utc=True), "channel": ["review"] * 5,
    })
    langs = pd.Series(["en", "es", "empty", "zh", "empty"])
    assert behaviour(comments, None, langs)["languages"].tolist() == ["en,es", "zh", ""]


def test_jobs_1_and_2_write_identical_bytes_with_other_languages(tmp_path):
    n = 2 * CHUNK_ROWS + 700
    folders = []
    for jobs in (1, 2):
        ws = tmp_path / f"j{jobs}"
        p = tmp_path / f"export{jobs}.csv"
        write_export(p, n)
        from textprofile.core.workspace import Workspace

        load([p], "c", LoadConfig(), Workspace.resolve(ws), tokenize_config=None)
        info = tokenize_corpus(ws / "corpora" / "c", TokenizeConfig(), jobs=jobs)
        assert info["jobs"] == jobs and info["langs"]["es"] > 0
        folders.append(ws / "corpora" / "c")
    assert (folders[0] / "tokens.parquet").read_bytes() == (folders[1] / "tokens.parquet").read_bytes()


def test_cli_languages_flag(workspace, export):
    path, want = export
    runner = CliRunner()
    r = runner.invoke(app, ["load", str(path), "--name", "c", "--languages", "en,zh,es", "--jobs", "1", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    lib = load([path], "c2", LoadConfig(), workspace, tokenize_config=TokenizeConfig(languages=("en", "es", "zh")), jobs=1)
    assert out["tokenize"]["languages"] == lib["tokenize"]["languages"] == {"tokenized": ["en", "es", "zh"], "skipped": {"fr": want["fr"]}}
    assert out["tokenize"]["langs"] == lib["tokenize"]["langs"]
    bad = runner.invoke(app, ["tokenize", "c", "--languages", "es,xx"])
    assert bad.exit_code == 1
    assert "unknown language xx" in bad.output and "Traceback" not in bad.output
    again = runner.invoke(app, ["tokenize", "c", "--languages", "fr", "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["languages"] == {"tokenized": ["en", "fr", "zh"], "skipped": {"es": want["es"]}}
