"""Turn one export file into comment rows: map columns, validate, clean, quarantine.

``ExportReader(path, config).chunks()`` yields ``(frame, quarantined)`` pairs: ``frame`` has the
``comments.parquet`` columns except ``comment_id`` (added after cross-file dedupe), and
``quarantined`` lists ``(file, row, reason, text, customer_id)`` for every rejected row of that
chunk (customer_id None when the record could not be parsed or had none). File
checks and format/encoding detection are in ``io.py``; the per-format readers in ``readers.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from textprofile.core.artifacts import sha256_file
from textprofile.core.errors import ConfigError
from textprofile.ingest.clean import clean_texts, normalize_role, parse_numbers
from textprofile.ingest.columns import CustomerFilter, resolve_mapping
from textprofile.ingest.pii import pseudonymize, scrub, scrub_many
from textprofile.ingest.sniff import inspect
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


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone (``Asia/Shanghai``), else a ConfigError."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown --timezone {name!r}; use an IANA name such as Asia/Shanghai or UTC") from None
    return name


def _strip(values: Any) -> list[str | None]:
    """Trimmed strings, with empty and missing values as None."""
    return [(v.strip() or None) if isinstance(v, str) else None for v in values]


class ExportReader:
    """One export file. ``source`` describes it for the manifest (filled in as it is read).

    ``mapping`` replays a saved ``{field: column}`` mapping instead of auto-mapping (``update``).
    """

    def __init__(self, path: str | Path, config, pseudonym_key: bytes | None = None,
                 mapping: dict[str, str] | None = None):
        self.config = config
        self.info = inspect(path, config.format, config.encoding)
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
            "file": str(self.path.resolve()), "name": self.name, "sha256": sha256_file(self.path),
            "format": self.info.format + (".gz" if self.info.compressed else ""),
            "encoding": self.info.encoding, "sheet": config.sheet if self.info.format == "xlsx" else None,
            "columns": None, "mapping": None, "rows": 0,
        }

    def _resolve(self, columns: list[str]) -> None:
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

    def chunks(self) -> Iterator[tuple[Any, list[tuple]]]:
        from textprofile.ingest.formats import read_chunks

        for raw in read_chunks(self.info, self.config.sheet):
            if self.mapping is None:
                self._resolve([str(c) for c in raw.frame.columns])
            self.source["rows"] += len(raw.rows) + len(raw.bad)
            yield self._transform(raw)
        if self.mapping is None:
            from textprofile.core.errors import InputFileError

            raise InputFileError(f"{self.path}: has a header but no data rows — nothing to load")

    def _transform(self, raw) -> tuple[Any, list[tuple]]:
        import numpy as np
        import pandas as pd

        cfg, m, frame = self.config, self.mapping, raw.frame
        n = len(frame)
        rows = list(raw.rows)
        quarantined: list[tuple] = []
        for r, reason, text in raw.bad:
            # an unparsable record is raw text with the customer id somewhere in it, in clear:
            # with --pseudonymize no clear id may be stored, so only the reason is kept
            qtext = RAW_WITHHELD if cfg.pseudonymize else self._qtext(text)
            quarantined.append((self.name, r, reason, qtext, None))

        def col(field: str) -> list:
            c = m.get(field)
            return list(frame[c]) if c is not None and c in frame.columns else [None] * n

        texts = clean_texts(col("text"))
        if not cfg.keep_pii:
            texts = scrub_many(texts)
        if cfg.row_as_customer and "customer_id" not in m:
            # the file's content hash keeps two different exports that share a name (this month's
            # reviews.csv, applied by update after last month's) from sharing customer ids
            # (ROW_ID_SCHEME, recorded in the corpus manifest)
            tag = f"{self.name}:{self.source['sha256'][:8]}"
            customers: list[str | None] = [f"{tag}:{r}" for r in rows]
        else:
            customers = _strip(col("customer_id"))
        if "time" in m:
            times, bad_time = parse_times(col("time"), cfg.timezone)
        else:
            times, bad_time = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"), np.zeros(n, dtype=bool)
        if cfg.channel:
            channels: list[str | None] = [cfg.channel] * n
        else:
            channels = [v.lower() if v else v for v in _strip(col("channel"))]
        raw_roles, raw_times, raw_texts = col("role"), col("time"), col("text")
        roles = [normalize_role(v) for v in raw_roles]
        flt = [None] * n
        if self.filter is not None:
            fv = [(v or "").strip().lower() for v in frame[self.filter_column]]
            flt = [(v in self.filter.values) != self.filter.negate for v in fv]
        bad_time_list = bad_time.tolist()
        text_lens = [len(t) for t in texts]
        reasons: list[str | None] = [None] * n
        for i in range(n):
            if self.filter is not None and not flt[i]:
                reasons[i] = f"excluded by --customer-filter: {self.filter.describe()}"
            elif customers[i] is None:
                reasons[i] = "missing customer id"
            elif not texts[i]:
                reasons[i] = "empty text"
            elif text_lens[i] > cfg.max_text_chars:
                reasons[i] = f"text too long: {len(texts[i])} characters > {cfg.max_text_chars} (--max-text-chars)"
            elif bad_time_list[i] and not cfg.lenient_time:
                reasons[i] = f"unparseable time: {str(raw_times[i])[:60]!r} (or pass --lenient-time)"
            elif roles[i] == "?":
                reasons[i] = f"unrecognised role: {str(raw_roles[i])[:40]!r} (expected customer or agent)"
        keep = [r is None for r in reasons]
        for i, reason in enumerate(reasons):
            if reason is not None:
                # the customer id as stored (pseudonymized when asked), so `forget` finds the row
                owner = customers[i]
                if owner is not None and cfg.pseudonymize:
                    owner = pseudonymize([owner], self.key)[0]
                quarantined.append((self.name, rows[i], reason, self._qtext(texts[i] or raw_texts[i]), owner))
        quarantined.sort(key=lambda q: q[1])
        idx = [i for i in range(n) if keep[i]]
        kept_customers = [customers[i] for i in idx]
        if cfg.pseudonymize:
            kept_customers = pseudonymize(kept_customers, self.key)
        mapped = set(m.values())
        meta_cols = [c for c in frame.columns if c not in mapped]
        metas = self._meta(frame, meta_cols, idx)
        keep_idx = np.asarray(idx, dtype=np.int64)
        out = pd.DataFrame({
            "customer_id": pd.Series(kept_customers, dtype=object),
            "text": pd.Series([texts[i] for i in idx], dtype=object),
            "time": pd.Series(times[keep_idx]).dt.tz_localize("UTC"),  # unparseable (lenient) is NaT
            "channel": pd.Series([channels[i] for i in idx], dtype=object),
            "role": pd.Series([roles[i] for i in idx], dtype=object),
            "is_customer": pd.Series([roles[i] != "agent" for i in idx], dtype=bool),
            "thread_id": pd.Series([v for i, v in enumerate(_strip(col("thread_id"))) if keep[i]], dtype=object),
            "rating": pd.Series(parse_numbers(col("rating"))[keep_idx], dtype="float64"),
            "amount": pd.Series(parse_numbers(col("amount"))[keep_idx], dtype="float64"),
            "source": pd.Series([self.name] * len(idx), dtype=object),
            "source_row": pd.Series([rows[i] for i in idx], dtype="int64"),
            "meta": pd.Series(metas, dtype=object),
        })
        return out, quarantined

    def _meta(self, frame, meta_cols: list[str], idx: list[int]) -> list[str]:
        if not meta_cols or not idx:
            return ["{}"] * len(idx)
        sub = frame.iloc[idx][meta_cols]
        sub.columns = [str(c) for c in meta_cols]
        # pandas' C JSON writer is ~6x faster than json.dumps per row; it escapes '/' as '\/',
        # which is undone so that URLs stay scrub-able (every '/' is escaped, so this is exact)
        lines = sub.to_json(orient="records", lines=True, force_ascii=False).replace("\\/", "/").split("\n")
        out = lines[: len(idx)]
        return out if self.config.keep_pii else scrub_many(out)

    def _qtext(self, text: Any) -> str:
        text = "" if text is None else str(text)[: QUARANTINE_TEXT_CHARS * 2]
        text = " ".join(text.split())
        if not self.config.keep_pii:
            text = scrub(text)
        return text[:QUARANTINE_TEXT_CHARS]
