"""English (Latin-script) tokens: spaCy's ``blank("en")`` tokenizer and lookup lemmas, lower-cased.

The lemma of a token is what spaCy's lookup lemmatizer (``nlp.add_pipe("lemmatizer",
config={"mode": "lookup"})`` with spacy-lookups-data) gives: ``lemma_lookup[text]``, falling back to
the text. We read the same table directly instead of running the pipe, and memoise the decision
per token string, which is several times faster; tests check the lemmas agree with the pipe.
Deliberate differences:

- a capitalised word missing from the table ("Batteries" at the start of a sentence) is looked
  up again lower-cased, so it gets the same lemma as mid-sentence;
- ``LEMMA_OVERRIDES`` corrects lookup-table mistakes found among the 2,000 most frequent tokens
  of the Amazon 5-core and twcs samples in ../shared/data ("number"→"numb", "cookies"→"cooky",
  "first"→"1", "tired"→"tire", ...);
- contraction fragments are dropped: the verb stems spaCy splits off before "n't" ("wo" of won't,
  "ca" of can't, "sha" of shan't, "ai" of ain't) and the clitics themselves ("n't", "'s", "'re",
  "'ve", "'ll", "'d", "'m", with either apostrophe; "nt" of "dont").
"""

from __future__ import annotations

import re

_LETTER = re.compile(r"[^\W\d_]")
MEMO_LIMIT = 100_000
SHORT_RUN = 40  # characters; longer stretches are not memoised whole

# word (lower-cased) -> lemma, where spaCy's lookup table gives a wrong lemma for review text.
# Found by listing the most frequent Amazon/twcs tokens whose lookup lemma differs from the word.
LEMMA_OVERRIDES = {
    "number": "number",  # table: numb
    "numbers": "number",
    "cookies": "cookie",  # table: cooky
    "cookie": "cookie",
    "calories": "calorie",  # table: calory
    "matter": "matter",  # table: matt
    "putting": "put",  # table: putt
    "crew": "crew",  # table: crow
    "does": "do",  # table: doe
    "bit": "bit",  # table: bite ("a bit")
    "first": "first",  # table: 1, which was then dropped as a number
    "second": "second",  # table: 2
    "third": "third",  # table: 3
    "better": "good",  # table: well
    "best": "good",  # table: well
    "worse": "bad",  # table: wrong
    "worst": "bad",  # table: wrong
    "tired": "tired",  # table: tire
    "boring": "boring",  # table: bore
    "amazing": "amazing",  # table: amaze
    "interesting": "interesting",  # table: interest
    "data": "data",  # table: datum
    "media": "media",  # table: medium
    "physics": "physics",  # table: physic
    "pants": "pants",  # table: pant
    "bases": "base",  # table: basis
    "ai": "ai",  # table: have (from "ai" of ain't, which is dropped before "n't" anyway)
}

# Contraction pieces that carry no word of their own once spaCy has split "won't" → "wo" + "n't".
_APOSTROPHES = ("'", "’")
CONTRACTION_FRAGMENTS = frozenset(
    ["nt"]
    + [a + c for a in _APOSTROPHES for c in ("s", "re", "ve", "ll", "d", "m")]
    + [f"n{a}t" for a in _APOSTROPHES]
)
# stems of a negative contraction; dropped only when glued to a following "n't"/"nt"
NEGATION_STEMS = frozenset({"wo", "ca", "sha", "ai"})


