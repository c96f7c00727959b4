"""fit on a tiny planted-topic corpus: both engines recover the topics, auto K, determinism."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fit_helpers import BACKGROUND, PLANTED_K, THEMES, planted_docs, write_corpus

from textprofile.core.config import FitConfig
from textprofile.core.errors import ConfigError, NotFoundError, StateError
from textprofile.pipeline.fit import fit
from textprofile.topics.fitted import load_model


def _nmi(a, b):
    from sklearn.metrics import normalized_mutual_info_score

    return normalized_mutual_info_score(a, b)


@pytest.fixture()
def planted(workspace):
    docs, labels = planted_docs()
    write_corpus(workspace.root, "planted", docs, labels)
    return workspace, docs, labels


@pytest.mark.parametrize("engine,seed", [("tomotopy", 0), ("gensim", 0), ("gensim", 1)])
def test_engines_recover_planted_topics(planted, engine, seed):
    ws, _docs, labels = planted
    result = fit("planted", FitConfig(engine=engine, topics=PLANTED_K, no_below=2, seed=seed), ws)
    assert result["k"] == PLANTED_K and result["engine"] == engine
    fm = load_model(ws, "planted")
    theta = fm.doc_topics().filter(like="topic_").to_numpy()
    assert _nmi(labels, theta.argmax(axis=1)) > 0.95
    # every topic's top 5 terms come from a single planted theme, and all themes are found
    found = set()
    for t in fm.topics():
        top = [term for term, _ in t["terms"][:5]]
        owners = {i for i, theme in enumerate(THEMES) for w in top if w in theme}
        assert len(owners) == 1, (t["id"], top)
        found |= owners
        assert len(t["label"].split(" · ")) == 3
    assert found == set(range(PLANTED_K))
    assert result["coherence"] > 0.3
    assert abs(sum(t["share"] for t in result["topics"]) - 1) < 1e-4


def test_agent_turns_get_mixtures_but_do_not_shape_topics(workspace):
    docs, labels = planted_docs()
    agent = ["sorry", "inconvenience", "order", "number", "please", "check", "refund", "team"]
    docs = docs + [agent[: 5 + i % 3] for i in range(200)]  # a stock reply repeated 200 times
    flags = [True] * (len(docs) - 200) + [False] * 200
    write_corpus(workspace.root, "chat", docs, labels + [0] * 200, is_customer=flags)
    result = fit("chat", FitConfig(topics=PLANTED_K, no_below=2), workspace)
    fm = load_model(workspace, "chat")
    assert not set(agent) & set(fm.vocab)
    assert result["n_modelled"] == len(docs) - 200
    top = {term for t in fm.topics() for term, _ in t["terms"][:10]}
    assert top <= {w for theme in THEMES for w in theme} | set(BACKGROUND)


def test_auto_picks_planted_k(planted):
    ws, _, _ = planted
    result = fit("planted", FitConfig(topics=None, no_below=2, k_range=(2, 3, 4, 6, 8)), ws)
    assert result["auto"] is True
    assert [r["k"] for r in result["sweep"]] == [2, 3, 4, 6, 8]
    assert result["k"] == PLANTED_K
    split = result["stage_seconds"]
    assert list(split) == ["read", "choose_k", "train", "infer", "write"]
    assert all(v >= 0 for v in split.values()) and split["choose_k"] > 0  # the sweep is timed
    assert sum(split.values()) == pytest.approx(result["seconds"], abs=0.5)


@pytest.mark.parametrize("engine", ["tomotopy", "gensim"])
def test_same_seed_same_bytes(tmp_path, engine):
    from textprofile.core.workspace import Workspace

    docs, labels = planted_docs(200, seed=3)
    outs = []
    for run in ("a", "b"):
        ws = Workspace.resolve(tmp_path / run)
        write_corpus(ws.root, "c", docs, labels)
        fit("c", FitConfig(engine=engine, topics=3, no_below=2, seed=7, iterations=30 if engine == "tomotopy" else 3), ws)
        d = ws.model_dir("c")
        outs.append({p: (d / p).read_bytes() for p in ("topic_word.npy", "doc_topics.parquet",
                                                        "topics.json", "vocab.json", "tfidf/idf.npy")})
    assert outs[0] == outs[1]


def test_different_seed_changes_model(tmp_path):
    from textprofile.core.workspace import Workspace

    docs, _ = planted_docs(200, seed=3)
    mats = []
    for seed in (1, 2):
        ws = Workspace.resolve(tmp_path / str(seed))
        write_corpus(ws.root, "c", docs)
        fit("c", FitConfig(topics=3, no_below=2, seed=seed, iterations=30), ws)
        mats.append(np.load(ws.model_dir("c") / "topic_word.npy"))
    assert not np.array_equal(mats[0], mats[1])


def test_manifest_records_settings_and_checksums(planted):
    ws, _, _ = planted
    fit("planted", FitConfig(topics=4, no_below=2, seed=5), ws)
    d = ws.model_dir("planted")
    m = json.loads((d / "manifest.json").read_text())
    from textprofile.core.artifacts import sha256_file

    assert m["seed"] == 5 and m["engine"]["engine"] == "tomotopy"
    assert m["engine"]["parallel"] == "PARTITION" and "tomotopy" in m["versions"]
    assert m["corpus"]["tokens_sha256"] == sha256_file(ws.corpus_dir("planted") / "tokens.parquet")
    for rel, digest in m["files"].items():
        assert sha256_file(d / rel) == digest
    assert "engine/tomotopy.bin" in m["files"] and "doc_topics.parquet" in m["files"]
    assert "stage_seconds" not in m  # timings vary: fit --json only


def test_short_and_empty_documents_are_inferred_not_lost(workspace):
    docs, _labels = planted_docs(200)
    docs = docs + [[THEMES[1][0]], [], ["unknownword"]]
    write_corpus(workspace.root, "s", docs)
    fit("s", FitConfig(topics=4, no_below=2), workspace)
    dt = load_model(workspace, "s").doc_topics()
    # the one-token document is modelled (by fold-in); the empty / out-of-vocabulary ones are not
    assert len(dt) == 201
    assert dt["n_tokens"].iloc[-1] == 1
    shares = dt.filter(like="topic_").to_numpy()
    assert np.allclose(shares.sum(axis=1), 1, atol=1e-5)


def test_errors_name_the_fix(workspace):
    with pytest.raises(NotFoundError, match="textprofile load"):
        fit("nope", FitConfig(topics=3), workspace)
    write_corpus(workspace.root, "tiny", [["a", "b"], ["a"], []])
    with pytest.raises(ConfigError, match="at least 2"):
        fit("tiny", FitConfig(topics=1), workspace)
    with pytest.raises(ConfigError, match="unknown engine"):
        fit("tiny", FitConfig(engine="mallet", topics=3), workspace)
    with pytest.raises(StateError, match="no-below"):
        fit("tiny", FitConfig(topics=2, no_below=5), workspace)


def test_corpus_of_very_short_documents_still_fits(workspace):
    docs = [["battery", "charge"], ["pizza", "cheese"], ["battery", "power"], ["cheese", "sauce"]] * 10
    write_corpus(workspace.root, "short", docs)
    result = fit("short", FitConfig(topics=2, no_below=2, iterations=50), workspace)
    assert result["n_modelled"] == 40


def test_restarts_keep_the_most_coherent_seed(tmp_path):
    """--restarts screens seeds seed..seed+N-1 for a quarter of the iterations, continues the
    most coherent (highest NPMI) to the full count, and ends with exactly that seed's own fit."""
    from textprofile.core.workspace import Workspace

    docs, labels = planted_docs(200, seed=3)
    ws = Workspace.resolve(tmp_path / "r")
    write_corpus(ws.root, "c", docs, labels)
    # without the anchor: with it the seeds start alike and tie, so the choice goes untested
    free = {"anchor": 0.0}
    res = fit("c", FitConfig(topics=5, no_below=2, seed=3, iterations=20, restarts=3, params=free), ws)
    assert [r["seed"] for r in res["restarts"]] == [3, 4, 5]
    assert {r["iterations"] for r in res["restarts"]} == {5}
    best = max(res["restarts"], key=lambda r: (r["npmi"], -r["seed"]))
    assert best["seed"] != 3  # this corpus and seed exercise the choice
    assert res["model_seed"] == best["seed"]
    with_restarts = (ws.model_dir("c") / "topic_word.npy").read_bytes()
    assert json.loads((ws.model_dir("c") / "manifest.json").read_text())["restarts"] == res["restarts"]
    single = fit("c", FitConfig(topics=5, no_below=2, seed=best["seed"], iterations=20, params=free), ws)
    assert single["restarts"] == [] and single["model_seed"] == best["seed"]
    assert res["coherence"] == single["coherence"]
    assert (ws.model_dir("c") / "topic_word.npy").read_bytes() == with_restarts


def test_gensim_restarts_continue_the_chosen_seed(tmp_path):
    from textprofile.core.workspace import Workspace

    docs, labels = planted_docs(120, seed=1)
    ws = Workspace.resolve(tmp_path / "g")
    write_corpus(ws.root, "c", docs, labels)
    res = fit("c", FitConfig(engine="gensim", topics=4, no_below=2, seed=0, iterations=8, restarts=2), ws)
    assert [r["iterations"] for r in res["restarts"]] == [2, 2]
    with_restarts = (ws.model_dir("c") / "topic_word.npy").read_bytes()
    fit("c", FitConfig(engine="gensim", topics=4, no_below=2, seed=res["model_seed"], iterations=8), ws)
    assert (ws.model_dir("c") / "topic_word.npy").read_bytes() == with_restarts
    from textprofile.topics.fitted import load_model

    with pytest.raises(StateError, match="resume"):  # a saved engine has no training state to resume
        load_model(ws, "c").engine().resume(2)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_restarts_must_be_a_positive_whole_number(planted, bad):
    ws, _, _ = planted
    with pytest.raises(ConfigError, match="--restarts"):
        fit("planted", FitConfig(topics=3, restarts=bad), ws)
