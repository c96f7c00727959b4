"""Stop words: spaCy's Chinese and English lists, textprofile's own boilerplate lists, user files.

Sources, in the order they are merged:

1. ``spacy.lang.zh.stop_words.STOP_WORDS`` and ``spacy.lang.en.stop_words.STOP_WORDS`` (shipped
   with spaCy, MIT licence);
2. ``textprofile/data/boilerplate_zh.txt`` and ``boilerplate_en.txt`` — written for this project:
   chat greetings and sign-offs, review filler, praise words every category shares;
3. every ``--stopwords FILE`` (UTF-8, one word per line, ``#`` starts a comment line).

English entries are compared with lower-cased lemmas and lower-cased token text, so both
"thanks" and "thank" may be listed.
"""

from __future__ import annotations

from pathlib import Path

from textprofile.core.errors import ConfigError

DATA = Path(__file__).with_name("data")
BOILERPLATE_FILES = ("boilerplate_zh.txt", "boilerplate_en.txt")


def read_word_file(path: str | Path) -> list[str]:
    """Words of a one-per-line UTF-8 file; blank lines and lines starting with '#' are skipped."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"stopword file {p} not found — pass an existing file to --stopwords")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"stopword file {p} is not UTF-8 — re-save it as UTF-8") from None
    words = []
    for line in text.splitlines():
        w = line.strip()
        if w and not w.startswith("#"):
            words.append(w.lower())
    return words


def spacy_stop_words(lang: str) -> set[str]:
    """``spacy.lang.<lang>.stop_words.STOP_WORDS``, read without importing spaCy.

    Importing the module imports spaCy and its language class (seconds); the module itself is a
    self-contained word list, so it is run on its own. Falls back to the import if spaCy's
    layout ever changes.
    """
    import importlib.util
    import runpy

    spec = importlib.util.find_spec("spacy")
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root) / "lang" / lang / "stop_words.py"
        if path.is_file():
            words = runpy.run_path(str(path)).get("STOP_WORDS")
            if isinstance(words, set) and words:
                return set(words)
    module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
    return set(module.STOP_WORDS)


def build_stopwords(extra_files: tuple[str, ...] = ()) -> frozenset[str]:
    """The merged stop word set (see the module docstring for the sources)."""
    words = spacy_stop_words("zh") | {w.lower() for w in spacy_stop_words("en")}
    for name in BOILERPLATE_FILES:
        words.update(read_word_file(DATA / name))
    for f in extra_files:
        words.update(read_word_file(f))
    return frozenset(words)
