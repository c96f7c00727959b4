"""Tokenize chunks of texts in worker processes, results in input order, bounded memory.

At most ``2 * jobs`` chunks are in flight, so a corpus of any size streams through. Where the
platform can fork (Linux), workers are forked from a parent whose ``Tokenizer`` is already built
(jieba dictionary loaded, spaCy ready), so they start in milliseconds with their own copy of it —
no worker re-reads jieba's cache file, so none can race on it — and ``fork`` also works when the
caller's ``__main__`` is not an importable file (stdin, ``python -c``). Workers only run the
tokenizer on plain Python lists; the parent's pyarrow threads, which ``fork`` does not copy, are
never needed in a child. Elsewhere (macOS, Windows) workers are spawned and each builds its own
``Tokenizer`` from the config.
"""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Iterable, Iterator

_worker = None  # this worker process's Tokenizer (set by _init, used by _run)


def _init(tokenizer_or_recipe) -> None:
    """A forked worker gets the parent's tokenizer; a spawned one (class, config) to build its own."""
    global _worker
    if isinstance(tokenizer_or_recipe, tuple):
        cls, config = tokenizer_or_recipe
        _worker = cls(config)
    else:
        _worker = tokenizer_or_recipe


def _run(texts: list) -> tuple[list[str], list[list[str]], list[int]]:
    return _worker.tokenize_chunk_deferred(texts)


def resolve_jobs(jobs: int | None) -> int:
    """``None`` or 0 → all cores; otherwise at least 1."""
    if not jobs:
        return os.cpu_count() or 1
    return max(1, int(jobs))


def map_chunks(tokenizer, chunks: Iterable[list], jobs: int | None) -> Iterator[tuple[list[str], list[list[str]]]]:
    """Yield ``tokenizer.tokenize_chunk(chunk)`` for each chunk, in order, using ``jobs`` processes.

    When jieba is loaded but spaCy is not (``Tokenizer.warm_up`` found Latin rare), forked workers
    leave Latin runs to this process, which lemmatizes them as results come in (``resolve_latin``);
    the tokens are the same either way.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    jobs = resolve_jobs(jobs)
    if "fork" in multiprocessing.get_all_start_methods():
        ctx, arg = multiprocessing.get_context("fork"), tokenizer
        # the forked workers copy the flag; the parent only resolves runs meanwhile; reset below
        tokenizer.defer_latin = tokenizer._zh is not None and tokenizer._en is None
    else:
        ctx, arg = multiprocessing.get_context("spawn"), (type(tokenizer), tokenizer.config)

    def done(future):
        langs, toks, rows = future.result()
        if rows:
            tokenizer.resolve_latin(toks, rows)
        return langs, toks

    # The objects the parent holds now (the tokenizer's dictionaries, the loader's state) are
    # moved out of the collector's reach until the pool is done: a forked worker's collections
    # would otherwise touch every inherited object and copy its memory page by page.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init, initargs=(arg,)) as pool:
            pending: deque = deque()
            it = iter(chunks)
            for chunk in it:
                pending.append(pool.submit(_run, chunk))
                if len(pending) >= 2 * jobs:
                    break
            for chunk in it:
                yield done(pending.popleft())
                pending.append(pool.submit(_run, chunk))
            while pending:
                yield done(pending.popleft())
    finally:
        gc.unfreeze()
        tokenizer.defer_latin = False
