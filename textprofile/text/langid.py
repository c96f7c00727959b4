"""Which language a Latin-script comment is in: English, or Spanish, French, German, ...

``lang.detect`` only reads the script, so every Latin-only comment used to be "en" and went
through the English pipeline; Spanish and French tweets then formed a topic of their own
("de · que · en · la · un · el"). Here the language of a Latin-only comment is decided by lingua
(``lingua-language-detector``: its n-gram models ship inside the wheel, nothing is downloaded),
restricted to ``DETECTED`` languages, in its low-accuracy mode (trigram models only): its
high-accuracy mode takes 3.5 s of CPU to load its models in every process that meets a gated
comment and disagreed with the low-accuracy mode on 6 of the 128 gated twcs tweets (all short
and ambiguous: "Es vendido por Amazon" unsure vs Spanish; "that small biz tyrant a dime yo").

lingua costs about 0.2-0.5 ms a tweet, more than tokenizing it, so it only sees the comments a
cheap gate lets through (``LatinLanguageId.language``):

- texts with fewer than ``MIN_WORDS`` words are English (too short to tell; "ok thx", "DM sent");
- otherwise the first ``GATE_CHARS`` characters are read: a comment with a non-ASCII Latin letter
  (é, ñ, ü, ç, ...) or with at least ``GATE_HITS`` words, and ``GATE_SHARE`` of its words, from
  spaCy's stop-word lists of the ``DETECTED`` languages (English stop words taken out) goes to
  lingua; everything else is English.

On the twcs customer tweets the gate passes 2.3% of Latin-only comments (0.05% of Amazon reviews)
and keeps 113 of the 149 that lingua, run on every comment, calls non-English; the others are
mostly English tweets lingua gets wrong ("I did. No response." → French). lingua answering
"unsure" (``MIN_RELATIVE_DISTANCE``) also means English. Deterministic: same text, same answer.
"""

from __future__ import annotations

import re

# The codes lingua chooses between, and which can be tokenized, are settings (core.config), so
# the command line can check --languages without importing this module.
from textprofile.core.config import BASE_LANGUAGES, DETECTED, TOKENIZABLE, normalize_languages  # noqa: F401

MIN_WORDS = 3
GATE_CHARS = 400
GATE_HITS = 2
GATE_SHARE = 0.2
MIN_RELATIVE_DISTANCE = 0.1

_WORD = re.compile(r"[^\W\d_]+")
_ACCENTED = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")


def _gate_words() -> frozenset[str]:
    from textprofile.text.stopwords import spacy_stop_words

    english = {w.lower() for w in spacy_stop_words("en")}
    words: set[str] = set()
    for code in TOKENIZABLE:
        words.update(w.lower() for w in spacy_stop_words(code) if len(w) > 1)
    return frozenset(words - english)


class LatinLanguageId:
    """``language(text)``: the ISO code of a Latin-only text, "en" unless shown otherwise.

    Build once per process; the stop-word gate is read on construction, lingua's models (low
    accuracy mode: milliseconds) on the first text that passes the gate.
    """

    def __init__(self):
        self._gate = _gate_words()
        self._detector = None

    @property
    def detector(self):
        if self._detector is None:
            from lingua import IsoCode639_1, LanguageDetectorBuilder

            codes = [getattr(IsoCode639_1, c.upper()) for c in DETECTED]
            self._detector = (LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
                              .with_minimum_relative_distance(MIN_RELATIVE_DISTANCE)
                              .with_low_accuracy_mode().with_preloaded_language_models().build())
        return self._detector

    def gate(self, text: str) -> bool:
        """Whether ``text`` may be in another language than English (see the module docstring)."""
        head = text[:GATE_CHARS]
        words = _WORD.findall(head)
        if len(words) < MIN_WORDS:
            return False
        if _ACCENTED.search(head) is not None:
            return True
        gate = self._gate
        hits = 0
        for w in words:
            if w.lower() in gate:
                hits += 1
        return hits >= GATE_HITS and hits >= GATE_SHARE * len(words)

    def language(self, text: str) -> str:
        if not self.gate(text):
            return "en"
        found = self.detector.detect_language_of(text)
        if found is None:
            return "en"
        return found.iso_code_639_1.name.lower()
