"""update: new rows appended without refit, idempotent, and equal to a full rebuild."""

from __future__ import annotations

import pandas as pd
import pytest
from profile_corpus import NAME, copy_workspace, demo_workspace

from textprofile.store.profile_store import ProfileStore


@pytest.fixture(scope="module")
def updated(tmp_path_factory):
    """A copy of the demo workspace with the held-out rows applied by ``update``."""
    from textprofile.pipeline.update import update

    ws0, paths = demo_workspace(tmp_path_factory)
    ws = copy_workspace(ws0, tmp_path_factory.mktemp("upd") / "ws")
    before = pd.read_parquet(ws.corpus_dir(NAME) / "comments.parquet")
    model_files = {p.name: p.read_bytes() for p in (ws.model_dir(NAME) / "engine").iterdir()}
    result = update(NAME, [paths["new"]], ws)
    return ws, ws0, paths, before, model_files, result


def _cards(ws, ids=None):
    with ProfileStore.open(ws, NAME) as store:
        ids = ids if ids is not None else [r[0] for r in store._con.execute("SELECT customer_id FROM customers").fetchall()]
        return {c: store.get(c) for c in ids}


def test_update_appends_and_refreshes_touched_customers(updated):
    ws, ws0, _, before, model_files, result = updated
    after = pd.read_parquet(ws.corpus_dir(NAME) / "comments.parquet")
    tokens = pd.read_parquet(ws.corpus_dir(NAME) / "tokens.parquet")
    assert result["comments_added"] > 0
    assert len(after) == len(before) + result["comments_added"]
    assert list(after["comment_id"][: len(before)]) == list(before["comment_id"])  # appended, in order
    assert list(tokens["comment_id"]) == list(after["comment_id"])
    new = after.iloc[len(before):]
    touched = set(new.loc[new["is_customer"], "customer_id"])
    assert result["customers_changed"] == len(touched) > 0
    # no refit: the engine files are untouched, and the new comments got mixtures
    assert {p.name: p.read_bytes() for p in (ws.model_dir(NAME) / "engine").iterdir()} == model_files
    from textprofile.topics.fitted import load_model

    dt = load_model(ws, NAME).doc_topics()  # also re-verifies every checksum
    nonempty = set(tokens.loc[tokens["tokens"].map(len) > 0, "comment_id"]) & set(new["comment_id"])
    assert len(nonempty & set(dt["comment_id"])) >= 0.8 * len(nonempty) > 0
    old_cards, new_cards = _cards(ws0), _cards(ws)
    for cid in sorted(touched)[:20]:
        assert new_cards[cid]["behaviour"]["n_comments"] == int(
            ((after["customer_id"] == cid) & after["is_customer"]).sum()
        )
        if cid in old_cards:
            assert new_cards[cid]["behaviour"]["n_comments"] > old_cards[cid]["behaviour"]["n_comments"]


def test_update_twice_changes_nothing(updated):
    from textprofile.pipeline.update import update

    ws, _, paths, _, _, _ = updated
    files = [ws.corpus_dir(NAME) / "comments.parquet", ws.corpus_dir(NAME) / "tokens.parquet",
             ws.corpus_dir(NAME) / "manifest.json", ws.model_dir(NAME) / "profiles.duckdb",
             ws.model_dir(NAME) / "doc_topics.parquet", ws.model_dir(NAME) / "manifest.json"]
    snapshot = [f.read_bytes() for f in files]
    again = update(NAME, [paths["new"]], ws)
    assert again["comments_added"] == 0 and again["customers_changed"] == 0
    assert [f.read_bytes() for f in files] == snapshot


def test_update_equals_a_full_rebuild(updated, tmp_path):
    """Every customer's interests, keywords and behaviour match a rebuild from the updated corpus.

    Segments are excluded: a rebuild re-clusters everyone, while update assigns touched customers
    to the saved segment centres.
    """
    from textprofile.pipeline.profile import build_profiles

    ws, _, _, before, _, _ = updated
    rebuilt = copy_workspace(ws, tmp_path / "rebuilt")
    build_profiles(NAME, None, rebuilt)
    a, b = _cards(ws), _cards(rebuilt)
    assert set(a) == set(b)
    untouched = set(before.loc[before["is_customer"], "customer_id"])
    assert len(untouched) > 100
    for cid in sorted(a):
        x, y = a[cid], b[cid]
        bx, by = x["behaviour"], y["behaviour"]
        assert bx.keys() == by.keys(), cid
        for key in bx:  # numbers within float noise, everything else (times, languages) exactly
            if isinstance(by[key], (int, float)) and not isinstance(by[key], bool):
                assert bx[key] == pytest.approx(by[key], rel=1e-9, abs=1e-9), (cid, key)
            else:
                assert bx[key] == by[key], (cid, key)
        assert [i["topic_id"] for i in x["interests"]] == [i["topic_id"] for i in y["interests"]], cid
        assert [i["share"] for i in x["interests"]] == pytest.approx([i["share"] for i in y["interests"]], abs=1e-9)
        assert x["keywords"] == y["keywords"], cid


