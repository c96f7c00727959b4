"""Tokenize chunks of texts in worker processes, results in input order, bounded memory.

Each worker builds one ``Tokenizer`` (its own jieba dictionary and spaCy pipeline) when it
starts. At most ``2 * jobs`` chunks are in flight, so a corpus of any size streams through.
Workers are forked where the platform allows: it starts in milliseconds and, unlike ``spawn``,
works when the caller's ``__main__`` is not an importable file (stdin, ``python -c``). Workers
only run the tokenizer on plain Python lists, so the parent's pyarrow threads, which ``fork``
does not copy, are never needed in the child. Elsewhere (macOS, Windows) ``spawn`` is used.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator

from .config import TokenizeConfig

_worker = None  # the Tokenizer of this worker process (set by _init, used by _run)


def _init(config: TokenizeConfig) -> None:
    global _worker
    from .tokenize import Tokenizer

    _worker = Tokenizer(config)
    _worker.zh  # load jieba's dictionary now, while the parent reads the first chunks  # noqa: B018


def _run(texts: list) -> tuple[list[str], list[list[str]]]:
    return _worker.tokenize_chunk(texts)


def resolve_jobs(jobs: int | None) -> int:
    """``None`` or 0 → all cores; otherwise at least 1."""
    if not jobs:
        return os.cpu_count() or 1
    return max(1, int(jobs))


def map_chunks(
    config: TokenizeConfig, chunks: Iterable[list], jobs: int | None
) -> Iterator[tuple[list[str], list[list[str]]]]:
    """Yield ``(langs, tokens)`` for each chunk of texts, in order, using ``jobs`` processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    jobs = resolve_jobs(jobs)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init, initargs=(config,)) as pool:
        pending: deque = deque()
        it = iter(chunks)
        for chunk in it:
            pending.append(pool.submit(_run, chunk))
            if len(pending) >= 2 * jobs:
                break
        for chunk in it:
            yield pending.popleft().result()
            pending.append(pool.submit(_run, chunk))
        while pending:
            yield pending.popleft().result()
