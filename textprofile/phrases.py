"""Optional English phrase detection: "battery life" → ``battery_life``, learned from the corpus.

Two streaming passes over ``tokens.parquet`` (``detect_phrases``): the first counts the unigrams and
bigrams of Latin-script tokens with gensim's ``Phrases`` (``scoring="default"``, the config's
``phrase_min_count`` and ``phrase_threshold``, a bounded ``max_vocab_size``), the second applies the
frozen model (``FrozenPhrases``) and rewrites the file atomically with the same schema, row order and
row groups. Only neighbouring Latin tokens are candidates: each token list is cut into maximal runs
of Latin-letter tokens and gensim sees each run as a sentence, so a Chinese word, a hashtag or a token
with a digit is never part of a phrase and no pair spans one. Nothing is pickled.

Counts and the file depend only on the input file's rows (read in fixed-size batches), so the same
tokens give the same bytes whatever ``jobs`` tokenized them.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from .config import TokenizeConfig
from .lang import LATIN_CLASS

# Bump when a change here changes the tokens for the same config; part of the cache key.
PHRASES_VERSION = 1
DELIMITER = "_"
# gensim prunes its counts when they pass this many unigram + bigram types (its default, 40 M,
# needs ~3.6 GB); 2 M bounds the counting at a few hundred MB and never prunes below ~1 M comments.
MAX_VOCAB_SIZE = 2_000_000
BATCH_ROWS = 2_000
TOP_N = 20

# A word of Latin letters, possibly with inner hyphens or apostrophes (e-mail, o'clock); no digits,
# no "#" (hashtags), no "_" (gensim's delimiter, so a joined token is never re-split).
_LATIN_WORD = re.compile(f"[{LATIN_CLASS}]+(?:['\u2019-][{LATIN_CLASS}]+)*")
_MEMO_LIMIT = 100_000


class _LatinTest:
    """``is_latin(token)`` with a capped memo: tokens repeat a lot, the regex is the cost."""

    def __init__(self):
        self._memo: dict[str, bool] = {}

    def __call__(self, token: str) -> bool:
        v = self._memo.get(token)
        if v is None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            v = self._memo[token] = _LATIN_WORD.fullmatch(token) is not None
        return v


def is_latin(token: str) -> bool:
    """Whether ``token`` is made of Latin letters only (the only tokens phrases may join)."""
    return _LATIN_WORD.fullmatch(token) is not None


def latin_runs(tokens, test=is_latin) -> list[list[str]]:
    """The maximal runs of consecutive Latin tokens in ``tokens`` (single tokens included)."""
    runs: list[list[str]] = []
    run: list[str] = []
    for t in tokens:
        if test(t):
            run.append(t)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def join_tokens(frozen, tokens, test=is_latin) -> tuple[list[str], int]:
    """``tokens`` with the phrases of ``frozen`` (a ``FrozenPhrases``) joined; and how many were."""
    out: list[str] = []
    run: list[str] = []
    joined = 0

    def flush():
        nonlocal joined
        if len(run) < 2:
            out.extend(run)
        else:
            for word, score in frozen.analyze_sentence(run):
                out.append(word)
                if score is not None:
                    joined += 1
        run.clear()

    for t in tokens:
        if test(t):
            run.append(t)
        else:
            if run:
                flush()
            out.append(t)
    if run:
        flush()
    return out, joined


def check_config(config: TokenizeConfig) -> None:
    """Raise a ConfigError naming the flag when a phrase setting is out of range."""
    import math

    from .errors import ConfigError

    n, x = config.phrase_min_count, config.phrase_threshold
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(f"--phrase-min-count must be a whole number of at least 1 (got {n!r})")
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or x <= 0:
        raise ConfigError(f"--phrase-threshold must be a number above 0 (got {x!r})")


def _token_lists(pf, test, progress, done0: int, total: int):
    """Yield each row's token list, reading ``tokens`` in fixed batches; report progress."""
    done = done0
    for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=["tokens"]):
        yield from batch.column(0).to_pylist()
        done += batch.num_rows
        if progress is not None:
            progress("phrases", done, total)


