"""``tokenize_corpus``: stream comments.parquet into tokens.parquet, cached by config and input.

Memory stays flat: comments are read in record batches (``ParquetFile.iter_batches``), tokenized
chunk by chunk (in worker processes when ``jobs`` > 1) and appended to a ``ParquetWriter``; the
output is written to a temporary file and renamed into place. Row groups are cut at fixed row
counts, so the file is byte-identical for any ``jobs``. With ``config.phrases`` the written file
is then read twice more by ``phrases.detect_phrases`` (learn bigrams, join them) and replaced,
and the learned phrase table is saved beside it as ``phrases.json`` (removed when phrases are off).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import time
from pathlib import Path

from textprofile.core.config import TokenizeConfig
from textprofile.core.errors import ColumnError, IntegrityError, NotFoundError
from textprofile.text.phrases import PHRASES_FILE as PHRASES
from textprofile.text.tokens_file import COMMENTS, LANG_KEYS, ROW_GROUP_ROWS, TOKENS, tokens_schema


def language_counts(counts: dict[str, int]) -> dict[str, int]:
    """``counts`` by language label in manifest order: LANG_KEYS (zero included), then codes sorted."""
    out = {k: int(counts.get(k, 0)) for k in LANG_KEYS}
    out.update((k, int(counts[k])) for k in sorted(set(counts) - set(LANG_KEYS)))
    return out


def skipped_counts(langs: dict[str, int], languages) -> dict[str, int]:
    """The comments whose language has no tokenizer configured (kept, no tokens), by code."""
    return {k: int(v) for k, v in sorted(langs.items()) if k not in LANG_KEYS and k not in languages and v}


def skipped_languages(corpus_dir) -> dict[str, int]:
    """Comments of ``corpus_dir`` left untokenized (so out of the topics) for their language.

    Counted from tokens.parquet's ``lang`` column against the corpus's tokenize config, so rows
    added by ``update`` count too; ``{}`` for a corpus tokenized before languages were detected
    or without a manifest.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from textprofile.core.artifacts import read_manifest
    from textprofile.text.langid import normalize_languages

    try:
        manifest = read_manifest(corpus_dir)
    except NotFoundError:  # tokens written by hand (tests, other tools): nothing was detected
        return {}
    config = (manifest.get("tokenize") or {}).get("config") or {}
    if "languages" not in config:
        return {}
    vc = pc.value_counts(pq.read_table(Path(corpus_dir) / TOKENS, columns=["lang"]).column(0).combine_chunks())
    langs = {d["values"]: d["counts"] for d in vc.to_pylist() if d["values"] is not None}
    return skipped_counts(langs, normalize_languages(config["languages"]))



def _resources(config: TokenizeConfig) -> dict[str, str]:
    """sha256 of every file whose contents change the tokens (bundled lists and user files)."""
    from textprofile.core.artifacts import sha256_file
    from textprofile.text.stopwords import DATA, read_word_file

    out = {}
    for name in ("boilerplate_zh.txt", "boilerplate_en.txt", "trad_simp.txt"):
        out[f"textprofile/data/{name}"] = sha256_file(DATA / name)
    for f in config.stopword_files:
        read_word_file(f)  # raises a ConfigError naming the fix when missing or not UTF-8
        out[f"stopwords:{f}"] = sha256_file(f)
    for f in config.user_dicts:
        if not Path(f).is_file():
            from textprofile.core.errors import ConfigError

            raise ConfigError(f"user dictionary {f} not found — pass an existing file to --user-dict")
        out[f"user_dict:{f}"] = sha256_file(f)
    return out


