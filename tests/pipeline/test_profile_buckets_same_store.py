"""profile build by customer buckets (the corpus split out of core) writes the same store as the
whole corpus in one piece: every table, with saved scores re-applied, for each profile method."""

from __future__ import annotations

import pytest
from profile_corpus import NAME, copy_workspace, store_frame
from score_helpers import score_workspace


def _tables(ws) -> dict:
    names = store_frame(ws, NAME, "SELECT table_name FROM information_schema.tables ORDER BY 1")["table_name"]
    return {t: store_frame(ws, NAME, f'SELECT * FROM "{t}"') for t in names}


def _assert_same(a, b) -> None:
    ta, tb = _tables(a), _tables(b)
    assert sorted(ta) == sorted(tb)
    for t in ta:
        assert ta[t].equals(tb[t]), t


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """The demo workspace with a saved score (so the rebuild re-applies it from pooled counts)."""
    from textprofile.pipeline.score import train_score

    ws, _, labels = score_workspace(tmp_path_factory, "buckets")
    train_score(NAME, labels, score="refund_fan", ws=ws)
    return ws


@pytest.mark.parametrize("method", ["comment", "pooled"])
def test_three_buckets_write_the_same_store_as_one(scored, tmp_path, method):
    from textprofile.core.config import ProfileConfig
    from textprofile.pipeline.buckets import BUCKETS_PREFIX
    from textprofile.pipeline.profile import build_profiles

    one, three = copy_workspace(scored, tmp_path / "one"), copy_workspace(scored, tmp_path / "three")
    config = ProfileConfig(method=method)
    a = build_profiles(NAME, config, one, buckets=1)
    b = build_profiles(NAME, config, three, buckets=3)
    assert "scores" in a and a.pop("seconds") >= 0 and b.pop("seconds") >= 0
    assert a | {"path": ""} == b | {"path": ""}
    _assert_same(one, three)
    assert not list(three.model_dir(NAME).glob(BUCKETS_PREFIX + "*"))  # the temporary buckets are gone
    # same seed, same bytes: a second bucketed build equals the first
    again = copy_workspace(scored, tmp_path / "again")
    build_profiles(NAME, config, again, buckets=3)
    _assert_same(three, again)


def test_buckets_with_as_of_and_more_buckets_than_customers_need(scored, tmp_path):
    from textprofile.core.config import ProfileConfig
    from textprofile.pipeline.profile import build_profiles

    as_of = str(store_frame(scored, NAME, "SELECT max(last_seen) - INTERVAL 20 DAY AS t FROM customers")["t"][0])
    one, many = copy_workspace(scored, tmp_path / "one"), copy_workspace(scored, tmp_path / "many")
    config = ProfileConfig(as_of=as_of, half_life_days=30.0)
    a = build_profiles(NAME, config, one, buckets=1)
    b = build_profiles(NAME, config, many, buckets=7)
    assert a["comments_used"] == b["comments_used"]
    _assert_same(one, many)


def test_a_failed_bucketed_build_leaves_no_bucket_files(scored, tmp_path, monkeypatch):
    from textprofile.pipeline import buckets
    from textprofile.pipeline.profile import build_profiles

    ws = copy_workspace(scored, tmp_path / "ws")
    stale = ws.model_dir(NAME) / f"{buckets.BUCKETS_PREFIX}killed"
    (stale / "buckets").mkdir(parents=True)  # as a killed build leaves it

    def boom(*args, **kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(buckets, "read_bucket", boom)
    with pytest.raises(RuntimeError, match="interrupted"):
        build_profiles(NAME, None, ws, buckets=2)
    assert not list(ws.model_dir(NAME).glob(buckets.BUCKETS_PREFIX + "*"))


def test_forget_removes_bucket_files_a_killed_build_left(scored, tmp_path):
    from textprofile.pipeline.buckets import BUCKETS_PREFIX
    from textprofile.pipeline.forget import forget

    ws = copy_workspace(scored, tmp_path / "ws")
    stale = ws.model_dir(NAME) / f"{BUCKETS_PREFIX}killed" / "buckets"
    stale.mkdir(parents=True)
    (stale / "part.parquet").write_bytes(b"comment rows")
    cid = store_frame(ws, NAME, "SELECT min(customer_id) AS c FROM customers")["c"][0]
    forget(NAME, [str(cid)], ws)
    assert not list(ws.model_dir(NAME).glob(BUCKETS_PREFIX + "*"))
