"""Atomic writes, manifests and checksum refusal."""

from __future__ import annotations

import json

import pytest

from textprofile.core import artifacts
from textprofile.core.errors import IntegrityError, NotFoundError


def test_atomic_path_replaces_only_on_success(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), artifacts.atomic_path(target) as tmp:
        tmp.write_text("half-written", encoding="utf-8")
        raise RuntimeError("crash")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temp file left behind
    artifacts.write_text_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"


def test_atomic_dir_keeps_old_folder_on_failure(tmp_path):
    target = tmp_path / "model"
    with artifacts.atomic_dir(target) as d:
        (d / "x.bin").write_bytes(b"1")
    with pytest.raises(RuntimeError), artifacts.atomic_dir(target) as d:
        (d / "x.bin").write_bytes(b"2")
        raise RuntimeError("crash mid-build")
    assert (target / "x.bin").read_bytes() == b"1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    with artifacts.atomic_dir(target) as d:
        (d / "y.bin").write_bytes(b"3")
    assert sorted(p.name for p in target.iterdir()) == ["y.bin"]


def test_manifest_roundtrip_and_tamper_refusal(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"weights")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "t.json").write_text("{}", encoding="utf-8")
    m = artifacts.write_manifest(tmp_path, {"engine": "x"})
    assert set(m["files"]) == {"model.bin", "sub/t.json"}
    assert artifacts.verify_all(tmp_path)["engine"] == "x"

    (tmp_path / "model.bin").write_bytes(b"evil pickle")
    with pytest.raises(IntegrityError, match="checksum"):
        artifacts.verify_file(tmp_path, "model.bin")
    (tmp_path / "foreign.pkl").write_bytes(b"x")
    with pytest.raises(IntegrityError, match="not listed"):
        artifacts.verify_file(tmp_path, "foreign.pkl")


def test_update_manifest_refreshes_checksums(tmp_path):
    (tmp_path / "a").write_bytes(b"1")
    artifacts.write_manifest(tmp_path, {})
    (tmp_path / "a").write_bytes(b"2")
    m = artifacts.update_manifest(tmp_path, "extra", {"k": 1})
    assert m["extra"] == {"k": 1}
    artifacts.verify_file(tmp_path, "a")


def test_manifest_missing_or_corrupt(tmp_path):
    with pytest.raises(NotFoundError):
        artifacts.read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IntegrityError):
        artifacts.read_manifest(tmp_path)


def test_dumps_json_is_deterministic():
    a = artifacts.dumps_json({"b": 1, "a": "电池"})
    assert a == artifacts.dumps_json(dict(reversed(list({"b": 1, "a": "电池"}.items()))))
    assert "电池" in a and json.loads(a) == {"a": "电池", "b": 1}


def test_atomic_outputs_get_normal_permissions(tmp_path):
    import os
    import stat

    mask = os.umask(0o022)
    try:
        artifacts.write_text_atomic(tmp_path / "f.txt", "x")
        with artifacts.atomic_dir(tmp_path / "d") as d:
            (d / "x").write_text("1")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "f.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "d").stat().st_mode) == 0o755


def test_parquet_stream_reads_in_bounded_memory(tmp_path):
    """Arrow memory in use stays near one row group while a file is read batch by batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from textprofile.core.artifacts import parquet_stream

    path = tmp_path / "big.parquet"
    text = "x" * 200
    with pq.ParquetWriter(path, pa.schema([("text", pa.string())]), compression="none") as w:
        for g in range(30):
            w.write_table(pa.table({"text": [f"{g}-{i}-{text}" for i in range(5_000)]}))  # ~1 MB a group
    base = pa.total_allocated_bytes()
    peak = 0
    rows = 0
    for batch in parquet_stream(path).iter_batches(batch_size=2_000, columns=["text"]):
        rows += batch.num_rows
        peak = max(peak, pa.total_allocated_bytes() - base)
    assert rows == 150_000
    assert peak < 8 * 2**20  # the file holds ~32 MB of text; pre-buffering kept all of it
