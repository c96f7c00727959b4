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


def test_keywords_rank_rare_terms_first():
    v = build_vocab([DOCS], no_below=1, no_above=1.0)
    tf = TfidfKeywords(v.terms).fit(DOCS)
    kw = tf.keywords([["cat", "fish"], ["unknown"]], top_n=5)
    assert [t for t, _ in kw[0]] == ["fish", "cat"]  # fish is in 1 doc, cat in 3
    assert kw[1] == []
    with pytest.raises(StateError):
        TfidfKeywords(v.terms).transform(DOCS)
