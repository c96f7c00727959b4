"""Optional English phrase detection: "battery life" → ``battery_life``, learned from the corpus.

Two streaming passes over ``tokens.parquet`` (``detect_phrases``): the first counts the unigrams and
bigrams of Latin-script tokens with gensim's ``Phrases`` (``scoring="default"``, the config's
``phrase_min_count`` and ``phrase_threshold``, a bounded ``max_vocab_size``), the second applies the
phrase table (``join_tokens``: a pair joins when ``a_b`` is among the learned phrasegrams, greedy
left to right, as gensim's ``FrozenPhrases`` does) and rewrites the file atomically with the same
schema, row order and row groups. Only neighbouring Latin tokens are candidates: each token list is
cut into maximal runs of Latin-letter tokens and gensim sees each run as a sentence, so a Chinese
word, a hashtag or a token with a digit is never part of a phrase and no pair spans one.

The full table is saved beside the tokens as ``phrases.json`` (plain JSON, nothing is pickled), so
``update`` joins the same pairs in new comments (``read_table``); it is not relearned there.

Counts and the file depend only on the input file's rows (read in fixed-size batches), so the same
tokens give the same bytes whatever ``jobs`` tokenized them.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from textprofile.core.config import TokenizeConfig
from textprofile.text.lang import LATIN_CLASS

# Bump when a change here changes the tokens for the same config; part of the cache key.
PHRASES_VERSION = 1
DELIMITER = "_"
# gensim prunes its counts when they pass this many unigram + bigram types (its default, 40 M,
# needs ~3.6 GB); 2 M bounds the counting at a few hundred MB and never prunes below ~1 M comments.
MAX_VOCAB_SIZE = 2_000_000
BATCH_ROWS = 2_000
TOP_N = 20
PHRASES_FILE = "phrases.json"

# A word of Latin letters, possibly with inner hyphens or apostrophes (e-mail, o'clock); no digits,
# no "#" (hashtags), no "_" (gensim's delimiter, so a joined token is never re-split).
_LATIN_WORD = re.compile(f"[{LATIN_CLASS}]+(?:['\u2019-][{LATIN_CLASS}]+)*")
_MEMO_LIMIT = 100_000


class LatinTest:
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


def join_tokens(phrasegrams, tokens, test=is_latin) -> tuple[list[str], int]:
    """``tokens`` with learned phrases joined; and how many pairs were.

    ``phrasegrams`` holds the joined forms (``{"battery_life": score, ...}``; only membership is
    used). Greedy, left to right, within runs of Latin tokens: a token pairs with the next Latin
    token when ``a_b`` is a phrasegram, and a joined pair is never joined again, which is what
    gensim's ``FrozenPhrases.analyze_sentence`` does for bigrams without connector words (its
    table holds only pairs that passed the threshold).
    """
    out: list[str] = []
    joined = 0
    prev = None  # a Latin token waiting for its right neighbour
    for t in tokens:
        if test(t):
            if prev is None:
                prev = t
            else:
                pair = prev + DELIMITER + t
                if pair in phrasegrams:
                    out.append(pair)
                    joined += 1
                    prev = None
                else:
                    out.append(prev)
                    prev = t
        else:
            if prev is not None:
                out.append(prev)
                prev = None
            out.append(t)
    if prev is not None:
        out.append(prev)
    return out, joined


def phrase_table(frozen) -> dict:
    """What ``phrases.json`` holds for a ``FrozenPhrases``: its settings and every phrasegram."""
    return {
        "version": PHRASES_VERSION,
        "delimiter": frozen.delimiter,
        "scoring": "default",
        "threshold": float(frozen.threshold),
        "min_count": int(frozen.min_count),
        "phrasegrams": {p: float(frozen.phrasegrams[p]) for p in sorted(frozen.phrasegrams)},
    }


def write_table(path, table: dict) -> None:
    """Write ``table`` to ``path`` atomically, as deterministic JSON (sorted keys)."""
    from textprofile.core.artifacts import write_json_atomic

    write_json_atomic(path, table)


def read_table(corpus_dir, manifest: dict, name: str) -> dict[str, float]:
    """The phrasegrams saved in ``corpus_dir/phrases.json``, after checking it against ``manifest``.

    Raises a one-line ``StateError`` naming the fix (re-tokenize) when the file is missing, does
    not match its checksum in the manifest, or is not a phrase table.
    """
    from textprofile.core.artifacts import sha256_file
    from textprofile.core.errors import StateError

    path = Path(corpus_dir) / PHRASES_FILE
    saved = (manifest.get("tokenize") or {}).get("config") or {}
    flags = "--phrases" + "".join(  # tokenize does not remember its flags: name the saved ones
        f" {flag} {saved[key]}" for flag, key in (("--phrase-min-count", "phrase_min_count"),
                                                 ("--phrase-threshold", "phrase_threshold")) if key in saved)
    fix = f"run: textprofile tokenize {name} --force {flags}, then textprofile fit {name}"
    if not path.is_file():
        raise StateError(f"{path} is missing (corpus {name!r} was tokenized with phrases) — {fix}")
    expected = (manifest.get("files") or {}).get(PHRASES_FILE)
    if "files" in manifest and expected is None:
        raise StateError(f"{path} is not listed in the corpus manifest — {fix}")
    if expected is not None and sha256_file(path) != expected:
        raise StateError(f"{path} does not match its checksum in the corpus manifest (corrupted) — {fix}")
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        table = None
    grams = table.get("phrasegrams") if isinstance(table, dict) else None
    if (not isinstance(grams, dict) or table.get("delimiter") != DELIMITER
            or not all(isinstance(k, str) and isinstance(v, (int, float)) for k, v in grams.items())):
        raise StateError(f"{path} is not a textprofile phrase table — {fix}")
    return grams


def _token_lists(pf, test, progress, done0: int, total: int):
    """Yield each row's token list, reading ``tokens`` in fixed batches; report progress."""
    done = done0
    for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=["tokens"]):
        yield from batch.column(0).to_pylist()
        done += batch.num_rows
        if progress is not None:
            progress("phrases", done, total)


