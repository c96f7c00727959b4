"""The pool reads each new store's cards into DuckDB's memory when they fit ``--cache-mb``."""

from __future__ import annotations

import logging
import time

import pytest
from profile_corpus import NAME


def _table_memory(store) -> int:
    return store._con.execute(
        "SELECT memory_usage_bytes FROM duckdb_memory() WHERE tag = 'BASE_TABLE'").fetchone()[0]


class _Lines(logging.Handler):
    """The server's log lines (its logger may not propagate to pytest's caplog: create_app turns
    propagation off when another test built an app in this process)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture()
def lines():
    logger = logging.getLogger("textprofile.serve")
    handler, level = _Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _wait_for(pool, name: str, seconds: float = 30.0) -> None:
    gen = pool._gens[name]
    deadline = time.monotonic() + seconds
    while gen._preloader is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gen._preloader is None, "preload did not finish"


def test_a_store_within_the_budget_is_read_into_memory_once(serve_ws, lines):
    from textprofile.serve.pool import StorePool

    ws, _ = serve_ws
    cold = StorePool(ws, (NAME,), poll_seconds=0.0, cache_bytes=0)
    warm = StorePool(ws, (NAME,), poll_seconds=0.0, cache_bytes=10**9)
    try:
        with cold.store(NAME) as store:
            cold_bytes = _table_memory(store)
        with warm.store(NAME):
            pass
        _wait_for(warm, NAME)
        with warm.store(NAME) as store:
            warm_bytes = _table_memory(store)
            some_id = store.export_profiles()["customer_id"].iloc[0]
            assert store.get(some_id)["customer_id"] == some_id
    finally:
        cold.close()
        warm.close()
    assert warm_bytes > cold_bytes
    assert sum("profile cards preloaded" in line for line in lines) == 1


def test_a_store_over_the_budget_is_read_on_demand(serve_ws, lines):
    from textprofile.serve.pool import StorePool

    ws, _ = serve_ws
    pool = StorePool(ws, (NAME,), poll_seconds=0.0, cache_bytes=1000)
    try:
        with pool.store(NAME):
            pass
        assert pool._gens[NAME]._preloader is None
    finally:
        pool.close()
    assert any("not preloading the profile cards" in line for line in lines)
    assert not any("preloaded" in line for line in lines)


def test_cache_budget_default_and_option():
    from textprofile.core.errors import ConfigError
    from textprofile.serve.settings import ServeSettings, cache_budget, check, memory_bytes

    assert cache_budget(ServeSettings(home=".", cache_mb=300)) == 300_000_000
    assert cache_budget(ServeSettings(home=".", cache_mb=0)) == 0
    assert cache_budget(ServeSettings(home=".", workers=2)) == memory_bytes() // 4 // 2
    assert 0 < memory_bytes()
    with pytest.raises(ConfigError, match="--cache-mb"):
        check(ServeSettings(home=".", cache_mb=-1, no_auth=True), ())
