"""BufferedHandler: every record reaches the target, in order, formatted as at the call."""

from __future__ import annotations

import io
import logging
import time

from textprofile.serve.logbuffer import BufferedHandler


def _logger(name: str, interval: float):
    out = io.StringIO()
    target = logging.StreamHandler(out)
    target.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler = BufferedHandler(target, interval=interval)
    log = logging.getLogger(name)
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.INFO)
    return log, handler, out


def test_records_are_written_in_order_by_the_thread_and_the_rest_at_close():
    log, handler, out = _logger("tp.test.buffer", interval=0.02)
    items = ["a"]
    log.info("first %s", items)
    items.append("b")  # changed after the call: the line says what it was at the call
    deadline = time.monotonic() + 5
    while "first" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert out.getvalue() == "INFO first ['a']\n"
    slow_log, slow, slow_out = _logger("tp.test.buffer.slow", interval=60)
    for i in range(1000):
        slow_log.info("line %d", i)
    assert slow_out.getvalue() == ""  # nothing written on the caller's thread
    slow.close()
    assert slow_out.getvalue().splitlines() == [f"INFO line {i}" for i in range(1000)]
    handler.close()


def test_a_traceback_is_kept_as_text():
    log, handler, out = _logger("tp.test.buffer.exc", interval=60)
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed")
    handler.close()
    text = out.getvalue()
    assert text.startswith("ERROR failed\n") and "ValueError: boom" in text
