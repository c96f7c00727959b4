"""profile build streams the corpus by row groups and uses a second thread: same tables as
the whole-file read computed one step after another."""

from __future__ import annotations

import numpy as np
import pytest
from profile_corpus import NAME, copy_workspace, demo_workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_workspace(tmp_path_factory)


def test_streamed_read_equals_whole_file_read(demo, monkeypatch):
    from textprofile.pipeline import corpus, profile
    from textprofile.profiles.interests import encode_lists
    from textprofile.topics.fitted import load_model

    ws, _ = demo
    fm = load_model(ws, NAME)
    whole, tokens = profile.read_corpus(ws.corpus_dir(NAME))
    monkeypatch.setattr(corpus, "STREAM_ROWS", 97)  # many batches, none aligned with anything
    streamed, X = profile.read_corpus(ws.corpus_dir(NAME), fm.vocab)
    assert abs(X - encode_lists(tokens, fm.vocab)).sum() == 0 and X.shape[0] == len(whole)
    assert streamed["n_chars"].tolist() == whole["text"].str.len().tolist()
    cols = [c for c in whole.columns if c != "text"]
    assert streamed[cols].equals(whole[cols])


def test_threaded_profiles_equal_sequential_steps(demo):
    from textprofile.core.config import ProfileConfig
    from textprofile.pipeline.profile import _tfidf_state, customer_profiles, read_corpus
    from textprofile.profiles.behaviour import behaviour, customer_rows, resolve_as_of
    from textprofile.profiles.interests import customer_codes, pool_rows, tfidf_top_terms
    from textprofile.topics.fitted import load_model

    ws, _ = demo
    fm = load_model(ws, NAME)
    df, X_all = read_corpus(ws.corpus_dir(NAME), fm.vocab)
    own = customer_rows(df)
    X = X_all[own.index.to_numpy()]
    as_of = resolve_as_of(None, own["time"])
    beh, shares, keywords = customer_profiles(own, X, fm, ProfileConfig(), as_of)
    _, codes = customer_codes(own["customer_id"].astype(str).to_numpy())
    idf, settings = _tfidf_state(fm)
    n = int(codes.max()) + 1
    alone = tfidf_top_terms(pool_rows(X, codes, n, np.ones(len(codes))), idf, fm.vocab, 10,
                            settings.get("sublinear_tf", True), settings.get("norm", "l2"))
    assert keywords == alone
    assert beh.equals(behaviour(own, as_of, own["lang"]))
    again = customer_profiles(own, X, fm, ProfileConfig(), as_of)[1]
    assert shares.tobytes() == again.tobytes()


def test_build_with_tiny_row_groups_gives_the_same_store(demo, tmp_path, monkeypatch):
    from textprofile.pipeline import corpus, profile
    from textprofile.pipeline.export import export_table

    ws, _ = demo
    ws2 = copy_workspace(ws, tmp_path / "ws")
    monkeypatch.setattr(corpus, "STREAM_ROWS", 50)
    profile.build_profiles(NAME, None, ws2)
    export_table(ws, NAME, "profiles", "csv", tmp_path / "a.csv")
    export_table(ws2, NAME, "profiles", "csv", tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
