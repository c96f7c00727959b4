"""Low-level export reading: sniff format and encoding, then yield raw chunks of string columns.

Every reader yields ``RawChunk`` objects: a pyarrow Table of string columns (``str`` or null;
nothing is type-coerced, so ``00123`` stays ``00123``), the 1-based data-row number of each row, and the
records that could not be parsed (malformed CSV lines, bad JSON lines) with a reason.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from textprofile.core.errors import InputFileError
from textprofile.ingest.sniff import _BLOCK, FileInfo, Utf8Stream

CSV_BLOCK_SIZE = 16 << 20  # one CSV record must fit in a block (a 5 MB comment does)
JSON_CHUNK_ROWS = 20_000
TABLE_CHUNK_ROWS = 50_000


@dataclass
class RawChunk:
    """Rows read from one file: string cells, their 1-based data-row numbers, unparsable records."""

    frame: Any  # pyarrow.Table of string columns
    rows: list[int]
    bad: list[tuple[int, str, str]] = field(default_factory=list)  # (row, reason, raw text)


def _unique_names(names: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for i, n in enumerate(names):
        n = (n or "").strip().lstrip("\ufeff") or f"column_{i + 1}"
        base, k = n, 2
        while n in seen:
            n, k = f"{base}_{k}", k + 1
        seen.add(n)
        out.append(n)
    return out


def _frame(columns: dict[str, Any]) -> Any:
    import pyarrow as pa

    return pa.table({k: v.cast(pa.string()) if isinstance(v, pa.Array) else pa.array(v, type=pa.string())
                     for k, v in columns.items()})


def read_csv_chunks(info: FileInfo, delimiter: str | None = None) -> Iterator[RawChunk]:
    """Chunks of a CSV/TSV file via pyarrow's streaming reader; ragged rows become ``bad``."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = info.path
    with Utf8Stream(path, info.compressed, info.encoding or "utf-8") as s:
        head = s.read(_BLOCK).decode("utf-8", errors="replace")
    if delimiter is None:
        if info.format == "tsv":
            delimiter = "\t"
        else:
            line = head.split("\n", 1)[0]
            delimiter = max([",", ";", "\t", "|"], key=lambda d: (line.count(d), d == ","))
    quote = '"' if info.format == "csv" else False
    try:
        header = next(csv.reader(io.StringIO(head), delimiter=delimiter, quotechar=quote or '"',
                                 quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE))
    except (StopIteration, csv.Error):
        header = []
    if not any(h.strip() for h in header):
        raise InputFileError(f"{path}: no header row found — the first line must name the columns")
    names = _unique_names(header)
    bad_numbers: dict[int, str] = {}

    def on_invalid(row) -> str:
        n = (row.number or 0) - 1
        bad_numbers[n] = f"malformed line: expected {row.expected_columns} fields, got {row.actual_columns}|{row.text}"
        return "skip"

    # buffered, so that read(n) returns n bytes: pyarrow treats each read as one block, and a
    # record must fit in a block
    stream = io.BufferedReader(Utf8Stream(path, info.compressed, info.encoding or "utf-8"), _BLOCK)
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False,
                                           block_size=CSV_BLOCK_SIZE),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=quote,
                                             newlines_in_values=bool(quote), invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}),
        )
        next_row = 1
        batches = _grouped(reader, TABLE_CHUNK_ROWS)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                break
            n = batch.num_rows
            rows = []
            while len(rows) < n:
                if next_row not in bad_numbers:
                    rows.append(next_row)
                next_row += 1
            bad = []
            for r in sorted(k for k in bad_numbers if k < next_row):
                reason, _, text = bad_numbers.pop(r).partition("|")
                bad.append((r, reason, text))
            yield RawChunk(batch, rows, bad)
        if bad_numbers:
            bad = []
            for r in sorted(bad_numbers):
                reason, _, text = bad_numbers[r].partition("|")
                bad.append((r, reason, text))
            yield RawChunk(_frame({n: [] for n in names}), [], bad)
    except pa.ArrowInvalid as e:
        msg = str(e)
        if "straddling" in msg or "block size" in msg:
            raise InputFileError(
                f"{path}: a single record is larger than {CSV_BLOCK_SIZE >> 20} MB — "
                "check for an unclosed quote, or split the file"
            ) from None
        raise InputFileError(f"{path}: cannot parse as {info.format.upper()} ({msg}) — check --format") from None
    finally:
        stream.close()


