"""Erased customers: their salted hashes in ``corpora/<name>/erased.json``, and the corpus files
rewritten without them (``forget``); ``load`` and ``update`` skip their rows from then on.

``erased.json`` = ``{"version": 1, "salt": hex, "hashes": [sorted HMAC-SHA256(salt, customer_id)
hex], "pending": bool}``: never a clear id. The salt is random per corpus (created by the first
``forget``) and kept across re-loads into the same name, so an erased id stays recognisable
while no list of clear ids exists anywhere. ``pending`` is true while a ``forget`` is rewriting
files; an interrupted one is finished by running it again.
``erasures.jsonl``: one audit line per request (time, hashed ids, rows removed by kind).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textprofile.core.artifacts import atomic_path, write_json_atomic, write_text_atomic
from textprofile.core.errors import IntegrityError

ERASED_FILE = "erased.json"
AUDIT_FILE = "erasures.jsonl"
ERASED_VERSION = 1
QUARANTINE_FILE = "quarantine.csv"
# a quarantined line that could not be parsed holds the raw record: its customer id is one of
# these pieces (CSV/TSV field, JSON value, word)
_PIECES = re.compile(r"[\s,;\t|\"'{}\[\]:]+")


class ErasedIds:
    """The erased customers of one corpus, as salted hashes."""

    def __init__(self, salt: str, hashes: Iterable[str] = (), pending: bool = False) -> None:
        self.salt = salt
        self.hashes: set[str] = set(hashes)
        self.pending = pending
        self._key = bytes.fromhex(salt)
        self._memo: dict[str, str] = {}
        # a --pseudonymize corpus stores HMAC pseudonyms, while an unparsable quarantined record
        # holds the clear id: with the key set, its pieces are also checked as pseudonyms
        self.pseudonym_key: bytes | None = None

    @classmethod
    def open(cls, corpus_dir: str | Path) -> ErasedIds:
        """The corpus's erased ids, or an empty set with a fresh salt when nobody was erased."""
        path = Path(corpus_dir) / ERASED_FILE
        if not path.is_file():
            return cls(secrets.token_hex(16))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(str(data["salt"]), [str(h) for h in data["hashes"]], bool(data.get("pending")))
        except (ValueError, KeyError, TypeError) as e:
            raise IntegrityError(
                f"{path} is not a valid erasure list ({type(e).__name__}); restore it from a backup — "
                "without it, erased customers would come back with the next update"
            ) from None

    def __bool__(self) -> bool:
        return bool(self.hashes)

    def __len__(self) -> int:
        return len(self.hashes)

    def hash(self, customer_id: str) -> str:
        h = self._memo.get(customer_id)
        if h is None:
            h = hmac.new(self._key, customer_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
            if len(self._memo) < 1_000_000:
                self._memo[customer_id] = h
        return h

    def is_erased(self, customer_id: str | None) -> bool:
        return customer_id is not None and self.hash(customer_id) in self.hashes

    def mask(self, customer_ids: Iterable[str | None]) -> list[bool]:
        """True where the customer is erased (hashing each distinct id once)."""
        if not self.hashes:
            return [False for _ in customer_ids]
        seen: dict[str | None, bool] = {}
        out = []
        for c in customer_ids:
            v = seen.get(c)
            if v is None:
                v = seen[c] = self.is_erased(c)
            out.append(v)
        return out

    def mentioned_in(self, text: str | None) -> bool:
        """Whether a piece of ``text`` (a field of a raw quarantined record) is an erased id."""
        if not text or not self.hashes:
            return False
        pieces = [p for p in _PIECES.split(text) if p]
        if any(self.is_erased(p) for p in pieces):
            return True
        if self.pseudonym_key is not None:
            from textprofile.ingest.pii import pseudonymize

            return any(self.is_erased(p) for p in pseudonymize(pieces, self.pseudonym_key))
        return False

    def add(self, customer_ids: Iterable[str]) -> list[str]:
        """Add ids; return their hashes (in the order given)."""
        out = [self.hash(c) for c in customer_ids]
        self.hashes.update(out)
        return out

    def write(self, folder: str | Path) -> Path:
        path = Path(folder) / ERASED_FILE
        write_json_atomic(path, {"version": ERASED_VERSION, "salt": self.salt,
                                 "hashes": sorted(self.hashes), "pending": self.pending})
        return path


def filter_quarantine(corpus_dir: str | Path, erased: ErasedIds) -> tuple[int, dict[str, int]]:
    """Rewrite quarantine.csv without the erased customers' rows; return (removed, kept by reason).

    A row is theirs when its ``customer_id`` column is an erased id, or (a record that could not
    be parsed, without that column) when one of the pieces of its raw text is.
    """
    path = Path(corpus_dir) / QUARANTINE_FILE
    if not path.is_file():
        return 0, {}
    return filter_csv(path, erased)


def filter_csv(path: Path, erased: ErasedIds, replace=None) -> tuple[int, dict[str, int]]:
    """``filter_quarantine`` of one quarantine CSV file (or a part of a Spark ``quarantine.csv/``).

    ``replace(path, write)``: how the file is replaced (``write(tmp)`` writes the new content);
    default: atomically in place.
    """
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return 0, {}
    header, body = rows[0], rows[1:]
    cid = header.index("customer_id") if "customer_id" in header else None
    tid = header.index("text") if "text" in header else None
    keep, removed, reasons = [], 0, {}
    for r in body:
        owner = r[cid] if cid is not None and cid < len(r) and r[cid] else None
        text = r[tid] if tid is not None and tid < len(r) else ""
        if (owner is not None and erased.is_erased(owner)) or erased.mentioned_in(text):
            removed += 1
            continue
        keep.append(r)
        kind = r[2].split(":", 1)[0] if len(r) > 2 else ""
        reasons[kind] = reasons.get(kind, 0) + 1
    if removed:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(header)
        w.writerows(keep)
        if replace is None:
            write_text_atomic(path, buf.getvalue())
        else:
            replace(path, lambda tmp: Path(tmp).write_text(buf.getvalue(), encoding="utf-8", newline=""))
    return removed, dict(sorted(reasons.items()))


def filter_parquet(path: str | Path, keep_mask, row_group_size: int | None = None) -> int:
    """Rewrite a Parquet file with only the rows where ``keep_mask`` is true; return rows removed.

    A fresh file (zstd), never an in-place edit, so no byte of a removed row survives in it.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    mask = pa.array(keep_mask, type=pa.bool_())
    removed = table.num_rows - int(pc.sum(mask).as_py() or 0)
    if removed:
        kept = table.filter(mask)
        with atomic_path(Path(path), ".parquet") as tmp:
            kwargs = {"row_group_size": row_group_size} if row_group_size else {}
            pq.write_table(kept, tmp, compression="zstd", **kwargs)
    return removed


def append_audit(corpus_dir: str | Path, hashes: list[str], removed: dict[str, int],
                 unknown: int = 0) -> dict[str, Any]:
    """Append one line to ``erasures.jsonl`` (rewritten atomically): time, hashed ids, counts."""
    path = Path(corpus_dir) / AUDIT_FILE
    record = {
        "time": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "ids": sorted(hashes), "removed": dict(sorted(removed.items())), "unknown_ids": unknown,
    }
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    write_text_atomic(path, old + json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    return record