def learn(tokens_path, config: TokenizeConfig, progress=None, _total=None):
    """Count Latin unigrams/bigrams in ``tokens_path`` and return ``(FrozenPhrases, {phrase: count})``."""
    import pyarrow.parquet as pq
    from gensim.models.phrases import Phrases

    check_config(config)
    test = _LatinTest()
    pf = pq.ParquetFile(tokens_path)
    total = _total if _total is not None else pf.metadata.num_rows

    def sentences():
        for toks in _token_lists(pf, test, progress, 0, total):
            if toks:
                yield from latin_runs(toks, test)

    model = Phrases(
        min_count=config.phrase_min_count, threshold=float(config.phrase_threshold),
        max_vocab_size=MAX_VOCAB_SIZE, delimiter=DELIMITER, scoring="default",
    )
    model.add_vocab(sentences())
    frozen = model.freeze()
    counts = {p: int(model.vocab.get(p, 0)) for p in frozen.phrasegrams}
    return frozen, counts


def apply(tokens_path, frozen, progress=None, _done0: int = 0, _total=None) -> int:
    """Rewrite ``tokens_path`` (atomically) with the phrases of ``frozen`` joined; return the joins."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .artifacts import atomic_path
    from .corpus import ROW_GROUP_ROWS, tokens_schema

    tokens_path = Path(tokens_path)
    TOKENS_SCHEMA = tokens_schema()
    test = _LatinTest()
    pf = pq.ParquetFile(tokens_path)
    total = _total if _total is not None else pf.metadata.num_rows
    joined = 0
    done = _done0
    buf_ids: list = []
    buf_langs: list = []
    buf_toks: list = []
    with atomic_path(tokens_path) as tmp, pq.ParquetWriter(tmp, TOKENS_SCHEMA, compression="zstd") as writer:

        def flush(n: int) -> None:
            """Write the first ``n`` buffered rows as one row group, as corpus.py cuts them."""
            writer.write_table(pa.table(
                [pa.array(buf_ids[:n], pa.string()), pa.array(buf_langs[:n], pa.string()),
                 pa.array(buf_toks[:n], TOKENS_SCHEMA.field("tokens").type)],
                schema=TOKENS_SCHEMA,
            ), row_group_size=ROW_GROUP_ROWS)
            del buf_ids[:n], buf_langs[:n], buf_toks[:n]

        n_rows = 0
        for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=["comment_id", "lang", "tokens"]):
            buf_ids.extend(batch.column(0).to_pylist())
            buf_langs.extend(batch.column(1).to_pylist())
            for toks in batch.column(2).to_pylist():
                if toks is None:
                    toks = []
                elif len(toks) > 1:
                    toks, j = join_tokens(frozen, toks, test)
                    joined += j
                buf_toks.append(toks)
            n_rows += batch.num_rows
            done += batch.num_rows
            if progress is not None:
                progress("phrases", done, total)
            while len(buf_ids) >= ROW_GROUP_ROWS:
                flush(ROW_GROUP_ROWS)
        if buf_ids or n_rows == 0:
            flush(len(buf_ids))
    return joined


def detect_phrases(tokens_path, config: TokenizeConfig, progress=None) -> dict:
    """Learn phrases from ``tokens_path`` and rewrite it with them joined; return what to record.

    The result: ``min_count``, ``threshold``, ``learned`` (phrases found), ``top`` (the ``TOP_N``
    most frequent as ``[phrase, bigram count, score]``), ``joined`` (tokens pairs joined in the
    corpus, so the corpus has that many fewer tokens) and ``seconds``. With no phrase found the
    file is left as it is.
    """
    import pyarrow.parquet as pq

    started = time.perf_counter()
    total = 2 * pq.ParquetFile(tokens_path).metadata.num_rows  # two passes
    frozen, counts = learn(tokens_path, config, progress, _total=total)
    joined = 0
    if counts:
        joined = apply(tokens_path, frozen, progress, _done0=total // 2, _total=total)
    elif progress is not None:
        progress("phrases", total, total)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
    return {
        "min_count": config.phrase_min_count,
        "threshold": float(config.phrase_threshold),
        "learned": len(counts),
        "top": [[p, c, round(float(frozen.phrasegrams[p]), 3)] for p, c in top],
        "joined": joined,
        "seconds": round(time.perf_counter() - started, 3),
    }