def _grouped(reader, rows: int) -> Iterator[Any]:
    """Concatenate the CSV reader's small record batches into tables of about ``rows`` rows."""
    import pyarrow as pa

    buf, n = [], 0
    while True:
        try:
            b = reader.read_next_batch()
        except StopIteration:
            break
        buf.append(b)
        n += b.num_rows
        while n >= rows:  # a 16 MB block can hold far more rows than one chunk should
            table = pa.Table.from_batches(buf).combine_chunks()
            yield table.slice(0, rows)
            rest = table.slice(rows)
            buf, n = rest.to_batches(), rest.num_rows
    if n:
        yield pa.Table.from_batches(buf).combine_chunks()


def to_cell(v: Any) -> str | None:
    """One cell as a string without type coercion surprises (floats like 123.0 print as 123)."""
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
    if isinstance(v, int):
        return str(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v)


def _records_frame(records: list[dict]) -> Any:
    cols: dict[str, list] = {}
    for i, rec in enumerate(records):
        for k in rec:
            if k not in cols:
                cols[k] = [None] * i
        for k, col in cols.items():
            col.append(to_cell(rec.get(k)))
    return _frame(cols)


def jsonl_lines(info: FileInfo, span: tuple[int, int] | None = None,
                first_line: int = 1) -> Iterator[tuple[int, dict | None, str, str]]:
    """``(line number, record, reason, line)`` per non-blank line of a JSON Lines file: the record,
    or None and why the line is not one. ``span``: only bytes ``[start, end)`` (whole lines), whose
    first line is line ``first_line``."""
    stream = io.TextIOWrapper(Utf8Stream(info.path, info.compressed, info.encoding or "utf-8", fix_cr=False,
                                         span=span), encoding="utf-8", newline="\n")
    with stream:
        for lineno, line in enumerate(stream, first_line):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                yield lineno, None, "malformed JSON line", line
                continue
            if not isinstance(rec, dict):
                yield lineno, None, "JSON line is not an object", line
                continue
            yield lineno, rec, "", line


def read_jsonl_chunks(info: FileInfo, span: tuple[int, int] | None = None, first_line: int = 1) -> Iterator[RawChunk]:
    """Chunks of a JSON Lines file (``jsonl_lines``); blank lines are skipped, bad lines become ``bad``."""
    records: list[dict] = []
    rows: list[int] = []
    bad: list[tuple[int, str, str]] = []
    for lineno, rec, reason, line in jsonl_lines(info, span, first_line):
        if rec is None:
            bad.append((lineno, reason, line))
            continue
        records.append(rec)
        rows.append(lineno)
        if len(records) >= JSON_CHUNK_ROWS:
            yield RawChunk(_records_frame(records), rows, bad)
            records, rows, bad = [], [], []
    if records or bad:
        yield RawChunk(_records_frame(records), rows, bad)


def read_json_chunks(info: FileInfo) -> Iterator[RawChunk]:
    """A JSON array of records (or an object holding exactly one such array), in chunks."""
    stream = io.TextIOWrapper(Utf8Stream(info.path, info.compressed, info.encoding or "utf-8", fix_cr=False),
                              encoding="utf-8")
    with stream:
        try:
            data = json.load(stream)
        except ValueError as e:
            raise InputFileError(f"{info.path}: not valid JSON ({e}) — check the file or pass --format") from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
        if len(lists) == 1:  # {"data": [{...}, ...]}
            data = lists[0]
        elif not any(isinstance(v, (dict, list)) for v in data.values()):  # one flat record
            data = [data]
    if not isinstance(data, list) or (data and not any(isinstance(x, dict) for x in data)):
        kind = type(data).__name__ if not isinstance(data, list) else "array of non-objects"
        raise InputFileError(
            f"{info.path}: JSON is a {kind}, not an array of records — export a JSON array of "
            "objects ([{...}, ...]) or JSON Lines"
        )
    for start in range(0, len(data), JSON_CHUNK_ROWS):
        part = data[start:start + JSON_CHUNK_ROWS]
        recs, rows, bad = [], [], []
        for i, rec in enumerate(part, start + 1):
            if isinstance(rec, dict):
                recs.append(rec)
                rows.append(i)
            else:
                bad.append((i, "JSON element is not an object", json.dumps(rec, ensure_ascii=False)[:200]))
        yield RawChunk(_records_frame(recs), rows, bad)


