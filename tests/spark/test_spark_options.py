"""The backend flags without a JVM: checked before any work, one-line errors, pyspark imported lazily."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from textprofile.cli.app import app


def test_spark_flags_need_the_spark_backend(tmp_path):
    r = CliRunner().invoke(app, ["tokenize", "x", "--spark-master", "local[2]", "--home", str(tmp_path)])
    assert r.exit_code == 1
    assert "need --backend spark" in r.output


def test_bad_backend_and_bad_conf_are_one_line_errors(tmp_path):
    r = CliRunner().invoke(app, ["tokenize", "x", "--backend", "dask", "--home", str(tmp_path)])
    assert r.exit_code == 1 and "use one of local, spark" in r.output
    r = CliRunner().invoke(app, ["tokenize", "x", "--backend", "spark", "--spark-conf", "novalue",
                                 "--home", str(tmp_path)])
    assert r.exit_code == 1 and "is not KEY=VALUE" in r.output
    assert "Traceback" not in r.output


def test_a_missing_export_fails_before_spark_starts(tmp_path):
    """``run`` and ``load`` with ``--backend spark`` check local export paths before the JVM starts."""
    for cmd in (["run", str(tmp_path / "nope.csv"), "--name", "x"], ["load", str(tmp_path / "nope.csv"), "--name", "x"]):
        r = CliRunner().invoke(app, [*cmd, "--backend", "spark", "--home", str(tmp_path)])
        assert r.exit_code == 1 and "no such file" in r.output and len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "corpora").exists()


def test_master_from_flag_env_or_default(monkeypatch):
    from textprofile.spark.session import SparkOptions

    monkeypatch.delenv("SPARK_MASTER", raising=False)
    monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
    assert SparkOptions().master_url() == "local[*]"
    monkeypatch.setenv("SPARK_MASTER", "spark://h:7077")
    assert SparkOptions().master_url() == "spark://h:7077"
    assert SparkOptions(master="local[2]").master_url() == "local[2]"
    assert SparkOptions(conf=("spark.sql.shuffle.partitions=8",)).settings()["spark.sql.shuffle.partitions"] == "8"


def test_importing_the_backend_does_not_import_pyspark():
    code = ("import sys, textprofile.spark, textprofile.spark.load, textprofile.spark.profile, "
            "textprofile.pipeline.spark, textprofile.cli.app; assert 'pyspark' not in sys.modules, 'pyspark imported'")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr


def test_local_stage_on_a_spark_corpus_says_which_backend(tmp_path):
    """A corpus of Parquet datasets is refused by the local stages with one line naming --backend spark."""
    (tmp_path / "corpora" / "big" / "comments.parquet").mkdir(parents=True)
    r = CliRunner().invoke(app, ["profile", "build", "big", "--home", str(tmp_path)])
    assert r.exit_code == 1
    assert "written by --backend spark" in r.output and "Traceback" not in r.output


def test_a_driver_we_start_logs_errors_only_unless_the_user_names_a_log_config():
    from textprofile.spark.session import LOG_CONFIG, SparkOptions

    assert LOG_CONFIG.is_file() and "ThresholdFilter" in LOG_CONFIG.read_text(encoding="utf-8")
    ours = f"-Dlog4j.configurationFile={LOG_CONFIG.as_uri()} -XX:+ExitOnOutOfMemoryError"
    assert SparkOptions().launch_settings()["spark.driver.extraJavaOptions"] == ours
    opts = SparkOptions(conf=("spark.driver.extraJavaOptions=-Xss4m",))
    assert opts.launch_settings()["spark.driver.extraJavaOptions"] == f"-Xss4m {ours}"  # kept, ours added
    own = "spark.driver.extraJavaOptions=-Dlog4j.configurationFile=file:/etc/spark/log4j2.properties"
    assert (SparkOptions(conf=(own,)).launch_settings()["spark.driver.extraJavaOptions"]
            == own.split("=", 1)[1] + " -XX:+ExitOnOutOfMemoryError")
    own = "spark.driver.extraJavaOptions=-XX:+HeapDumpOnOutOfMemoryError -XX:OnOutOfMemoryError=/bin/true"
    assert "ExitOnOutOfMemoryError" not in SparkOptions(conf=(own,)).launch_settings()["spark.driver.extraJavaOptions"]
    assert "spark.driver.extraJavaOptions" not in SparkOptions().settings()  # under spark-submit: the cluster's
