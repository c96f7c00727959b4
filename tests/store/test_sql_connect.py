"""DuckDB never draws its progress bar on stdout (it landed inside ``--json`` output)."""

from __future__ import annotations

import re
from pathlib import Path

from textprofile.store.sql import connect


def test_connections_have_no_progress_bar(tmp_path):
    for con in (connect(), connect(str(tmp_path / "x.duckdb"), config={"threads": 1})):
        try:
            assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0] is False
        finally:
            con.close()


def test_every_connection_in_the_package_goes_through_store_sql_connect():
    root = Path(__file__).resolve().parents[2] / "textprofile"
    call = re.compile(r"^[^#`\n]*\bduckdb\.connect\(", re.MULTILINE)  # code, not a comment or ``docs``
    direct = [str(p.relative_to(root)) for p in root.rglob("*.py")
              if p.name != "sql.py" and call.search(p.read_text(encoding="utf-8"))]
    assert direct == []
