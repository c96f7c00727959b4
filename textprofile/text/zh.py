"""Chinese segmentation: a private ``jieba.Tokenizer`` with a faster route search over Han runs.

jieba's own ``cut`` re-splits every sentence with regexes, rebuilds the prefix DAG as a dict of
lists and calls ``log`` for every candidate word. ``ChineseSegmenter.cut_run`` takes a run of Han
characters only (``Tokenizer`` has already split the text with ``lang.HAN_SPLIT``), scores candidates with log
probabilities precomputed once per process (``Tokenizer`` memoises whole runs: review clauses repeat).
Its output is identical to ``jieba.Tokenizer.lcut(run, HMM=True)`` — tests compare the two on real
reviews — including jieba's HMM for runs of unknown single characters: ``hmm_cut`` is
``jieba.finalseg.cut`` with the four-state Viterbi unrolled (same tables, same sums in the same
order, same tie-breaking), about five times faster.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
from pathlib import Path

from textprofile.core.errors import ConfigError

# Memoised HMM pieces per process; the cache is dropped whole when full (output does not depend on it).
MEMO_LIMIT = 100_000
PREFIX_ONLY = 1.0


def jieba_cache_dir() -> Path:
    """Folder for jieba's dictionary cache: one per user, never the shared default location.

    jieba writes its marshalled prefix dictionary to a temp file and renames it into place, so
    worker processes that start together can read and write it without corrupting it. A folder
    under the shared temp dir that another user created (or can write to) is not trusted: a
    private temporary folder is used instead, and the cache is simply rebuilt.
    """
    base = Path(os.environ.get("TEXTPROFILE_CACHE") or os.path.join(tempfile.gettempdir(), f"textprofile-{os.getuid()}"))
    d = base / "jieba"
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in (base, d):
        st = folder.stat()
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            return Path(tempfile.mkdtemp(prefix="textprofile-jieba-"))
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


def _logp_cache_key() -> str:
    """jieba's version and the size and mtime of its bundled dictionary."""
    import jieba

    st = os.stat(Path(jieba.__file__).with_name("dict.txt"))
    return f"{jieba.__version__}:{st.st_size}:{st.st_mtime_ns}:v2"


def _read_logp_cache():
    """``(logp, miss)`` for jieba's default dictionary from our cache, or None.

    Loading the ready-made log-probabilities takes a third of a second, against about two
    seconds for jieba's own cache (marshal) plus computing the logs; it is what every
    ``Tokenizer`` of a Chinese corpus pays first. The cache is plain arrays (``.npz`` read with
    ``allow_pickle=False``), never a pickle, so a planted file cannot run code.
    """
    import numpy as np

    path = jieba_cache_dir() / LOGP_CACHE
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["key"]) != _logp_cache_key():
                return None
            words, values = z["words"].tolist(), z["values"]
    except (OSError, ValueError, KeyError, EOFError):
        return None
    if len(words) + 1 != len(values):
        return None
    return dict(zip(words, values[:-1].tolist())), float(values[-1])


def _write_logp_cache(logp: dict, miss: float) -> None:
    import numpy as np

    d = jieba_cache_dir()
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".logp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, key=np.array(_logp_cache_key()), words=np.array(list(logp)),
                     values=np.array([*logp.values(), miss], dtype=np.float64))
        os.replace(tmp, d / LOGP_CACHE)
    except OSError:
        Path(tmp).unlink(missing_ok=True)  # a cache: failing to write it changes nothing


LOGP_CACHE = "logp.npz"


_FINALSEG_HAN = re.compile("[\u4E00-\u9FD5]+")  # what jieba.finalseg.cut hands to its Viterbi