def read_xlsx_chunks(info: FileInfo, sheet: str | None) -> Iterator[RawChunk]:
    """Chunks of one worksheet, read with openpyxl in read-only mode."""
    # a file handle, so openpyxl does not insist on an .xlsx file name
    with open(info.path, "rb") as fh:
        yield from _xlsx_chunks(fh, info, sheet)


def _xlsx_chunks(fh, info: FileInfo, sheet: str | None) -> Iterator[RawChunk]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as e:
        raise InputFileError(f"{info.path}: not a readable .xlsx workbook ({e}) — check --format") from None
    try:
        names = wb.sheetnames
        if sheet is None:
            if len(names) > 1:
                raise InputFileError(
                    f"{info.path} has {len(names)} sheets ({', '.join(names)}) — pass --sheet NAME"
                )
            ws = wb[names[0]]
        elif sheet in names:
            ws = wb[sheet]
        elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
            ws = wb[names[int(sheet) - 1]]
        else:
            raise InputFileError(f"{info.path}: no sheet {sheet!r}; sheets are: {', '.join(names)} — pass --sheet NAME")
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if header is None or not any(h is not None and str(h).strip() for h in header):
            raise InputFileError(f"{info.path}: sheet {ws.title!r} has no header row — the first row must name the columns")
        cols = _unique_names([to_cell(h) or "" for h in header])
        buf: list[tuple] = []
        rows: list[int] = []
        for r, values in enumerate(it, 1):
            if values is None or all(v is None or v == "" for v in values):
                continue
            buf.append(values)
            rows.append(r)
            if len(buf) >= TABLE_CHUNK_ROWS:
                yield RawChunk(_rows_frame(cols, buf), rows)
                buf, rows = [], []
        if buf:
            yield RawChunk(_rows_frame(cols, buf), rows)
    finally:
        wb.close()


def _rows_frame(cols: list[str], rows: list[tuple]) -> Any:
    data: dict[str, list] = {c: [] for c in cols}
    for values in rows:
        for i, c in enumerate(cols):
            data[c].append(to_cell(values[i]) if i < len(values) else None)
    return _frame(data)


def read_parquet_chunks(info: FileInfo) -> Iterator[RawChunk]:
    """Chunks of a Parquet file, every column rendered as strings."""
    import pyarrow as pa

    from textprofile.core.artifacts import parquet_stream

    try:
        pf = parquet_stream(info.path)
    except (pa.ArrowInvalid, OSError) as e:
        raise InputFileError(f"{info.path}: not a readable Parquet file ({e})") from None
    row = 1
    for batch in pf.iter_batches(batch_size=TABLE_CHUNK_ROWS):
        data = {}
        for name, col in zip(batch.schema.names, batch.columns):
            if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                data[name] = col
            else:
                data[name] = [to_cell(v) for v in col.to_pylist()]
        n = batch.num_rows
        yield RawChunk(_frame(dict(zip(_unique_names(list(data)), data.values()))), list(range(row, row + n)))
        row += n


def read_chunks(info: FileInfo, sheet: str | None = None, part: Any = None) -> Iterator[RawChunk]:
    """Raw chunks of a file whose format and encoding ``io.inspect`` detected (``part``: only that
    ``export_parts.ExportPart`` of it)."""
    if part is not None:
        return read_jsonl_chunks(info, (part.start, part.end), part.first_line)
    if info.format in ("csv", "tsv"):
        return read_csv_chunks(info)
    if info.format == "jsonl":
        return read_jsonl_chunks(info)
    if info.format == "json":
        return read_json_chunks(info)
    if info.format == "xlsx":
        return read_xlsx_chunks(info, sheet)
    return read_parquet_chunks(info)
