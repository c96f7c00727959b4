"""Turn one export file into comment rows: map columns, validate, clean, quarantine.

``ExportReader(path, config).tables()`` yields ``(table, quarantined)`` pairs: ``table`` is a
pyarrow Table with the ``comments.parquet`` columns except ``comment_id`` (added after
cross-file dedupe), and ``quarantined`` lists ``(file, row, reason, text, customer_id)`` for
every rejected row of that chunk (customer_id None when the record could not be parsed or had
none). ``chunks()`` yields the same as pandas DataFrames (the Spark backend). Every step is
column-wise over Arrow arrays (``columnar``); Python runs only on the values a cheap test cannot
clear, or once per distinct value of a column. File checks and format/encoding detection are in
``sniff.py``; the per-format readers in ``formats.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from textprofile.core.artifacts import sha256_file
from textprofile.core.errors import ConfigError
from textprofile.ingest.clean import normalize_role, parse_numbers
from textprofile.ingest.columnar import (
    as_array,
    clean_column,
    meta_column,
    per_value,
    scrub_column,
    strip_value,
)
from textprofile.ingest.columns import CustomerFilter, resolve_mapping
from textprofile.ingest.export_parts import ExportPart, first_chunk_columns
from textprofile.ingest.pii import pseudonymize, scrub
from textprofile.ingest.sniff import FileInfo, check_path, inspect
from textprofile.ingest.timeparse import parse_times

COMMENT_COLUMNS = [
    "comment_id", "customer_id", "text", "time", "channel", "role", "is_customer", "thread_id",
    "rating", "amount", "source", "source_row", "meta",
]
QUARANTINE_TEXT_CHARS = 200
# Fields a replayed mapping (update) cannot do without; the others may be absent in a new export.
REPLAY_REQUIRED = ("customer_id", "text")

RAW_WITHHELD = "(raw record not kept: --pseudonymize)"
# how --row-as-customer ids are formed; corpora loaded with another scheme must be reloaded
ROW_ID_SCHEME = "file:sha256_8:row"
JSON_FORMATS = ("json", "jsonl")  # records, whose keys vary: meta holds a row's own


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone (``Asia/Shanghai``), else a ConfigError."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown --timezone {name!r}; use an IANA name such as Asia/Shanghai or UTC") from None
    return name


def _channel(v: Any) -> str | None:
    v = strip_value(v)
    return v.lower() if v else v


def numbers_column(values: Any) -> Any:
    """``clean.parse_numbers`` as a float64 Array (null where there is no number), per distinct value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(as_array(values, pa.string()))
    parsed = pa.array(parse_numbers(enc.dictionary.to_pylist()), type=pa.float64(), from_pandas=True)
    return parsed.take(enc.indices)


def _table_schema():
    import pyarrow as pa

    return pa.schema([
        ("customer_id", pa.string()), ("text", pa.string()), ("time", pa.timestamp("us", tz="UTC")),
        ("channel", pa.string()), ("role", pa.string()), ("is_customer", pa.bool_()),
        ("thread_id", pa.string()), ("rating", pa.float64()), ("amount", pa.float64()),
        ("source", pa.string()), ("source_row", pa.int64()), ("meta", pa.string()),
    ])


def table_to_frame(table: Any) -> Any:
    """A chunk's Table as the pandas DataFrame the loader used to yield: strings as objects (None
    for missing), times datetime64[us, UTC], floats with NaN."""
    import pandas as pd
    import pyarrow as pa

    cols = {}
    for name, c in zip(table.column_names, table.columns):
        if pa.types.is_string(c.type):
            cols[name] = pd.Series(c.to_numpy(zero_copy_only=False), dtype=object)
        elif name == "time":
            cols[name] = pd.Series(c.combine_chunks().cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)).dt.tz_localize("UTC")
        else:
            cols[name] = pd.Series(c.to_numpy(zero_copy_only=False))
    return pd.DataFrame(cols)


