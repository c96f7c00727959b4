"""Check and inspect one export file: path checks, format sniffing, encoding detection.

``inspect`` reports the byte offset of undecodable input, and ``Utf8Stream`` hands every reader
UTF-8. The per-format readers are in ``readers.py``; mapping, validation and cleaning of the rows
(``ExportReader``) in ``export_reader.py``.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from textprofile.core.errors import ConfigError, EncodingError, InputFileError

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


class _Span:
    """Bytes ``[start, end)`` of an uncompressed file (``export_parts``)."""

    def __init__(self, path: Path, start: int, end: int):
        self._f = open(path, "rb")  # noqa: SIM115  (closed by close(), as _open_raw's file is)
        self._f.seek(start)
        self._left = end - start

    def read(self, n: int) -> bytes:
        data = self._f.read(min(n, self._left))
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._f.close()


class Utf8Stream(io.RawIOBase):
    """The file as UTF-8 bytes (BOM dropped) with bare carriage returns turned into spaces.

    Bare CRs inside unquoted fields (seen in real tweet exports) would otherwise split a record in
    two; text is whitespace-collapsed later anyway. Files that use bare CR as line ending are left
    alone.
    """

    def __init__(self, path: Path, compressed: bool, encoding: str, fix_cr: bool = True,
                 span: tuple[int, int] | None = None):
        self._raw = _Span(path, *span) if span else _open_raw(path, compressed)
        self._bom = span is None or span[0] == 0  # a BOM only at the file's start
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
            data = raw[3:] if self._first and self._bom and raw.startswith(codecs.BOM_UTF8) else raw
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
