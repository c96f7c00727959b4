"""``ProfileStore``: the DuckDB file of profiles, built atomically and opened read-only for lookups.

Only duckdb is imported on the lookup path (``profile show`` must start fast); pandas is needed
only to build. Similar customers are ranked by Hellinger distance between topic mixtures,
H(p, q) = sqrt(1 - sum_k sqrt(p_k q_k)), which is bounded in [0, 1] and, unlike cosine, treats
small shares fairly (a 2% vs 0% interest counts for something).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textprofile.core.errors import ConfigError, IntegrityError, NotFoundError, StateError
from textprofile.store.build import STORE_VERSION, ProfileTables, parse_time, write_store
from textprofile.store.patch import patch_store, put_scores
from textprofile.store.sql import copy_query, sql_literal

__all__ = ["ProfileStore", "ProfileTables", "patch_store", "put_scores", "store_path", "write_store"]

if TYPE_CHECKING:
    import pandas as pd

STORE_FILE = "profiles.duckdb"


def store_path(model_dir: str | os.PathLike) -> Path:
    return Path(model_dir) / STORE_FILE


class ProfileStore:
    """Read-only lookups in one model's ``profiles.duckdb``; several may be open at once."""

    def __init__(self, path: str | os.PathLike, model: str | None = None, connection: Any = None):
        """``connection``: an open read-only DuckDB connection on ``path`` to use instead of a new
        one (``StoreSnapshot.connect()``, for a server that follows the file when it is replaced);
        the store closes it on ``close``."""
        import duckdb

        from textprofile.store.sql import connect

        self.path = Path(path)
        if not self.path.is_file():
            name = model or self.path.parent.name
            raise NotFoundError(
                f"no profiles for model {name!r} at {self.path} — run: textprofile profile build {name}"
            )
        self.model = model or self.path.parent.name
        try:
            # one thread: point queries gain nothing from parallelism and lose to its set-up cost
            if connection is not None:
                self._con = connection
            else:
                self._con = connect(str(self.path), read_only=True, config={"threads": 1})
            self.meta: dict[str, Any] = {
                k: json.loads(v) for k, v in self._con.execute("SELECT key, value FROM meta").fetchall()
            }
        except (duckdb.Error, ValueError) as e:
            raise self._corrupt(e) from None
        self.model = model or self.meta.get("model") or self.path.parent.name
        self._index = None
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
        self._as_of = parse_time(self.meta.get("as_of"))
        try:
            # small tables cached once, so ``get`` is a single point query; labels.json read once
            self._human = self._human_labels()
            self._labels = {t["topic_id"]: t["label"] for t in self.topics()}
            self._segment_text = {s["segment_id"]: s["description"] for s in self.segments()}
            # no scores table (older stores) or an empty one: no score query per card
            self._scores = self._con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scores'"
                                             ).fetchone()[0] > 0 and self._con.execute(
                "SELECT count(*) FROM (SELECT 1 FROM scores LIMIT 1)").fetchone()[0] > 0
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

    def preload(self) -> None:
        """Read every card (and score) once: DuckDB keeps the blocks, so lookups stop reading the
        file (a cold lookup costs ~10x a cached one). ``interrupt()`` from another thread stops it."""
        self._con.execute("SELECT sum(strlen(card)) FROM cards").fetchone()
        if self._scores:
            self._con.execute("SELECT sum(strlen(reasons)) FROM scores").fetchone()

    def interrupt(self) -> None:
        self._con.interrupt()

    def __enter__(self) -> ProfileStore:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- lookups ---------------------------------------------------------------------------

    def get(self, customer_id: str) -> dict[str, Any] | None:
        """The profile card of ``customer_id``, or None when it is not in the store."""
        return self.get_many([customer_id]).get(customer_id)

    def get_many(self, customer_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """{id: profile card} for those of ``customer_ids`` in the store, in one query per 512 ids
        (a query costs DuckDB ~0.5 ms, an id in a batch ~0.1 ms: the server batches lookups)."""
        import duckdb

        ids = sorted({c for c in customer_ids if "\x00" not in c})
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 512):
            chunk = ids[start:start + 512]
            # literals, not parameters: DuckDB plans the ART index scan only for constants
            where = f"= {sql_literal(chunk[0])}" if len(chunk) == 1 else f"IN ({', '.join(map(sql_literal, chunk))})"
            try:
                rows = self._con.execute(f"SELECT customer_id, card FROM cards WHERE customer_id {where}").fetchall()
                scores: dict[str, list] = {}
                if self._scores and rows:
                    for cid, *score in self._con.execute(
                            f"SELECT customer_id, score, value, reasons FROM scores WHERE customer_id {where} "
                            "ORDER BY customer_id, score").fetchall():
                        scores.setdefault(cid, []).append(score)
            except duckdb.Error as e:
                raise self._corrupt(e) from None
            for cid, card in rows:
                out[cid] = self._card(cid, json.loads(card), scores.get(cid, []))
        return out

    def _card(self, customer_id: str, card: dict[str, Any], scores: list) -> dict[str, Any]:
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
            out["scores"] = [{"score": s, "value": v, "reasons": json.loads(r)} for s, v, r in scores]
        return out

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

    def neighbour_index(self):
        """The neighbour index built with this store (``store.neighbours``), opened once."""
        if self._index is None:
            from textprofile.store.neighbours import NeighbourIndex

            self._index = NeighbourIndex.open(self.path, self.meta.get("neighbours"))
            if self._index is None:
                raise StateError(f"the profiles of {self.model!r} have no neighbour index (built by an older "
                                 f"textprofile, or replaced meanwhile) — run: textprofile profile build {self.model}")
        return self._index

    def attach_neighbour_index(self, index) -> None:
        """Use an index already opened for this store file (a server's other connections to it)."""
        self._index = index

    def similar(self, customer_id: str, n: int = 10, by: str = "mixed") -> list[dict[str, Any]]:
        """The ``n`` customers most like ``customer_id`` (score: higher is closer), best first.

        ``by``: ``mixed`` (keywords and topics, the weights the store was built with),
        ``keywords`` or ``topics`` alone; see ``store.neighbours``.
        """
        _check_by(by)
        if self.get(customer_id) is None:
            raise self._not_found(customer_id)
        index = self.neighbour_index()
        row = index.row(customer_id)
        if row is None:
            raise StateError(f"customer {customer_id!r} is missing from the neighbour index — "
                             f"run: textprofile profile build {self.model}")
        kw, tp = index.vector([row])
        hits = index.search(kw, tp, n, by, exclude=[row])
        return [{"customer_id": index.ids[r].decode("utf-8"), "score": round(sc, 6)} for r, sc in hits]

    def lookalikes(self, seed_ids: list[str], n: int, by: str = "mixed",
                   allowed: list[str] | None = None) -> tuple[list[str], list[dict[str, Any]]]:
        """Customers most like the seed list as a whole (their mean vector), seeds excluded.

        Exact over every customer (or only ``allowed`` ids). Returns (seed ids found, results).
        """
        import numpy as np

        _check_by(by)
        index = self.neighbour_index()
        found = [(c, r) for c in dict.fromkeys(seed_ids) if (r := index.row(c)) is not None]
        if not found:
            return [], []
        rows = [r for _, r in found]
        kw, tp = index.vector(rows)
        scores = index.scores(kw, tp, by)
        mask = np.ones(len(scores), dtype=bool)
        mask[rows] = False
        if allowed is not None:
            ok = np.zeros(len(scores), dtype=bool)
            ok[[r for c in allowed if (r := index.row(c)) is not None]] = True
            mask &= ok
        cand = np.flatnonzero(mask)
        order = cand[np.lexsort((cand, -scores[cand]))][:n]
        return [c for c, _ in found], [
            {"customer_id": index.ids[r].decode("utf-8"), "score": round(float(scores[r]), 6)} for r in order
        ]

    def filter_customers(self, min_comments: int | None = None, active_days: float | None = None,
                         channel: str | None = None, topic_id: int | None = None,
                         min_share: float | None = None) -> list[tuple[str, float | None]]:
        """(customer_id, share of ``topic_id`` or None) of the customers passing every filter.

        ``active_days``: last seen at most that many days before the store's as-of date;
        ``channel``: review, chat or social (the customer wrote there at least once).
        Sorted by the topic share (when a topic is given), then by id.
        """
        where, params = ["TRUE"], {}
        if min_comments is not None:
            where.append("c.n_comments >= $min_comments")
            params["min_comments"] = int(min_comments)
        if active_days is not None:
            where.append("c.recency_days <= $active_days")
            params["active_days"] = float(active_days)
        if channel is not None:
            if channel not in ("review", "chat", "social"):
                raise ValueError(channel)
            where.append(f"c.share_{channel} > 0")
        share = "NULL"
        join = ""
        if topic_id is not None:
            join = "JOIN interests i ON i.customer_id = c.customer_id AND i.topic_id = $topic"
            params["topic"] = int(topic_id)
            share = "i.share"
            if min_share is not None:
                where.append("i.share >= $min_share")
                params["min_share"] = float(min_share)
        order = "i.share DESC, c.customer_id" if topic_id is not None else "c.customer_id"
        sql = f"SELECT c.customer_id, {share} FROM customers c {join} WHERE {' AND '.join(where)} ORDER BY {order}"
        return [(cid, None if sh is None else float(sh)) for cid, sh in self._con.execute(sql, params).fetchall()]

    def topics(self) -> list[dict[str, Any]]:
        """Topic ids, labels (human labels from ``topics rename`` win) and shares."""
        rows = self._con.execute("SELECT topic_id, label, share FROM topics ORDER BY topic_id").fetchall()
        human = self._human
        return [{"topic_id": t, "label": human.get(t, lab), "share": s} for t, lab, s in rows]

    def segments(self) -> list[dict[str, Any]]:
        """Segments with their top topics (in the topics' current labels) and description.

        ``topics rename`` rewrites the stored descriptions (``pipeline.topics.rename_topic``);
        the top topics' labels are overlaid here so a store renamed by hand still reads right.
        """
        rows = self._con.execute(
            "SELECT segment_id, size, description, top_topics, behaviour FROM segments ORDER BY segment_id"
        ).fetchall()
        human = self._human
        out = []
        for s, z, d, t, b in rows:
            top = [{**x, "label": human.get(x["topic_id"], x["label"])} for x in json.loads(t)]
            out.append({"segment_id": s, "size": z, "description": d, "top_topics": top, "behaviour": json.loads(b)})
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
            f"LEFT JOIN scores s{j} ON s{j}.customer_id = w.customer_id AND s{j}.score = {sql_literal(n)}"
            for j, n in enumerate(names)
        )
        return f"SELECT w.*, {picks} FROM ({sql}) w {joins} ORDER BY w.customer_id"

    def export_profiles(self) -> pd.DataFrame:
        """The wide profiles table as a DataFrame (one row per customer)."""
        return self._con.execute(self.profiles_sql()).df()

    def copy_to(self, sql: str, out: str | os.PathLike, fmt: str) -> int:
        """Write the result of ``sql`` to ``out`` as csv/parquet/jsonl, atomically; return rows."""
        return copy_query(self._con, sql, Path(out), fmt)


def _check_by(by: str) -> None:
    from textprofile.store.neighbours import MODES

    if by not in MODES:
        raise ConfigError(f"--by must be one of {', '.join(MODES)} (got {by!r})")


def _recency(as_of: datetime | None, last_seen: str | None) -> float | None:
    """Days from ``last_seen`` to ``as_of``, rounded like ``behaviour.behaviour`` rounds them."""
    if as_of is None or last_seen is None:
        return None
    from textprofile.core.config import RECENCY_DECIMALS

    return round((as_of - parse_time(last_seen)) / timedelta(days=1), RECENCY_DECIMALS)
