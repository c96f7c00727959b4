"""LookupBatcher: concurrent lookups share queries and get exactly what ProfileStore.get gives."""

from __future__ import annotations

import asyncio
import shutil

import pytest
from profile_corpus import NAME


def _batcher(ws):
    from textprofile.serve.batch import LookupBatcher
    from textprofile.serve.pool import StorePool

    pool = StorePool(ws, (NAME,), poll_seconds=0.0)
    return pool, LookupBatcher(pool, NAME)


def _ids(ws) -> list[str]:
    from textprofile.store.profile_store import ProfileStore

    with ProfileStore.open(ws, NAME) as store:
        return [r["customer_id"] for r in store.export_profiles().to_dict("records")]


def test_concurrent_lookups_are_batched_and_equal_single_gets(serve_ws):
    from textprofile.store.profile_store import ProfileStore

    ws, _ = serve_ws
    ids = _ids(ws)[:60]
    asked = [*ids, "no-such-customer", ids[0], "x\x00y"]
    pool, batcher = _batcher(ws)
    try:
        async def main():
            return await asyncio.gather(*(batcher.get(c) for c in asked))

        got = asyncio.run(main())
    finally:
        pool.close()
    with ProfileStore.open(ws, NAME) as store:
        want = [store.get(c) for c in asked]
    assert got == want
    assert got[len(ids)] is None and got[-1] is None and got[-2] == got[0]
    assert 1 <= batcher.batches < len(asked) / 4  # one query answered many requests


def test_a_lone_lookup_is_answered_at_once_and_batches_are_capped(serve_ws):
    from textprofile.serve.batch import LookupBatcher

    ws, _ = serve_ws
    ids = _ids(ws)[:10]
    pool, _ = _batcher(ws)
    capped = LookupBatcher(pool, NAME, max_batch=3)
    try:
        async def main():
            alone = await capped.get(ids[0])
            many = await asyncio.gather(*(capped.get(c) for c in ids))
            return alone, many

        alone, many = asyncio.run(main())
    finally:
        pool.close()
    assert alone["customer_id"] == ids[0]
    assert [m["customer_id"] for m in many] == ids
    assert capped.batches == 1 + 4  # the lone request, then ceil(10 / 3)


def test_a_failing_lookup_fails_every_waiting_request_and_the_next_batch_recovers(serve_ws, tmp_path):
    from profile_corpus import copy_workspace

    from textprofile.core.errors import TextProfileError

    ws = copy_workspace(serve_ws[0], tmp_path / "ws")
    ids = _ids(ws)[:5]
    pool, batcher = _batcher(ws)
    try:
        async def lookups():
            return await asyncio.gather(*(batcher.get(c) for c in ids), return_exceptions=True)

        assert all(isinstance(r, dict) for r in asyncio.run(lookups()))
        store = ws.model_dir(NAME) / "profiles.duckdb"
        moved = tmp_path / "moved.duckdb"
        shutil.move(store, moved)
        pool.close()  # no open generation: the next batch must open the (missing) file
        failed = asyncio.run(lookups())
        assert all(isinstance(r, TextProfileError) for r in failed), failed
        shutil.move(moved, store)
        assert [r["customer_id"] for r in asyncio.run(lookups())] == ids
    finally:
        pool.close()


@pytest.mark.parametrize("n", [1, 600])
def test_get_many_matches_get_across_query_chunks(serve_ws, n):
    from textprofile.store.profile_store import ProfileStore

    ws, _ = serve_ws
    ids = (_ids(ws) * 3)[:n]
    with ProfileStore.open(ws, NAME) as store:
        many = store.get_many([*ids, "missing"])
        assert set(many) == set(ids)
        assert all(many[c] == store.get(c) for c in set(ids))
