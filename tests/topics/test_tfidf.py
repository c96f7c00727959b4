"""TF-IDF: the saved and rebuilt vectorizer agrees with scikit-learn fitted on token lists."""

from __future__ import annotations

import numpy as np
import pytest

from textprofile.core.errors import StateError
from textprofile.topics.tfidf import TfidfKeywords
from textprofile.topics.vocab import build_vocab

DOCS = [["cat", "dog", "dog"], ["cat", "fish"], ["dog", "bird"], ["cat", "cat", "bird"]]


def test_fit_counts_equals_fit_on_token_lists_and_survives_save(tmp_path):
    v = build_vocab([DOCS], no_below=1, no_above=1.0)
    a = TfidfKeywords(v.terms).fit(DOCS)
    b = TfidfKeywords(v.terms).fit_counts(v.encode(DOCS))
    assert np.allclose(a.idf_, b.idf_)
    b.save(tmp_path)
    c = TfidfKeywords.load(tmp_path, v.terms)
    assert np.allclose(a.transform(DOCS).toarray(), c.transform(DOCS).toarray())


@pytest.mark.parametrize("smooth", [True, False])
def test_idf_has_the_bytes_of_sklearns_transformer(smooth):
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer

    rng = np.random.default_rng(3)
    terms = [f"t{i}" for i in range(40)]
    dense = rng.poisson(0.3, size=(500, 40)) * (rng.random((500, 40)) < 0.5)
    dense[:, 0] = 1  # a term in every document: idf 1 (not smoothed)
    X = sparse.csr_matrix(dense.astype(np.int32))
    ref = TfidfTransformer(smooth_idf=smooth).fit(X).idf_
    a = TfidfKeywords(terms, smooth_idf=smooth).fit_counts(X)
    dfs = np.asarray((X > 0).sum(axis=0)).ravel()
    b = TfidfKeywords(terms, smooth_idf=smooth).fit_dfs(dfs, X.shape[0])
    assert a.idf_.tobytes() == ref.tobytes() == b.idf_.tobytes()
    assert (b.transform([["t1", "t2"]]) != a.transform([["t1", "t2"]])).nnz == 0
    with pytest.raises(StateError, match="3 document frequencies"):
        TfidfKeywords(terms).fit_dfs(dfs[:3], 500)


def test_keywords_rank_rare_terms_first():
    v = build_vocab([DOCS], no_below=1, no_above=1.0)
    tf = TfidfKeywords(v.terms).fit(DOCS)
    kw = tf.keywords([["cat", "fish"], ["unknown"]], top_n=5)
    assert [t for t, _ in kw[0]] == ["fish", "cat"]  # fish is in 1 doc, cat in 3
    assert kw[1] == []
    with pytest.raises(StateError):
        TfidfKeywords(v.terms).transform(DOCS)
