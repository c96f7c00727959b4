"""Tokenizing on the executors: ``text.Tokenizer`` inside ``mapInPandas``, so tokens are the local ones.

Each Python worker builds one ``Tokenizer`` per config and keeps it across tasks
(``spark.python.worker.reuse``), so jieba's dictionary loads once per worker, not per task.
The cache is read through the module-level ``worker_tokenizer``: the task function is a closure,
which cloudpickle ships by value with a copy of the globals it names, so a dict named in the
closure itself would be a fresh, empty copy in every task; a module-level function is pickled
by reference and finds this module's dict in the worker.
Texts go to ``Tokenizer.tokenize_chunk`` ``CHUNK_ROWS`` at a time, as the local stage sends them;
a comment's tokens do not depend on the chunk it is in (the local stage is byte-identical for
any number of workers), so neither partitioning nor batch size changes them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from textprofile.core.config import TokenizeConfig

TOKENS_SCHEMA = "comment_id string, lang string, tokens array<string>"
# one Tokenizer per config in each Python worker (built on first use; see the module docstring)
_TOKENIZERS: dict[str, Any] = {}


def check_config(config: TokenizeConfig) -> TokenizeConfig:
    """``config`` after the checks the local stage makes (the phrase settings, with phrases on)."""
    if config.phrases:
        config.validate()
    return config


def worker_tokenizer(config: TokenizeConfig) -> Any:
    """This Python worker's ``Tokenizer`` for ``config``, built on first use and kept (module docstring)."""
    key = config.hash()
    tok = _TOKENIZERS.get(key)
    if tok is None:
        from textprofile.text.tokenizer import Tokenizer

        tok = _TOKENIZERS[key] = Tokenizer(config)
    return tok


def tokenize_task(config: TokenizeConfig, keep: list[str], grams: Any = None):
    """``mapInPandas`` function: (comment_id, text, *keep) -> (comment_id, lang, tokens, *keep).

    ``grams``: a broadcast phrase table (``update`` on a corpus tokenized with phrases), joined in
    each comment's tokens as the local update does (``phrases.join_tokens``).
    """

    def run(batches):
        import pandas as pd

        from textprofile.text.phrases import LatinTest, join_tokens
        from textprofile.text.tokenizer import CHUNK_ROWS

        tok = worker_tokenizer(config)
        table = grams.value if grams is not None else None
        test = LatinTest()
        for batch in batches:
            texts = batch["text"].tolist()
            langs: list[str] = []
            toks: list[list[str]] = []
            for i in range(0, len(texts), CHUNK_ROWS):
                la, to = tok.tokenize_chunk(texts[i:i + CHUNK_ROWS])
                langs.extend(la)
                toks.extend(list(t) for t in to)
            if table:
                toks = [join_tokens(table, t, test)[0] for t in toks]
            out = pd.DataFrame({"comment_id": batch["comment_id"].to_numpy(), "lang": langs, "tokens": toks})
            for c in keep:
                out[c] = batch[c].to_numpy()
            yield out

    return run


def tokens_frame(comments: Any, config: TokenizeConfig, keep: list[str], grams: Any = None) -> Any:
    """The tokens of ``comments`` (a DataFrame with comment_id, text and the ``keep`` columns);
    with ``grams`` (a broadcast phrase table), phrases joined."""
    fields = {f.name: f.dataType.simpleString() for f in comments.schema.fields}
    schema = ", ".join([TOKENS_SCHEMA, *(f"{c} {fields[c]}" for c in keep)])
    return comments.select("comment_id", "text", *keep).mapInPandas(tokenize_task(config, keep, grams), schema)


def write_tokens(spark: Any, comments: Any, config: TokenizeConfig, order: list[str], target: Path,
                 table_path: Path) -> dict[str, Any] | None:
    """Write the tokens of ``comments`` to the dataset ``target`` in ``order``; the phrase record.

    ``comments`` must be sorted by ``order`` already (``datasets.write_sorted``): the tokenizer then
    runs once, after the sort, and its output is written as it comes.
    With ``config.phrases``, the tokens go to a staging dataset beside ``target`` first (unsorted), then
    ``spark.phrases.detect_phrases`` learns the phrases from it, writes ``target`` with them joined
    and the table to ``table_path`` (returning the local stage's ``"phrases"`` record); without,
    ``table_path`` is removed (a table from an earlier run no longer applies) and None returned.
    """
    import shutil

    from textprofile.spark.datasets import write_sorted

    if not config.phrases:
        write_sorted(tokens_frame(comments, config, order), target, order)
        table_path.unlink(missing_ok=True)
        return None
    from textprofile.spark.datasets import uri
    from textprofile.spark.phrases import detect_phrases

    raw = target.with_name(f".{target.name}.unjoined")  # a dot name: never checksummed, never a corpus file
    try:  # unsorted, with the order columns: the join pass sorts once, as it writes ``target``
        tokens_frame(comments, config, order).write.mode("overwrite").parquet(uri(raw))
        return detect_phrases(spark, raw, target, config, table_path, order)
    finally:
        shutil.rmtree(raw, ignore_errors=True)