def test_one_topic_profiles_update_like_a_rebuild(tmp_path_factory, tmp_path):
    """update keeps the store's method: one-topic interests after update equal a one-topic rebuild."""
    from textprofile.core.config import ProfileConfig
    from textprofile.pipeline.profile import build_profiles
    from textprofile.pipeline.update import update

    ws0, paths = demo_workspace(tmp_path_factory)
    ws = copy_workspace(ws0, tmp_path / "ws")
    build_profiles(NAME, ProfileConfig(method="one-topic"), ws)
    result = update(NAME, [paths["new"]], ws)
    assert result["customers_changed"] > 0
    rebuilt = copy_workspace(ws, tmp_path / "rebuilt")
    build_profiles(NAME, ProfileConfig(method="one-topic"), rebuilt)
    a, b = _cards(ws), _cards(rebuilt)
    assert set(a) == set(b)
    for cid in sorted(a):
        x, y = a[cid]["interests"], b[cid]["interests"]
        assert [i["share"] for i in x] == pytest.approx([i["share"] for i in y], abs=1e-9), cid
    with ProfileStore.open(ws, NAME) as store:
        assert store.meta["method"] == "one-topic"


def test_update_without_profiles_names_the_fix(tmp_path_factory, tmp_path):
    from textprofile.core.errors import NotFoundError
    from textprofile.pipeline.update import update

    ws0, paths = demo_workspace(tmp_path_factory)
    ws = copy_workspace(ws0, tmp_path / "ws")
    (ws.model_dir(NAME) / "profiles.duckdb").unlink()
    with pytest.raises(NotFoundError, match="profile build"):
        update(NAME, [paths["new"]], ws)


def test_row_as_customer_corpus_updates_idempotently_and_refuses_old_ids(tmp_path_factory, tmp_path):
    """--row-as-customer ids carry the file's hash: re-applying an export adds nothing; a corpus
    loaded before that scheme (no row_id_scheme in its manifest) is refused with the fix."""
    import json

    from textprofile.core.config import FitConfig, LoadConfig, ProfileConfig
    from textprofile.core.errors import StateError
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.fit import fit
    from textprofile.pipeline.load import load
    from textprofile.pipeline.profile import build_profiles
    from textprofile.pipeline.update import update

    _, paths = demo_workspace(tmp_path_factory)
    ws = Workspace.resolve(tmp_path / "rows")
    load([paths["base"]], "r", LoadConfig(row_as_customer=True, customer_col=None), ws)
    fit("r", FitConfig(topics=5, seed=0, iterations=20), ws)
    build_profiles("r", ProfileConfig(), ws)
    first = update("r", [paths["new"]], ws)
    assert first["comments_added"] > 0 and first["customers_new"] > 0  # every customer row is new
    assert update("r", [paths["new"]], ws)["comments_added"] == 0
    manifest_path = ws.corpus_dir("r") / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["row_id_scheme"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StateError, match="reload it"):
        update("r", [paths["new"]], ws)


def test_update_then_similar_equals_a_rebuild_then_similar(updated, tmp_path):
    """The neighbour index after ``update`` answers like one built from scratch."""
    from textprofile.pipeline.lookup import similar_customers
    from textprofile.pipeline.profile import build_profiles

    ws, _, _, before, _, result = updated
    rebuilt = copy_workspace(ws, tmp_path / "rebuilt")
    build_profiles(NAME, None, rebuilt)
    with ProfileStore.open(ws, NAME) as store:
        ids = sorted(store.export_profiles()["customer_id"])
    added = pd.read_parquet(ws.corpus_dir(NAME) / "comments.parquet").iloc[len(before):]
    touched = sorted(set(added["customer_id"]))
    assert result["customers_changed"] > 0 and touched
    for cid in [*ids[:: max(1, len(ids) // 25)], *touched[:5]]:
        for by in ("mixed", "keywords"):
            a = similar_customers(NAME, cid, 8, by, ws)["similar"]
            b = similar_customers(NAME, cid, 8, by, rebuilt)["similar"]
            assert [x["customer_id"] for x in a] == [x["customer_id"] for x in b], (cid, by)
            assert [x["score"] for x in a] == pytest.approx([x["score"] for x in b], abs=1e-6)
