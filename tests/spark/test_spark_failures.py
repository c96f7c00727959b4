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
    for error in (Py4JNetworkError("Answer from Java side is empty"),
                  Py4JError("An error occurred while calling o85.count.\njava.lang.OutOfMemoryError: Java heap space")):
        message = failure_message(error)
        assert message.startswith("Spark stopped (") and message.endswith(MEMORY_HINT) and "\n" not in message


def test_an_exception_whose_text_cannot_be_read():
    class Unreadable(Py4JError):
        def __str__(self):
            raise Py4JNetworkError("the JVM is gone")

    assert failure_message(Unreadable()) == f"Spark stopped (Unreadable) — it most likely ran out of memory: {MEMORY_HINT}"