def tokens_info(spark: Any, tokens_path: Path, comments_path: Path, config: TokenizeConfig,
                started: float, phrases: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the local stage records under the manifest's ``"tokenize"`` key, counted by Spark."""
    from pyspark.sql import functions as F

    from textprofile.spark.datasets import digest, uri
    from textprofile.text.stage import cache_key, language_counts, skipped_counts

    df = spark.read.parquet(uri(tokens_path))
    by_lang = df.groupBy("lang").agg(F.count(F.lit(1)).alias("n"), F.sum(F.size("tokens")).alias("tokens"),
                                     F.sum((F.size("tokens") == 0).cast("long")).alias("empty")).collect()
    counts = {r["lang"]: int(r["n"]) for r in by_lang}
    totals = {"rows": sum(counts.values()), "tokens": sum(int(r["tokens"] or 0) for r in by_lang),
              "empty": sum(int(r["empty"] or 0) for r in by_lang)}
    info = {
        "config": json.loads(json.dumps(config.to_dict())),
        "config_hash": config.hash(),
        "cache_key": cache_key(config),
        "input_sha256": digest(comments_path),
        "rows": int(totals["rows"]),
        "tokens": int(totals["tokens"] or 0),
        "empty": int(totals["empty"] or 0),
        "langs": language_counts(counts),
        "languages": {"tokenized": list(config.languages), "skipped": skipped_counts(counts, config.languages)},
        "jobs": None,
        "backend": "spark",
        "seconds": round(time.perf_counter() - started, 3),
    }
    if phrases is not None:
        info["phrases"] = phrases
    return info


def normalized(config: TokenizeConfig) -> TokenizeConfig:
    """The config as the local stage stores it (languages normalised and sorted)."""
    import dataclasses

    from textprofile.core.config import normalize_languages

    return dataclasses.replace(config, languages=normalize_languages(config.languages))


def tokenize_corpus(spark: Any, corpus_dir: Path, config: TokenizeConfig, force: bool = False) -> dict[str, Any]:
    """``tokenize NAME --backend spark``: corpus_dir/comments.parquet (file or dataset) -> tokens dataset."""
    import shutil

    from textprofile.core.artifacts import read_manifest, update_manifest
    from textprofile.core.errors import NotFoundError
    from textprofile.spark.datasets import FILE_COL, ROW_COL, digest, read_ordered
    from textprofile.text.phrases import PHRASES_FILE

    config = normalized(check_config(config))
    src = corpus_dir / "comments.parquet"
    if not src.exists():
        raise NotFoundError(f"{src} not found — run: textprofile load EXPORT --name {corpus_dir.name}")
    from textprofile.text.stage import cache_key

    manifest = read_manifest(corpus_dir)
    prev = manifest.get("tokenize") or {}
    target = corpus_dir / "tokens.parquet"
    if (not force and target.exists() and prev.get("cache_key") == cache_key(config)
            and prev.get("input_sha256") == digest(src) and (not config.phrases or _table_ok(corpus_dir, manifest))):
        return {**prev, "cached": True}
    started = time.perf_counter()
    order = [FILE_COL, ROW_COL]
    comments = read_ordered(spark, src, ["comment_id", "text"]).orderBy(*order)
    tmp = corpus_dir / ".tokens.parquet.building"
    table = corpus_dir / f".{PHRASES_FILE}.building"  # renamed into place with the tokens
    phrases = write_tokens(spark, comments, config, order, tmp, table)
    info = tokens_info(spark, tmp, src, config, started, phrases)
    old = corpus_dir / ".tokens.parquet.old"
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    if old.is_dir():
        shutil.rmtree(old)
    elif old.exists():
        old.unlink()
    if phrases is not None:
        table.rename(corpus_dir / PHRASES_FILE)
    else:
        (corpus_dir / PHRASES_FILE).unlink(missing_ok=True)
    update_manifest(corpus_dir, "tokenize", info)
    return {**info, "cached": False}


def _table_ok(corpus_dir: Path, manifest: dict[str, Any]) -> bool:
    """Whether phrases.json is there and matches its checksum (a cached run reuses it as the local stage does)."""
    from textprofile.core.artifacts import verify_file
    from textprofile.core.errors import IntegrityError
    from textprofile.text.phrases import PHRASES_FILE

    try:
        verify_file(corpus_dir, PHRASES_FILE, manifest)
    except IntegrityError:
        return False
    return True
