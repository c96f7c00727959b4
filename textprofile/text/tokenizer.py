"""Bilingual tokenization: comment text → (language, clean tokens), for one text or a whole corpus.

Per comment: social markup and PII placeholders are removed and hashtags kept whole
(``social``), the language is read from the script mix (``lang.detect``) and, for Latin-only
text, by ``langid`` (a comment in a language not in ``config.languages`` keeps its language
code and gets no tokens; one in an opted-in language gets that language's lemmas), Han runs are folded
from Traditional to Simplified and segmented by jieba (``zh``), Latin stretches are tokenized
and lemmatized by spaCy (``en``), and stop words, numbers, punctuation and single Han characters
(unless kept by the config) are dropped. ``tokenize_corpus`` streams comments.parquet through a
process pool into tokens.parquet (``corpus``).
"""

from __future__ import annotations

import math
import re

from textprofile.core.config import TokenizeConfig
from textprofile.text.lang import HAN_SPLIT, detect, has_han, has_latin
from textprofile.text.social import split_markup

# Bump when a change here changes tokens for the same config; it is part of the cache key.
TOKENIZER_VERSION = 4  # 2: English lemma overrides, contraction fragments dropped; 3: jieba-rs; 4: langid too


class Tokenizer:
    """Turn texts into ``(lang, tokens)``; build once and reuse (loading jieba takes a second).

    The jieba dictionary and spaCy are loaded on first need, so a Chinese-only corpus never
    imports spaCy's English tokenizer and vice versa.
    """

    def __init__(self, config: TokenizeConfig | None = None):
        from textprofile.text.stopwords import build_stopwords
        from textprofile.text.zh import load_trad_map

        # config.phrases is a corpus-level pass (phrases.py, run by tokenize_corpus): it needs
        # counts over every comment, so one text's tokens are the same with it on or off
        self.config = config if config is not None else TokenizeConfig()
        self.stopwords = build_stopwords(tuple(self.config.stopword_files))
        self.keep_single_han = frozenset(self.config.keep_single_han)
        self._trad = load_trad_map()
        self._zh = None
        self._en = None
        from textprofile.text.langid import normalize_languages

        self.languages = normalize_languages(self.config.languages)
        self._langid = None
        self._other_lemmatizers: dict[str, object] = {}  # opted-in languages other than en
        self._keep_memo: dict[str, bool] = {}
        self._han_memo: dict[str, tuple[str, ...]] = {}
        # Set by ``parallel.map_chunks`` in a mostly-Chinese corpus: workers leave each Latin run
        # as LATIN_MARK + run and the parent lemmatizes it (``resolve_latin``), so the parent forks
        # the workers without first spending seconds importing spaCy, and loads it once, later,
        # while they segment Chinese.
        self.defer_latin = False
        self._n_deferred = 0
        self._han_pending: dict[str, None] | None = None  # runs left for one batched cut (a chunk)
        self._n_han_marks = 0
        self._trad_chars = re.compile("[" + "".join(map(chr, sorted(self._trad))) + "]")

    @property
    def zh(self):
        if self._zh is None:
            from textprofile.text.zh import ChineseSegmenter

            self._zh = ChineseSegmenter(tuple(self.config.user_dicts), self.config.zh_engine)
        return self._zh

    @property
    def en(self):
        if self._en is None:
            from textprofile.text.en import EnglishLemmatizer

            self._en = EnglishLemmatizer(self.stopwords)
        return self._en

    @property
    def langid(self):
        if self._langid is None:
            from textprofile.text.langid import LatinLanguageId

            self._langid = LatinLanguageId()
        return self._langid

    def latin_lemmatizer(self, lang: str):
        """The lemmatizer of opted-in language ``lang`` (not en), built on first need."""
        lem = self._other_lemmatizers.get(lang)
        if lem is None:
            from textprofile.text.en import EnglishLemmatizer

            lem = self._other_lemmatizers[lang] = EnglishLemmatizer(self.stopwords, lang)
        return lem

    def warm_up(self, texts) -> bool:
        """Load jieba and/or spaCy now if ``texts`` (a sample) has Han or Latin letters.

        When Han dominates the sample (Latin letters under ``DEFER_LATIN_SHARE`` of Han+Latin),
        spaCy is not loaded and True is returned: Latin runs may then be deferred to the parent.
        """
        from textprofile.text.lang import script_counts

        sample = " ".join(t for t in texts if isinstance(t, str))
        han, latin, _ = script_counts(sample)
        if han:
            self.zh  # noqa: B018
        defer = han > 0 and latin < DEFER_LATIN_SHARE * (han + latin)
        if latin and not defer:
            self.en  # noqa: B018
        if latin and any(isinstance(t, str) and self.langid.gate(t) for t in texts):
            self.langid.detector  # noqa: B018  (lingua's models, once, before workers fork)
        return defer

    def resolve_latin(self, toks: list[list[str]], pending: list[int]) -> None:
        """Replace, in place, the deferred Latin runs in ``toks[i]`` (i in ``pending``) by their lemmas."""
        lemmas = self.en.lemmas
        for i in pending:
            out: list[str] = []
            for w in toks[i]:
                if w[0] == LATIN_MARK:
                    out.extend(lemmas(w[1:]))
                else:
                    out.append(w)
            toks[i] = out

    def tokenize(self, text: str | None) -> tuple[str, list[str]]:
        """``(lang, tokens)`` of one comment; lang is detected on the text after markup removal."""
        if not isinstance(text, str):
            if text is None or (isinstance(text, float) and math.isnan(text)):  # NaN from pandas
                return "empty", []
            text = str(text)
        if not text:
            return "empty", []
        items = split_markup(text)
        plain = len(items) == 1 and items[0][0] == "text"
        clean = items[0][1] if plain else " ".join(piece for _, piece in items)
        lang = detect(clean)
        if lang == "en" and not has_han(clean):
            lang = self.langid.language(clean)
            if lang != "en":
                if lang not in self.languages:
                    return lang, []
                return lang, self._other_latin(lang, items)
        if plain:
            return lang, self._tokens(clean)
        tokens = []
        for kind, piece in items:
            if kind == "tag":
                tokens.append(piece)
            else:
                tokens.extend(self._tokens(piece))
        return lang, tokens

    def _other_latin(self, lang: str, items) -> list[str]:
        """Tokens of a Latin-only comment in opted-in language ``lang``: its lemmas, hashtags kept."""
        lemmas = self.latin_lemmatizer(lang).lemmas
        tokens: list[str] = []
        for kind, piece in items:
            if kind == "tag":
                tokens.append(piece)
            elif has_latin(piece):
                tokens.extend(lemmas(piece))
        return tokens

    def tokenize_many(self, texts, jobs: int | None = 1) -> list[tuple[str, list[str]]]:
        """``tokenize`` over many texts, in order; ``jobs`` > 1 uses a process pool."""
        texts = list(texts)
        if jobs == 1 or len(texts) < 2 * CHUNK_ROWS:
            return [self.tokenize(t) for t in texts]
        from textprofile.text.workers import map_chunks

        # load jieba (and spaCy unless Latin is rare) here, so the workers forked afterwards inherit them
        self.warm_up(texts[:CHUNK_ROWS])
        out: list[tuple[str, list[str]]] = []
        chunks = (texts[i : i + CHUNK_ROWS] for i in range(0, len(texts), CHUNK_ROWS))
        for langs, toks in map_chunks(self, chunks, jobs):
            out.extend(zip(langs, toks))
        return out

    def tokenize_chunk(self, texts) -> tuple[list[str], list[list[str]]]:
        """Column-wise ``tokenize`` over a chunk: (langs, token lists)."""
        langs, toks, pending = self.tokenize_chunk_deferred(texts)
        if pending:
            self.resolve_latin(toks, pending)
        return langs, toks

    def tokenize_chunk_deferred(self, texts) -> tuple[list[str], list[list[str]], list[int]]:
        """``tokenize_chunk``, plus the rows whose Latin runs were deferred (``defer_latin``)."""
        from textprofile.text.han_batch import batch_tokens, route

        texts = texts if isinstance(texts, list) else list(texts)
        langs: list[str] = [""] * len(texts)
        toks: list[list[str]] = [[]] * len(texts)
        pending: list[int] = []
        # comments without markup or a third script (most Chinese ones) are done column-wise,
        # their Han runs cut together (``han_batch``); the rest one by one
        fold = self.fold_traditional
        routes = [route(fold, t) for t in texts]
        batch = [i for i, r in enumerate(routes) if r is not None]
        rest = [i for i, r in enumerate(routes) if r is None]
        if batch:
            before = self._n_deferred
            for i, tokens in zip(batch, batch_tokens(self, [routes[i] for i in batch])):
                langs[i] = routes[i][0]
                toks[i] = tokens
            if self._n_deferred != before:
                pending.extend(i for i in batch if routes[i][2] and any(w[:1] == LATIN_MARK for w in toks[i]))
        han_rows: list[int] = []
        # Han runs not memoised yet are left as HAN_MARK + run and segmented together at the end,
        # in one engine call (``ChineseSegmenter.cut_runs``): the same tokens, a third of the time
        self._han_pending = {}
        try:
            for i in rest:
                before, han_before = self._n_deferred, self._n_han_marks
                langs[i], toks[i] = self.tokenize(texts[i])
                if self._n_deferred != before:
                    pending.append(i)
                if self._n_han_marks != han_before:
                    han_rows.append(i)
            if self._han_pending:
                self._resolve_han(toks, han_rows, list(self._han_pending))
        finally:
            self._han_pending = None
        pending.sort()
        return langs, toks, pending

    def fold_traditional(self, text: str) -> str:
        """``text`` with Traditional Han characters folded to Simplified (Han to Han only)."""
        if self._trad_chars.search(text) is not None:  # a regex scan is 15x faster than translate
            text = text.translate(self._trad)
        return text

    @property
    def han_memo(self) -> dict[str, tuple[str, ...]]:
        """Kept words per Han run seen (dropped whole past ``han_memo_limit``)."""
        return self._han_memo

    han_memo_limit = property(lambda self: HAN_MEMO_LIMIT)

    def latin_tokens(self, stretch: str, out: list[str]) -> None:
        """Append the lemmas of a Latin stretch to ``out`` (or its mark, when ``defer_latin``)."""
        self._latin(stretch, out)

    def keep_word(self, w: str) -> bool:
        """Whether jieba word ``w`` is a token (``_keep_han``), memoised."""
        keep = self._keep_memo
        k = keep.get(w)
        if k is None:
            if len(keep) >= 100_000:
                keep.clear()
            k = keep[w] = self._keep_han(w)
        return k

    def _resolve_han(self, toks: list[list[str]], rows: list[int], runs: list[str]) -> None:
        from textprofile.text.han_batch import cut_kept

        kept = dict(zip(runs, cut_kept(self, runs)))
        memo = self._han_memo
        if len(memo) + len(kept) > HAN_MEMO_LIMIT:
            memo.clear()
        memo.update(kept)
        for i in rows:
            out: list[str] = []
            for w in toks[i]:
                words = kept.get(w[1:]) if w[0] == HAN_MARK else None  # a run is Han only
                if words is None:
                    out.append(w)
                else:
                    out.extend(words)
            toks[i] = out

    def _keep_han(self, w: str) -> bool:
        """Whether a jieba word is a token: not a stop word, not a lone character (unless listed
        in ``keep_single_han``), not "很/挺/蛮 + one character" (jieba keeps 很好, 很快, 挺大 as
        words; they are a degree adverb on a one-character adjective), and not a numeral with
        a measure word (三个, 两天, 一本)."""
        if w in self.stopwords:
            return False
        if len(w) == 1:
            return w in self.keep_single_han
        if len(w) == 2:
            if w[0] in _DEGREE:
                return w[1] in self.keep_single_han
            if w[0] in _NUMERALS and w[1] in _MEASURES:
                return False
        return True

    def _tokens(self, text: str) -> list[str]:
        # One C-level split gives [gap, han run, gap, han run, ..., gap]; Traditional characters
        # are folded first (the table maps Han to Han only, so the split is the same).
        if self._trad_chars.search(text) is not None:  # a regex scan is 15x faster than translate
            text = text.translate(self._trad)
        parts = HAN_SPLIT.split(text)
        out: list[str] = []
        gap = parts[0]
        if gap and has_latin(gap):
            self._latin(gap, out)
        if len(parts) == 1:
            return out
        memo = self._han_memo
        batch = self._han_pending
        it = iter(parts)
        next(it)
        for run, gap in zip(it, it):
            kept = memo.get(run)
            if kept is None:
                if batch is not None:
                    batch[run] = None
                    self._n_han_marks += 1
                    out.append(HAN_MARK + run)
                    if gap and has_latin(gap):
                        self._latin(gap, out)
                    continue
                kept = self._han_tokens(run)
                if len(memo) >= HAN_MEMO_LIMIT:
                    memo.clear()
                memo[run] = kept
            out.extend(kept)
            if gap and has_latin(gap):
                self._latin(gap, out)
        return out

    def _han_tokens(self, run: str) -> tuple[str, ...]:
        """The kept words of one Han run (jieba words minus stop words and lone characters)."""
        return self._keep_words(self.zh.cut_run(run))

    def _keep_words(self, words: list[str]) -> tuple[str, ...]:
        keep = self._keep_memo
        kept = []
        for w in words:
            k = keep.get(w)
            if k is None:
                if len(keep) >= 100_000:
                    keep.clear()
                k = keep[w] = self._keep_han(w)
            if k:
                kept.append(w)
        return tuple(kept)

    def _latin(self, stretch: str, out: list[str]) -> None:
        if self.defer_latin:
            self._n_deferred += 1
            out.append(LATIN_MARK + stretch)
        else:
            out.extend(self.en.lemmas(stretch))


CHUNK_ROWS = 2000
# Kept tokens memoised per Han run; dropped whole when full (output does not depend on it).
# A third of review clauses repeat, so this saves about that share of segmentation.
HAN_MEMO_LIMIT = 300_000
LATIN_MARK = "\x00"  # starts a deferred Latin run in a worker's token list (never in a token)
HAN_MARK = "\x01"  # starts a Han run awaiting the chunk's batched segmentation (never in a token)
DEFER_LATIN_SHARE = 0.2
_DEGREE = frozenset("很挺蛮")
_NUMERALS = frozenset("一二三四五六七八九十两几半百千万每")
_MEASURES = frozenset("个次天年月日号件本台元块斤点分位只双条张部家款瓶盒包箱周星期遍")

