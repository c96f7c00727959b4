"""``load``: export files in, ``corpora/<name>/`` out (comments, quarantine, manifest), atomically."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textprofile.core.artifacts import atomic_dir, checksums, write_manifest
from textprofile.core.config import LoadConfig, TokenizeConfig
from textprofile.core.errors import ConfigError, InputFileError
from textprofile.core.workspace import Workspace
from textprofile.ingest.pii import key_fingerprint, pseudonym_key
from textprofile.ingest.read_export import ExportReader
from textprofile.ingest.rows import comment_ids, script_languages


def comments_schema():
    import pyarrow as pa

    return pa.schema([
        ("comment_id", pa.string()), ("customer_id", pa.string()), ("text", pa.string()),
        ("time", pa.timestamp("us", tz="UTC")), ("channel", pa.string()), ("role", pa.string()),
        ("is_customer", pa.bool_()), ("thread_id", pa.string()), ("rating", pa.float64()),
        ("amount", pa.float64()), ("source", pa.string()), ("source_row", pa.int64()), ("meta", pa.string()),
    ])


def _reason_key(reason: str) -> str:
    return reason.split(":", 1)[0]


class CommentReader:
    """Cleaned, deduplicated comment chunks from several exports; iterate it once.

    Iterating yields DataFrames with exactly the ``comments.parquet`` columns (input order kept).
    Alongside: ``quarantine`` (rows ``(file, row, reason, text)`` not yet drained — call
    ``drain_quarantine()`` to take them), ``counts`` (read / kept / duplicates / quarantined /
    quarantined_by_reason), and ``sources`` (one manifest entry per file, with its mapping).
    """

    def __init__(self, exports: list[str | Path], config: LoadConfig, progress=None,
                 mappings: dict[str, dict[str, str]] | list[dict[str, str]] | None = None,
                 known_keys: Any = None, erased: Any = None):
        if not exports:
            raise ConfigError("no export files given — pass at least one EXPORT path")
        self.config = config
        self.progress = progress
        self.key = pseudonym_key() if config.pseudonymize else None
        self.readers = []
        for i, p in enumerate(exports):
            mapping = mappings[i] if isinstance(mappings, list) else (mappings or {}).get(Path(p).name)
            self.readers.append(ExportReader(p, config, self.key, mapping))
        self.sources = [r.source for r in self.readers]
        self.quarantine: list[tuple] = []
        self.counts: dict[str, Any] = {"read": 0, "kept": 0, "duplicates": 0, "quarantined": 0,
                                       "quarantined_by_reason": {}}
        # customers erased with ``forget`` (ingest.erasure.ErasedIds): their rows are skipped and
        # counted under "erased" (read == kept + duplicates + quarantined + erased)
        self.erased = erased if erased else None
        if self.erased is not None:
            self.counts["erased"] = 0
            self.erased.pseudonym_key = self.key
        self._by_reason: Counter = Counter()
        # 64-bit hashes of (customer, text, time) seen so far: recent ones in a set (~70 bytes a
        # row), folded into a sorted numpy array (8 bytes a row) every _FOLD keys
        import numpy as np

        self._sorted = np.empty(0, dtype=np.uint64)
        self._recent: set[int] = set()
        if known_keys is not None:
            self._fold(np.asarray(known_keys, dtype=np.uint64))

    _FOLD = 500_000

    def _fold(self, extra: Any = None) -> None:
        import numpy as np

        parts = [self._sorted, np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))]
        if extra is not None:
            parts.append(extra)
        a = np.concatenate(parts)
        a.sort()
        self._sorted = a[np.concatenate(([True], a[1:] != a[:-1]))] if len(a) else a
        self._recent.clear()

    def _duplicates(self, keys: Any) -> Any:
        """Mark keys seen before (earlier chunks, files, known_keys, or earlier in this chunk)."""
        import numpy as np

        dup = np.zeros(len(keys), dtype=bool)
        if len(self._sorted):
            pos = np.minimum(np.searchsorted(self._sorted, keys), len(self._sorted) - 1)
            dup = self._sorted[pos] == keys
        recent = self._recent
        for i, k in enumerate(keys.tolist()):
            if not dup[i]:
                if k in recent:
                    dup[i] = True
                else:
                    recent.add(k)
        if len(recent) >= self._FOLD:
            self._fold()
        return dup

    @staticmethod
    def dedupe_keys(frame) -> Any:
        """uint64 key of (customer_id, text, time) per row — the duplicate definition: the first 8
        bytes of blake2b over ``len(customer):customer \\x1f microseconds-or-empty \\x1f text``.

        ``frame``: a pyarrow Table or a pandas DataFrame with those columns (the same keys)."""
        import hashlib

        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        if not isinstance(frame, pa.Table):
            frame = pa.table({c: pa.array(frame[c].to_numpy(dtype=object), pa.string(), from_pandas=True)
                              for c in ("customer_id", "text")}
                             | {"time": pa.array(frame["time"].astype("datetime64[us, UTC]"), pa.timestamp("us", tz="UTC"))})
        cust = pc.fill_null(frame.column("customer_id"), "")
        micros = pc.cast(pc.cast(frame.column("time"), pa.timestamp("us")), pa.int64())
        blobs = pc.binary_join_element_wise(
            pc.cast(pc.utf8_length(cust), pa.string()), ":", cust, "\x1f",
            pc.fill_null(pc.cast(micros, pa.string()), ""), "\x1f", pc.fill_null(frame.column("text"), ""), ""
        ).cast(pa.binary())
        b2 = hashlib.blake2b
        digests = b"".join([b2(b, digest_size=8).digest() for b in blobs.to_pylist()])
        return np.frombuffer(digests, dtype="<u8").astype(np.uint64)

    def _skip_erased(self, table, quarantined: list[tuple]):
        import pyarrow as pa

        er = self.erased
        q = [r for r in quarantined if not (er.is_erased(r[4]) or er.mentioned_in(r[3]))]
        gone = er.mask(table.column("customer_id").to_pylist())
        n_gone = sum(gone)
        if n_gone:
            table = table.filter(pa.array([not g for g in gone]))
        self.counts["erased"] += n_gone + len(quarantined) - len(q)
        return table, q

    def drain_quarantine(self) -> list[tuple]:
        out, self.quarantine = self.quarantine, []
        return out

    def __iter__(self) -> Iterator[Any]:
        """The chunks as pandas DataFrames (``tables()`` converted)."""
        from textprofile.ingest.read_export import table_to_frame

        for table in self.tables():
            yield table_to_frame(table)

    def tables(self) -> Iterator[Any]:
        """The chunks as pyarrow Tables with ``comments_schema()`` (what load writes)."""
        import pyarrow as pa

        from textprofile.ingest.columnar import iso_times

        for reader in self.readers:
            for table, quarantined in reader.tables():
                self.counts["read"] += table.num_rows + len(quarantined)
                if self.erased is not None:
                    table, quarantined = self._skip_erased(table, quarantined)
                self.quarantine.extend(quarantined)
                self._by_reason.update(_reason_key(q[2]) for q in quarantined)
                self.counts["quarantined"] += len(quarantined)
                if table.num_rows:
                    dup = self._duplicates(self.dedupe_keys(table))
                    self.counts["duplicates"] += int(dup.sum())
                    if dup.any():
                        table = table.filter(pa.array(~dup))
                    ids = comment_ids(table.column("customer_id"), iso_times(table.column("time")),
                                      table.column("channel"), table.column("role"), table.column("text"))
                    table = table.add_column(0, "comment_id", pa.array(ids, type=pa.string()))
                self.counts["kept"] += table.num_rows
                self.counts["quarantined_by_reason"] = dict(sorted(self._by_reason.items()))
                if self.progress is not None:
                    self.progress("read", self.counts["read"], None)
                if table.num_rows:
                    yield table


def read_comments(exports: list[str | Path], config: LoadConfig, progress=None, *,
                  mappings: dict[str, dict[str, str]] | list[dict[str, str]] | None = None,
                  known_keys: Any = None, erased: Any = None) -> CommentReader:
    """Read, map, validate, clean and dedupe exports; return an iterable of comment chunks.

    ``update`` replays a corpus's load with ``config = config_from_manifest(manifest)`` and, to use
    the exact saved column mapping, ``mappings=[src["mapping"] for ...]`` (a list aligned with
    ``exports``, or ``{file name: mapping}``). Pass ``known_keys=CommentReader.dedupe_keys(old)``
    to drop rows already in the corpus as duplicates, and ``erased=ErasedIds.open(corpus_dir)`` to
    skip the rows of customers erased with ``forget``. After iterating, ``.counts`` satisfies
    read == kept + duplicates + quarantined (+ erased), and ``.sources`` holds the manifest entries.
    """
    return CommentReader(exports, config, progress, mappings=mappings, known_keys=known_keys, erased=erased)


def config_from_manifest(manifest: dict[str, Any]) -> LoadConfig:
    """The LoadConfig a corpus was loaded with (unknown keys from newer versions are ignored)."""
    import dataclasses

    names = {f.name for f in dataclasses.fields(LoadConfig)}
    return LoadConfig(**{k: v for k, v in manifest.get("config", {}).items() if k in names})


class _Summary:
    def __init__(self):
        self.customers: set[str] = set()
        self.channels: Counter = Counter()
        self.languages: Counter = Counter()
        self.tmin = self.tmax = None
        self.no_time = 0
        self.agent_turns = 0

    def add(self, table) -> None:
        """Count a chunk of comments.parquet rows (a pyarrow Table or RecordBatch)."""
        import pyarrow.compute as pc

        is_customer = table.column("is_customer")
        self.customers.update(table.column("customer_id").filter(is_customer).to_pylist())
        for d in pc.value_counts(pc.fill_null(table.column("channel"), "(none)")).to_pylist():
            self.channels[d["values"]] += d["counts"]
        self.languages.update(script_languages(table.column("text")))
        t = table.column("time")
        self.no_time += t.null_count
        self.agent_turns += table.num_rows - pc.sum(pc.cast(is_customer, "int64")).as_py()
        if t.null_count < len(t):
            mm = pc.min_max(t)
            lo, hi = mm["min"].as_py(), mm["max"].as_py()
            self.tmin = lo if self.tmin is None or lo < self.tmin else self.tmin
            self.tmax = hi if self.tmax is None or hi > self.tmax else self.tmax

    def to_dict(self) -> dict[str, Any]:
        iso = (lambda t: t.isoformat().replace("+00:00", "Z")) if self.tmin is not None else None
        return {
            "customers": len(self.customers),
            "agent_turns": self.agent_turns,
            "channels": dict(sorted(self.channels.items())),
            "languages": dict(sorted(self.languages.items())),
            "time_range": [iso(self.tmin), iso(self.tmax)] if iso else None,
            "rows_without_time": self.no_time,
        }


QUARANTINE_HEADER = ["file", "row", "reason", "text", "customer_id"]


def _write_quarantine(writer, rows: list[tuple]) -> None:
    for r in rows:
        writer.writerow([*r[:4], r[4] if len(r) > 4 and r[4] is not None else ""])


_DEFAULT_TOKENIZE = TokenizeConfig()
# What load and tokenize write in corpora/<name>/; anything else there is left alone (and
# carried into the new folder: erased.json and erasures.jsonl from ``forget`` among them).
CORPUS_FILES = ("comments.parquet", "tokens.parquet", "phrases.json", "quarantine.csv", "manifest.json")


def load(exports: list[str | Path], name: str, config: LoadConfig, ws: Workspace,
         tokenize_config: TokenizeConfig | None = _DEFAULT_TOKENIZE, jobs: int | None = None,
         progress=None) -> dict[str, Any]:
    """Build ``corpora/<name>/`` from exports; return the summary (what ``--json`` prints).

    The folder is built beside the target and swapped in only when everything succeeded, so a
    failed run leaves the previous corpus intact. With ``tokenize_config`` the corpus is then
    tokenized (``tokens.parquet``) and the tokenizer's result is under ``"tokenize"``.
    """

    from textprofile.ingest.erasure import ERASED_FILE, ErasedIds

    target = ws.corpus_dir(name)
    # customers erased from this corpus with ``forget`` stay erased when it is loaded again
    erased = ErasedIds.open(target) if (target / ERASED_FILE).is_file() else None
    reader = read_comments(exports, config, progress, erased=erased)
    schema = comments_schema()
    summary = _Summary()
    # The corpus folder may also hold the export it was built from (the bundled demo does):
    # only the corpus's own files are replaced.
    with atomic_dir(target, owned=CORPUS_FILES) as tmp:
        rows = _write_comments(tmp, reader, schema, summary, collect=tokenize_config is not None)
        if tokenize_config is not None:
            # tokenized while the exports are read: worker processes segment each chunk of rows
            # as soon as it is written (inside the temporary folder, so a failure keeps the old corpus)
            from textprofile.text.stage import tokenize_chunks

            tok_info = tokenize_chunks(tmp, tokenize_config, rows, jobs=jobs, progress=progress)
        else:
            for _ in rows:
                pass
        counts = reader.counts
        if counts["kept"] == 0:
            reasons = ", ".join(f"{k}: {v}" for k, v in counts["quarantined_by_reason"].items()) or "none"
            raise InputFileError(
                f"no comments kept from {counts['read']} rows read (duplicates {counts['duplicates']}; "
                f"quarantined by reason — {reasons}); fix the export or the column flags"
            )
        assert counts["read"] == counts["kept"] + counts["duplicates"] + counts["quarantined"] + counts.get("erased", 0)
        result = {
            "name": name,
            "corpus_dir": str(target),
            "sources": [{k: s[k] for k in ("name", "format", "encoding", "mapping", "rows")}
                        for s in reader.sources],
            "counts": dict(counts),
            **summary.to_dict(),
        }
        manifest = {
            "name": name,
            "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "config": config.to_dict(),
            "sources": reader.sources,
            "counts": dict(counts),
            "summary": summary.to_dict(),
        }
        if reader.key is not None:
            manifest["pseudonym_key_check"] = key_fingerprint(reader.key)
        if config.row_as_customer:
            from textprofile.ingest.read_export import ROW_ID_SCHEME

            manifest["row_id_scheme"] = ROW_ID_SCHEME
        if erased is not None:
            erased.write(tmp)  # checksummed with the rest; carried over otherwise
        if tokenize_config is not None:
            manifest["tokenize"] = tok_info
            result["tokenize"] = {**tok_info, "cached": False}
        write_manifest(tmp, manifest, files=checksums(tmp))
    return result


def _write_comments(tmp: Path, reader: CommentReader, schema, summary: _Summary,
                    collect: bool = True) -> Iterator[tuple[list, list]]:
    """Write comments.parquet and quarantine.csv from ``reader``, yielding ``(ids, texts)`` as rows
    are written, ``CHUNK_ROWS`` at a time across frames (the chunks ``tokenize_corpus`` would read
    back, so tokens.parquet is the same bytes); both files are closed when the iteration ends.
    ``collect=False`` (no tokenizing): nothing is yielded, and no Python lists are built."""
    import pyarrow.parquet as pq

    from textprofile.text.tokenizer import CHUNK_ROWS

    ids: list = []
    texts: list = []
    with open(tmp / "quarantine.csv", "w", encoding="utf-8", newline="") as qf:
        qw = csv.writer(qf)
        qw.writerow(QUARANTINE_HEADER)
        with pq.ParquetWriter(tmp / "comments.parquet", schema, compression="zstd") as pw:
            for table in reader.tables():
                table = table.cast(schema)
                pw.write_table(table)
                summary.add(table)
                _write_quarantine(qw, reader.drain_quarantine())
                if not collect:
                    continue
                ids.extend(table.column("comment_id").to_pylist())
                texts.extend(table.column("text").to_pylist())
                while len(ids) >= CHUNK_ROWS:
                    yield ids[:CHUNK_ROWS], texts[:CHUNK_ROWS]
                    del ids[:CHUNK_ROWS], texts[:CHUNK_ROWS]
        _write_quarantine(qw, reader.drain_quarantine())
    if ids:
        yield ids, texts
