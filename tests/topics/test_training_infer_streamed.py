"""fit's inference of every comment, streamed row group by row group into doc_topics.parquet: the
same file as the whole matrix written at once, and the same topic shares."""

from __future__ import annotations

import numpy as np
import pytest
from profile_corpus import NAME, demo_workspace


@pytest.fixture(scope="module")
def data_and_model(tmp_path_factory):
    from textprofile.core.config import FitConfig
    from textprofile.topics.fitted import load_model
    from textprofile.topics.training import training_data

    ws, _ = demo_workspace(tmp_path_factory)
    fm = load_model(ws, NAME)
    data = training_data(ws.corpus_dir(NAME), FitConfig(**fm.manifest["config"]))
    return ws, fm, data


def _transform(fm):
    from textprofile.topics.base import fold_in

    return lambda X: fold_in(X, fm.topic_word, fm.alpha)


def test_streamed_doc_topics_equal_the_fitted_file_and_shares(data_and_model, tmp_path):
    from textprofile.topics.fitted import DOC_TOPICS_FILE
    from textprofile.topics.training import corpus_shares, infer_doc_topics

    _, fm, data = data_and_model
    shares = infer_doc_topics(data, _transform(fm), tmp_path / DOC_TOPICS_FILE)
    # the model folder's file came from this same code through ``fit``: one row group, same bytes
    assert (tmp_path / DOC_TOPICS_FILE).read_bytes() == (fm.folder / DOC_TOPICS_FILE).read_bytes()
    assert shares.tobytes() == corpus_shares(data, _transform(fm)(data.X)).tobytes()


def test_many_row_groups_give_the_one_shot_file(data_and_model, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from textprofile.topics import training
    from textprofile.topics.fitted import doc_topics_table

    _, fm, data = data_and_model
    theta = _transform(fm)(data.X)
    monkeypatch.setattr(training, "INFER_ROWS", 97)  # many row groups, the last one short
    shares = training.infer_doc_topics(data, _transform(fm), tmp_path / "streamed.parquet")
    pq.write_table(doc_topics_table(data.ids.tolist(), data.n_tokens, theta), tmp_path / "whole.parquet",
                   compression="zstd", row_group_size=97)
    assert pq.ParquetFile(tmp_path / "streamed.parquet").metadata.num_row_groups == -(-len(data.ids) // 97) > 3
    assert (tmp_path / "streamed.parquet").read_bytes() == (tmp_path / "whole.parquet").read_bytes()
    np.testing.assert_allclose(shares, training.corpus_shares(data, theta), rtol=1e-12, atol=0)


def test_infer_rows_is_the_row_group_a_one_shot_write_gets(tmp_path):
    import pyarrow.parquet as pq

    from textprofile.topics.fitted import doc_topics_table, write_table_atomic
    from textprofile.topics.training import INFER_ROWS

    n = INFER_ROWS + 3
    write_table_atomic(doc_topics_table(np.arange(n).astype(str).tolist(), np.ones(n), np.zeros((n, 1))),
                       tmp_path / "t.parquet")
    meta = pq.ParquetFile(tmp_path / "t.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [INFER_ROWS, 3]


def test_training_rows_are_the_matrix_itself_when_every_comment_is_the_customers():
    """No copy of the corpus matrix for X_train when every row is a customer's own (the usual
    export); one copy, kept, when some rows are agent turns."""
    import pyarrow as pa
    import scipy.sparse as sp

    from textprofile.topics.training import TrainingData

    X = sp.csr_matrix(np.eye(4, dtype=np.int32))
    ids = pa.array(["a", "b", "c", "d"])
    mine = TrainingData(vocab=None, ids=ids, X=X, n_tokens=np.ones(4), train=np.ones(4, dtype=bool),
                        n_comments=4, term_frequency=np.zeros(0))
    assert mine.X_train is X and mine.train_ids() is ids
    mixed = TrainingData(vocab=None, ids=ids, X=X, n_tokens=np.ones(4), train=np.array([1, 0, 1, 1], dtype=bool),
                         n_comments=4, term_frequency=np.zeros(0))
    assert mixed.X_train is mixed.X_train and mixed.X_train.shape == (3, 4)
    assert mixed.train_ids().to_pylist() == ["a", "c", "d"] and mixed.id_list(1, 3) == ["b", "c"]
