"""Topic mixtures and keywords of new text with a saved model, prepared exactly as ``load`` does.

Each text is cleaned like an export row (HTML stripped, NFKC, PII scrubbed unless the corpus was
loaded with ``--keep-pii``), tokenized with the corpus's saved TokenizeConfig (and its saved
phrase table, as ``update`` does), then folded into the saved topics. Nothing is written.
"""

from __future__ import annotations

import threading
from typing import Any

from textprofile.core.errors import ConfigError
from textprofile.core.workspace import Workspace

MAX_TEXTS = 1000
MAX_KEYWORDS = 50
SHARE_DECIMALS = 6


class TextModel:
    """The model of corpus ``name`` with the corpus's cleaning and tokenization; reuse it.

    Loading jieba/spaCy takes seconds, so the tokenizer is built on the first ``infer`` and kept.
    ``infer`` holds a lock: the tokenizer's caches are not meant for concurrent threads.
    """

    def __init__(self, ws: Workspace, name: str):
        from textprofile.core.artifacts import read_manifest
        from textprofile.pipeline.load import config_from_manifest
        from textprofile.pipeline.update import _tokenize_config
        from textprofile.topics.fitted import load_model_with_corpus

        self.name = name
        corpus_dir, self.fm = load_model_with_corpus(ws, name)
        manifest = read_manifest(corpus_dir)
        self.load_config = config_from_manifest(manifest)
        self.tokenize_config = _tokenize_config(manifest)
        self.grams = None
        if self.tokenize_config.phrases:
            from textprofile.text.phrases import read_table

            self.grams = read_table(corpus_dir, manifest, name)
        self._tokenizer = None
        self._lock = threading.Lock()

    def tokens(self, texts: list[str]) -> tuple[list[str], list[list[str]]]:
        """(languages, token lists) of ``texts`` as ``load`` + ``tokenize`` would store them."""
        from textprofile.ingest.clean import clean_texts
        from textprofile.ingest.pii import scrub_many

        cleaned = clean_texts(texts)
        if not self.load_config.keep_pii:
            cleaned = scrub_many(cleaned)
        if self._tokenizer is None:
            from textprofile.text.tokenizer import Tokenizer

            self._tokenizer = Tokenizer(self.tokenize_config)
        langs, tokens = self._tokenizer.tokenize_chunk(cleaned)
        if self.grams:
            from textprofile.text.phrases import join_tokens

            tokens = [join_tokens(self.grams, t)[0] for t in tokens]
        return langs, tokens

    def infer(self, texts: list[str], keywords: int = 10) -> dict[str, Any]:
        """``{"model", "results": [{"lang", "n_tokens", "interests", "keywords"}, ...]}``, in order.

        ``interests`` are all topics, largest share first (as in a profile card); a text with no
        word the model knows gets the prior mixture and ``n_tokens`` 0.
        """
        import numpy as np

        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise ConfigError("texts must be a list of strings")
        if len(texts) > MAX_TEXTS:
            raise ConfigError(f"at most {MAX_TEXTS} texts per call (got {len(texts)})")
        if not 0 <= keywords <= MAX_KEYWORDS:
            raise ConfigError(f"keywords must be between 0 and {MAX_KEYWORDS} (got {keywords})")
        limit = self.load_config.max_text_chars
        for i, t in enumerate(texts):
            if len(t) > limit:
                raise ConfigError(f"text {i} has {len(t)} characters; at most {limit} (the corpus's --max-text-chars)")
        with self._lock:
            langs, tokens = self.tokens(texts)
            fm = self.fm
            n_tok = np.asarray(fm.encode(tokens).sum(axis=1)).ravel() if tokens else np.zeros(0)
            theta = fm.infer(tokens)
            kws = fm.keywords(tokens, keywords) if keywords and tokens else [[] for _ in tokens]
        labels = {t: fm.label(t) for t in range(fm.k)}
        results = []
        for lang, n, row, kw in zip(langs, n_tok, theta, kws):
            order = np.argsort(-row, kind="stable")
            results.append({
                "lang": lang,
                "n_tokens": int(n),
                "interests": [{"topic_id": int(t), "label": labels[int(t)], "share": round(float(row[t]), SHARE_DECIMALS)}
                              for t in order],
                "keywords": [{"term": term, "score": round(float(score), SHARE_DECIMALS)} for term, score in kw],
            })
        return {"model": self.name, "results": results}


def infer_texts(name: str, texts: list[str], ws: Workspace | None = None, keywords: int = 10) -> dict[str, Any]:
    """One-shot ``TextModel(ws, name).infer(texts, keywords)``."""
    return TextModel(ws or Workspace.resolve(), name).infer(texts, keywords)
