"""``store.erase.rewrite_without``: a fresh DuckDB file without the customers' rows, in every table."""

from __future__ import annotations

import shutil

import duckdb

from textprofile.store.erase import rewrite_without, store_customer_ids

VICTIM = "victim-customer-7f3a9c"


def _store(path):
    con = duckdb.connect(str(path))
    ids = [f"c{i:05d}" for i in range(3000)] + [VICTIM]
    con.execute("CREATE TABLE customers AS SELECT unnest($ids) AS customer_id, 1.0 AS recency_days, "
                "TIMESTAMP '2024-01-01' AS last_seen, 0 AS segment", {"ids": ids})
    con.execute("CREATE TABLE interests AS SELECT customer_id, range AS topic_id, 0.25 AS share FROM customers, range(4)")
    con.execute("CREATE TABLE cards AS SELECT customer_id, '{\"b\": \"' || customer_id || '\"}' AS card FROM customers")
    con.execute("CREATE UNIQUE INDEX cards_id ON cards(customer_id)")
    con.execute("CREATE TABLE scores AS SELECT customer_id, 0.5 AS score FROM customers")
    con.execute("CREATE TABLE neighbours AS SELECT customer_id, $v AS neighbour_id FROM customers "
                "WHERE customer_id < 'c00010'", {"v": VICTIM})
    con.execute("CREATE TABLE segments (segment_id INTEGER, size INTEGER)")
    con.execute("INSERT INTO segments VALUES (0, 3001)")
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('store_version', '1'), ('as_of', '\"2024-02-01T00:00:00+00:00\"')")
    con.execute("CREATE VIEW high AS SELECT * FROM scores WHERE score > 0.1")
    con.close()


def test_rewrite_removes_every_trace_and_keeps_the_rest(tmp_path):
    path = tmp_path / "profiles.duckdb"
    _store(path)
    # why a rewrite: an in-place DELETE leaves the removed rows' bytes in the file
    inplace = tmp_path / "inplace.duckdb"
    shutil.copy(path, inplace)
    con = duckdb.connect(str(inplace))
    for t in ("customers", "interests", "cards", "scores"):
        con.execute(f"DELETE FROM {t} WHERE customer_id = ?", [VICTIM])
    con.execute("DELETE FROM neighbours WHERE neighbour_id = ?", [VICTIM])
    con.execute("CHECKPOINT")
    con.close()
    assert VICTIM.encode() in inplace.read_bytes()

    removed = rewrite_without(path, [VICTIM], None, {"comments_rows": 5})
    assert removed == {"customers": 1, "interests": 4, "cards": 1, "scores": 1, "neighbours": 10}
    assert VICTIM.encode() not in path.read_bytes()
    assert VICTIM not in store_customer_ids(path) and len(store_customer_ids(path)) == 3000
    con = duckdb.connect(str(path))
    try:
        assert con.execute("SELECT count(*) FROM high").fetchone()[0] == 3000  # the view came along
        assert con.execute("SELECT value FROM meta WHERE key = 'comments_rows'").fetchone()[0] == "5"
        # constraints and indexes came along: meta's primary key, cards' unique index
        con.execute("INSERT OR REPLACE INTO meta VALUES ('store_version', '1')")
        assert {r[0] for r in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()} == {"cards_id"}
    finally:
        con.close()
