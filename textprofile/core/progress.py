"""The progress callback library functions accept; the CLI turns it into a bar on stderr.

``progress(stage, done, total)`` is called with a short stage name ("read", "tokenize",
"fit k=10", ...), units done so far and the total (``None`` when unknown). Library code never
prints; it calls this, and ``None`` means nobody is listening.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, "int | None"], None]


def noop(stage: str, done: int, total: int | None = None) -> None:
    """A progress callback that ignores everything."""
