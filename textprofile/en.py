"""English (Latin-script) tokens: spaCy's ``blank("en")`` tokenizer and lookup lemmas, lower-cased.

The lemma of a token is what spaCy's lookup lemmatizer (``nlp.add_pipe("lemmatizer",
config={"mode": "lookup"})`` with spacy-lookups-data) gives: ``lemma_lookup[text]``, falling back to
the text. We read the same table directly instead of running the pipe, and memoise the decision
per token string, which is several times faster; tests check the lemmas agree with the pipe.
One deliberate difference: a capitalised word missing from the table ("Batteries" at the start
of a sentence) is looked up again lower-cased, so it gets the same lemma as mid-sentence.
"""

from __future__ import annotations

import re

_LETTER = re.compile(r"[^\W\d_]")
MEMO_LIMIT = 100_000


class EnglishLemmatizer:
    """Turn a Latin-script stretch of text into lower-cased lemmas, stopwords removed."""

    def __init__(self, stopwords: frozenset[str]):
        import spacy
        from spacy.lookups import load_lookups

        self.nlp = spacy.blank("en")
        self._table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self._stop = stopwords
        # token text -> lemma to keep, or "" to drop
        self._memo: dict[str, str] = {}

    def lemmas(self, text: str) -> list[str]:
        out: list[str] = []
        memo = self._memo
        for tok in self.nlp.tokenizer(text):
            t = tok.text
            lem = memo.get(t)
            if lem is None:
                lem = self._decide(tok)
                if len(memo) >= MEMO_LIMIT:
                    memo.clear()
                memo[t] = lem
            if lem:
                out.append(lem)
        return out

    def _decide(self, tok) -> str:
        """The token's lemma, or "" when it is dropped (space, punctuation, number, URL, stopword)."""
        if tok.is_space or tok.is_punct or tok.like_num or tok.like_url or tok.like_email:
            return ""
        text = tok.text
        table = self._table
        lemma = table.get(text)
        if lemma is None:
            lower = text.lower()
            lemma = table.get(lower, lower) if lower != text else text
        lemma = lemma.lower().strip("'’-.")
        # one-letter leftovers ("s" of "'s", "x") and tokens without letters carry nothing
        if len(lemma) < 2 or not _LETTER.search(lemma):
            return ""
        if lemma in self._stop or text.lower() in self._stop:
            return ""
        return lemma
