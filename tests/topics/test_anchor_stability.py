"""The NMF anchor (topics/anchor.py): deterministic, seed-independent, and it makes seeds agree."""

from __future__ import annotations

import numpy as np
import pytest
from fit_helpers import BACKGROUND, planted_docs, write_corpus
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from textprofile.core.config import FitConfig
from textprofile.core.errors import ConfigError
from textprofile.topics import make_engine
from textprofile.topics.anchor import anchor_rows, nmf_topics, word_priors


def _counts(docs):
    vocab = sorted({w for d in docs for w in d})
    index = {w: i for i, w in enumerate(vocab)}
    rows = [i for i, d in enumerate(docs) for _ in d]
    cols = [index[w] for d in docs for w in d]
    X = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(len(docs), len(vocab)))
    X.sum_duplicates()
    return X, tuple(vocab)


@pytest.fixture(scope="module")
def planted():
    return _counts(planted_docs(400)[0])


def _matched_dominant(a, b, X) -> float:
    """Share of documents whose dominant topic in ``b`` is the Hungarian match of ``a``'s."""
    ta = a.topic_word_ / np.linalg.norm(a.topic_word_, axis=1, keepdims=True)
    tb = b.topic_word_ / np.linalg.norm(b.topic_word_, axis=1, keepdims=True)
    rows, cols = linear_sum_assignment(-(ta @ tb.T))
    perm = cols[np.argsort(rows)]
    return float((a.transform(X).argmax(axis=1) == b.transform(X)[:, perm].argmax(axis=1)).mean())


def test_anchor_is_deterministic_and_seed_free(planted):
    X, vocab = planted
    H1 = nmf_topics(X, 4)
    np.random.seed(123)  # the global generator must not matter
    H2 = nmf_topics(X, 4)
    assert H1.tobytes() == H2.tobytes()
    assert (H1.sum(axis=0) > 0).all()
    prior = word_priors(H1, np.asarray(X.sum(axis=0)).ravel(), 0.01, 0.1)
    assert prior.shape == H1.shape and (prior >= 0.01).all()
    # a planted theme's words get their pseudo-counts in one topic; background words are spread
    theme = np.array([w not in BACKGROUND for w in vocab])
    concentrated = prior.max(axis=0) > 0.5 * prior.sum(axis=0)
    assert concentrated[theme].all() and not concentrated[~theme].all()
    # the sample of a large matrix is evenly spaced rows, not a seeded draw
    rows = anchor_rows(1_000, 10)
    assert rows[0] == 0 and rows[-1] == 999 and len(rows) == 10


def test_same_seed_same_bytes_with_the_anchor(planted):
    X, vocab = planted
    a = make_engine("tomotopy", k=3, seed=5, anchor=0.1).fit(X, vocab, iterations=60)
    b = make_engine("tomotopy", k=3, seed=5, anchor=0.1).fit(X, vocab, iterations=60)
    assert a.settings()["anchor"] == pytest.approx(0.1)
    assert make_engine("tomotopy", k=3).settings()["anchor"] == pytest.approx(0.03)  # on by default
    assert a.topic_word_.tobytes() == b.topic_word_.tobytes()
    assert a.transform(X).tobytes() == b.transform(X).tobytes()


def test_different_seeds_give_the_same_dominant_topics(planted):
    # K = 3 for 4 planted themes: which two themes share a topic is the chain's choice, so
    # without the anchor the seeds disagree; with it, every seed merges the same two
    X, vocab = planted
    free = [make_engine("tomotopy", k=3, seed=s, anchor=0.0).fit(X, vocab, iterations=100) for s in (0, 1)]
    anchored = [make_engine("tomotopy", k=3, seed=s, anchor=0.1).fit(X, vocab, iterations=100) for s in (0, 1)]
    default = [make_engine("tomotopy", k=3, seed=s).fit(X, vocab, iterations=100) for s in (0, 1)]
    assert _matched_dominant(*free, X) < 0.9  # the corpus is hard enough to tell them apart
    assert _matched_dominant(*anchored, X) > 0.98
    assert _matched_dominant(*default, X) > 0.98


def test_negative_anchor_is_refused(planted):
    X, vocab = planted
    with pytest.raises(ConfigError, match="anchor"):
        make_engine("tomotopy", k=3, anchor=-1.0).fit(X, vocab, iterations=5)


def test_fit_records_the_anchor_in_the_manifest(tmp_path):
    import json

    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.fit import fit

    ws = Workspace.resolve(tmp_path)
    docs, labels = planted_docs(240)
    write_corpus(ws.root, "m", docs, labels)
    fit("m", FitConfig(topics=4, no_below=2, iterations=40, params={"anchor": 0.1}), ws)
    manifest = json.loads((ws.model_dir("m") / "manifest.json").read_text())
    assert manifest["engine"]["anchor"] == pytest.approx(0.1)
