"""A failed Spark job, or a JVM that stopped under a stage, is one line (``SparkJobError``), never
Spark's Java stack trace or py4j's chain of tracebacks."""

from __future__ import annotations

import pytest
from py4j.protocol import Py4JError, Py4JNetworkError

from textprofile.core.errors import TextProfileError
from textprofile.spark.session import MEMORY_HINT, SparkJobError, failure_message, spark_session


def test_a_failed_job_is_one_line(spark):
    with pytest.raises(SparkJobError) as info, spark_session() as session:
        session.range(3).selectExpr("raise_error('the export is broken')").collect()
    message = str(info.value)
    assert message.startswith("Spark job failed: ") and "the export is broken" in message
    assert "\n" not in message and len(message) < 400
    assert isinstance(info.value, TextProfileError)  # the CLI prints it as one line, exit 1


def test_our_own_errors_pass_through_unchanged(spark):
    from textprofile.core.errors import StateError

    with pytest.raises(StateError, match="^no customer comments$"), spark_session():
        raise StateError("no customer comments")


def test_a_stopped_jvm_says_memory():
    for error in (Py4JNetworkError("Answer from Java side is empty"), ConnectionRefusedError(111, "Connection refused"),
                  Py4JError("An error occurred while calling o85.count.\njava.lang.OutOfMemoryError: Java heap space")):
        message = failure_message(error)
        assert message.startswith("Spark stopped (") and message.endswith(MEMORY_HINT) and "\n" not in message


def test_an_exception_whose_text_cannot_be_read():
    class Unreadable(Py4JError):
        def __str__(self):
            raise Py4JNetworkError("the JVM is gone")

    assert failure_message(Unreadable()) == f"Spark stopped (Unreadable) — it most likely ran out of memory: {MEMORY_HINT}"


def _children(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc)."""
    import os

    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", encoding="ascii", errors="replace") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def test_the_cli_says_one_line_when_the_jvm_dies_under_a_job(tmp_path):
    """``load --backend spark`` whose JVM is killed while its Python workers run: one error line, exit 1."""
    import csv
    import os
    import signal
    import subprocess
    import sys
    import time

    from textprofile.demo_corpus import generate_demo_corpus
    from textprofile.spark.session import java_executable

    if not sys.platform.startswith("linux"):
        pytest.skip("finds the JVM through /proc")
    if java_executable() is None:
        pytest.skip("no Java runtime (java on PATH or $JAVA_HOME): apt-get install openjdk-17-jre-headless")
    demo = generate_demo_corpus(tmp_path / "gen", seed=0, n_customers=40)["comments"]
    with open(demo, encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    export = tmp_path / "big.csv"
    with open(export, "w", encoding="utf-8", newline="") as f:  # enough rows for the tokenizing job to last
        w = csv.writer(f)
        w.writerow(header)
        for copy in range(40):
            w.writerows([f"{r[0]}-{copy}", *r[1:]] for r in rows)
    proc = subprocess.Popen(
        [sys.executable, "-m", "textprofile", "load", str(export), "--name", "big", "--backend", "spark",
         "--spark-master", "local[1]", "--spark-conf", "spark.ui.enabled=false", "--home", str(tmp_path / "ws")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    killed = None
    try:
        deadline = time.monotonic() + 240
        while killed is None and proc.poll() is None and time.monotonic() < deadline:
            below = _children(proc.pid)
            if any("pyspark.daemon" in _cmdline(p) for p in below):
                java = [p for p in below if "java" in _cmdline(p).split(" ")[0]]
                if java:
                    os.kill(java[0], signal.SIGKILL)
                    killed = java[0]
            time.sleep(0.1)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert killed is not None, f"the load ended (exit {proc.returncode}) before its JVM was seen running a job"
    assert proc.returncode == 1, (proc.returncode, err[-2000:])
    assert "Traceback" not in err and "Py4J" not in err, err[-3000:]  # no Python or py4j error chain
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines[-1].startswith("error: Spark "), err[-2000:]
    assert len([ln for ln in lines if ln.startswith("error:")]) == 1
    # nothing else: Spark's notices (log4j WARN lines, its default-profile line, pyspark's pandas
    # warning) stay off stderr; the JVM launcher's own line about its modules is all that is left
    assert [ln for ln in lines[:-1] if not ln.startswith("WARNING: Using incubator modules")] == [], err[-2000:]


def test_a_jvm_we_start_ends_on_out_of_memory():
    """An OutOfMemoryError in the driver JVM textprofile starts ends that JVM
    (``-XX:+ExitOnOutOfMemoryError``: in local mode a task thread's one had left the job waiting
    forever, 4M comments at 3g), so the stage stops with the one line about memory
    (``test_a_stopped_jvm_says_memory``). The JVM here runs out of heap allocating 1 GB through py4j
    with ``spark.driver.memory=512m``; without the option (tried by hand, with the user's own
    ``-XX:OnOutOfMemoryError=/bin/true``, which ``launch_settings`` keeps in its place) the JVM
    survives and answers the next call: "jvm alive"."""
    import subprocess
    import sys

    from textprofile.spark.session import java_executable

    if java_executable() is None:
        pytest.skip("no Java runtime (java on PATH or $JAVA_HOME): apt-get install openjdk-17-jre-headless")
    code = (
        "from textprofile.spark.session import SparkOptions, spark_session\n"
        "conf = ('spark.ui.enabled=false', 'spark.driver.memory=512m')\n"
        "with spark_session(SparkOptions(master='local[1]', conf=conf)) as s:\n"
        "    try:\n"
        "        s._jvm.java.nio.ByteBuffer.allocate(1 << 30)\n"
        "    except Exception as e:\n"
        "        print('allocate failed:', type(e).__name__)\n"
        "    try:\n"
        "        s._jvm.java.lang.System.currentTimeMillis()\n"
        "        print('jvm alive')\n"
        "    except Exception:\n"
        "        print('jvm gone')\n"
    )

    r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=240)
    out = r.stdout.strip().splitlines()
    # (the JVM's own "Terminating due to java.lang.OutOfMemoryError" line goes to its stdout first)
    assert out[-2].startswith("allocate failed: ") and out[-1] == "jvm gone", out  # py4j's or the socket's error
