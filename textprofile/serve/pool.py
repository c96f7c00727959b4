"""Open stores and models per served model, swapped when their files are replaced.

``profile build`` and ``update`` write a new ``profiles.duckdb`` and rename it into place. At
most every ``poll_seconds`` a request (or the watcher thread, ``refresh``) stats the file (and
labels.json, renamed topics); when the signature changed, a new ``Generation`` is opened on the
new file and later requests use it, while requests already running finish on the old one,
which is closed when the last of them returns it. Nothing blocks: while one thread opens the new file, the others keep using the old.
Each uvicorn worker process has its own pool and does the same.

Each new generation whose file fits the pool's cache budget (``serve --cache-mb``) is read once
by a background thread (``ProfileStore.preload``), so lookups find the cards in DuckDB's memory
instead of reading them from the file; requests are served meanwhile.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from textprofile.core.workspace import Workspace, check_name
from textprofile.pipeline import lookup
from textprofile.store.profile_store import ProfileStore, store_path
from textprofile.store.snapshot import StoreSnapshot, file_signature

log = logging.getLogger("textprofile.serve")


def _signature(model_dir: Path) -> tuple:
    return (file_signature(store_path(model_dir)), file_signature(model_dir / "labels.json"))


def _model_signature(ws: Workspace, name: str) -> tuple:
    model_dir = ws.model_dir(name)
    return (file_signature(model_dir / "manifest.json"), file_signature(model_dir / "labels.json"),
            file_signature(ws.corpus_dir(name) / "manifest.json"))


class Generation:
    """One opened version of a store: a snapshot plus one ProfileStore per concurrent request."""

    def __init__(self, name: str, model_dir: Path):
        self.name = name
        self.signature = _signature(model_dir)
        self.snapshot = StoreSnapshot(store_path(model_dir))
        self._lock = threading.Lock()
        self._idle: list[ProfileStore] = []
        self._active = 0
        self._retired = False
        self._closed = False
        self.checked = time.monotonic()
        self.index = None
        self._preloader: ProfileStore | None = None
        first = self._open()  # fails here, not in a request, when the file is bad
        if first.meta.get("neighbours"):
            # opened now and shared: the memory maps outlive the folder when a rebuild replaces it
            self.index = first.neighbour_index()
        self._idle.append(first)

    def _open(self) -> ProfileStore:
        con = self.snapshot.connect()
        try:
            store = ProfileStore(self.snapshot.path, model=self.name, connection=con)
            if getattr(self, "index", None) is not None:
                store.attach_neighbour_index(self.index)
            return store
        except BaseException:
            con.close()
            raise

    def preload(self) -> None:
        """Read the store's cards in a background thread (stopped if this generation retires)."""
        store = self._open()
        with self._lock:
            if self._closed:
                store.close()
                return
            self._preloader = store

        def run() -> None:
            started = time.perf_counter()
            try:
                store.preload()
                log.info("model %s: profile cards preloaded (%.0f MB file) in %.1f s", self.name,
                         (self.signature[0] or (0, 0, 0, 0))[3] / 1e6, time.perf_counter() - started)
            except Exception as e:  # noqa: BLE001 - interrupted by a swap, or a bad file: lookups report it
                log.debug("model %s: preload stopped (%s)", self.name, type(e).__name__)
            finally:
                with self._lock:
                    self._preloader = None
                store.close()

        threading.Thread(target=run, name=f"preload-{self.name}", daemon=True).start()

    def acquire(self) -> ProfileStore | None:
        """A store for this thread's exclusive use, or None when this generation is closed."""
        with self._lock:
            if self._closed:
                return None
            self._active += 1
            store = self._idle.pop() if self._idle else None
        if store is None:
            try:
                store = self._open()
            except BaseException:
                self.release(None)
                raise
        return store

    def release(self, store: ProfileStore | None) -> None:
        with self._lock:
            self._active -= 1
            if store is not None and not self._retired:
                self._idle.append(store)
                return
            close_all = self._retired and self._active == 0 and not self._closed
            if close_all:
                self._closed = True
        if store is not None:
            store.close()
        if close_all:
            self.snapshot.close()

    def retire(self) -> None:
        """No new requests; close now if idle, else when the last running request returns."""
        with self._lock:
            if self._preloader is not None:
                self._preloader.interrupt()
            self._retired = True
            idle, self._idle = self._idle, []
            close_all = self._active == 0 and not self._closed
            if close_all:
                self._closed = True
        for s in idle:
            s.close()
        if close_all:
            self.snapshot.close()


