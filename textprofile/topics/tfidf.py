"""TF-IDF over token lists, aligned with the model vocabulary; keywords per document or customer.

scikit-learn's ``TfidfVectorizer`` with an identity analyzer (the tokens are already made) and
the Dictionary's terms as its fixed vocabulary, so column j is term j everywhere. Nothing is
pickled: the idf vector is saved as ``.npy`` and the settings as JSON, and the vectorizer is
rebuilt from them on load.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from textprofile.core.errors import StateError

IDF_FILE = "tfidf/idf.npy"
SETTINGS_FILE = "tfidf/tfidf.json"


def _identity(tokens):
    return tokens


class TfidfKeywords:
    """TF-IDF estimator over token lists with a fixed vocabulary (scikit-learn style)."""

    def __init__(self, vocabulary: Sequence[str], sublinear_tf: bool = True, norm: str = "l2",
                 smooth_idf: bool = True) -> None:
        self.vocabulary = vocabulary
        self.sublinear_tf = sublinear_tf
        self.norm = norm
        self.smooth_idf = smooth_idf

    def _vectorizer(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(analyzer=_identity, vocabulary=list(self.vocabulary),
                               sublinear_tf=self.sublinear_tf, norm=self.norm,
                               smooth_idf=self.smooth_idf, dtype=np.float64)

    def fit(self, token_lists: Sequence[Sequence[str]]) -> TfidfKeywords:
        """Learn idf from token lists."""
        vec = self._vectorizer().fit([list(t) for t in token_lists])
        self.vectorizer_ = vec
        self.idf_ = np.asarray(vec.idf_, dtype=np.float64)
        return self

    def fit_counts(self, X) -> TfidfKeywords:
        """Learn idf from a bag-of-words count matrix whose columns are ``vocabulary``.

        Gives the same idf as :meth:`fit` on the token lists X was encoded from (it is what
        TfidfVectorizer does after counting), without holding the token lists in memory: each
        column's stored entries (scikit-learn's document frequency) and X's rows, by :meth:`fit_dfs`.
        """
        from scipy import sparse

        X = sparse.csr_matrix(X)  # no copy when X is CSR already
        return self.fit_dfs(np.bincount(X.indices, minlength=X.shape[1]), X.shape[0])

    def fit_dfs(self, dfs, n_docs: int) -> TfidfKeywords:
        """Learn idf from each term's document frequency over ``n_docs`` documents.

        The same float64 operations as scikit-learn's ``TfidfTransformer.fit`` on an integer count
        matrix with those frequencies, so the same bytes, without building one (a matrix with one
        entry per document and term was the Spark fit driver's largest allocation: about 40
        million entries at four million comments).
        """
        df = np.asarray(dfs, dtype=np.float64) + float(self.smooth_idf)
        if df.shape != (len(self.vocabulary),):
            raise StateError(f"{df.size} document frequencies for a vocabulary of {len(self.vocabulary)} terms")
        idf = np.full_like(df, fill_value=int(n_docs) + int(self.smooth_idf))
        idf /= df
        np.log(idf, out=idf)
        idf += 1.0
        return self._set_idf(idf)

    def _set_idf(self, idf: np.ndarray) -> TfidfKeywords:
        vec = self._vectorizer()
        vec.idf_ = np.asarray(idf, dtype=np.float64)
        self.vectorizer_ = vec
        self.idf_ = np.asarray(idf, dtype=np.float64)
        return self

    def transform(self, token_lists: Sequence[Sequence[str]]):
        """(n, V) sparse TF-IDF rows."""
        if not hasattr(self, "vectorizer_"):
            raise StateError("TfidfKeywords is not fitted; call fit() first")
        return self.vectorizer_.transform([list(t) for t in token_lists])

    def keywords(self, token_lists: Sequence[Sequence[str]], top_n: int = 10
                 ) -> list[list[tuple[str, float]]]:
        """The ``top_n`` highest-scoring terms of each token list (ties: vocabulary order)."""
        return top_terms(self.transform(token_lists), self.vocabulary, top_n)

    def save(self, folder: str | Path) -> list[str]:
        from textprofile.core.artifacts import atomic_path, write_json_atomic

        folder = Path(folder)
        (folder / IDF_FILE).parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(folder / IDF_FILE, suffix=".npy") as tmp, open(tmp, "wb") as f:
            np.save(f, self.idf_, allow_pickle=False)
        write_json_atomic(folder / SETTINGS_FILE, self.get_settings())
        return [IDF_FILE, SETTINGS_FILE]

    def get_settings(self) -> dict[str, Any]:
        return {"sublinear_tf": self.sublinear_tf, "norm": self.norm, "smooth_idf": self.smooth_idf}

    @classmethod
    def load(cls, folder: str | Path, vocabulary: Sequence[str]) -> TfidfKeywords:
        """Rebuild from the saved idf and settings (the caller verified the checksums)."""
        folder = Path(folder)
        settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
        idf = np.load(folder / IDF_FILE, allow_pickle=False)
        return cls(vocabulary, **settings)._set_idf(idf)


def top_terms(M, vocabulary: Sequence[str], top_n: int) -> list[list[tuple[str, float]]]:
    """Per row of sparse ``M``, the ``top_n`` (term, score) pairs with score > 0."""
    from scipy import sparse

    M = sparse.csr_matrix(M)
    out = []
    for d in range(M.shape[0]):
        lo, hi = M.indptr[d], M.indptr[d + 1]
        cols, vals = M.indices[lo:hi], M.data[lo:hi]
        order = np.lexsort((cols, -vals))[:top_n]
        out.append([(vocabulary[int(cols[i])], round(float(vals[i]), 6)) for i in order if vals[i] > 0])
    return out
