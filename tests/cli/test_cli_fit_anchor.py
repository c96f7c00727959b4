"""``fit --anchor``: the strength reaches the engine and the manifest; --json equals the library."""

from __future__ import annotations

import json

from fit_helpers import planted_docs, write_corpus
from typer.testing import CliRunner

from textprofile.cli.app import app
from textprofile.cli.common import to_jsonable
from textprofile.core.config import FitConfig
from textprofile.pipeline.fit import fit

ARGS = ["--topics", "4", "--no-below", "2", "--iterations", "40", "--seed", "1"]


def test_fit_anchor_option_is_recorded_and_json_equals_library(workspace):
    docs, labels = planted_docs(160)
    write_corpus(workspace.root, "a", docs, labels)
    res = CliRunner().invoke(app, ["fit", "a", *ARGS, "--anchor", "0", "--json", "--home", str(workspace.root)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    manifest = json.loads((workspace.model_dir("a") / "manifest.json").read_text())
    assert manifest["engine"]["anchor"] == 0.0
    assert manifest["config"]["params"] == {"anchor": 0.0}
    lib = to_jsonable(fit("a", FitConfig(topics=4, no_below=2, iterations=40, seed=1, params={"anchor": 0.0}),
                          workspace))
    out.pop("seconds")
    lib.pop("seconds")
    out.pop("stage_seconds")
    lib.pop("stage_seconds")
    assert out == lib


def test_fit_negative_anchor_exits_1_naming_it(workspace):
    docs, labels = planted_docs(80)
    write_corpus(workspace.root, "b", docs, labels)
    res = CliRunner().invoke(app, ["fit", "b", *ARGS, "--anchor", "-1", "--home", str(workspace.root)])
    assert res.exit_code == 1
    assert "anchor" in res.output