def cache_key(config: TokenizeConfig) -> str:
    """Hash of the config, the tokenizer version and the contents of every word list used."""
    from textprofile.text.tokenizer import TOKENIZER_VERSION
    from textprofile.text.zh import effective_engine

    # the engine that runs here, not the one asked for: a fallback to Python jieba changes tokens
    parts = {"config": config.to_dict(), "version": TOKENIZER_VERSION, "resources": _resources(config),
             "zh_engine": effective_engine(config.zh_engine)}
    if config.phrases:  # only then, so corpora tokenized without phrases keep their key
        from textprofile.text.phrases import MAX_VOCAB_SIZE, PHRASES_VERSION

        parts["phrases"] = {"version": PHRASES_VERSION, "max_vocab_size": MAX_VOCAB_SIZE}
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _cached(corpus_dir: Path, key: str, input_sha: str) -> dict | None:
    from textprofile.core.artifacts import read_manifest, verify_file

    try:
        manifest = read_manifest(corpus_dir)
    except (NotFoundError, IntegrityError):
        return None
    prev = manifest.get("tokenize")
    if not prev or prev.get("cache_key") != key or prev.get("input_sha256") != input_sha:
        return None
    try:
        verify_file(corpus_dir, TOKENS, manifest)
        if (prev.get("config") or {}).get("phrases"):
            verify_file(corpus_dir, PHRASES, manifest)  # update joins new comments with it
    except IntegrityError:
        return None
    return prev


def _chunks(pf, progress, total):
    done = 0
    from textprofile.text.tokenizer import CHUNK_ROWS

    for batch in pf.iter_batches(batch_size=CHUNK_ROWS, columns=["comment_id", "text"]):
        ids = batch.column(0).to_pylist()
        texts = batch.column(1).to_pylist()
        yield ids, texts
        done += len(ids)
        if progress is not None:
            progress("tokenize", done, total)


def tokenize_corpus(
    corpus_dir, config: TokenizeConfig, jobs: int | None = None, progress=None, force: bool = False
) -> dict:
    """Tokenize ``corpus_dir/comments.parquet`` into ``tokens.parquet``; return what was recorded.

    The result (also stored under the corpus manifest's ``"tokenize"`` key) holds the config, its
    hash, the cache key, the input's sha256, row/token counts, counts by language, the number of
    comments left with no tokens, and the seconds taken; plus ``"cached": True`` when an
    up-to-date tokens.parquet was reused (unchanged config, word lists and input; checksum OK).
    ``jobs=None`` uses every core; ``force`` re-tokenizes even when the cache is valid.
    """
    from textprofile.core.artifacts import parquet_stream, sha256_file

    corpus_dir = Path(corpus_dir)
    config = _normalized(config)
    if config.phrases:
        config.validate()
    src = corpus_dir / COMMENTS
    if not src.is_file():
        raise NotFoundError(f"{src} not found — run: textprofile load EXPORT --name {corpus_dir.name}")
    key = cache_key(config)
    input_sha = sha256_file(src)
    if not force:
        prev = _cached(corpus_dir, key, input_sha)
        if prev is not None:
            return {**prev, "cached": True}

    started = time.perf_counter()
    pf = parquet_stream(src)
    missing = {"comment_id", "text"} - set(pf.schema_arrow.names)
    if missing:
        raise ColumnError(
            f"{src} lacks column(s) {', '.join(sorted(missing))}; it was not written by textprofile load — reload the corpus"
        )
    total = pf.metadata.num_rows
    info = tokenize_chunks(corpus_dir, config, _chunks(pf, progress, total), jobs=jobs, progress=progress,
                           started=started, record=True, input_sha=input_sha)
    return {**info, "cached": False}


def _normalized(config: TokenizeConfig) -> TokenizeConfig:
    """``config`` with its languages as stored and hashed: sorted, en and zh always in."""
    from textprofile.core.config import normalize_languages

    return dataclasses.replace(config, languages=normalize_languages(config.languages))