class StorePool:
    """The served models' current generations, fitted models and text models."""

    def __init__(self, ws: Workspace, names: tuple[str, ...] = (), poll_seconds: float = 0.25,
                 cache_bytes: int = 0):
        self.ws = ws
        self.cache_bytes = cache_bytes  # files read into memory by new generations, all models together
        self.fixed = tuple(names)
        self.poll = poll_seconds
        self._gens: dict[str, Generation] = {}
        self._swapping: set[str] = set()
        self._lock = threading.Lock()
        self._names = list(self.fixed)
        self._scanned = 0.0
        self._cached: dict[tuple[str, str], tuple[tuple, Any]] = {}
        self._build_locks: dict[tuple[str, str], threading.Lock] = {}

    # -- which models ---------------------------------------------------------------------
    def names(self) -> list[str]:
        """The served model names (every model with profiles unless ``--model`` named some)."""
        if not self.fixed and time.monotonic() - self._scanned > self.poll:
            self._scanned = time.monotonic()
            self._names = lookup.profile_models(self.ws)
        return list(self._names)

    def refresh(self) -> None:
        """Check every open store now (the watcher thread: swaps happen even with no requests,
        so an idle worker does not hold a replaced file open)."""
        for name in list(self._gens):
            try:
                self._current(name)
            except Exception as e:  # noqa: BLE001 - logged; requests report their own errors
                log.warning("model %s: checking the store failed (%s)", name, type(e).__name__)

    def open_all(self) -> dict[str, str]:
        """Open every served model now; return {name: error message} for those that failed."""
        problems = {}
        for name in self.names():
            try:
                self._current(name)
            except Exception as e:  # noqa: BLE001 - reported by /readyz and the start-up log
                problems[name] = str(e)
        return problems

    # -- stores ---------------------------------------------------------------------------
    def _current(self, name: str) -> Generation:
        gen = self._gens.get(name)
        if gen is None:
            created = False
            with self._lock:
                gen = self._gens.get(name)
                if gen is None:
                    gen = self._gens[name] = Generation(name, self.ws.model_dir(name))
                    created = True
            if created:
                self._maybe_preload(gen)
            return gen
        now = time.monotonic()
        if now - gen.checked > self.poll:
            gen.checked = now
            self._maybe_swap(name, gen)
            gen = self._gens.get(name, gen)
        return gen

    def _maybe_swap(self, name: str, gen: Generation) -> None:
        model_dir = self.ws.model_dir(name)
        sig = _signature(model_dir)
        if sig == gen.signature:
            return
        with self._lock:
            if name in self._swapping:
                return  # another request is opening the new file; keep serving the old one
            self._swapping.add(name)
        try:
            if sig[0] is None:
                log.warning("store of model %s is gone; it is no longer served", name)
                self._gens.pop(name, None)
                gen.retire()
                return
            try:
                new = Generation(name, model_dir)
            except Exception as e:  # noqa: BLE001 - any failure: keep serving the old store
                log.warning("store of model %s changed but cannot be opened (%s); still serving the previous one",
                            name, type(e).__name__)
                gen.signature = sig  # do not retry on every request; the next change retries
                return
            self._gens[name] = new
            gen.retire()
            log.info("model %s: now serving the replaced store", name)
            self._maybe_preload(new)
        finally:
            with self._lock:
                self._swapping.discard(name)

    def _maybe_preload(self, gen: Generation) -> None:
        """Preload ``gen`` when the served stores' files fit the cache budget together."""
        if self.cache_bytes <= 0:
            return
        size = {n: (g.signature[0] or (0, 0, 0, 0))[3] for n, g in list(self._gens.items())}
        if sum(size.values()) > self.cache_bytes:
            log.info("model %s: not preloading the profile cards (%.0f MB of stores > --cache-mb %.0f)",
                     gen.name, sum(size.values()) / 1e6, self.cache_bytes / 1e6)
            return
        gen.preload()

    @contextlib.contextmanager
    def store(self, name: str) -> Iterator[ProfileStore]:
        """The current store of ``name`` for the length of one request."""
        for _ in range(3):
            gen = self._current(name)
            store = gen.acquire()
            if store is not None:
                break
        else:  # pragma: no cover - three swaps within one acquire
            raise RuntimeError("store kept changing while it was being opened")
        try:
            yield store
        finally:
            gen.release(store)

    # -- fitted models (topics) and text models (infer) -------------------------------------
    def cached(self, kind: str, name: str, build) -> Any:
        """``build(ws, name)``, rebuilt when the model's or corpus's manifest or labels change."""
        key = (kind, name)
        sig = _model_signature(self.ws, check_name(name))
        hit = self._cached.get(key)
        if hit is not None and hit[0] == sig:
            return hit[1]
        with self._lock:
            build_lock = self._build_locks.setdefault(key, threading.Lock())
        with build_lock:  # one build at a time per model: concurrent first requests wait for it
            hit = self._cached.get(key)
            if hit is not None and hit[0] == sig:
                return hit[1]
            value = build(self.ws, name)
            self._cached[key] = (sig, value)
        return value

    def close(self) -> None:
        with self._lock:
            gens, self._gens = list(self._gens.values()), {}
        for g in gens:
            g.retire()
