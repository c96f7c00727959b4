"""Read one export file into comment rows: detect, map columns, validate, clean, quarantine.

Detection lives here (``inspect``: path checks, format sniffing, encoding detection with the byte
offset of undecodable input, and ``Utf8Stream`` that hands every reader UTF-8); the per-format
readers are in ``readers.py``.

``ExportReader(path, config).chunks()`` yields ``(frame, quarantined)`` pairs: ``frame`` has the
``comments.parquet`` columns except ``comment_id`` (added after cross-file dedupe), and
``quarantined`` lists ``(file, row, reason, text)`` for every rejected row of that chunk.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .artifacts import sha256_file
from .clean import clean_texts, normalize_role, parse_numbers
from .columns import CustomerFilter, resolve_mapping
from .errors import ConfigError, EncodingError, InputFileError
from .pii import pseudonymize, scrub, scrub_many
from .timeparse import parse_times

FORMATS = ("csv", "tsv", "json", "jsonl", "xlsx", "parquet")
ENCODINGS_AUTO = ("utf-8", "gb18030")
_EXT_FORMATS = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet",
}
_BLOCK = 1 << 20


@dataclass
class FileInfo:
    path: Path
    format: str
    encoding: str | None  # None for binary formats (xlsx, parquet)
    compressed: bool


def _open_raw(path: Path, compressed: bool):
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def _head(path: Path, compressed: bool, n: int = 65536) -> bytes:
    try:
        with _open_raw(path, compressed) as f:
            return f.read(n)
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        raise InputFileError(f"{path}: not a readable gzip file ({e}); re-export or decompress it") from None


def check_path(path: Path) -> None:
    if not path.exists():
        raise InputFileError(f"{path}: file not found — check the path")
    if path.is_dir():
        raise InputFileError(f"{path} is a directory — pass the export files inside it, e.g. {path}/*.csv")
    if path.stat().st_size == 0:
        raise InputFileError(f"{path} is empty (0 bytes) — export it again")


def detect_format(path: Path, requested: str | None = None) -> tuple[str, bool]:
    """(format, gzip-compressed) from --format, magic bytes, extension, then content."""
    with open(path, "rb") as f:
        magic = f.read(8)
    compressed = magic[:2] == b"\x1f\x8b"
    if requested:
        fmt = requested.lower().lstrip(".")
        fmt = {"ndjson": "jsonl", "xls": "xlsx", "excel": "xlsx", "txt": "csv"}.get(fmt, fmt)
        if fmt not in FORMATS:
            raise ConfigError(f"unknown --format {requested!r}; use one of: {', '.join(FORMATS)}")
        if compressed and fmt in ("xlsx", "parquet"):
            raise InputFileError(f"{path}: gzip-compressed {fmt} is not supported — decompress it first")
        return fmt, compressed
    if magic[:4] == b"PAR1":
        return "parquet", False
    if magic[:4] == b"PK\x03\x04":
        return "xlsx", False
    if magic[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputFileError(f"{path}: legacy .xls workbooks are not supported — save it as .xlsx or CSV")
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    ext = suffixes[-1] if suffixes else ""
    fmt = _EXT_FORMATS.get(ext)
    if fmt in ("xlsx", "parquet"):
        raise InputFileError(f"{path}: has a .{fmt} name but is not a {fmt} file — check the export")
    if fmt in (None, "json"):
        fmt = _sniff_text_format(_head(path, compressed), fmt)
    return fmt, compressed


def _sniff_text_format(head: bytes, hinted: str | None) -> str:
    text = _loose_decode(head).lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        # JSON Lines: the first line is a whole object and another object line follows; a file
        # holding a single object is JSON (and later refused as "not records")
        lines = [ln.strip() for ln in text.split("\n", 2)[:2]]
        try:
            json.loads(lines[0])
        except ValueError:
            return "json"
        return "jsonl" if len(lines) > 1 and lines[1].startswith("{") else "json"
    if hinted == "json":
        return "json"
    first_line = text.split("\n", 1)[0]
    return "tsv" if first_line.count("\t") > first_line.count(",") else "csv"


def _loose_decode(head: bytes) -> str:
    for enc in ("utf-16", "utf-8", "gb18030") if head[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8", "gb18030"):
        try:
            return head.decode(enc)
        except UnicodeDecodeError as e:
            if e.start > len(head) - 4:  # only the cut at the end of the sniffed block
                return head[: e.start].decode(enc)
    return head.decode("latin-1")


def detect_encoding(path: Path, compressed: bool, requested: str | None = None) -> str:
    """BOM, then strict UTF-8 over the whole file, then GB18030; else EncodingError with the offset."""
    head = _head(path, compressed)
    where = " of the decompressed data" if compressed else ""
    if requested:
        try:
            enc = codecs.lookup(requested).name
        except LookupError:
            raise ConfigError(f"unknown --encoding {requested!r}; try utf-8, gb18030 or utf-16") from None
        if enc == "utf-8" and head.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
        bad = first_bad_offset(path, compressed, enc)
        if bad is not None:
            raise EncodingError(
                f"{path}: cannot be decoded as {requested} at byte offset {bad}{where} — "
                "check the file or pass the right --encoding (or omit it to auto-detect)"
            )
        return enc
    if head.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        candidates = ("utf-16",)
    else:
        if b"\x00" in head[:8192]:
            raise InputFileError(
                f"{path} looks like a binary file (NUL bytes), not a text export — "
                "export CSV, JSON, XLSX or Parquet (UTF-16 without a byte-order mark: pass --encoding utf-16-le)"
            )
        candidates = ENCODINGS_AUTO
    offsets = {}
    for enc in candidates:
        bad = first_bad_offset(path, compressed, enc)
        if bad is None:
            return enc
        offsets[enc] = bad
    detail = ", ".join(f"{e} fails at byte offset {o}{where}" for e, o in offsets.items())
    raise EncodingError(f"{path}: cannot be decoded ({detail}) — pass --encoding with the file's real encoding")


def first_bad_offset(path: Path, compressed: bool, encoding: str) -> int | None:
    """Byte offset (in the decompressed stream) of the first undecodable byte, or None."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    pos = 0
    with _open_raw(path, compressed) as f:
        while True:
            try:
                block = f.read(_BLOCK)
            except (gzip.BadGzipFile, EOFError, zlib.error) as e:
                raise InputFileError(f"{path}: gzip stream is corrupt or truncated ({e})") from None
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as e:
                pending = len(decoder.getstate()[0]) if hasattr(decoder, "getstate") else 0
                return max(0, pos - pending + e.start)
            if not block:
                return None
            pos += len(block)


