"""Log lines written by a thread in batches, so a request's log line costs the event loop a
list append: no write to stderr on the loop, and no thread wake-up per line (a queue handler's
listener wakes for every record, which cost the server a tenth of its CPU under load)."""

from __future__ import annotations

import collections
import logging
import threading

FLUSH_SECONDS = 0.05


class BufferedHandler(logging.Handler):
    """Keeps records; a daemon thread hands them to ``target`` every ``FLUSH_SECONDS``."""

    def __init__(self, target: logging.Handler, interval: float = FLUSH_SECONDS):
        super().__init__()
        self.target = target
        self.interval = interval
        self._records: collections.deque[logging.LogRecord] = collections.deque()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self._thread.start()

    def emit(self, record: logging.LogRecord) -> None:
        # the message and any traceback formatted now: their objects may change or go after the call
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            self.target.format(record)  # keeps the text in record.exc_text
            record.exc_info = None
        self._records.append(record)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.drain()

    def drain(self) -> None:
        """Write every record kept so far (also at exit)."""
        while self._records:
            try:
                record = self._records.popleft()
            except IndexError:
                return
            self.target.handle(record)
        try:
            self.target.flush()
        except ValueError:  # the stream was closed before the process ended (an embedding host's)
            pass

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(2 * self.interval + 1)
        self.drain()
        super().close()
