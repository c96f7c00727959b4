"""``aligned_mixtures`` reads doc_topics.parquet through Arrow and gives what the pandas reindex gave."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np


def test_aligned_mixtures_equals_reindex(tmp_path):
    from textprofile.pipeline.profile import aligned_mixtures
    from textprofile.topics.fitted import DOC_TOPICS_FILE, doc_topics_table, write_table_atomic

    rng = np.random.default_rng(0)
    ids = [f"c{i:05d}" for i in range(500)]
    theta = rng.dirichlet(np.ones(4), size=500)
    theta[7, 2] = np.nan
    ntok = rng.integers(0, 20, size=500)
    write_table_atomic(doc_topics_table(ids, ntok, theta), tmp_path / DOC_TOPICS_FILE)
    fm = SimpleNamespace(k=4, folder=tmp_path)
    wanted = np.array([*rng.permutation(ids)[:300], "missing-1", "c00007", "missing-2"], dtype=object)
    frame = doc_topics_table(ids, ntok, theta).to_pandas()
    got = aligned_mixtures(None, fm, wanted)
    expected = aligned_mixtures(frame, fm, wanted)  # the pandas reindex path
    assert got[0].dtype == expected[0].dtype == np.float64
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
    assert got[1][-3] == 0 and not got[0][-1].any() and got[0][-2, 2] == 0.0
