"""fit --sample: which comments train is a pure function of the ids and the seed."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from fit_helpers import planted_docs, write_corpus
from typer.testing import CliRunner

from textprofile.cli.app import app
from textprofile.cli.common import to_jsonable
from textprofile.core.config import FitConfig
from textprofile.core.errors import ConfigError
from textprofile.pipeline.fit import fit
from textprofile.topics.sample import DEFAULT_SAMPLE, training_rows

IDS = [f"{i * 7919:016x}" for i in range(10_000)]


def test_small_corpus_trains_on_everything_in_order():
    assert training_rows(IDS, 10_000, 0) is None
    assert training_rows(IDS, None, 0) is None
    assert training_rows(IDS, 0, 0) is None
    assert FitConfig().sample == DEFAULT_SAMPLE


def test_sample_size_and_determinism():
    rows = training_rows(IDS, 2_000, 5)
    assert len(rows) == 2_000 and len(set(rows.tolist())) == 2_000
    assert np.array_equal(rows, training_rows(IDS, 2_000, 5))
    assert set(rows.tolist()) != set(training_rows(IDS, 2_000, 6).tolist())


def test_choice_and_order_do_not_depend_on_row_order_or_chunking():
    """The Spark contract: same ids and seed, any partitioning, the same comments in the same order."""
    picked = [IDS[i] for i in training_rows(IDS, 1_500, 1)]
    shuffled = IDS[:]
    random.Random(3).shuffle(shuffled)
    assert [shuffled[i] for i in training_rows(shuffled, 1_500, 1)] == picked
    # a bigger sample contains the smaller one as its prefix: the smallest keys come first
    assert [IDS[i] for i in training_rows(IDS, 3_000, 1)][:1_500] == picked


def test_sample_is_uniform_over_the_corpus():
    rows = training_rows(IDS, 2_000, 0)
    for lo in range(0, 10_000, 2_500):
        share = np.mean((rows >= lo) & (rows < lo + 2_500))
        assert abs(share - 0.25) < 0.04


def test_bad_sample_names_the_option():
    with pytest.raises(ConfigError, match="--sample"):
        training_rows(IDS, -1, 0)


@pytest.fixture()
def corpus(workspace):
    docs, labels = planted_docs(400)
    write_corpus(workspace.root, "s", docs, labels)
    return workspace


def test_fit_on_a_sample_infers_every_comment_and_records_it(corpus):
    import pyarrow.parquet as pq

    res = fit("s", FitConfig(topics=4, no_below=2, iterations=60, seed=1, sample=100), corpus)
    assert res["n_modelled"] == 100 and res["sample"]["trained"] == 100 and res["sample"]["rows"] == 400
    model = corpus.model_dir("s")
    manifest = json.loads((model / "manifest.json").read_text())
    assert manifest["sample"] == res["sample"] and manifest["config"]["sample"] == 100
    assert pq.read_metadata(model / "doc_topics.parquet").num_rows == 400
    again = fit("s", FitConfig(topics=4, no_below=2, iterations=60, seed=1, sample=100), corpus)
    assert again["topics"] == res["topics"]


def test_fit_cli_sample_equals_library(corpus):
    r = CliRunner().invoke(app, ["fit", "s", "--topics", "4", "--no-below", "2", "--iterations", "60",
                                 "--sample", "100", "--json", "--home", str(corpus.root)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    lib = to_jsonable(fit("s", FitConfig(topics=4, no_below=2, iterations=60, sample=100), corpus))
    out.pop("seconds")
    lib.pop("seconds")
    out.pop("stage_seconds")
    lib.pop("stage_seconds")
    assert out == lib and out["sample"]["trained"] == 100
