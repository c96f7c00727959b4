"""A large JSON Lines export cut into byte ranges of whole lines, each read by its own task.

One pass over the file finds, for each nominal cut every ``part_bytes``, the first line that starts
at or after it, the line number of that line (every ``\\n`` before it, blank lines included, as the
local reader counts) and the whole file's sha256 (the manifest entry and the ids of
``--row-as-customer`` hold it). A part reads its range with ``ExportReader(..., part=...)``: the
same rows, row numbers, quarantine and column mapping as the whole file read once. The mapping is
resolved once, from the file's first chunk (``read_export.resolve_parts``), exactly as the local reader resolves it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

SPLITTABLE = ("jsonl",)  # line records: a cut between lines is a cut between records
_BLOCK = 8 << 20


@dataclass(frozen=True)
class ExportPart:
    """Bytes ``[start, end)`` of an export (whole lines), its first line's number, and what every
    part shares: the file's sha256, format and encoding, and the column mapping (once resolved)."""

    index: int
    start: int
    end: int
    first_line: int
    sha256: str
    format: str
    encoding: str
    columns: list[str] | None = None
    mapping: dict[str, str] | None = None
    filter_column: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, s: str) -> ExportPart:
        return cls(**json.loads(s))

    def resolved(self, columns: list[str], mapping: dict[str, str], filter_column: str | None) -> ExportPart:
        return replace(self, columns=list(columns), mapping=dict(mapping), filter_column=filter_column)


def cut_lines(path: str | Path, part_bytes: int) -> tuple[str, list[tuple[int, int, int]]]:
    """``(sha256, [(start, end, first_line), ...])``: ``path`` cut after the first ``\\n`` at or past
    every ``part_bytes`` (a part of at least ``part_bytes``, but the last; no empty part)."""
    if part_bytes < 1:
        raise ValueError("part_bytes must be positive")
    h = hashlib.sha256()
    cuts: list[tuple[int, int]] = [(0, 1)]  # (byte offset, line number) where each part starts
    offset = newlines = 0
    want = part_bytes  # the next cut: after the first newline at or past this offset
    with open(path, "rb") as f:
        while block := f.read(_BLOCK):
            h.update(block)
            i = max(want - offset, 0)
            while i < len(block):
                nl = block.find(b"\n", i)
                if nl < 0:
                    break
                at = offset + nl + 1
                cuts.append((at, 1 + newlines + block.count(b"\n", 0, nl + 1)))
                want = at + part_bytes
                i = want - offset
            newlines += block.count(b"\n")
            offset += len(block)
    if len(cuts) > 1 and cuts[-1][0] >= offset:  # a cut at the very end: no empty last part
        cuts.pop()
    ends = [c[0] for c in cuts[1:]] + [offset]
    return h.hexdigest(), [(s, e, line) for (s, line), e in zip(cuts, ends, strict=True)]


def plan(path: str | Path, info: Any, part_bytes: int) -> list[ExportPart] | None:
    """The parts of the export at ``path`` (its ``sniff.FileInfo`` ``info``), or None when it is read
    whole: not JSON Lines, compressed, not UTF-8, or not above ``part_bytes``."""
    if (info.format not in SPLITTABLE or info.compressed or info.encoding not in ("utf-8", "utf-8-sig")
            or Path(path).stat().st_size <= part_bytes):
        return None
    sha, spans = cut_lines(path, part_bytes)
    if len(spans) < 2:
        return None
    return [ExportPart(i, s, e, line, sha, info.format, info.encoding) for i, (s, e, line) in enumerate(spans)]


def first_chunk_columns(path: str | Path, encoding: str) -> list[str] | None:
    """The columns of the whole file's first chunk (``formats.read_jsonl_chunks``: the keys of its
    first ``JSON_CHUNK_ROWS`` records, in order of first appearance), one line in memory at a
    time; None when the file holds no record."""
    from textprofile.ingest.formats import JSON_CHUNK_ROWS, jsonl_lines
    from textprofile.ingest.sniff import FileInfo

    columns: dict[str, None] = {}
    n = 0
    for _, rec, _, _ in jsonl_lines(FileInfo(Path(path), "jsonl", encoding, False)):
        if rec is not None:
            columns.update(dict.fromkeys(rec))
            n += 1
            if n >= JSON_CHUNK_ROWS:
                break
    return list(columns) if n else None
