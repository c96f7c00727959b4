"""score train/show on the command line: JSON equals the library's result; same seed, same bytes."""

from __future__ import annotations

import json

import pytest
from score_helpers import NAME, score_workspace
from typer.testing import CliRunner

from textprofile.cli.app import app


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """The same training done by the library in one workspace copy and by the CLI in another."""
    from textprofile.pipeline.score import train_score

    ws_lib, _, labels = score_workspace(tmp_path_factory, "score_lib")
    ws_cli, paths, labels_cli = score_workspace(tmp_path_factory, "score_cli")
    lib = train_score(NAME, labels, score="planted", seed=3, ws=ws_lib)
    res = CliRunner().invoke(app, ["score", "train", NAME, "--labels", str(labels_cli), "--score", "planted",
                                   "--seed", "3", "--json", "--home", str(ws_cli.root)])
    assert res.exit_code == 0, res.output
    return ws_lib, ws_cli, paths, lib, json.loads(res.stdout)


def _comparable(result):
    return {k: v for k, v in result.items() if k not in ("seconds", "path")}


def test_score_train_json_equals_library(twice):
    from textprofile.cli.common import to_jsonable

    _, _, _, lib, cli = twice
    assert _comparable(cli) == _comparable(to_jsonable(lib))


def test_same_seed_same_bytes(twice):
    from textprofile.store.profile_store import ProfileStore

    ws_lib, ws_cli, _, _, _ = twice
    a, b = (ws.model_dir(NAME) / "scores" / "planted" for ws in (ws_lib, ws_cli))
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert {"coef.npy", "score.json", "manifest.json"} <= {str(f) for f in files}
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    frames = []
    for ws in (ws_lib, ws_cli):
        with ProfileStore.open(ws, NAME) as store:
            frames.append(store.scores_frame("planted"))
    assert frames[0].equals(frames[1])


def test_score_show_json_equals_library_and_errors_are_one_line(twice):
    from textprofile.cli.common import to_jsonable
    from textprofile.pipeline.score import show_score

    ws_lib, _, _, _, _ = twice
    res = CliRunner().invoke(app, ["score", "show", NAME, "--json", "--home", str(ws_lib.root)])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == to_jsonable(show_score(NAME, None, ws_lib))
    bad = CliRunner().invoke(app, ["score", "show", NAME, "--score", "nope", "--home", str(ws_lib.root)])
    assert bad.exit_code == 1 and "score 'nope' not found" in bad.output and "Traceback" not in bad.output


def test_profile_show_report_and_update_carry_the_score(twice):
    from textprofile.pipeline.report import report
    from textprofile.pipeline.update import update
    from textprofile.store.profile_store import ProfileStore

    ws, _, paths, _, _ = twice
    res = CliRunner().invoke(app, ["profile", "show", "c0001", "--model", NAME, "--json", "--home", str(ws.root)])
    if res.exit_code != 0:  # demo ids: take the first one in the store
        with ProfileStore.open(ws, NAME) as store:
            cid = store.scores_frame("planted")["customer_id"].iloc[-1]
        res = CliRunner().invoke(app, ["profile", "show", cid, "--model", NAME, "--json", "--home", str(ws.root)])
    card = json.loads(res.stdout)
    assert [s["score"] for s in card["scores"]] == ["planted"] and len(card["scores"][0]["reasons"]) <= 3
    text = CliRunner().invoke(app, ["profile", "show", card["customer_id"], "--model", NAME, "--home", str(ws.root)])
    assert "planted" in text.stdout
    out = report(NAME, ws)
    with open(out["index_html"], encoding="utf-8") as f:
        index = f.read()
    assert "What predicts planted" in index and "calibration" in index
    update(NAME, [paths["new"]], ws)
    with ProfileStore.open(ws, NAME) as store:
        scored = len(store.scores_frame("planted"))
        assert scored == store.count()  # new customers were scored with the saved model
