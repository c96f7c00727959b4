"""CLI: profile build/show/similar, export and update — JSON equals the library's result."""

from __future__ import annotations

import json

import pytest
from profile_corpus import NAME, copy_workspace, demo_workspace
from typer.testing import CliRunner

from textprofile.cli.app import app
from textprofile.store.profile_store import ProfileStore

runner = CliRunner()


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws0, paths = demo_workspace(tmp_path_factory)
    return copy_workspace(ws0, tmp_path_factory.mktemp("cli") / "ws"), paths


def _run(args, ws):
    return runner.invoke(app, [*args, "--home", str(ws.root)])


def _some_customer(ws):
    with ProfileStore.open(ws, NAME) as store:
        return store._con.execute("SELECT customer_id FROM customers ORDER BY n_comments DESC, customer_id LIMIT 1").fetchone()[0]


def test_show_json_equals_library(ws):
    ws, _ = ws
    cid = _some_customer(ws)
    r = _run(["profile", "show", cid, "--model", NAME, "--json"], ws)
    assert r.exit_code == 0, r.output
    with ProfileStore.open(ws, NAME) as store:
        assert json.loads(r.stdout) == json.loads(json.dumps(store.get(cid)))


def test_show_card_is_readable(ws):
    ws, _ = ws
    cid = _some_customer(ws)
    r = _run(["profile", "show", cid, "--model", NAME], ws)
    assert r.exit_code == 0, r.output
    with ProfileStore.open(ws, NAME) as store:
        card = store.get(cid)
    assert cid in r.stdout and "█" in r.stdout
    assert card["interests"][0]["label"] in r.stdout
    assert card["keywords"][0]["term"] in r.stdout
    assert f"Segment {card['segment']['segment_id']}" in r.stdout


def test_unknown_id_exits_1_with_suggestions(ws):
    ws, _ = ws
    cid = _some_customer(ws)
    r = _run(["profile", "show", cid + "x", "--model", NAME], ws)
    assert r.exit_code == 1
    assert "not found" in r.stderr and "did you mean" in r.stderr and cid in r.stderr
    assert r.stdout == ""
    assert "Traceback" not in r.output
    r = _run(["profile", "show", cid, "--model", "nomodel"], ws)
    assert r.exit_code == 1 and "profile build nomodel" in r.stderr


def test_similar_json_equals_library(ws):
    ws, _ = ws
    cid = _some_customer(ws)
    r = _run(["profile", "similar", cid, "--model", NAME, "-n", "5", "--json"], ws)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    from textprofile.pipeline.lookup import similar_customers

    assert out == json.loads(json.dumps(similar_customers(NAME, cid, 5, ws=ws)))
    assert out["by"] == "mixed" and len(out["similar"]) == 5
    r = _run(["profile", "similar", cid, "--model", NAME, "-n", "3"], ws)
    assert r.exit_code == 0 and out["similar"][0]["customer_id"] in r.stdout


def test_build_json_and_bad_options(ws):
    ws, _ = ws
    r = _run(["profile", "build", NAME, "--json", "--half-life", "30"], ws)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["half_life_days"] == 30 and out["customers"] > 400
    r = _run(["profile", "build", NAME, "--method", "median"], ws)
    assert r.exit_code == 1 and "--method" in r.stderr
    r = _run(["profile", "build", NAME, "--as-of", "yesterday-ish"], ws)
    assert r.exit_code == 1 and "--as-of" in r.stderr


def test_export_cli(ws, tmp_path):
    import pandas as pd

    ws, _ = ws
    out = tmp_path / "p.parquet"
    r = _run(["export", NAME, "--table", "profiles", "--format", "parquet", "-o", str(out), "--json"], ws)
    assert r.exit_code == 0, r.output
    df = pd.read_parquet(out)
    assert json.loads(r.stdout)["rows"] == len(df)
    r = _run(["export", NAME, "--table", "nope", "-o", str(tmp_path / "x.csv")], ws)
    assert r.exit_code == 1 and "--table" in r.stderr


def test_update_cli_reports_counts(ws):
    ws, paths = ws
    r = _run(["update", NAME, str(paths["new"]), "--json"], ws)
    assert r.exit_code == 0, r.output
    first = json.loads(r.stdout)
    assert first["comments_added"] > 0 and first["customers_changed"] > 0
    r = _run(["update", NAME, str(paths["new"])], ws)
    assert r.exit_code == 0
    assert "0 comments added, 0 customers changed" in r.stderr