def phrases_model(config: TokenizeConfig, max_vocab_size: int = MAX_VOCAB_SIZE):
    """An empty gensim ``Phrases`` with this module's settings (the config's min count and threshold)."""
    from gensim.models.phrases import Phrases

    return Phrases(
        min_count=config.phrase_min_count, threshold=float(config.phrase_threshold),
        max_vocab_size=max_vocab_size, delimiter=DELIMITER, scoring="default",
    )


def count_grams(token_lists, config: TokenizeConfig, test=None) -> dict[str, int]:
    """gensim's unigram and ``a_b`` bigram counts over the Latin runs of ``token_lists``, unpruned.

    What ``Phrases.add_vocab`` counts (``learn``'s pass 1 before any pruning), for counting in
    parts and summing: the Spark backend runs it per batch on its executors.
    """
    test = test or LatinTest()
    model = phrases_model(config, max_vocab_size=sys.maxsize)  # never prunes
    model.add_vocab(run for toks in token_lists if toks is not None for run in latin_runs(toks, test))
    return model.vocab


def freeze_counts(config: TokenizeConfig, vocab: dict[str, int], corpus_word_count: int):
    """``(FrozenPhrases, {phrase: count})`` from counts summed elsewhere, scored by gensim.

    ``vocab`` is what ``Phrases.vocab`` holds after ``add_vocab`` (unigrams and ``a_b`` bigrams);
    ``corpus_word_count`` the Latin tokens counted (the default score does not use it). gensim's
    ``freeze`` reads only these, the settings and ``len(vocab)``, so the phrasegrams are those of
    ``learn`` on the same counts.
    """
    model = phrases_model(config)
    model.vocab = vocab
    model.corpus_word_count = int(corpus_word_count)
    return _frozen(model)


def _frozen(model):
    frozen = model.freeze()
    return frozen, {p: int(model.vocab.get(p, 0)) for p in frozen.phrasegrams}


def learn(tokens_path, config: TokenizeConfig, progress=None, _total=None):
    """Count Latin unigrams/bigrams in ``tokens_path`` and return ``(FrozenPhrases, {phrase: count})``."""
    from textprofile.core.artifacts import parquet_stream

    config.validate()
    test = LatinTest()
    pf = parquet_stream(tokens_path)
    total = _total if _total is not None else pf.metadata.num_rows

    def sentences():
        for toks in _token_lists(pf, test, progress, 0, total):
            if toks:
                yield from latin_runs(toks, test)

    model = phrases_model(config)
    model.add_vocab(sentences())
    return _frozen(model)


def apply(tokens_path, phrasegrams, progress=None, _done0: int = 0, _total=None) -> int:
    """Rewrite ``tokens_path`` (atomically) with ``phrasegrams`` joined; return the joins."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from textprofile.core.artifacts import atomic_path, parquet_stream
    from textprofile.text.tokens_file import ROW_GROUP_ROWS, tokens_schema

    tokens_path = Path(tokens_path)
    TOKENS_SCHEMA = tokens_schema()
    test = LatinTest()
    pf = parquet_stream(tokens_path)
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
                    toks, j = join_tokens(phrasegrams, toks, test)
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


def detect_phrases(tokens_path, config: TokenizeConfig, progress=None, table_path=None) -> dict:
    """Learn phrases from ``tokens_path`` and rewrite it with them joined; return what to record.

    With ``table_path``, the full phrase table (``phrase_table``) is written there, also when
    no phrase was found, so a corpus tokenized with phrases always has one.

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
        joined = apply(tokens_path, frozen.phrasegrams, progress, _done0=total // 2, _total=total)
    elif progress is not None:
        progress("phrases", total, total)
    if table_path is not None:
        write_table(table_path, phrase_table(frozen))
    return phrase_record(config, frozen, counts, joined, started)


def phrase_record(config: TokenizeConfig, frozen, counts: dict[str, int], joined: int, started: float) -> dict:
    """What the tokenize record holds under ``"phrases"`` (see ``detect_phrases``)."""
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
    return {
        "min_count": config.phrase_min_count,
        "threshold": float(config.phrase_threshold),
        "learned": len(counts),
        "top": [[p, c, round(float(frozen.phrasegrams[p]), 3)] for p, c in top],
        "joined": joined,
        "seconds": round(time.perf_counter() - started, 3),
    }
