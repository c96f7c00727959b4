"""An ``update`` interrupted after the corpus was appended, before the store was patched, is
repaired by running it again: the store ends equal to an uninterrupted update's."""

from __future__ import annotations

import os
import shutil

import pytest
from profile_corpus import NAME, copy_workspace, demo_workspace


def _tables(ws):
    import duckdb

    con = duckdb.connect(str(ws.model_dir(NAME) / "profiles.duckdb"), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("customers", "interests", "keywords", "cards", "segments")}
    finally:
        con.close()


def test_interrupted_update_is_repaired_by_a_rerun(tmp_path_factory, tmp_path):
    from textprofile.pipeline.update import update

    ws0, paths = demo_workspace(tmp_path_factory)
    clean = copy_workspace(ws0, tmp_path / "clean")
    expected = update(NAME, [paths["new"]], clean)
    assert expected["comments_added"] > 0

    ws = copy_workspace(ws0, tmp_path / "broken")
    before = _tables(ws)
    # a real failure at the last stage: a folder where the store's temporary copy must be made
    blocker = ws.model_dir(NAME) / f".profiles.duckdb.{os.getpid()}.building"
    blocker.mkdir()
    (blocker / "in-the-way").write_text("x")
    with pytest.raises(OSError):
        update(NAME, [paths["new"]], ws)
    shutil.rmtree(blocker)
    # the corpus has the new rows, the store does not (it is the old one, intact)
    assert _tables(ws) == before
    clean_rows = (clean.corpus_dir(NAME) / "comments.parquet").read_bytes()
    assert (ws.corpus_dir(NAME) / "comments.parquet").read_bytes() == clean_rows

    again = update(NAME, [paths["new"]], ws)
    assert again["comments_added"] == 0 and again["repaired_rows"] == expected["comments_added"]
    assert again["customers_changed"] == expected["customers_changed"]
    assert _tables(ws) == _tables(clean)
    third = update(NAME, [paths["new"]], ws)
    assert third["comments_added"] == 0 and third["repaired_rows"] == 0 and third["customers_changed"] == 0
