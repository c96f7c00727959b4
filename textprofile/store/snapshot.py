"""``StoreSnapshot``: one private, read-only DuckDB instance on the store file as it is now.

A long-lived reader (the HTTP server) must see a store that ``profile build`` or ``update``
replaced by renaming a new file into place. ``duckdb.connect(path)`` cannot: DuckDB caches one
instance per resolved path in a process, so a new connection to the path reuses the instance
still open on the old file. ATTACHing the file into a fresh in-memory instance opens whatever
the path names at that moment; connections for other threads are cursors on that instance
(one DuckDB connection must not be shared between threads).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from textprofile.core.errors import IntegrityError, NotFoundError

__all__ = ["StoreSnapshot", "file_signature"]

ALIAS = "store"


def file_signature(path: str | os.PathLike) -> tuple[int, int, int, int] | None:
    """(device, inode, mtime ns, size) of ``path``, or None when it does not exist.

    A rename into place changes the inode; an in-place rewrite changes mtime or size.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


class StoreSnapshot:
    """The store file opened read-only in its own DuckDB instance; ``connect()`` per thread."""

    def __init__(self, path: str | os.PathLike):
        import duckdb

        from textprofile.store.sql import connect

        self.path = Path(path)
        self.signature = file_signature(self.path)  # taken before opening: a later swap is seen
        self._lock = threading.Lock()
        self._base = connect(":memory:", config={"threads": 1})
        literal = "'" + str(self.path).replace("'", "''") + "'"
        try:
            self._base.execute(f"ATTACH {literal} AS {ALIAS} (READ_ONLY)")
            self._base.execute(f"USE {ALIAS}")
        except duckdb.Error as e:
            self._base.close()
            if not self.path.is_file():
                raise NotFoundError(f"no profile store at {self.path} — run: textprofile profile build "
                                    f"{self.path.parent.name}") from None
            first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
            raise IntegrityError(f"{self.path} cannot be opened ({first}) — rebuild it: "
                                 f"textprofile profile build {self.path.parent.name}") from None

    def connect(self):
        """A new DuckDB connection on this snapshot (for one thread at a time)."""
        with self._lock:
            con = self._base.cursor()
        con.execute(f"USE {ALIAS}")
        return con

    def close(self) -> None:
        with self._lock:
            self._base.close()
