"""Atomic writes, checksums and manifests for everything textprofile stores on disk.

A crash at any point leaves the last good version in place: files are written to a temporary
name in the same folder and renamed; folders are built beside the target and swapped in.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from textprofile.core.errors import IntegrityError, NotFoundError

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _normal_mode(path: Path, directory: bool = False) -> None:
    """Give a temp file/folder the permissions a plain open()/mkdir() would have (mkstemp uses 0600)."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def part_files(path: str | os.PathLike, suffix: str = ".parquet") -> list[Path]:
    """A dataset's data files in name (= row) order (``--backend spark`` writes directories of
    part files where the local backend writes one file); a single file is its own part."""
    p = Path(path)
    if p.is_file():
        return [p]
    return sorted(f for f in p.iterdir() if f.is_file() and f.suffix == suffix and not f.name.startswith((".", "_")))


def digest(path: str | os.PathLike) -> str:
    """sha256 of a file, or of a dataset's ``name sha256`` lines (its part files, in order)."""
    p = Path(path)
    if p.is_file():
        return sha256_file(p)
    lines = "".join(f"{f.name} {sha256_file(f)}\n" for f in part_files(p))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def dumps_json(obj: Any) -> str:
    """Deterministic JSON: sorted keys, UTF-8 kept readable, trailing newline."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2, default=str) + "\n"


def parquet_stream(path: str | os.PathLike):
    """A ``pyarrow.parquet.ParquetFile`` for reading once, batch by batch, in bounded memory.

    pyarrow's default ``pre_buffer=True`` keeps every column chunk it has read buffered for the
    life of the ``ParquetFile``: ``iter_batches`` over a 2-million-row comments.parquet held
    440 MB of text by the end. Without pre-buffering the Arrow memory in use stays flat.
    """
    import pyarrow.parquet as pq

    return pq.ParquetFile(path, pre_buffer=False)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix + ".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    _normal_mode(tmp_path)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def remove_orphans(folder: str | os.PathLike, prefix: str, suffix: str = ".building") -> list[Path]:
    """Delete ``<prefix><pid><suffix>`` files and folders in ``folder`` whose process is gone.

    A build killed mid-way (SIGKILL, power loss) cannot clean its temporary; the next build of
    the same thing does, leaving those of builds still running alone.
    """
    removed = []
    for p in Path(folder).glob(f"{prefix}*{suffix}"):
        pid = p.name[len(prefix):len(p.name) - len(suffix)]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
        removed.append(p)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def write_text_atomic(target: str | os.PathLike, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json_atomic(target: str | os.PathLike, obj: Any) -> None:
    write_text_atomic(target, dumps_json(obj))


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike, owned: Iterable[str] | None = None) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; swap it in for ``target`` on success.

    The old folder is renamed aside first and deleted only after the new one is in place, so
    at every instant either the old or the new complete folder exists under ``target``.
    With ``owned`` (the names this writer produces), anything else in the old folder — say a
    bundled export that lives beside the corpus built from it — is carried into the new one.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent))
    _normal_mode(tmp, directory=True)
    try:
        yield tmp
        if owned is not None and target.is_dir():
            _carry_foreign(target, tmp, set(owned))
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.{os.getpid()}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _carry_foreign(old: Path, new: Path, owned: set[str]) -> None:
    """Hard-link (or copy) the entries of ``old`` that the writer does not own into ``new``."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    for entry in old.iterdir():
        if entry.name in owned or (new / entry.name).exists():
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, new / entry.name, symlinks=True, copy_function=link)
        elif entry.is_symlink():
            os.symlink(os.readlink(entry), new / entry.name)
        else:
            link(str(entry), str(new / entry.name))


def checksums(folder: str | os.PathLike, exclude: tuple[str, ...] = (MANIFEST,)) -> dict[str, str]:
    """sha256 of every regular file below ``folder`` (relative POSIX paths), sorted."""
    folder = Path(folder)
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel not in exclude and not p.name.startswith("."):
            out[rel] = sha256_file(p)
    return out


def write_manifest(folder: str | os.PathLike, data: dict[str, Any], files: dict[str, str] | None = None) -> dict:
    """Write ``manifest.json`` with ``data`` plus the sha256 of every file in ``folder``."""
    folder = Path(folder)
    manifest = {"format_version": FORMAT_VERSION, **data, "files": files if files is not None else checksums(folder)}
    write_json_atomic(folder / MANIFEST, manifest)
    return manifest


def read_manifest(folder: str | os.PathLike) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise NotFoundError(f"{path} not found — the folder was not written by textprofile, or is incomplete")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise IntegrityError(f"{path} is not valid JSON ({e}); rebuild it") from None


def verify_file(folder: str | os.PathLike, rel: str, manifest: dict[str, Any] | None = None) -> Path:
    """Return ``folder/rel`` after checking its sha256 against the manifest; refuse otherwise.

    Call this before unpickling or otherwise trusting any file.
    """
    folder = Path(folder)
    manifest = manifest if manifest is not None else read_manifest(folder)
    expected = manifest.get("files", {}).get(rel)
    path = folder / rel
    if expected is None:
        raise IntegrityError(f"{path} is not listed in {folder / MANIFEST}; refusing to load a foreign file")
    if not path.is_file():
        raise IntegrityError(f"{path} is missing; the artifact folder is incomplete — rebuild it")
    actual = sha256_file(path)
    if actual != expected:
        raise IntegrityError(
            f"{path} does not match its checksum in {MANIFEST} (tampered or corrupted); refusing to load it — rebuild it"
        )
    return path


def verify_all(folder: str | os.PathLike) -> dict[str, Any]:
    """Verify every file listed in the manifest; return the manifest."""
    manifest = read_manifest(folder)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IntegrityError(
            f"{Path(folder) / MANIFEST} has format version {manifest.get('format_version')!r}, "
            f"this textprofile reads {FORMAT_VERSION}; rebuild it"
        )
    for rel in manifest.get("files", {}):
        verify_file(folder, rel, manifest)
    return manifest


def update_manifest(folder: str | os.PathLike, key: str, value: Any) -> dict[str, Any]:
    """Set ``manifest[key] = value`` and refresh the file checksums, atomically."""
    manifest = read_manifest(folder)
    manifest[key] = value
    manifest["files"] = checksums(folder)
    write_json_atomic(Path(folder) / MANIFEST, manifest)
    return manifest
