"""One SparkSession (local[2]) for every Spark test, and the demo corpus loaded both ways once.

The JVM starts once per test session and is shut down at its end (no JVM is left running).
The tests skip, with the reason, only when no Java runtime can be found.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

N_CUSTOMERS = 60
_CACHE: dict = {}


@pytest.fixture(scope="session")
def spark():
    from textprofile.spark.session import DEFAULTS, java_executable

    if java_executable() is None:
        pytest.skip("no Java runtime (java on PATH or $JAVA_HOME): Spark needs Java 17 — "
                    "apt-get install openjdk-17-jre-headless")
    import pyspark  # noqa: F401  (part of the test extra: a missing pyspark is a failure, not a skip)
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[2]")
    for k, v in {**DEFAULTS, "spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2",
                 "spark.default.parallelism": "2", "spark.driver.memory": "1g"}.items():
        builder = builder.config(k, v)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    gateway = SparkContext._gateway
    if gateway is not None:  # stop() leaves the JVM up for a later session; end it
        gateway.shutdown()
        proc = getattr(gateway, "proc", None)
        if proc is not None:  # the JVM launched by pyspark exits when its stdin closes
            proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except Exception:  # noqa: BLE001
                proc.kill()
                proc.wait(timeout=30)
        SparkContext._gateway = None
        SparkContext._jvm = None


def _exports(root: Path) -> list[Path]:
    """The demo export, plus a second file with duplicates of it and two rows to quarantine."""
    from textprofile.demo_corpus import generate_demo_corpus

    paths = generate_demo_corpus(root / "gen", seed=0, n_customers=N_CUSTOMERS)
    with open(paths["comments"], encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    extra = root / "gen" / "extra.csv"
    with open(extra, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(rows[0])
        w.writerows(rows[1:4])                                   # duplicates of the first file's rows
        w.writerow([rows[5][0], rows[5][1], "not a time", *rows[5][3:]])  # quarantined: time
        w.writerow(["", "no customer here", *rows[6][2:]])        # quarantined: no customer id
        w.writerow(["X1", "加微信:wxid_abc123 电池很耐用，屏幕清晰 fast shipping", "2025-03-01 10:00:00",
                    "review", "", "", "5", "", ""])
    return [paths["comments"], extra]


@pytest.fixture(scope="session")
def loaded(spark, tmp_path_factory):
    """(workspace, exports, local load result, Spark load result): corpora 'loc' and 'spk'."""
    if "loaded" not in _CACHE:
        from textprofile.core.config import LoadConfig, TokenizeConfig
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline import spark as on_spark
        from textprofile.pipeline.load import load

        root = tmp_path_factory.mktemp("spark_ws")
        ws = Workspace.resolve(root)
        exports = _exports(root)
        local = load(exports, "loc", LoadConfig(), ws, tokenize_config=TokenizeConfig())
        remote = on_spark.load(exports, "spk", LoadConfig(), ws, tokenize_config=TokenizeConfig())
        _CACHE["loaded"] = (ws, exports, local, remote)
    return _CACHE["loaded"]


@pytest.fixture(scope="session")
def profiled(loaded, tmp_path_factory):
    """(local workspace, Spark workspace): 'loc' fitted and built locally; the copy built on Spark."""
    if "profiled" not in _CACHE:
        from textprofile.core.config import FitConfig, ProfileConfig
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline import spark as on_spark
        from textprofile.pipeline.fit import fit
        from textprofile.pipeline.profile import build_profiles

        ws = loaded[0]
        fit("loc", FitConfig(topics=6, seed=0), ws)
        local = build_profiles("loc", ProfileConfig(), ws)
        root2 = tmp_path_factory.mktemp("spark_ws_copy") / "ws"
        shutil.copytree(ws.root, root2)
        ws2 = Workspace.resolve(root2)
        remote = on_spark.build_profiles("loc", ProfileConfig(), ws2)
        _CACHE["profiled"] = (ws, ws2, local, remote)
    return _CACHE["profiled"]