class EnglishLemmatizer:
    """Turn a Latin-script stretch of text into lower-cased lemmas, stopwords removed.

    ``lang`` another spaCy language with a lookup table in spacy-lookups-data (es, fr, de, ...;
    ``langid.TOKENIZABLE``) gives that language's tokenizer, lemma table and stop words (added to
    ``stopwords``); the English overrides and contraction rules then do not apply.
    """

    def __init__(self, stopwords: frozenset[str], lang: str = "en"):
        from spacy.lookups import load_lookups

        self.lang = lang
        self.tokenizer = light_tokenizer(lang)
        self._nlp = None
        self._table = load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")
        if lang != "en":
            from textprofile.text.stopwords import spacy_stop_words

            stopwords = stopwords | {w.lower() for w in spacy_stop_words(lang)}
        self._english = lang == "en"
        self._stop = stopwords
        # token text -> lemma to keep, or "" to drop
        self._memo: dict[str, str] = {}
        self._run_memo: dict[str, tuple[str, ...]] = {}

    @property
    def nlp(self):
        """``spacy.blank(lang)``, built on first use (benchmarks and tests compare with it)."""
        if self._nlp is None:
            import spacy

            self._nlp = spacy.blank(self.lang)
        return self._nlp

    def lemmas(self, text: str) -> list[str]:
        """Kept lemmas of ``text`` in order. Short stretches are memoised whole: in Chinese
        reviews the Latin runs are mostly a few repeated names ("XP", "MP3", "USB")."""
        if len(text) > SHORT_RUN:
            return self._lemmas(text)
        kept = self._run_memo.get(text)
        if kept is None:
            kept = tuple(self._lemmas(text))
            if len(self._run_memo) >= MEMO_LIMIT:
                self._run_memo.clear()
            self._run_memo[text] = kept
        return list(kept)

    def _lemmas(self, text: str) -> list[str]:
        out: list[str] = []
        memo = self._memo
        english = self._english
        for tok in self.tokenizer(text):
            t = tok.text
            if english and not tok.whitespace_ and t.lower() in NEGATION_STEMS and _before_negation(tok):
                continue
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
        lower = text.lower()
        english = self._english
        if english and lower in CONTRACTION_FRAGMENTS:
            return ""
        table = self._table
        lemma = LEMMA_OVERRIDES.get(lower) if english else None
        if lemma is None:
            lemma = table.get(text)
        if lemma is None:
            lemma = table.get(lower, lower) if lower != text else text
        if not isinstance(lemma, str):  # the French table lists lemmas: ['avoir']
            lemma = lemma[0] if lemma else lower
        lemma = lemma.lower().strip("'’-.")
        # one-letter leftovers ("s" of "'s", "x") and tokens without letters carry nothing
        if len(lemma) < 2 or not _LETTER.search(lemma):
            return ""
        if lemma in self._stop or text.lower() in self._stop:
            return ""
        return lemma


def light_tokenizer(lang: str):
    """spaCy's tokenizer for ``lang``, built as ``spacy.blank(lang)`` builds it (the language's
    exceptions, prefixes, suffixes, infixes, token and URL matches) but over a vocabulary that
    computes only the lexeme attributes ``_decide`` reads (space, punctuation, number, URL,
    e-mail). The tokens are the same (tested); a new word costs a fraction of what the full
    vocabulary's norm, shape, prefix, suffix, stop and lookups-table getters cost, and no
    ``Language`` object (its config and registry) is built."""
    from spacy import util
    from spacy.attrs import IS_PUNCT, IS_SPACE, LIKE_EMAIL, LIKE_NUM, LIKE_URL
    from spacy.lang.lex_attrs import LEX_ATTRS
    from spacy.tokenizer import Tokenizer
    from spacy.vocab import Vocab

    d = util.get_lang_class(lang).Defaults
    getters = {**LEX_ATTRS, **d.lex_attr_getters}
    vocab = Vocab(lex_attr_getters={a: getters[a] for a in (IS_SPACE, IS_PUNCT, LIKE_NUM, LIKE_URL, LIKE_EMAIL)})
    return Tokenizer(
        vocab,
        rules=d.tokenizer_exceptions,
        prefix_search=util.compile_prefix_regex(d.prefixes).search if d.prefixes else None,
        suffix_search=util.compile_suffix_regex(d.suffixes).search if d.suffixes else None,
        infix_finditer=util.compile_infix_regex(d.infixes).finditer if d.infixes else None,
        token_match=d.token_match,
        url_match=d.url_match,
    )


def _before_negation(tok) -> bool:
    """Whether ``tok`` is directly followed by "n't" / "n’t" / "nt" (so it is "wo" of "won't")."""
    i = tok.i + 1
    doc = tok.doc
    return i < len(doc) and doc[i].text.lower() in ("n't", "n’t", "nt")
