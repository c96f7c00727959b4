"""A JSON Lines export read in byte ranges of whole lines gives the rows of the file read whole."""

from __future__ import annotations

import hashlib
import itertools
import json

import pytest

from textprofile.core.config import LoadConfig
from textprofile.ingest.export_parts import cut_lines, first_chunk_columns, plan
from textprofile.ingest.read_export import ExportReader, resolve_parts
from textprofile.ingest.sniff import inspect


def _export(path, n: int = 400) -> bytes:
    """Records with CRLF and LF endings, blank lines, bad lines, a line that is not an object, keys
    that appear late, Chinese text, and a BOM: everything whose count or number a cut could shift."""
    lines = []
    for i in range(n):
        rec = {"user": f"U{i % 37}", "comment": f"第{i}条 电池很耐用 fast shipping {'x' * (i % 50)}",
               "date": f"2025-0{1 + i % 9}-1{i % 10} 10:00:00"}
        if i % 90 == 5:
            rec["stars"] = str(1 + i % 5)
        if i == 350:  # a key of the first chunk (its first JSON_CHUNK_ROWS records) first seen late
            rec["late"] = "yes"
        lines.append(json.dumps(rec, ensure_ascii=False) + ("\r\n" if i % 3 else "\n"))
        if i % 41 == 7:
            lines.append("\n")
        if i % 53 == 11:
            lines.append('{"user": "broken", "comment": \n')
        if i % 67 == 13:
            lines.append("[1, 2, 3]\n")
    data = b"\xef\xbb\xbf" + "".join(lines).encode("utf-8")
    path.write_bytes(data)
    return data


def _read(reader: ExportReader) -> tuple[list, list, dict]:
    rows, quarantined = [], []
    for table, q in reader.tables():
        rows.extend(table.to_pylist())
        quarantined.extend(q)
    return rows, quarantined, reader.source


@pytest.mark.parametrize("part_bytes", [1, 97, 1000, 4096, 1 << 30])
def test_cuts_are_whole_lines_numbered_as_the_file(tmp_path, part_bytes):
    data = _export(tmp_path / "a.jsonl")
    sha, spans = cut_lines(tmp_path / "a.jsonl", part_bytes)
    assert sha == hashlib.sha256(data).hexdigest()
    assert spans[0][0] == 0 and spans[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))  # contiguous
    for start, end, line in spans:
        assert end > start and (start == 0 or data[start - 1:start] == b"\n")
        assert line == 1 + data[:start].count(b"\n")
        assert end == len(data) or end - start >= part_bytes


def test_parts_read_as_the_whole_file(tmp_path):
    path = tmp_path / "a.jsonl"
    _export(path)
    config = LoadConfig(channel="review")
    whole = _read(ExportReader(path, config))
    parts = plan(path, inspect(path), 3000)
    assert parts is not None and len(parts) > 5
    parts = resolve_parts(parts, path, config)
    rows, quarantined, n = [], [], 0
    for p in parts:
        r, q, source = _read(ExportReader(path, config, part=type(p).from_json(p.to_json())))
        rows += r
        quarantined += q
        n += source["rows"]
        assert {k: v for k, v in source.items() if k != "rows"} == {k: v for k, v in whole[2].items() if k != "rows"}
    assert rows == whole[0]
    assert quarantined == whole[1] and len(quarantined) > 10
    assert n == whole[2]["rows"]
    assert "late" in whole[2]["columns"]  # first seen in a later part: every part's columns hold it


def test_what_is_read_whole(tmp_path):
    (tmp_path / "a.csv").write_text("user,comment\n" + "U1,好\n" * 2000, encoding="utf-8")
    assert plan(tmp_path / "a.csv", inspect(tmp_path / "a.csv"), 100) is None  # CSV: records may span lines
    path = tmp_path / "a.jsonl"
    _export(path)
    assert plan(path, inspect(path), path.stat().st_size) is None  # not above the part size
    gb = tmp_path / "gb.jsonl"
    gb.write_bytes(path.read_bytes()[3:].decode("utf-8").encode("gb18030"))
    assert inspect(gb).encoding != "utf-8" and plan(gb, inspect(gb), 100) is None


def test_the_first_chunk_columns_are_the_whole_reads(tmp_path, monkeypatch):
    """The mapping's columns come from the first JSON_CHUNK_ROWS records, read one line at a time:
    a key first seen after them is not a column (the local read's first chunk does not hold it)."""
    monkeypatch.setattr("textprofile.ingest.formats.JSON_CHUNK_ROWS", 50)
    path = tmp_path / "a.jsonl"
    _export(path)  # "stars" first at record 5, "late" at record 350
    whole = ExportReader(path, LoadConfig())
    next(whole.tables())
    columns = first_chunk_columns(path, "utf-8-sig")
    assert columns == whole.source["columns"] and "stars" in columns and "late" not in columns
    (tmp_path / "none.jsonl").write_text("\n[1]\n{bad\n", encoding="utf-8")
    assert first_chunk_columns(tmp_path / "none.jsonl", "utf-8") is None
