"""The SparkSession: master from ``--spark-master`` / ``$SPARK_MASTER`` / ``local[*]``, ``--spark-conf``."""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textprofile.core.errors import ConfigError, TextProfileError

DEFAULT_MASTER = "local[*]"
LOG_CONFIG = Path(__file__).resolve().with_name("log4j2.properties")
# pyspark 4 warns on every pandas UDF that it "does not yet fully support pandas >= 3.0.0": the
# backend's outputs are tested equal to the local backend's under the pandas this project installs
PANDAS_NOTICE = "PySpark does not yet fully support pandas"
# Settings the stages rely on; ``--spark-conf`` may override any of them.
DEFAULTS = {
    "spark.app.name": "textprofile",
    # timestamps are UTC everywhere in textprofile (comments.parquet's ``time``)
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # each Python worker keeps its tokenizer (jieba's dictionary) between tasks
    "spark.python.worker.reuse": "true",
    "spark.ui.showConsoleProgress": "false",
    # the Python workers' copy of pyspark's pandas notice (the driver filters its own)
    "spark.executorEnv.PYTHONWARNINGS": f"ignore:{PANDAS_NOTICE}:FutureWarning",
}


@dataclass(frozen=True)
class SparkOptions:
    """``--spark-master URL`` (None: ``$SPARK_MASTER``, else ``local[*]``) and ``--spark-conf KEY=VALUE``."""

    master: str | None = None
    conf: tuple[str, ...] = field(default_factory=tuple)

    def master_url(self) -> str | None:
        """The master to set; None under ``spark-submit`` without a flag or $SPARK_MASTER (its --master holds)."""
        chosen = self.master or os.environ.get("SPARK_MASTER")
        if chosen is None and os.environ.get("PYSPARK_GATEWAY_PORT"):  # started by spark-submit
            return None
        return chosen or DEFAULT_MASTER

    def settings(self) -> dict[str, str]:
        return {**DEFAULTS, **parse_conf(self.conf)}

    def launch_settings(self) -> dict[str, str]:
        """``settings()`` for a driver JVM textprofile starts itself: its logging from
        ``log4j2.properties`` beside this module (errors only) unless the user names their own,
        and ``-XX:+ExitOnOutOfMemoryError`` unless the user sets an OutOfMemoryError option: in local
        mode a task thread's OutOfMemoryError does not end the JVM, and the job then waited forever
        (4M comments, 3g: no task thread left, the old generation full); the JVM's exit is reported
        as "Spark stopped (...) — it most likely ran out of memory"."""
        out = self.settings()
        key, extra = "spark.driver.extraJavaOptions", out.get("spark.driver.extraJavaOptions", "")
        if "log4j.configurationFile" not in extra and "log4j2.configurationFile" not in extra:
            extra = f"{extra} -Dlog4j.configurationFile={LOG_CONFIG.as_uri()}"
        if "OutOfMemoryError" not in extra:
            extra = f"{extra} -XX:+ExitOnOutOfMemoryError"
        out[key] = extra.strip()
        return out


def parse_conf(pairs: Sequence[str]) -> dict[str, str]:
    """``["spark.executor.memory=4g", ...]`` -> dict; a pair without ``=`` is a one-line error."""
    out: dict[str, str] = {}
    for p in pairs:
        key, sep, value = str(p).partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--spark-conf {p!r} is not KEY=VALUE — e.g. --spark-conf spark.executor.memory=4g")
        out[key.strip()] = value
    return out


def java_executable() -> str | None:
    """The ``java`` Spark will start (``$JAVA_HOME/bin/java`` first), or None."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as e:
        raise ConfigError("--backend spark needs pyspark — install it: pip install 'textprofile[spark]'") from e
    if java_executable() is None:
        raise ConfigError("--backend spark needs Java 17 — install it (apt-get install openjdk-17-jre-headless) "
                          "or set JAVA_HOME")


class SparkJobError(TextProfileError):
    """A Spark job failed, or Spark's JVM stopped under a stage (one line, for the CLI)."""


MEMORY_HINT = ("give Spark more memory (--spark-conf spark.driver.memory=8g in local mode, "
               "spark.executor.memory on a cluster) or split large exports into smaller files: each "
               "export is read by one task, and one on hdfs:// or s3a:// is held whole in it")


def failure_message(error: BaseException) -> str:
    """One line for a Spark failure: its first line, and what to do when memory ran out or the JVM died."""
    try:
        text = str(error)
    except Exception:  # noqa: BLE001  a Py4JJavaError's str() asks the JVM, which may be gone
        text = ""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and "<exception str() failed>" not in ln]
    first = lines[0] if lines else type(error).__name__
    first = first if len(first) <= 300 else first[:297] + "..."
    gone = any(s in text for s in ("OutOfMemoryError", "Connection refused", "Connection reset", "Answer from Java side is empty"))
    if gone or type(error).__name__ == "Py4JNetworkError" or not lines:
        return f"Spark stopped ({first}) — it most likely ran out of memory: {MEMORY_HINT}"
    return f"Spark job failed: {first}"


def _is_spark_failure(error: BaseException) -> bool:
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    # a JVM killed under a job (out of memory, by the OS or a user) often shows as py4j's socket
    # refused or reset, an OSError rather than a Py4JError
    return isinstance(error, Py4JError | PySparkException | ConnectionError)


@contextmanager
def spark_failures() -> Iterator[None]:
    """Turn Spark's and py4j's exceptions (a Java stack trace, or a dead JVM) into ``SparkJobError``."""
    try:
        yield
    except TextProfileError:
        raise
    except Exception as e:
        if _is_spark_failure(e):
            raise SparkJobError(failure_message(e)) from e
        raise


@contextmanager
def spark_session(options: SparkOptions | None = None) -> Iterator[Any]:
    """The active SparkSession (left running: its owner stops it), or a new one stopped at the end.

    A failed Spark job inside raises ``SparkJobError`` (one line) instead of Spark's traceback.
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        with spark_failures():
            yield active
        return
    options = options or SparkOptions()
    warnings.filterwarnings("ignore", message=PANDAS_NOTICE, category=FutureWarning)
    # executors run this interpreter (and its packages) unless the user chose another Python
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder
    master = options.master_url()
    if master is not None:
        builder = builder.master(master)
    # under spark-submit the driver JVM is already up, with the cluster's logging
    launching = not os.environ.get("PYSPARK_GATEWAY_PORT")
    for k, v in (options.launch_settings() if launching else options.settings()).items():
        builder = builder.config(k, v)
    with spark_failures():
        spark = builder.getOrCreate()
    _quiet_accumulator_server(spark)
    try:
        with spark_failures():
            yield spark
    finally:
        from py4j.protocol import Py4JError

        with suppress(Py4JError, OSError):  # the JVM is already gone (the failure above says why)
            spark.stop()


def _quiet_accumulator_server(spark: Any) -> None:
    """pyspark's accumulator server (a thread of this process) prints a traceback when the JVM's
    connection drops mid-update (the JVM died: the stage's own error says so, in one line); other
    errors it still prints."""
    server = getattr(spark.sparkContext, "_accumulatorServer", None)
    if server is None:
        return
    report = server.handle_error

    def handle_error(request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (EOFError, ConnectionError)):
            report(request, client_address)

    server.handle_error = handle_error