class Utf8Stream(io.RawIOBase):
    """The file as UTF-8 bytes (BOM dropped) with bare carriage returns turned into spaces.

    Bare CRs inside unquoted fields (seen in real tweet exports) would otherwise split a record in
    two; text is whitespace-collapsed later anyway. Files that use bare CR as line ending are left
    alone.
    """

    def __init__(self, path: Path, compressed: bool, encoding: str, fix_cr: bool = True):
        self._raw = _open_raw(path, compressed)
        self._utf8 = encoding in ("utf-8", "utf-8-sig")
        self._decoder = None if self._utf8 else codecs.getincrementaldecoder(encoding)("strict")
        self._fix_cr = fix_cr
        self._buf = b""
        self._carry = b""
        self._eof = False
        self._first = True

    def readable(self) -> bool:
        return True

    def _next_block(self) -> bytes:
        raw = self._raw.read(_BLOCK)
        if self._utf8:  # validated beforehand: pass bytes through, minus a leading BOM
            data = raw[3:] if self._first and raw.startswith(codecs.BOM_UTF8) else raw
        else:
            data = self._decoder.decode(raw, final=not raw).encode("utf-8")
        if self._first and self._fix_cr:
            self._fix_cr = not (b"\r" in data and b"\n" not in data)
        self._first = False
        if not raw:
            self._eof = True
        if self._fix_cr:
            data = self._carry + data
            self._carry = b""
            if data.endswith(b"\r") and not self._eof:
                data, self._carry = data[:-1], b"\r"
            data = re.sub(rb"\r(?!\n)", b" ", data)
        return data

    def readinto(self, b) -> int:
        while not self._buf and not self._eof:
            self._buf = self._next_block()
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def inspect(path: str | Path, format: str | None = None, encoding: str | None = None) -> FileInfo:
    """Check the path and detect format and encoding; raises a clear InputFileError on bad files."""
    p = Path(path)
    check_path(p)
    fmt, compressed = detect_format(p, format)
    enc = None if fmt in ("xlsx", "parquet") else detect_encoding(p, compressed, encoding)
    return FileInfo(p, fmt, enc, compressed)


COMMENT_COLUMNS = [
    "comment_id", "customer_id", "text", "time", "channel", "role", "is_customer", "thread_id",
    "rating", "amount", "source", "source_row", "meta",
]
QUARANTINE_TEXT_CHARS = 200
# Fields a replayed mapping (update) cannot do without; the others may be absent in a new export.
REPLAY_REQUIRED = ("customer_id", "text")


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
                from .errors import ColumnError

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
        from . import readers  # readers imports this module

        for raw in readers.read_chunks(self.info, self.config.sheet):
            if self.mapping is None:
                self._resolve([str(c) for c in raw.frame.columns])
            self.source["rows"] += len(raw.rows) + len(raw.bad)
            yield self._transform(raw)
        if self.mapping is None:
            from .errors import InputFileError

            raise InputFileError(f"{self.path}: has a header but no data rows — nothing to load")

    def _transform(self, raw) -> tuple[Any, list[tuple]]:
        import numpy as np
        import pandas as pd

        cfg, m, frame = self.config, self.mapping, raw.frame
        n = len(frame)
        rows = list(raw.rows)
        quarantined: list[tuple] = []
        for r, reason, text in raw.bad:
            quarantined.append((self.name, r, reason, self._qtext(text)))

        def col(field: str) -> list:
            c = m.get(field)
            return list(frame[c]) if c is not None and c in frame.columns else [None] * n

        texts = clean_texts(col("text"))
        if not cfg.keep_pii:
            texts = scrub_many(texts)
        if cfg.row_as_customer and "customer_id" not in m:
            customers: list[str | None] = [f"{self.name}:{r}" for r in rows]
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
                quarantined.append((self.name, rows[i], reason, self._qtext(texts[i] or raw_texts[i])))
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
        return out if self.config.keep_pii else [scrub(s) for s in out]

    def _qtext(self, text: Any) -> str:
        text = "" if text is None else str(text)[: QUARANTINE_TEXT_CHARS * 2]
        text = " ".join(text.split())
        if not self.config.keep_pii:
            text = scrub(text)
        return text[:QUARANTINE_TEXT_CHARS]
