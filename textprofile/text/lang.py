"""Language of a comment from its script mix (Han vs Latin letters), and splitting text into script runs.

No model is involved: customer comments are short and often mixed ("电池 battery life 不行"), and
the only decision downstream is which segmenter sees which part of the text.
"""

from __future__ import annotations

import re

# CJK Unified Ideographs, Extension A and the Compatibility Ideographs block. jieba's own Han
# pattern stops at U+9FD5; a few rarer characters beyond it are still Han and are kept here.
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Basic Latin letters plus Latin-1 Supplement and Latin Extended-A/B letters (é, ñ, ł, ...).
LATIN_CLASS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"

HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
HAN_SPLIT = re.compile(f"([{HAN_CLASS}]+)")  # .split gives [gap, run, gap, run, ..., gap]
_NOT_HAN = re.compile(f"[^{HAN_CLASS}]+")
_NOT_LATIN = re.compile(f"[^{LATIN_CLASS}]+")
_HAS_LATIN = re.compile(f"[{LATIN_CLASS}]")
_LETTERS = re.compile(r"[^\W\d_]+")

# Share of script letters a language needs to be called by that name (see ``detect``).
MAJORITY = 0.8

LANGS = ("zh", "en", "mixed", "other", "empty")


def script_counts(text: str) -> tuple[int, int, int]:
    """Return (Han characters, Latin letters, other letters) in ``text``."""
    han = len(_NOT_HAN.sub("", text))
    latin = len(_NOT_LATIN.sub("", text))
    letters = len(text) - len(_LETTERS.sub("", text))
    return han, latin, max(letters - han - latin, 0)


def detect(text: str) -> str:
    """Language of ``text`` from its letters: ``zh``, ``en``, ``mixed``, ``other`` or ``empty``.

    Rule, with H = Han characters, L = Latin letters, O = letters of any other script
    (Cyrillic, Hangul, kana, ...):

    - ``empty`` when H + L + O == 0 (only digits, punctuation, emoji or whitespace);
    - ``other`` when O > H + L (another script dominates);
    - ``zh`` when H >= 0.8 * (H + L); ``en`` when L >= 0.8 * (H + L);
    - ``mixed`` otherwise.

    Letters, not words, are counted, so "电池 battery 不行" (4 Han, 7 Latin) is ``mixed`` and
    "手机很好用，就是 iPhone 贵" (8 Han, 6 Latin) is ``mixed`` too, while a lone "XL" in a long
    Chinese review stays ``zh``. Call it on the text after URLs, mentions and PII placeholders
    are removed (``Tokenizer.tokenize`` does), or their letters count as English.
    """
    han, latin, other = script_counts(text)
    total = han + latin
    if total + other == 0:
        return "empty"
    if other > total:
        return "other"
    if han >= MAJORITY * total:
        return "zh"
    if latin >= MAJORITY * total:
        return "en"
    return "mixed"


def has_han(text: str) -> bool:
    return HAN_RUN.search(text) is not None


def has_latin(text: str) -> bool:
    return _HAS_LATIN.search(text) is not None


detect_language = detect  # the name re-exported as textprofile.detect_language
