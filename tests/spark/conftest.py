"""One SparkSession (local[2]) for every Spark test, and the demo workspaces built once per session.

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
                 "spark.default.parallelism": "2", "spark.driver.memory": "1g",
                 # a short-lived JVM: the C1 compiler only (its JIT warm-up was a large part of
                 # these tests' time); plans and results do not depend on it
                 "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}.items():
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


def _exports(root: Path) -> tuple[list[Path], Path]:
    """([part A of the demo export, a file of duplicates and bad rows], part B of the demo export).

    The session loads the first two; ``update`` adds part B: a quarter of the demo rows, every row
    of two customers (new to the corpus then), a duplicate of part A's first row and a bad time.
    """
    from textprofile.demo_corpus import generate_demo_corpus

    paths = generate_demo_corpus(root / "gen", seed=0, n_customers=N_CUSTOMERS)
    with open(paths["comments"], encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    late = sorted({r[0] for r in rows})[-2:]
    in_b = [i % 4 == 3 or r[0] in late for i, r in enumerate(rows)]
    part_a = [r for r, b in zip(rows, in_b, strict=True) if not b]
    part_b = [r for r, b in zip(rows, in_b, strict=True) if b]

    def write(path: Path, body: list[list[str]]) -> Path:
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(body)
        return path

    first = write(root / "gen" / "part_a.csv", part_a)
    extra = write(root / "gen" / "extra.csv", [
        *part_a[:3],                                              # duplicates of the first file's rows
        [part_a[5][0], part_a[5][1], "not a time", *part_a[5][3:]],  # quarantined: time
        ["", "no customer here", *part_a[6][2:]],                 # quarantined: no customer id
        ["X1", "加微信:wxid_abc123 电池很耐用，屏幕清晰 fast shipping", "2025-03-01 10:00:00",
         "review", "", "", "5", "", ""],
    ])
    later = write(root / "gen" / "part_b.csv", [
        *part_b, part_a[0], [part_b[0][0], part_b[0][1], "not a time", *part_b[0][3:]]])
    return [first, extra], later


# the Spark side of the session's corpus: ``run --backend spark`` (load, a sampled fit, profile build)
RUN_FIT = {"topics": 6, "seed": 3, "sample": 300}


@pytest.fixture(scope="session")
def run_fit() -> dict:
    """The fit options of the session's ``run --backend spark``."""
    return dict(RUN_FIT)


@pytest.fixture(scope="session")
def loaded(spark, tmp_path_factory):
    """(workspace, exports, local load result, Spark load result, Spark run result).

    Corpus 'loc' loaded locally; corpus, model and store 'spk' by ``textprofile run --backend
    spark`` (CLI, JSON output) with the fit ``RUN_FIT``.
    """
    if "loaded" not in _CACHE:
        import json

        from typer.testing import CliRunner

        from textprofile.cli.app import app
        from textprofile.core.config import LoadConfig, TokenizeConfig
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline.load import load

        root = tmp_path_factory.mktemp("spark_ws")
        ws = Workspace.resolve(root)
        exports, later = _exports(root)
        local = load(exports, "loc", LoadConfig(), ws, tokenize_config=TokenizeConfig())
        args = ["run", *map(str, exports), "--name", "spk", "--backend", "spark", "--home", str(ws.root), "--json",
                *(a for k, v in RUN_FIT.items() for a in (f"--{k}", str(v)))]
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output
        out = json.loads(r.stdout)
        _CACHE["loaded"] = (ws, exports, local, out["load"], out)
        _CACHE["later"] = later
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
        with pytest.MonkeyPatch.context() as mp:  # the driver reads the customers and writes the index in many parts
            mp.setattr("textprofile.spark.profile.PART_CUSTOMERS", 7)
            mp.setattr("textprofile.store.neighbour_files.POSTING_BLOCK", 50)
            remote = on_spark.build_profiles("loc", ProfileConfig(), ws2)
        _CACHE["profiled"] = (ws, ws2, local, remote)
    return _CACHE["profiled"]


@pytest.fixture(scope="session")
def updated(profiled, tmp_path_factory):
    """(local ws, Spark ws, local result, Spark result, ``update --backend spark --json`` of the same export again).

    Copies of the ``profiled`` workspaces, 'loc' updated with part B of the demo export: locally
    on the locally built store, with ``--backend spark`` on the store built on Spark.
    """
    if "updated" not in _CACHE:
        import json

        from typer.testing import CliRunner

        from textprofile.cli.app import app
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline import spark as on_spark
        from textprofile.pipeline.update import update

        later = _CACHE["later"]
        spaces = []
        for i, src in enumerate(profiled[:2]):
            dst = tmp_path_factory.mktemp(f"spark_ws_update{i}") / "ws"
            shutil.copytree(src.root, dst)
            spaces.append(Workspace.resolve(dst))
        local = update("loc", [later], spaces[0])
        remote = on_spark.update("loc", [later], spaces[1])
        # the same export again, from the command line: nothing to add
        r = CliRunner().invoke(app, ["update", "loc", str(later), "--backend", "spark", "--home",
                                     str(spaces[1].root), "--json"])
        assert r.exit_code == 0, r.output
        again = json.loads(r.stdout)
        _CACHE["updated"] = (*spaces, local, remote, again)
    return _CACHE["updated"]