def _make_hmm_cut():
    """``jieba.finalseg.cut`` for a run of Han characters, as a fast function returning a list.

    jieba's ``viterbi`` keeps a dict per position and copies a path list per state per
    character; this keeps four floats and one backpointer bitmask per character. Each state's
    score is ``previous + transition + emission`` summed in jieba's order, and ties go where
    jieba's ``max`` over ``(score, state letter)`` tuples sends them (the later letter), so the
    output is the same word for word (``tests/test_tokenize_options.py`` checks it against
    ``jieba.finalseg.cut``). Text outside U+4E00..U+9FD5, or words registered with
    ``jieba.finalseg.add_force_split``, go to jieba's own function.
    """
    import jieba.finalseg as fs

    MIN = fs.MIN_FLOAT
    emit, start, trans = fs.emit_P, fs.start_P, fs.trans_P
    eB, eM, eE, eS = emit["B"], emit["M"], emit["E"], emit["S"]
    sB, sM, sE, sS = start["B"], start["M"], start["E"], start["S"]
    tBE, tBM = trans["B"]["E"], trans["B"]["M"]
    tEB, tES = trans["E"]["B"], trans["E"]["S"]
    tME, tMM = trans["M"]["E"], trans["M"]["M"]
    tSB, tSS = trans["S"]["B"], trans["S"]["S"]
    fullmatch = _FINALSEG_HAN.fullmatch

    def hmm_cut(s: str) -> list[str]:
        if fs.Force_Split_Words or fullmatch(s) is None:
            return list(fs.cut(s))
        c = s[0]
        vB = sB + eB.get(c, MIN)
        vM = sM + eM.get(c, MIN)
        vE = sE + eE.get(c, MIN)
        vS = sS + eS.get(c, MIN)
        back = []
        push = back.append
        for c in s[1:]:
            # bit 1: B came from S (else E); 2: M from B (else M); 4: E from B (else M); 8: S from E (else S)
            em = eB.get(c, MIN)
            a = vE + tEB + em
            b = vS + tSB + em
            if a > b:
                nB, p = a, 0
            else:
                nB, p = b, 1
            em = eM.get(c, MIN)
            a = vM + tMM + em
            b = vB + tBM + em
            if b > a:
                nM = b
                p |= 2
            else:
                nM = a
            em = eE.get(c, MIN)
            a = vB + tBE + em
            b = vM + tME + em
            if a > b:
                nE = a
                p |= 4
            else:
                nE = b
            em = eS.get(c, MIN)
            a = vS + tSS + em
            b = vE + tES + em
            if b > a:
                nS = b
                p |= 8
            else:
                nS = a
            vB, vM, vE, vS = nB, nM, nE, nS
            push(p)
        n = len(s)
        st = "S" if vS >= vE else "E"
        tags = [st] * n
        for t in range(n - 2, -1, -1):
            p = back[t]
            if st == "B":
                st = "S" if p & 1 else "E"
            elif st == "M":
                st = "B" if p & 2 else "M"
            elif st == "E":
                st = "B" if p & 4 else "M"
            else:
                st = "E" if p & 8 else "S"
            tags[t] = st
        out: list[str] = []
        begin = nexti = 0
        for i, pos in enumerate(tags):
            if pos == "B":
                begin = i
            elif pos == "E":
                out.append(s[begin : i + 1])
                nexti = i + 1
            elif pos == "S":
                out.append(s[i])
                nexti = i + 1
        if nexti < n:
            out.append(s[nexti:])
        return out

    return hmm_cut


