"""`run` and `demo`: the whole pipeline in one command, CLI JSON equal to the library's result."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from textprofile.cli.app import app


@pytest.fixture(scope="module")
def demo_result(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo_home")
    # as in a checkout: the bundled export sits in corpora/demo/, where the corpus is written
    bundled = Path(__file__).resolve().parents[2] / "corpora" / "demo" / "export" / "comments.csv"
    (home / "corpora" / "demo" / "export").mkdir(parents=True)
    shutil.copy(bundled, home / "corpora" / "demo" / "export" / "comments.csv")
    result = CliRunner().invoke(app, ["demo", "--json", "--home", str(home)])
    assert result.exit_code == 0, result.output
    return home, json.loads(result.stdout)


def test_demo_runs_every_stage(demo_result):
    home, out = demo_result
    assert out["load"]["counts"]["kept"] >= 3000
    assert out["fit"]["k"] >= 2
    assert out["profiles"]["customers"] >= 400
    for key in ("index_html", "ldavis_html"):
        assert (home / "reports" / "demo" / out["report"][key].split("/")[-1]).is_file()
    assert out["export"] == str(home / "corpora" / "demo" / "export" / "comments.csv")
    assert Path(out["export"]).is_file()  # running the demo must not delete its own input
    assert out["next"] == f"textprofile profile show {out['example_customer']} --model demo --home {home}"


def test_demo_next_command_works(demo_result):
    home, out = demo_result
    shown = CliRunner().invoke(
        app, ["profile", "show", out["example_customer"], "--model", "demo", "--json", "--home", str(home)]
    )
    assert shown.exit_code == 0, shown.output
    card = json.loads(shown.stdout)
    assert card["customer_id"] == out["example_customer"]
    assert abs(sum(i["share"] for i in card["interests"]) - 1) < 0.02


def test_run_on_a_missing_export_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(app, ["run", str(tmp_path / "nope.csv"), "--name", "x", "--home", str(tmp_path)])
    assert result.exit_code == 1
    assert "nope.csv" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args, flag", [(["--method", "median"], "--method"), (["--half-life", "0"], "--half-life")])
def test_run_refuses_bad_profile_options_before_loading(tmp_path, args, flag):
    export = tmp_path / "e.csv"
    export.write_text("customer_id,text\nc1,great phone\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(export), "--name", "x", "--home", str(tmp_path / "h"), *args])
    assert result.exit_code == 1 and flag in result.output and "Traceback" not in result.output
    assert not (tmp_path / "h" / "corpora" / "x").exists()  # nothing was loaded


def test_run_with_one_topic_method(tmp_path):
    bundled = Path(__file__).resolve().parents[2] / "corpora" / "demo" / "export" / "comments.csv"
    result = CliRunner().invoke(app, ["run", str(bundled), "--name", "d", "--topics", "8", "--method", "one-topic",
                                      "--no-report", "--json", "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["profiles"]["method"] == "one-topic"
