"""``ProfileStore``: the DuckDB file of profiles, built atomically and opened read-only for lookups.

Only duckdb is imported on the lookup path (``profile show`` must start fast); pandas is needed
only to build. Similar customers are ranked by Hellinger distance between topic mixtures,
H(p, q) = sqrt(1 - sum_k sqrt(p_k q_k)), which is bounded in [0, 1] and, unlike cosine, treats
small shares fairly (a 2% vs 0% interest counts for something).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textprofile.core.errors import IntegrityError, NotFoundError, StateError
from textprofile.store.build import (
    STORE_VERSION,
    ProfileTables,
    _parse_time,
    patch_store,
    put_scores,
    write_store,
)

__all__ = ["ProfileStore", "ProfileTables", "patch_store", "put_scores", "store_path", "write_store"]

if TYPE_CHECKING:
    import pandas as pd

STORE_FILE = "profiles.duckdb"



def store_path(model_dir: str | os.PathLike) -> Path:
    return Path(model_dir) / STORE_FILE


class ProfileStore:
    """Read-only lookups in one model's ``profiles.duckdb``; several may be open at once."""

    def __init__(self, path: str | os.PathLike, model: str | None = None):
        import duckdb

        self.path = Path(path)
        if not self.path.is_file():
            name = model or self.path.parent.name
            raise NotFoundError(
                f"no profiles for model {name!r} at {self.path} — run: textprofile profile build {name}"
            )
        self.model = model or self.path.parent.name
        try:
            # one thread: point queries gain nothing from parallelism and lose to its set-up cost
            self._con = duckdb.connect(str(self.path), read_only=True, config={"threads": 1})
            self.meta: dict[str, Any] = {
                k: json.loads(v) for k, v in self._con.execute("SELECT key, value FROM meta").fetchall()
            }
        except (duckdb.Error, ValueError) as e:
            raise self._corrupt(e) from None
        self.model = model or self.meta.get("model") or self.path.parent.name
        if self.meta.get("store_version") != STORE_VERSION:
            self.close()
            raise StateError(
                f"{self.path} was built by another textprofile version — run: textprofile profile build {self.model}"
            )
        self._behaviour_cols = [
            r[0] for r in self._con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'customers' "
                "AND column_name NOT IN ('customer_id', 'segment') ORDER BY column_index"
            ).fetchall()
        ]
        self._as_of = _parse_time(self.meta.get("as_of"))
        try:
            # small tables cached once, so ``get`` is a single point query; labels.json read once
            self._human = self._human_labels()
            self._labels = {t["topic_id"]: t["label"] for t in self.topics()}
            self._segment_text = {s["segment_id"]: s["description"] for s in self.segments()}
            # stores built before scores existed have no such table: still readable, no scores
            self._scores = self._con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scores'").fetchone()[0] > 0
        except duckdb.Error as e:
            raise self._corrupt(e) from None

    def _corrupt(self, error: Exception) -> IntegrityError:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return IntegrityError(
            f"{self.path} cannot be read ({first[:200]}) — rebuild it: textprofile profile build {self.model}"
        )

    def _human_labels(self) -> dict[int, str]:
        """Labels given with ``topics rename`` after the store was built (models/<name>/labels.json)."""
        path = self.path.parent / "labels.json"
        try:
            return {int(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
        except (OSError, ValueError, AttributeError):
            return {}

    @classmethod
    def open(cls, ws, name: str) -> ProfileStore:
        """The store of model ``name`` in workspace ``ws``."""
        return cls(store_path(ws.model_dir(name)), model=name)

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> ProfileStore:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- lookups ---------------------------------------------------------------------------

    def get(self, customer_id: str) -> dict[str, Any] | None:
        """The profile card of ``customer_id``, or None when it is not in the store."""
        if "\x00" in customer_id:
            return None
        import duckdb

        try:
            # A literal, not a parameter: DuckDB plans the ART index scan only for a constant.
            row = self._con.execute(
                f"SELECT card FROM cards WHERE customer_id = {_sql_literal(customer_id)}"
            ).fetchone()
        except duckdb.Error as e:
            raise self._corrupt(e) from None
        if row is None:
            return None
        card = json.loads(row[0])
        segment = card["s"]
        out = {
            "customer_id": customer_id,
            "model": self.model,
            "behaviour": self._behaviour(card["b"]),
            "interests": [
                {"topic_id": t, "label": self._labels.get(t, f"topic {t}"), "share": s}
                for t, s in zip(card["it"], card["is"])
            ],
            "keywords": [{"term": t, "score": s} for t, s in zip(card["kt"], card["ks"])],
            "segment": None if segment is None else {
                "segment_id": segment, "description": self._segment_text.get(segment, "")
            },
        }
        if self._scores:
            out["scores"] = self._card_scores(customer_id)
        return out

    def _card_scores(self, customer_id: str) -> list[dict[str, Any]]:
        rows = self._con.execute(
            f"SELECT score, value, reasons FROM scores WHERE customer_id = {_sql_literal(customer_id)} ORDER BY score"
        ).fetchall()
        return [{"score": s, "value": v, "reasons": json.loads(r)} for s, v, r in rows]

    def score_names(self) -> list[str]:
        """Names of the scores saved in this store (``score train``), sorted."""
        if not self._scores:
            return []
        return [r[0] for r in self._con.execute("SELECT DISTINCT score FROM scores ORDER BY score").fetchall()]

    def scores_frame(self, score: str) -> pd.DataFrame:
        """customer_id, value, reasons (JSON) of one score, highest value first."""
        return self._con.execute(
            "SELECT customer_id, value, reasons FROM scores WHERE score = ? ORDER BY value DESC, customer_id", [score]
        ).df()

    def keywords_frame(self) -> pd.DataFrame:
        """The long keywords table: customer_id, term, score, rank (by customer, then rank)."""
        return self._con.execute("SELECT customer_id, term, score, rank FROM keywords ORDER BY customer_id, rank").df()

    def _behaviour(self, b: dict[str, Any]) -> dict[str, Any]:
        """The card's behaviour with ``recency_days`` (as-of minus last seen) in its place."""
        out = {}
        for col in self._behaviour_cols:
            if col == "recency_days":
                out[col] = _recency(self._as_of, b.get("last_seen"))
            else:
                out[col] = b.get(col)
        return out

    def require(self, customer_id: str) -> dict[str, Any]:
        """Like ``get`` but an unknown id raises NotFoundError with up to three close ids."""
        card = self.get(customer_id)
        if card is None:
            raise self._not_found(customer_id)
        return card

    def _not_found(self, customer_id: str) -> NotFoundError:
        close = self.suggest(customer_id)
        hint = f"; did you mean: {', '.join(close)}?" if close else f"; list ids with: textprofile export {self.model} --table profiles"
        return NotFoundError(f"customer {customer_id!r} not found in model {self.model!r}{hint}")

    def suggest(self, customer_id: str, n: int = 3) -> list[str]:
        """Up to ``n`` ids close to ``customer_id``: shared prefix first, then edit distance."""
        q = customer_id.lower()
        limit = max(2, len(q) // 3)
        rows = self._con.execute(
            "SELECT customer_id FROM (SELECT customer_id, "
            "  starts_with(lower(customer_id), $q) OR starts_with($q, lower(customer_id)) AS prefix, "
            "  levenshtein(lower(customer_id), $q) AS dist FROM customers) "
            "WHERE prefix OR dist <= $limit ORDER BY dist, customer_id LIMIT $n",
            {"q": q, "limit": limit, "n": n},
        ).fetchall()
        return [r[0] for r in rows]

    def similar(self, customer_id: str, n: int = 10) -> list[dict[str, Any]]:
        """The ``n`` customers whose topic mixtures are closest (Hellinger distance, smallest first)."""
        if self.get(customer_id) is None:
            raise self._not_found(customer_id)
        # a scan of every customer's shares: worth both cores, unlike point lookups
        self._con.execute(f"SET threads = {max(1, min(os.cpu_count() or 1, 4))}")
        try:
            rows = self._similar_rows(customer_id, n)
        finally:
            self._con.execute("SET threads = 1")
        return [
            {"customer_id": c, "distance": round(d, 6), "top_topic_id": t, "top_label": self._labels.get(t, lab)}
            for c, d, t, lab in rows
        ]

    def _similar_rows(self, customer_id: str, n: int) -> list[tuple]:
        return self._con.execute(
            "WITH q AS (SELECT topic_id, share FROM interests WHERE customer_id = $id AND share > 0), "
            "bc AS (SELECT i.customer_id, sum(sqrt(i.share * q.share)) AS bc FROM interests i "
            "  JOIN q USING (topic_id) WHERE i.customer_id <> $id GROUP BY i.customer_id "
            "  ORDER BY bc DESC, i.customer_id LIMIT $n) "
            "SELECT bc.customer_id, sqrt(greatest(0.0, 1.0 - bc.bc)) AS distance, t.topic_id, t.label "
            "FROM bc JOIN interests i ON i.customer_id = bc.customer_id AND i.rank = 1 "
            "JOIN topics t ON t.topic_id = i.topic_id ORDER BY distance, bc.customer_id",
            {"id": customer_id, "n": n},
        ).fetchall()

    def topics(self) -> list[dict[str, Any]]:
        """Topic ids, labels (human labels from ``topics rename`` win) and shares."""
        rows = self._con.execute("SELECT topic_id, label, share FROM topics ORDER BY topic_id").fetchall()
        human = self._human
        return [{"topic_id": t, "label": human.get(t, lab), "share": s} for t, lab, s in rows]

    def segments(self) -> list[dict[str, Any]]:
        """Segments with their top topics and description in the topics' current labels."""
        rows = self._con.execute(
            "SELECT segment_id, size, description, top_topics, behaviour FROM segments ORDER BY segment_id"
        ).fetchall()
        human = self._human
        out = []
        for s, z, d, t, b in rows:
            top, stats = json.loads(t), json.loads(b)
            if any(x["topic_id"] in human for x in top):
                # imported only after a rename: keeps numpy off the lookup path
                from textprofile.profiles.segments import description

                top = [{**x, "label": human.get(x["topic_id"], x["label"])} for x in top]
                d = description(top, stats)
            out.append({"segment_id": s, "size": z, "description": d, "top_topics": top, "behaviour": stats})
        return out

    def count(self) -> int:
        return self._con.execute("SELECT count(*) FROM customers").fetchone()[0]

    # -- export ----------------------------------------------------------------------------

    def profiles_sql(self) -> str:
        """SQL for the wide profiles table: customer_id, behaviour, segment, topic_<id> shares."""
        ids = [r[0] for r in self._con.execute("SELECT topic_id FROM topics ORDER BY topic_id").fetchall()]
        shares = ", ".join(
            f"coalesce(max(i.share) FILTER (WHERE i.topic_id = {int(t)}), 0.0) AS topic_{int(t)}" for t in ids
        )
        cols = ", ".join(f"c.{c}" for c in ["customer_id", *self._behaviour_cols, "segment"])
        sql = (
            f"SELECT {cols}, {shares} FROM customers c LEFT JOIN interests i USING (customer_id) "
            f"GROUP BY ALL ORDER BY c.customer_id"
        )
        names = self.score_names()
        if not names:
            return sql
        # one score_<name> column per saved score (null for a customer it was not computed for)
        picks = ", ".join(f"s{j}.value AS \"score_{n}\"" for j, n in enumerate(names))
        joins = " ".join(
            f"LEFT JOIN scores s{j} ON s{j}.customer_id = w.customer_id AND s{j}.score = {_sql_literal(n)}"
            for j, n in enumerate(names)
        )
        return f"SELECT w.*, {picks} FROM ({sql}) w {joins} ORDER BY w.customer_id"

    def export_profiles(self) -> pd.DataFrame:
        """The wide profiles table as a DataFrame (one row per customer)."""
        return self._con.execute(self.profiles_sql()).df()

    def copy_to(self, sql: str, out: str | os.PathLike, fmt: str) -> int:
        """Write the result of ``sql`` to ``out`` as csv/parquet/jsonl, atomically; return rows."""
        return _copy(self._con, sql, Path(out), fmt)


def _recency(as_of: datetime | None, last_seen: str | None) -> float | None:
    """Days from ``last_seen`` to ``as_of``, rounded like ``behaviour.behaviour`` rounds them."""
    if as_of is None or last_seen is None:
        return None
    from textprofile.profiles.behaviour import RECENCY_DECIMALS

    return round((as_of - _parse_time(last_seen)) / timedelta(days=1), RECENCY_DECIMALS)


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")


def _sql_literal(value: str) -> str:
    """A SQL string literal (DuckDB has no backslash escapes, so doubling quotes is enough)."""
    return "'" + str(value).replace("'", "''") + "'"


def _copy(con, sql: str, out: Path, fmt: str) -> int:
    from textprofile.core.artifacts import atomic_path

    options = {"csv": "FORMAT csv, HEADER true", "parquet": "FORMAT parquet", "jsonl": "FORMAT json"}[fmt]
    with atomic_path(out, suffix=f".{fmt}") as tmp:
        con.execute(f"COPY ({sql}) TO '{_sql_str(tmp)}' ({options})")
    return con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
