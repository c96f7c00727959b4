"""Evaluation metrics on cases with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from textprofile.topics.coherence import cv_per_topic, diversity, npmi_per_topic, top_ids
from textprofile.topics.evaluate import clustering_scores


def test_clustering_scores_perfect_and_permuted():
    labels = ["a", "a", "b", "b", "c", "c"]
    assert clustering_scores(labels, [0, 0, 1, 1, 2, 2]) == {"nmi": 1.0, "ari": 1.0, "purity": 1.0, "n": 6}
    s = clustering_scores(labels, [2, 2, 0, 0, 1, 1])  # ids are arbitrary
    assert s["nmi"] == pytest.approx(1.0) and s["ari"] == pytest.approx(1.0)


def test_clustering_scores_by_hand():
    labels = ["x", "x", "y", "y"]
    clusters = [0, 0, 0, 1]
    s = clustering_scores(labels, clusters)
    # purity: cluster 0 holds x,x,y (majority 2), cluster 1 holds y (1) -> 3/4
    assert s["purity"] == pytest.approx(0.75)
    # NMI (arithmetic): H(labels)=ln2; H(clusters)=H(3/4,1/4); I = H(L) - H(L|C)
    h_l = math.log(2)
    h_c = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    h_l_given_c = 0.75 * -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    mi = h_l - h_l_given_c
    assert s["nmi"] == pytest.approx(mi / ((h_l + h_c) / 2))
    # ARI by the pair-counting formula: sum C(n_ij,2)=1, a=C(2,2)*2=2, b=C(3,2)+0=3, C(4,2)=6
    expected = (1 - 2 * 3 / 6) / (0.5 * (2 + 3) - 2 * 3 / 6)
    assert s["ari"] == pytest.approx(expected)


def _bow(docs, V):
    rows, cols = [], []
    for d, ws in enumerate(docs):
        for w in ws:
            rows.append(d)
            cols.append(w)
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(docs), V))


def test_npmi_by_hand():
    # 4 docs; words 0,1 always together (2 docs), word 2 alone in 1 doc, word 3 in 1 doc with 0
    X = _bow([[0, 1], [0, 1, 0], [2], [3]], 4)
    # pair (0,1): p=2/4, p0=p1=2/4 -> log(0.5/0.25)/-log(0.5) = 1
    assert npmi_per_topic(X, np.array([[0, 1]]))[0] == pytest.approx(1.0)
    # pair (0,2): never together -> -1
    assert npmi_per_topic(X, np.array([[0, 2]]))[0] == pytest.approx(-1.0)
    # topic {0,1,3}: (0,1)=1, (0,3)=never=-1, (1,3)=-1 -> mean -1/3
    assert npmi_per_topic(X, np.array([[0, 1, 3]]))[0] == pytest.approx(-1 / 3)
    # perfectly co-occurring words are the most C_V-coherent
    cv = cv_per_topic(X, np.array([[0, 1], [0, 2]]))
    assert cv[0] > cv[1]


def test_diversity_and_top_ids():
    tw = np.array([[0.5, 0.3, 0.2, 0.0], [0.5, 0.3, 0.0, 0.2]])
    assert top_ids(tw, 2).tolist() == [[0, 1], [0, 1]]
    assert diversity(tw, 2) == pytest.approx(0.5)
    assert diversity(tw, 3) == pytest.approx(4 / 6)
    assert diversity(np.eye(3), 1) == 1.0


def test_cv_close_to_gensim_on_short_documents():
    """Our document-window C_V matches gensim's c_v when every document fits one window."""
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(12)]
    texts = []
    for d in range(300):
        group = d % 3
        texts.append(list(dict.fromkeys(rng.choice(words[group * 4:(group + 1) * 4] + words[:2], size=5))))
    dct = Dictionary(texts)
    X = _bow([[dct.token2id[w] for w in t] for t in texts], len(dct))
    topics = [["w4", "w5", "w6", "w7"], ["w0", "w4", "w8", "w9"]]
    ids = np.array([[dct.token2id[w] for w in t] for t in topics])
    ours = cv_per_topic(X, ids)
    cm = CoherenceModel(topics=topics, texts=texts, dictionary=dct, coherence="c_v", topn=4, processes=1)
    theirs = np.array(cm.get_coherence_per_topic())
    assert np.allclose(ours, theirs, atol=0.05), (ours, theirs)
