"""Chinese segmentation: a private jieba-rs dictionary (``rjieba``), or Python ``jieba`` as fallback.

``Tokenizer`` hands ``ChineseSegmenter.cut_run`` one run of Han characters at a time (it has
already split the text with ``lang.HAN_SPLIT``, folded Traditional characters and removed social
markup); the run is cut with HMM on. The default engine is ``rjieba`` (Python bindings of jieba-rs:
the same dictionary, the same route search and HMM, in Rust, about 17x Python jieba). ``jieba``
(Python) is kept for platforms without an rjieba wheel: ``TokenizeConfig.zh_engine = "jieba"``
chooses it, and ``"rjieba"`` falls back to it, logging a warning, when rjieba cannot be imported.
Where the two engines cut differently is listed in docs/internals.md; the engine that ran is part
of the tokens cache key, so a corpus is never silently mixed.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from functools import partial
from pathlib import Path

from textprofile.core.errors import ConfigError

ENGINES = ("rjieba", "jieba")
_LOG = logging.getLogger("textprofile")
# jieba's load_userdict line format: word, then an optional frequency, then an optional tag
_USER_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")


def rjieba_available() -> bool:
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return False
    return True


def effective_engine(engine: str) -> str:
    """The engine that will run for ``engine`` here: ``rjieba`` falls back to ``jieba`` when missing."""
    if engine not in ENGINES:
        raise ConfigError(f"zh_engine must be one of {', '.join(ENGINES)} (got {engine!r})")
    if engine == "rjieba" and not rjieba_available():
        return "jieba"
    return engine


def jieba_cache_dir() -> Path:
    """Folder for Python jieba's dictionary cache: one per user, never the shared default location.

    jieba writes its marshalled prefix dictionary to a temp file and renames it into place, so
    worker processes that start together can read and write it without corrupting it.
    """
    return private_cache_dir("jieba")


def private_cache_dir(name: str) -> Path:
    """``$TEXTPROFILE_CACHE/name`` (default: a per-user folder under the temp dir). A folder under
    the shared temp dir that another user created (or can write to) is not trusted: a private
    temporary folder is used instead, and the cache is simply rebuilt."""
    base = Path(os.environ.get("TEXTPROFILE_CACHE") or os.path.join(tempfile.gettempdir(), f"textprofile-{os.getuid()}"))
    d = base / name
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in (base, d):
        st = folder.stat()
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            return Path(tempfile.mkdtemp(prefix=f"textprofile-{name}-"))
    return d


def load_trad_map() -> dict[int, str]:
    """Traditional → Simplified character map for ``str.translate`` (textprofile/data/trad_simp.txt)."""
    path = Path(__file__).with_name("data") / "trad_simp.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for pair in line.split():
            if len(pair) == 2 and pair[0] != pair[1]:
                table[ord(pair[0])] = pair[1]
    return table


def read_user_dict(path: str) -> list[tuple[str, int | None, str | None]]:
    """``(word, freq, tag)`` entries of a user dictionary, parsed as ``jieba.load_userdict`` does."""
    if not Path(path).is_file():
        raise ConfigError(f"user dictionary {path} not found — pass an existing file to --user-dict")
    try:
        text = Path(path).read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise ConfigError(
            f"user dictionary {path} could not be read ({e}); it must be UTF-8 lines of 'word [freq] [tag]'"
        ) from None
    entries = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        word, freq, tag = _USER_LINE.match(line).groups()
        entries.append((word.strip(), int(freq) if freq is not None else None, tag.strip() if tag is not None else None))
    return entries


class ChineseSegmenter:
    """Segment Han runs with a private dictionary (HMM on), plus optional user dictionaries.

    ``engine`` is ``"rjieba"`` (default) or ``"jieba"``; ``self.engine`` is the one that runs.
    """

    def __init__(self, user_dicts: tuple[str, ...] = (), engine: str = "rjieba", quiet: bool = True):
        self.engine = effective_engine(engine)
        if self.engine != engine:
            _LOG.warning("rjieba is not installed for this platform: segmenting with Python jieba "
                         "(about 17x slower; tokens may differ slightly — pip install rjieba)")
        entries = [e for path in user_dicts for e in read_user_dict(path)]
        if self.engine == "rjieba":
            import rjieba

            seg = rjieba.Jieba()  # a private instance, never rjieba's module-level default
            for word, freq, tag in entries:
                seg.add_word(word, freq, tag)
            self._cut = partial(seg.cut, hmm=True)
        else:
            import jieba

            if quiet:  # after the import, which sets its logger to DEBUG: "Building prefix dict..."
                logging.getLogger("jieba").setLevel(logging.WARNING)
            seg = jieba.Tokenizer()
            seg.tmp_dir = str(jieba_cache_dir())
            seg.initialize()
            for word, freq, tag in entries:
                seg.add_word(word, freq, tag)
            self._cut = partial(seg.lcut, HMM=True)
        self.segmenter = seg

    def cut_run(self, run: str) -> list[str]:
        """Words of a run of Han characters (HMM on). Not memoised here: ``Tokenizer`` memoises runs."""
        return self._cut(run)

    def cut_runs(self, runs: list[str]) -> list[list[str]]:
        """``cut_run`` of each run, in one engine call for rjieba (a third of the time of one call each).

        The runs are joined with newlines: jieba-rs segments each stretch between non-Han
        characters on its own (route search and HMM alike) and returns the newline as a word of
        its own, so the words split back per run exactly as ``cut_run`` gives them (tested).
        """
        if self.engine != "rjieba" or len(runs) < 2:
            return [self._cut(r) for r in runs]
        out: list[list[str]] = []
        cur: list[str] = []
        push = cur.append
        for w in self._cut("\n".join(runs)):
            if w == "\n":
                out.append(cur)
                cur = []
                push = cur.append
            else:
                push(w)
        out.append(cur)
        return out

    def cut_joined(self, runs: list[str]) -> list[str]:
        """The words of ``runs`` (each non-empty) in one list, a ``"\\n"`` word between runs."""
        if self.engine == "rjieba":
            return self._cut("\n".join(runs))
        out: list[str] = []
        for i, r in enumerate(runs):
            if i:
                out.append("\n")
            out.extend(self._cut(r))
        return out
