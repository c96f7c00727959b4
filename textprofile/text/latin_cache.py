"""The lemmas of short Latin stretches found in Chinese text, kept on disk between runs.

In a Chinese corpus the Latin stretches are a few thousand short names ("XP", "MP3", "2G",
"wifi"), lemmatized in the parent process (``Tokenizer.resolve_latin``) with spaCy, whose import
and set-up cost about 1.5 CPU seconds, more than lemmatizing them. This file keeps what
``EnglishLemmatizer.lemmas`` gave for each stretch, so a later load or tokenize whose stretches
were all seen before does not import spaCy at all. The tokens are the same: the file is named by
a key over everything the lemmas depend on (the tokenizer version, ``en.py``'s code, the stop
words, the spaCy and spacy-lookups-data versions), and a stretch not in it goes to spaCy.

It is JSON in the per-user cache folder (``zh.private_cache_dir``; never unpickled), written
atomically; a file that does not read as this key's is ignored. It holds words, not comments
or customers (like a model's vocabulary); a stretch that may hold a contact detail is never
written to it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

MAX_RUNS = 200_000  # stretches kept
MAX_RUN_CHARS = 1_000  # longer stretches are not kept (prose, not names: spaCy is loaded anyway)
# stretches that may hold a contact detail (with --keep-pii: e-mails, URLs, handles, long
# numbers) are never written outside the workspace; they are lemmatized each time
_MAY_BE_CONTACT = re.compile(r"[@/:]|www|http|\d{5,}", re.IGNORECASE)
CACHE_VERSION = 1


def cache_key(stopwords: frozenset[str], tokenizer_version: int, lang: str = "en") -> str:
    """sha256 over what ``EnglishLemmatizer(stopwords, lang).lemmas`` depends on
    (``tokenizer_version``: ``tokenizer.TOKENIZER_VERSION``)."""
    from importlib.metadata import PackageNotFoundError, version

    from textprofile.text import en

    h = hashlib.sha256()
    h.update(f"{CACHE_VERSION}\x1f{tokenizer_version}\x1f{lang}\x1f".encode())
    h.update(Path(en.__file__).read_bytes())
    for dist in ("spacy", "spacy-lookups-data"):
        try:
            h.update(f"\x1f{dist}={version(dist)}".encode())
        except PackageNotFoundError:
            h.update(f"\x1f{dist}=none".encode())
    h.update("\x1e".join(sorted(stopwords)).encode("utf-8"))
    return h.hexdigest()


class LatinCache:
    """``run -> lemmas`` for one key; ``get``/``put`` in memory, ``save`` writes new entries."""

    def __init__(self, key: str, folder: Path | None = None):
        if folder is None:
            from textprofile.text.zh import private_cache_dir

            folder = private_cache_dir("latin")
        self.key = key
        self.path = Path(folder) / f"lemmas-{key[:32]}.json"
        self.runs: dict[str, tuple[str, ...]] = {}
        self._dirty = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("key") == key and isinstance(data.get("runs"), dict):
            self.runs = {r: tuple(v) for r, v in data["runs"].items()
                         if isinstance(r, str) and isinstance(v, list) and all(isinstance(w, str) for w in v)}

    def get(self, run: str) -> tuple[str, ...] | None:
        return self.runs.get(run)

    def put(self, run: str, lemmas: list[str]) -> None:
        if len(run) <= MAX_RUN_CHARS and len(self.runs) < MAX_RUNS and not _MAY_BE_CONTACT.search(run):
            self.runs[run] = tuple(lemmas)
            self._dirty = True

    def save(self) -> None:
        """Write the file if anything was added (atomically; a failure to write is ignored)."""
        if not self._dirty:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps({"key": self.key, "runs": {r: list(v) for r, v in self.runs.items()}},
                                      ensure_ascii=False, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
            self._dirty = False
        except OSError:
            tmp.unlink(missing_ok=True)