class ExportReader:
    """One export file. ``source`` describes it for the manifest (filled in as it is read).

    ``mapping`` replays a saved ``{field: column}`` mapping instead of auto-mapping (``update``).
    """

    def __init__(self, path: str | Path, config, pseudonym_key: bytes | None = None,
                 mapping: dict[str, str] | None = None, part: ExportPart | None = None):
        self.config = config
        self.part = part
        if part is None:
            self.info = inspect(path, config.format, config.encoding)
        else:  # sniffed, validated and hashed once, for the whole file (export_parts.plan)
            check_path(Path(path))
            self.info = FileInfo(Path(path), part.format, part.encoding, False)
        self.path = self.info.path
        self.name = self.path.name
        self.key = pseudonym_key
        self.filter = CustomerFilter.parse(config.customer_filter) if config.customer_filter else None
        if config.timezone:
            check_timezone(config.timezone)
        self._fixed_mapping = mapping
        self.mapping: dict[str, str] | None = None
        self.filter_column: str | None = None
        self.source: dict[str, Any] = {
            "file": str(self.path.resolve()), "name": self.name,
            "sha256": part.sha256 if part is not None else sha256_file(self.path),
            "format": self.info.format + (".gz" if self.info.compressed else ""),
            "encoding": self.info.encoding, "sheet": config.sheet if self.info.format == "xlsx" else None,
            "columns": None, "mapping": None, "rows": 0,
        }
        if part is not None and part.mapping is not None:  # resolved from the file's first chunk
            self.mapping, self.filter_column = dict(part.mapping), part.filter_column
            self.source["columns"], self.source["mapping"] = list(part.columns), dict(part.mapping)

    def resolve_columns(self, columns: list[str]) -> None:
        """The column mapping (and filter column) for an export with these ``columns``."""
        if self._fixed_mapping is not None:
            # A new export may lack optional columns (a review export without chat roles);
            # only the customer id and text columns of the saved mapping are required.
            missing = [c for f, c in self._fixed_mapping.items()
                       if c not in columns and f in REPLAY_REQUIRED]
            if missing:
                from textprofile.core.errors import ColumnError

                raise ColumnError(
                    f"{self.name}: columns {', '.join(missing)} of the corpus's saved mapping are missing; "
                    f"columns are: {', '.join(columns)}"
                )
            self.mapping = {f: c for f, c in self._fixed_mapping.items() if c in columns}
        else:
            self.mapping = resolve_mapping(columns, self.config, self.name)
        if self.filter is not None:
            self.filter_column = self.filter.resolve_column(columns, self.name)
        self.source["columns"] = list(columns)
        self.source["mapping"] = dict(self.mapping)

    def tables(self) -> Iterator[tuple[Any, list[tuple]]]:
        """``(table, quarantined)`` per chunk: a pyarrow Table with comments.parquet's columns but
        ``comment_id``, and the chunk's rejected rows (module docstring)."""
        from textprofile.ingest.formats import read_chunks

        for raw in read_chunks(self.info, self.config.sheet, self.part):
            if self.mapping is None:
                self.resolve_columns([str(c) for c in raw.frame.column_names])
            self.source["rows"] += len(raw.rows) + len(raw.bad)
            yield self._transform(raw)
        if self.mapping is None:
            from textprofile.core.errors import InputFileError

            raise InputFileError(f"{self.path}: has a header but no data rows — nothing to load")

    def chunks(self) -> Iterator[tuple[Any, list[tuple]]]:
        """``tables()`` as pandas DataFrames (strings as Python objects; the Spark backend reads these)."""
        for table, quarantined in self.tables():
            yield table_to_frame(table), quarantined

    def _transform(self, raw) -> tuple[Any, list[tuple]]:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        cfg, m, frame = self.config, self.mapping, raw.frame
        n = frame.num_rows
        rows = np.asarray(raw.rows, dtype=np.int64)
        quarantined: list[tuple] = []
        for r, reason, text in raw.bad:
            # an unparsable record is raw text with the customer id somewhere in it, in clear:
            # with --pseudonymize no clear id may be stored, so only the reason is kept
            qtext = RAW_WITHHELD if cfg.pseudonymize else self._qtext(text)
            quarantined.append((self.name, r, reason, qtext, None))

        def col(field: str) -> Any:
            c = m.get(field)
            if c is not None and c in frame.column_names:
                return as_array(frame.column(c), pa.string())
            return pa.nulls(n, pa.string())

        raw_texts = col("text")
        texts = clean_column(raw_texts)
        if not cfg.keep_pii:
            texts = scrub_column(texts)
        if cfg.row_as_customer and "customer_id" not in m:
            # the file's content hash keeps two different exports that share a name (this month's
            # reviews.csv, applied by update after last month's) from sharing customer ids
            # (ROW_ID_SCHEME, recorded in the corpus manifest)
            tag = f"{self.name}:{self.source['sha256'][:8]}"
            customers = pa.array([f"{tag}:{r}" for r in raw.rows], type=pa.string())
        else:
            customers = per_value(col("customer_id"), strip_value, pa.string())
        if "time" in m:
            times, bad_time = parse_times(col("time"), cfg.timezone)
        else:
            times, bad_time = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"), np.zeros(n, dtype=bool)
        if cfg.channel:
            channels = pa.array([cfg.channel] * n, type=pa.string())
        else:
            channels = per_value(col("channel"), _channel, pa.string())
        roles = per_value(col("role"), normalize_role, pa.string())

        def mask(a: Any) -> Any:
            return np.asarray(pc.fill_null(a, False).to_numpy(zero_copy_only=False), dtype=bool)

        # the first reason that applies, in this order
        checks = []
        if self.filter is not None:
            flt = self.filter
            passed = per_value(frame.column(self.filter_column), lambda v: ((v or "").strip().lower() in flt.values) != flt.negate,
                               pa.bool_())
            checks.append(("filter", ~mask(passed)))
        lens = pc.utf8_length(texts).to_numpy(zero_copy_only=False)
        checks += [("customer", mask(customers.is_null())), ("empty", lens == 0), ("long", lens > cfg.max_text_chars)]
        if not cfg.lenient_time:
            checks.append(("time", bad_time))
        checks.append(("role", mask(pc.equal(roles, "?"))))
        bad = np.zeros(n, dtype=bool)
        first: dict[str, Any] = {}
        for kind, hit in checks:
            first[kind] = hit & ~bad
            bad |= hit
        if bad.any():
            bad_idx = np.flatnonzero(bad)
            take = pa.array(bad_idx, pa.int64())
            b_texts, b_raw = texts.take(take).to_pylist(), raw_texts.take(take).to_pylist()
            b_cust = customers.take(take).to_pylist()
            b_time, b_role = col("time").take(take).to_pylist(), col("role").take(take).to_pylist()
            kind_of = np.empty(n, dtype=object)
            for kind, hit in first.items():
                kind_of[hit] = kind
            for j, i in enumerate(bad_idx.tolist()):
                reason = self._reason(kind_of[i], b_texts[j], b_time[j], b_role[j])
                # the customer id as stored (pseudonymized when asked), so `forget` finds the row
                owner = b_cust[j]
                if owner is not None and cfg.pseudonymize:
                    owner = pseudonymize([owner], self.key)[0]
                quarantined.append((self.name, int(rows[i]), reason, self._qtext(b_texts[j] or b_raw[j]), owner))
        quarantined.sort(key=lambda q: q[1])
        keep = ~bad
        keep_arr = pa.array(keep)
        kept_customers = customers.filter(keep_arr)
        if cfg.pseudonymize:
            key = self.key
            kept_customers = per_value(kept_customers, lambda v: None if v is None else pseudonymize([v], key)[0],
                                       pa.string())
        mapped = set(m.values())
        meta_cols = [c for c in frame.column_names if c not in mapped]
        kept = int(keep.sum())
        out = pa.table({
            "customer_id": kept_customers,
            "text": texts.filter(keep_arr),
            "time": pa.array(times[keep], type=pa.timestamp("us"), from_pandas=True).cast(pa.timestamp("us", tz="UTC")),
            "channel": channels.filter(keep_arr),
            "role": roles.filter(keep_arr),
            "is_customer": pc.fill_null(pc.not_equal(roles, "agent"), True).filter(keep_arr),
            "thread_id": per_value(col("thread_id"), strip_value, pa.string()).filter(keep_arr),
            "rating": numbers_column(col("rating")).filter(keep_arr),
            "amount": numbers_column(col("amount")).filter(keep_arr),
            "source": pa.array([self.name] * kept, type=pa.string()),
            "source_row": pa.array(rows[keep], type=pa.int64()),
            "meta": meta_column(frame.filter(keep_arr), meta_cols, not cfg.keep_pii,
                                drop_nulls=self.info.format in JSON_FORMATS),
        }, schema=_table_schema())
        return out, quarantined

    def _reason(self, kind: str, text: str, raw_time: Any, raw_role: Any) -> str:
        cfg = self.config
        if kind == "filter":
            return f"excluded by --customer-filter: {self.filter.describe()}"
        if kind == "customer":
            return "missing customer id"
        if kind == "empty":
            return "empty text"
        if kind == "long":
            return f"text too long: {len(text)} characters > {cfg.max_text_chars} (--max-text-chars)"
        if kind == "time":
            return f"unparseable time: {str(raw_time)[:60]!r} (or pass --lenient-time)"
        return f"unrecognised role: {str(raw_role)[:40]!r} (expected customer or agent)"

    def _qtext(self, text: Any) -> str:
        text = "" if text is None else str(text)[: QUARANTINE_TEXT_CHARS * 2]
        text = " ".join(text.split())
        if not self.config.keep_pii:
            text = scrub(text)
        return text[:QUARANTINE_TEXT_CHARS]


def resolve_parts(parts: list[ExportPart], path: str | Path, config: Any, key: bytes | None = None,
                  mapping: dict[str, str] | None = None) -> list[ExportPart] | None:
    """``parts`` with the column mapping the whole file's read resolves from its first chunk's
    columns (``export_parts.first_chunk_columns``; ``mapping``: a saved one to replay, as ``update`` does), or None when the file holds
    no record (its whole-file read then says why)."""
    columns = first_chunk_columns(path, parts[0].encoding)
    if columns is None:
        return None
    head = ExportReader(path, config, key, mapping, part=parts[0])
    head.resolve_columns(columns)
    return [p.resolved(head.source["columns"], head.mapping, head.filter_column) for p in parts]
