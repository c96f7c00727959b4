"""load_model: the documented API, checksum refusal, add_doc_topics, labels."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fit_helpers import planted_docs, write_corpus

from textprofile.core.config import FitConfig
from textprofile.core.errors import IntegrityError, NotFoundError
from textprofile.pipeline.fit import fit
from textprofile.topics.fitted import load_model


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    from textprofile.core.workspace import Workspace

    ws = Workspace.resolve(tmp_path_factory.mktemp("ws"))
    docs, labels = planted_docs(240)
    write_corpus(ws.root, "m", docs, labels)
    fit("m", FitConfig(topics=4, no_below=2, iterations=100), ws)
    return ws, docs


def _copy(fitted, tmp_path):
    import shutil

    from textprofile.core.workspace import Workspace

    ws, docs = fitted
    shutil.copytree(ws.root, tmp_path / "w")
    return Workspace.resolve(tmp_path / "w"), docs


def test_api_shapes_and_invariants(fitted):
    ws, docs = fitted
    fm = load_model(ws, "m")
    assert fm.k == 4 and fm.topic_word.shape == (4, len(fm.vocab))
    assert np.allclose(fm.topic_word.sum(axis=1), 1)
    assert fm.term_frequency.shape == (len(fm.vocab),) and fm.term_frequency.sum() > 0
    assert fm.manifest["kind"] == "model"
    topics = fm.topics()
    assert [t["id"] for t in topics] == [0, 1, 2, 3]
    assert all(len(t["terms"]) == min(30, len(fm.vocab)) for t in topics)
    assert fm.label(2) == topics[2]["label"] == topics[2]["auto_label"]
    dt = fm.doc_topics()
    assert list(dt.columns) == ["comment_id", "n_tokens", "topic_0", "topic_1", "topic_2", "topic_3"]
    assert dt["topic_0"].dtype == np.float32 and len(dt) == len(docs)


def test_infer_matches_doc_topics_and_is_deterministic(fitted):
    ws, docs = fitted
    fm = load_model(ws, "m")
    theta = fm.infer(docs[:20])
    assert theta.shape == (20, 4)
    assert np.array_equal(theta, load_model(ws, "m").infer(docs[:20]))
    stored = fm.doc_topics().filter(like="topic_").to_numpy()[:20]
    assert np.array_equal(theta.astype(np.float32), stored)
    empty = fm.infer([[], ["never-seen"]])
    assert np.allclose(empty, fm.alpha / fm.alpha.sum())


def test_keywords_are_tfidf_terms_of_the_document(fitted):
    ws, docs = fitted
    fm = load_model(ws, "m")
    kw = fm.keywords([docs[0], ["battery", "battery", "hotel"]], top_n=3)
    assert len(kw) == 2 and 0 < len(kw[0]) <= 3
    assert all(t in docs[0] for t, _ in kw[0])
    assert next(t for t, _ in kw[1]) == "battery"
    scores = [s for _, s in kw[0]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("victim", ["engine/tomotopy.bin", "doc_topics.parquet", "topic_word.npy", "tfidf/idf.npy"])
def test_tampered_file_is_refused(fitted, tmp_path, victim):
    ws, _ = _copy(fitted, tmp_path)
    path = ws.model_dir("m") / victim
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="checksum"):
        load_model(ws, "m")


def test_unlisted_or_missing_file_is_refused(fitted, tmp_path):
    ws, _ = _copy(fitted, tmp_path)
    d = ws.model_dir("m")
    m = json.loads((d / "manifest.json").read_text())
    del m["files"]["engine/tomotopy.bin"]
    (d / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(IntegrityError, match="not listed"):
        load_model(ws, "m")
    with pytest.raises(NotFoundError, match="textprofile fit"):
        load_model(ws, "other")


def test_add_doc_topics_merges_idempotently(fitted, tmp_path):
    ws, _docs = _copy(fitted, tmp_path)
    fm = load_model(ws, "m")
    before = fm.doc_topics()
    theta = fm.infer([["pizza", "cheese"], ["hotel", "room"]])
    new = pd.DataFrame({"comment_id": [before["comment_id"][0], "new-1"], "n_tokens": [2, 2]})
    for i in range(fm.k):
        new[f"topic_{i}"] = theta[:, i].astype(np.float32)
    assert fm.add_doc_topics(new) == len(before) + 1
    path = ws.model_dir("m") / "doc_topics.parquet"
    first = path.read_bytes()
    fm2 = load_model(ws, "m")  # manifest refreshed: still verifies
    assert fm2.add_doc_topics(new) == len(before) + 1
    assert path.read_bytes() == first
    after = load_model(ws, "m").doc_topics()
    assert after["comment_id"].tolist() == before["comment_id"].tolist() + ["new-1"]
    assert after.loc[0, "topic_0"] == np.float32(theta[0, 0])


def test_rename_topic_persists_and_verifies(fitted, tmp_path):
    ws, _ = _copy(fitted, tmp_path)
    fm = load_model(ws, "m")
    fm.rename_topic(1, "Power & charging")
    fm2 = load_model(ws, "m")
    assert fm2.label(1) == "Power & charging" and fm2.topics()[1]["label"] == "Power & charging"
    assert fm2.topics()[1]["auto_label"] != "Power & charging"
    fm2.rename_topic(1, "")
    assert load_model(ws, "m").label(1) == fm2.topics()[1]["auto_label"]


def test_gensim_engine_roundtrip_and_online_update(tmp_path):
    from textprofile.core.workspace import Workspace

    ws = Workspace.resolve(tmp_path)
    docs, labels = planted_docs(160)
    write_corpus(ws.root, "g", docs, labels)
    fit("g", FitConfig(engine="gensim", topics=4, no_below=2, seed=1, iterations=3), ws)
    fm = load_model(ws, "g")
    eng = fm.engine()
    assert np.allclose(eng.topic_word_, fm.topic_word)
    before = eng.topic_word_.copy()
    eng.update(fm.encode(docs[:40]))
    assert eng.topic_word_.shape == before.shape and not np.array_equal(eng.topic_word_, before)
