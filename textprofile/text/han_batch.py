"""Column-wise Chinese tokens for a chunk of comments (most comments of a Chinese corpus).

``Tokenizer.tokenize`` works in Python per comment and per word (markup, language, run
splitting, the keep test of each jieba word). For a comment without social markup and without a
letter of a third script, the result is fixed by simpler rules:

- with no Latin letter: language ``zh`` (``empty`` without a Han character) and the kept jieba
  words of its Han runs, in order;
- with Latin letters and at least one Han character: the language from ``lang.detect``, and the
  kept words of each Han run with the lemmas of the Latin stretches between them, in order.

``route`` sorts a comment into one of those (or the per-comment path), ``cut_kept`` gives the
kept words of many Han runs at once: the runs are joined by newlines and cut in one engine call
(jieba-rs returns each newline as a word of its own; ``zh.ChineseSegmenter.cut_joined``), the
words go into one Arrow array, the keep test runs once per distinct word, and the words are
filtered and split back per run with Arrow and numpy. The tokens are the same as
``tokenize``'s (tested); when the engine's words do not split back into the runs given, the runs
are cut one by one instead.
"""

from __future__ import annotations

import re

from textprofile.text.lang import HAN_CLASS, HAN_RUN, HAN_SPLIT, LATIN_CLASS, detect, has_latin
from textprofile.text.social import has_markup, strip_emoji

# Comments holding any of these are not "Han text alone": a Latin letter, a letter of another
# script (language detection), or what social markup starts with without Latin letters
# (hashtags, mentions, repost chains; URLs and placeholders need Latin letters).
NOT_HAN_ONLY = re.compile(f"[#@{LATIN_CLASS}]|转发微博|[^\\W\\d_{LATIN_CLASS}{HAN_CLASS}]")
_OTHER_LETTER = re.compile(f"[^\\W\\d_{LATIN_CLASS}{HAN_CLASS}]")
_HAN = re.compile(f"[{HAN_CLASS}]")


def route(fold, text) -> tuple[str, list[str], bool] | None:
    """``(lang, parts, latin)`` for the column-wise path, or None for ``Tokenizer.tokenize``.

    ``parts``: the Han runs alone when ``latin`` is False, else ``HAN_SPLIT.split`` of the text
    (gap, run, gap, ..., gap) whose gaps hold the Latin stretches. ``fold`` folds Traditional
    characters (``Tokenizer.fold_traditional``).
    """
    if type(text) is not str or not text:
        return None
    if NOT_HAN_ONLY.search(text) is None:
        runs = HAN_RUN.findall(fold(text))
        return ("zh" if runs else "empty"), runs, False
    if _HAN.search(text) is None or _OTHER_LETTER.search(text) is not None or has_markup(text):
        return None  # Latin-only (language detection), another script, or markup: one by one
    clean = strip_emoji(text)
    return detect(clean), HAN_SPLIT.split(fold(clean)), True


def cut_kept(tok, runs: list[str]) -> list[tuple[str, ...]]:
    """The kept words (``tok.keep_word``) of each Han run in ``runs`` (each non-empty, Han only)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not runs:
        return []
    words = pa.array(tok.zh.cut_joined(runs), type=pa.string())
    newline = pc.equal(words, "\n").to_numpy(zero_copy_only=False)
    if int(newline.sum()) != len(runs) - 1:  # not expected; the per-run cut is always right
        keep = tok.keep_word
        return [tuple(w for w in tok.zh.cut_run(r) if keep(w)) for r in runs]
    distinct = pc.unique(words).to_pylist()
    keep = tok.keep_word
    kept = pa.array([w for w in distinct if w != "\n" and keep(w)], type=pa.string())
    mask = pc.is_in(words, value_set=kept).to_numpy(zero_copy_only=False)
    flat = words.filter(pa.array(mask)).to_pylist()
    run_of_word = np.cumsum(newline)[mask]
    ends = np.cumsum(np.bincount(run_of_word, minlength=len(runs))).tolist()
    out, start = [], 0
    for end in ends:
        out.append(tuple(flat[start:end]))
        start = end
    return out


def batch_tokens(tok, routed: list[tuple[str, list[str], bool]]) -> list[list[str]]:
    """Token lists of routed comments (``route``'s results), Latin stretches through ``tok._latin``
    (so they are deferred to the parent process when ``tok.defer_latin`` is set)."""
    memo = tok.han_memo
    chunk_runs = dict.fromkeys(r for _, parts, latin in routed for r in (parts[1::2] if latin else parts))
    runs = [r for r in chunk_runs if r not in memo]
    if len(memo) + len(runs) > tok.han_memo_limit:  # dropped whole when full; tokens do not depend on it
        memo.clear()
        runs = list(chunk_runs)
    if runs:
        memo.update(zip(runs, cut_kept(tok, runs)))
    out: list[list[str]] = []
    for _, parts, latin in routed:
        toks: list[str] = []
        if not latin:
            for run in parts:
                toks.extend(memo[run])
        else:
            gap = parts[0]
            if gap and has_latin(gap):
                tok.latin_tokens(gap, toks)
            it = iter(parts)
            next(it)
            for run, gap in zip(it, it):
                toks.extend(memo[run])
                if gap and has_latin(gap):
                    tok.latin_tokens(gap, toks)
        out.append(toks)
    return out