class ChineseSegmenter:
    """Segment Han runs with a private jieba dictionary (HMM on), plus optional user dictionaries."""

    def __init__(self, user_dicts: tuple[str, ...] = (), quiet: bool = True):
        if quiet:
            # Our own worker processes: jieba logs "Building prefix dict..." at DEBUG to stderr.
            logging.getLogger("jieba").setLevel(logging.WARNING)
        self._user_dicts = tuple(user_dicts)
        self._jieba = None
        self._hmm_cut = _make_hmm_cut()
        loaded = None if self._user_dicts else _read_logp_cache()
        if loaded is None:
            tok = self.jieba  # builds jieba's dictionary (and loads the user dictionaries)
            logtotal = math.log(tok.total)
            # One lookup per candidate: a dictionary word maps to its log probability (always < 0,
            # computed as jieba.Tokenizer.calc does: log(freq) - logtotal); a prefix that is not a
            # word itself maps to PREFIX_ONLY (> 0); anything else is absent.
            logp = {w: (math.log(f) - logtotal if f else PREFIX_ONLY) for w, f in tok.FREQ.items()}
            miss = math.log(1) - logtotal
            if not self._user_dicts:
                _write_logp_cache(logp, miss)
        else:
            logp, miss = loaded
        self._logp = logp
        self._miss = miss
        self._hmm_memo: dict[str, list[str]] = {}

    @property
    def jieba(self):
        """The private ``jieba.Tokenizer`` (built on first use when the log-prob cache was read)."""
        if self._jieba is None:
            import jieba

            tok = jieba.Tokenizer()
            tok.tmp_dir = str(jieba_cache_dir())
            tok.initialize()
            for path in self._user_dicts:
                if not Path(path).is_file():
                    raise ConfigError(f"user dictionary {path} not found — pass an existing file to --user-dict")
                try:
                    tok.load_userdict(str(path))
                except (ValueError, UnicodeDecodeError) as e:
                    raise ConfigError(
                        f"user dictionary {path} could not be read ({e}); it must be UTF-8 lines of "
                        "'word [freq] [tag]'"
                    ) from None
            self._jieba = tok
        return self._jieba

    def cut_run(self, run: str) -> list[str]:
        """Words of a run of Han characters, exactly as ``jieba.lcut(run, HMM=True)`` gives them.

        Not memoised here: ``Tokenizer`` memoises the kept tokens of each run.
        """
        return self._cut(run)

    def _cut(self, s: str) -> list[str]:
        n = len(s)
        if n == 1:
            return [s]
        logp = self._logp
        get = logp.get
        miss = self._miss
        # Best route from the right, as jieba's calc: score[i] is the best log probability of
        # s[i:], nxt[i] the end of its first word. A character that is no word (or only a
        # prefix of words) scores ``miss`` when no dictionary word starts there.
        score = [0.0] * (n + 1)
        nxt = [0] * (n + 1)
        p = get(s[n - 1])
        score[n - 1] = p if p is not None and p < 0.0 else miss
        nxt[n - 1] = n
        for idx in range(n - 2, -1, -1):
            after = score[idx + 1]
            p = get(s[idx])
            if p is None:  # not even a prefix: the lone character
                score[idx] = miss + after
                nxt[idx] = idx + 1
                continue
            if p < 0.0:
                best = p + after
                end = idx + 1
            else:  # a prefix only: the fallback, unless a longer word starts here (end < 0)
                best = miss + after
                end = -(idx + 1)
            j = idx + 2
            p = get(s[idx:j])
            while p is not None:
                if p < 0.0:
                    sc = p + score[j]
                    # jieba takes max over (score, end) tuples: ties go to the longer word
                    if sc >= best or end < 0:
                        best = sc
                        end = j
                if j >= n:
                    break
                j += 1
                p = get(s[idx:j])
            score[idx] = best
            nxt[idx] = end if end > 0 else -end
        out: list[str] = []
        buf = ""
        x = 0
        while x < n:
            y = nxt[x]
            if y - x == 1:
                buf += s[x]
            else:
                if buf:
                    self._flush(buf, out)
                    buf = ""
                out.append(s[x:y])
            x = y
        if buf:
            self._flush(buf, out)
        return out

    def _flush(self, buf: str, out: list[str]) -> None:
        # jieba's __cut_DAG: single characters between dictionary words go to the HMM unless the
        # whole stretch is itself a known word.
        if len(buf) == 1:
            out.append(buf)
        elif not self._logp.get(buf, PREFIX_ONLY) < 0.0:  # not a dictionary word (freq 0 or absent)
            words = self._hmm_memo.get(buf)
            if words is None:
                words = self._hmm_cut(buf)
                if len(self._hmm_memo) >= MEMO_LIMIT:
                    self._hmm_memo.clear()
                self._hmm_memo[buf] = words
            out.extend(words)
        else:
            out.extend(buf)
