"""The fit / topics / evaluate commands: --json equals the library result, errors exit 1."""

from __future__ import annotations

import json

import pytest
from fit_helpers import PLANTED_K, planted_docs, write_corpus
from typer.testing import CliRunner

from textprofile.cli.app import app
from textprofile.cli.common import to_jsonable
from textprofile.core.config import FitConfig
from textprofile.pipeline.fit import fit

ARGS = ["--topics", "4", "--no-below", "2", "--iterations", "80", "--seed", "3"]


@pytest.fixture()
def corpus(workspace):
    docs, labels = planted_docs(200)
    write_corpus(workspace.root, "cli", docs, labels)
    return workspace


def _run(args):
    return CliRunner().invoke(app, args)


def test_fit_json_equals_library_result(corpus):
    res = _run(["fit", "cli", *ARGS, "--json", "--home", str(corpus.root)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    lib = to_jsonable(fit("cli", FitConfig(topics=4, no_below=2, iterations=80, seed=3), corpus))
    out.pop("seconds")
    lib.pop("seconds")
    out.pop("stage_seconds")
    lib.pop("stage_seconds")
    assert out == lib
    assert out["k"] == PLANTED_K and set(out) >= {"coherence", "diversity", "paths", "sweep"}


def test_fit_human_output_goes_to_stderr(corpus):
    res = CliRunner().invoke(app, ["fit", "cli", *ARGS, "--home", str(corpus.root)])
    assert res.exit_code == 0
    assert res.stdout == ""
    assert "topics (tomotopy)" in res.stderr


def test_bad_options_and_missing_corpus_exit_1(corpus):
    for args, needle in [
        (["fit", "cli", "--topics", "many"], "--topics"),
        (["fit", "cli", "--engine", "mallet"], "unknown engine"),
        (["fit", "nosuch", "--topics", "3"], "textprofile load"),
        (["topics", "list", "cli"], "textprofile fit"),
    ]:
        res = _run([*args, "--home", str(corpus.root)])
        assert res.exit_code == 1, (args, res.output)
        assert needle in res.stderr and "Traceback" not in res.stderr


def test_tampered_model_exits_1_with_clear_message(corpus):
    assert _run(["fit", "cli", *ARGS, "--home", str(corpus.root)]).exit_code == 0
    path = corpus.model_dir("cli") / "engine" / "tomotopy.bin"
    path.write_bytes(path.read_bytes() + b"\0")
    res = _run(["evaluate", "cli", "--json", "--home", str(corpus.root)])
    assert res.exit_code == 1
    assert "checksum" in res.stderr and res.stdout == ""


def test_topics_rename_and_list(corpus):
    assert _run(["fit", "cli", *ARGS, "--home", str(corpus.root)]).exit_code == 0
    res = _run(["topics", "rename", "cli", "2", "Hotels", "--json", "--home", str(corpus.root)])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["label"] == "Hotels"
    res = _run(["topics", "list", "cli", "--json", "--home", str(corpus.root)])
    topics = json.loads(res.stdout)["topics"]
    assert topics[2]["label"] == "Hotels" and len(topics) == 4
    res = _run(["topics", "rename", "cli", "9", "x", "--home", str(corpus.root)])
    assert res.exit_code == 1 and "0..3" in res.stderr


def test_evaluate_json_with_label_column(corpus):
    from textprofile.pipeline.evaluate import evaluate

    assert _run(["fit", "cli", *ARGS, "--home", str(corpus.root)]).exit_code == 0
    res = _run(["evaluate", "cli", "--label-col", "cat", "--json", "--home", str(corpus.root)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out == to_jsonable(evaluate("cli", corpus, "cat"))
    assert out["labels"]["nmi"] > 0.95 and out["labels"]["purity"] > 0.95
    res = _run(["evaluate", "cli", "--label-col", "colour", "--home", str(corpus.root)])
    assert res.exit_code == 1 and "cat" in res.stderr


def test_corpus_without_is_customer_exits_1_asking_for_a_reload(corpus):
    import pyarrow.parquet as pq

    path = corpus.root / "corpora" / "cli" / "comments.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["is_customer"]), path)  # as an older version wrote it
    res = _run(["fit", "cli", *ARGS, "--home", str(corpus.root)])
    assert res.exit_code == 1
    assert "is_customer" in res.stderr and "textprofile load" in res.stderr
    assert "Traceback" not in res.output