def tokenize_chunks(corpus_dir, config: TokenizeConfig, chunks, jobs: int | None = None, progress=None,
                    started: float | None = None, record: bool = False, input_sha: str | None = None) -> dict:
    """Write ``corpus_dir/tokens.parquet`` from ``(ids, texts)`` chunks of comments.parquet's rows.

    ``chunks``: the rows in order, ``CHUNK_ROWS`` at a time (the last may be shorter); it may be
    produced while comments.parquet is being written (``load`` streams its rows here as it reads
    the exports, so tokenizing overlaps reading) as long as the file is complete when the stream
    ends: its sha256 is taken then (``input_sha``: already known). ``record``: also store the result in the corpus manifest
    (``load`` puts it in the manifest it writes itself). Returns what ``tokenize_corpus`` returns.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    config = _normalized(config)
    from textprofile.core.artifacts import (
        atomic_path,
        read_manifest,
        sha256_file,
        update_manifest,
        write_manifest,
    )
    from textprofile.text.tokenizer import CHUNK_ROWS, Tokenizer
    from textprofile.text.workers import map_chunks, resolve_jobs

    corpus_dir = Path(corpus_dir)
    started = time.perf_counter() if started is None else started
    if config.phrases:
        config.validate()
    key = cache_key(config)
    jobs = resolve_jobs(jobs)
    schema = tokens_schema()
    counts: dict[str, int] = {}
    n_rows = n_tokens = n_empty = 0

    source = iter(chunks)
    head = list(itertools.islice(source, 3))
    if sum(len(ids) for ids, _ in head) < 2 * CHUNK_ROWS:
        jobs = 1  # starting workers would cost more than it saves
    id_queue: list[list] = []

    def texts_only():
        for ids, texts in itertools.chain(head, source):
            id_queue.append(ids)
            yield texts

    tok = Tokenizer(config)
    texts = texts_only()
    if jobs == 1:
        results = (tok.tokenize_chunk(t) for t in texts)
    else:
        # Load what the text needs (jieba, spaCy) once, here, judging by the first chunk; the
        # workers forked afterwards inherit the loaded tokenizer instead of each loading it.
        tok.warm_up(head[0][1])
        results = map_chunks(tok, texts, jobs)

    buf_ids: list = []
    buf_langs: list = []
    buf_toks: list = []
    with atomic_path(corpus_dir / TOKENS) as tmp, pq.ParquetWriter(tmp, schema, compression="zstd") as writer:

        def flush():
            table = pa.table(
                [pa.array(buf_ids, pa.string()), pa.array(buf_langs, pa.string()), pa.array(buf_toks, schema.field("tokens").type)],
                schema=schema,
            )
            writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
            buf_ids.clear()
            buf_langs.clear()
            buf_toks.clear()

        for langs, toks in results:
            ids = id_queue.pop(0)
            for lang in langs:
                counts[lang] = counts.get(lang, 0) + 1
            for t in toks:
                if not t:
                    n_empty += 1
                n_tokens += len(t)
            n_rows += len(ids)
            buf_ids.extend(ids)
            buf_langs.extend(langs)
            buf_toks.extend(toks)
            if len(buf_ids) >= ROW_GROUP_ROWS:
                flush()
        if buf_ids or n_rows == 0:
            flush()

    phrases = None
    if config.phrases:
        # a second and third streaming pass: learn bigrams over the whole corpus, then join them
        from textprofile.text.phrases import detect_phrases

        phrases = detect_phrases(corpus_dir / TOKENS, config, progress, table_path=corpus_dir / PHRASES)
        n_tokens -= phrases["joined"]
    else:
        (corpus_dir / PHRASES).unlink(missing_ok=True)  # a table from an earlier run no longer applies

    info = {
        "config": json.loads(json.dumps(config.to_dict())),  # tuples as lists, as stored
        "config_hash": config.hash(),
        "cache_key": key,
        "input_sha256": input_sha or sha256_file(corpus_dir / COMMENTS),
        "rows": n_rows,
        "tokens": n_tokens,
        "empty": n_empty,
        "langs": language_counts(counts),
        # kept with their language code and no tokens: no tokenizer configured (--languages)
        "languages": {"tokenized": list(config.languages),
                      "skipped": skipped_counts(counts, config.languages)},
        "jobs": jobs,
        "seconds": round(time.perf_counter() - started, 3),
    }
    if phrases is not None:
        info["phrases"] = phrases
    if record:
        try:
            read_manifest(corpus_dir)
            update_manifest(corpus_dir, "tokenize", info)
        except NotFoundError:
            write_manifest(corpus_dir, {"name": corpus_dir.name, "tokenize": info})
    return info
