"""``forget``: erase customers from a workspace (the right to erasure of PIPL and the GDPR).

Their comments and tokens (corpus), quarantined rows, per-comment mixtures (model), profile rows
in every store table (customers, interests, keywords, cards, scores, ...) and report cards go;
segment statistics and the report are recomputed without them. The topic model is not retrained
(one customer's words are a negligible part of its counts; ``fit`` again after large erasures),
and its engine files hold no documents (tomotopy saves without them).

Order, so that an interruption can always be finished by running ``forget`` again: the salted
hashes of the erased ids go into ``erased.json`` first, marked pending (from then on ``update``
and ``load`` skip their rows); then each file is replaced atomically (mixtures, corpus, manifest,
store, report), each step filtering by the whole erased set, so a re-run repairs whatever an
interrupted one left; the pending mark is cleared and the audit line written last.

A workspace written by ``--backend spark`` is erased the same way, part file by part file
(``pipeline.erase_corpus``), on this machine, without Spark.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textprofile.core.errors import ConfigError, NotFoundError
from textprofile.core.progress import Progress
from textprofile.core.workspace import Workspace


def read_ids_file(path: str | Path) -> list[str]:
    """Customer ids from a UTF-8 file, one per line (blank lines skipped)."""
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"ids file {p} not found — pass an existing file to --ids-file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"ids file {p} is not UTF-8 — re-save it as UTF-8") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def _present_ids(corpus_dir: Path, store_file: Path) -> set[str]:
    """Every customer id the workspace holds for this name: corpus, quarantine, store."""
    import csv

    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from textprofile.core.artifacts import part_files

    ids = set(pc.unique(pq.read_table(corpus_dir / "comments.parquet", columns=["customer_id"])
                        .column("customer_id")).to_pylist())
    q = corpus_dir / "quarantine.csv"
    for part in part_files(q, ".csv") if q.exists() else []:  # a file, or a Spark dataset's parts
        with open(part, encoding="utf-8", newline="") as f:
            ids.update(r.get("customer_id") for r in csv.DictReader(f))
    if store_file.is_file():
        from textprofile.store.erase import store_customer_ids

        ids.update(store_customer_ids(store_file))
    ids.discard(None)
    ids.discard("")
    return ids


def _candidates(customer_id: str, pseudonymized: bool) -> list[str]:
    """The id as given, and (for a --pseudonymize corpus, when the key is set) its pseudonym."""
    out = [customer_id]
    if pseudonymized:
        import os

        from textprofile.ingest.pii import PSEUDONYM_KEY_ENV, pseudonym_key, pseudonymize

        if os.environ.get(PSEUDONYM_KEY_ENV):
            out += pseudonymize([customer_id], pseudonym_key())
    return out


def forget(name: str, ids: list[str], ws: Workspace | None = None,
           progress: Progress | None = None) -> dict[str, Any]:
    """Erase customers ``ids`` from corpus, model, store and report ``name``; return what went.

    Returns ``requested``, ``erased`` (ids found and erased), ``already_erased``, ``unknown``
    (the ids given that the workspace does not hold), ``removed`` (rows by kind), ``report``
    (re-rendered, or removed when it cannot be: no store, or a model fitted on other tokens —
    ``model_stale``), ``model_terms_only_theirs`` (vocabulary terms of the unretrained model
    that occurred only in their comments; ``fit`` again drops them), ``still_mentioned_in`` (files textprofile did not write, such as an
    export kept in the corpus folder, that still contain an erased id), ``seconds``.
    """
    from textprofile.core.artifacts import read_manifest, write_manifest
    from textprofile.ingest.erasure import ErasedIds, append_audit
    from textprofile.pipeline.load import config_from_manifest
    from textprofile.store.profile_store import store_path

    ws = ws or Workspace.resolve()
    started = time.perf_counter()
    step = progress or (lambda stage, done, total=None: None)
    requested = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
    if not requested:
        raise ConfigError("no customer ids given — pass IDs, or --ids-file FILE with one id per line")
    corpus_dir = ws.require_corpus(name, datasets=True)
    manifest = read_manifest(corpus_dir)
    pseudonymized = bool(config_from_manifest(manifest).pseudonymize)
    model_dir = ws.model_dir(name)
    spath = store_path(model_dir)
    from textprofile.pipeline.buckets import remove_stale

    remove_stale(model_dir)  # a killed profile build's bucket files hold comment rows
    erased = ErasedIds.open(corpus_dir)
    if pseudonymized:
        import os

        from textprofile.ingest.pii import PSEUDONYM_KEY_ENV, pseudonym_key

        erased.pseudonym_key = pseudonym_key() if os.environ.get(PSEUDONYM_KEY_ENV) else None
    repairing = erased.pending  # an earlier forget was interrupted: finish it too

    step("forget: find", 0, None)
    present = _present_ids(corpus_dir, spath)
    known, already, unknown = [], [], []
    for i in requested:
        cands = _candidates(i, pseudonymized)
        hit = next((c for c in cands if c in present), None)
        if hit is not None:
            known.append(hit)
        elif any(erased.is_erased(c) for c in cands):
            already.append(i)
        else:
            unknown.append(i)
    if not known and not repairing:
        if already and not unknown:
            raise NotFoundError(f"nothing to erase: the {len(already)} id(s) given were already erased from {name!r}")
        shown = ", ".join(repr(u) for u in unknown[:3]) + (" ..." if len(unknown) > 3 else "")
        raise NotFoundError(f"none of the {len(requested)} id(s) given is a customer of {name!r} ({shown}) "
                            f"— list ids with: textprofile export {name} --table profiles")
    fm, stale = _model(ws, name, corpus_dir, lenient=repairing)

    # 1. the intent, before any data changes: later updates and re-loads skip these customers
    hashes = erased.add(known)
    erased.pending = True
    erased.write(corpus_dir)

    removed: dict[str, int] = {}
    step("forget: corpus", 0, None)
    only_theirs = _rewrite_corpus(corpus_dir, erased, manifest, removed, fm, stale)
    if spath.is_file():
        step("forget: profiles", 0, None)
        removed.update(_rewrite_store(spath, name, erased, corpus_dir))
    report_done = _rerender_report(ws, name, removed, fm is not None and not stale and spath.is_file(), progress)
    erased.pending = False
    erased.write(corpus_dir)
    append_audit(corpus_dir, hashes, removed, unknown=len(unknown))
    final = read_manifest(corpus_dir)  # checksums of erased.json and the audit file too
    write_manifest(corpus_dir, {k: v for k, v in final.items() if k not in ("files", "format_version")})
    return {
        "name": name, "requested": len(requested), "erased": len(known), "already_erased": len(already),
        "unknown": unknown, "removed": dict(sorted(removed.items())), "report": report_done,
        "model_retrained": False, "model_terms_only_theirs": only_theirs, "model_stale": stale,
        "repaired_interrupted": repairing,
        "still_mentioned_in": _residue(ws, name, known),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _model(ws: Workspace, name: str, corpus_dir: Path, lenient: bool):
    """(the verified model or None, whether it was fitted on other tokens than the corpus's).

    A stale model does not stop an erasure: its mixtures and store rows still go, but it is not
    marked as covering the new corpus (``fit`` is due anyway). While an interrupted ``forget``
    is being finished (``lenient``) the mismatch is the one it left.
    """
    if not (ws.model_dir(name) / "manifest.json").is_file():
        return None, False
    from textprofile.core.errors import StateError
    from textprofile.topics.fitted import load_model

    fm = load_model(ws, name)
    try:
        if not lenient:
            fm.check_corpus(corpus_dir, name)
    except StateError:
        return fm, True
    return fm, False


def _rewrite_corpus(corpus_dir: Path, erased, manifest: dict[str, Any], removed: dict[str, int], fm,
                    stale: bool) -> int:
    """Mixtures, then tokens + comments, quarantine and the manifest, each atomically.

    Returns how many model vocabulary terms occurred only in the removed comments.
    """
    from textprofile.core.artifacts import digest, write_manifest
    from textprofile.pipeline.erase_corpus import (
        filter_quarantine_any,
        rewrite_datasets,
        rewrite_files,
    )

    comments_path = corpus_dir / "comments.parquet"
    if comments_path.is_dir():  # written by --backend spark: its datasets, part by part
        kept, only_theirs = rewrite_datasets(corpus_dir, erased, removed, fm)
    else:
        kept, only_theirs = rewrite_files(corpus_dir, erased, removed, fm)
    n_gone = removed["comments"]
    q_removed, by_reason = filter_quarantine_any(corpus_dir, erased)
    removed["quarantine"] = q_removed
    counts = dict(manifest.get("counts", {}))
    counts["kept"] = kept
    if q_removed:
        counts["quarantined"] = sum(by_reason.values())
        counts["quarantined_by_reason"] = by_reason
    counts["erased"] = int(counts.get("erased", 0)) + n_gone + q_removed
    manifest = {k: v for k, v in manifest.items() if k not in ("files", "format_version")}
    manifest["counts"] = counts
    if n_gone or "summary" not in manifest:
        manifest["summary"] = _summary(comments_path)
    if manifest.get("tokenize"):
        manifest["tokenize"] = {**manifest["tokenize"], "input_sha256": digest(comments_path), "rows": kept}
    write_manifest(corpus_dir, manifest)
    if fm is not None and not stale:
        fm.record_corpus(corpus_dir)
    return only_theirs


def _summary(comments_path: Path) -> dict[str, Any]:
    """The load summary (customers, channels, languages, time range) of what is left."""
    from textprofile.core.artifacts import parquet_stream, part_files
    from textprofile.pipeline.load import _Summary

    summary = _Summary()
    for part in part_files(comments_path):  # the file, or a Spark dataset's parts in order
        for batch in parquet_stream(part).iter_batches(batch_size=50_000):
            summary.add(batch)
    return summary.to_dict()


def _rewrite_store(spath: Path, name: str, erased, corpus_dir: Path) -> dict[str, int]:
    """The store without the erased customers; segment statistics and as-of recomputed."""
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from textprofile.core.config import ProfileConfig
    from textprofile.profiles.segments import describe
    from textprofile.store.erase import rewrite_without
    from textprofile.store.profile_store import ProfileStore

    with ProfileStore(spath, model=name) as store:
        meta = dict(store.meta)
        wide = store.export_profiles()
        topics = store.topics()
        n_segments = len(store.segments())
    wide["customer_id"] = wide["customer_id"].astype(str)
    gone = np.asarray(erased.mask(wide["customer_id"].tolist()), dtype=bool)
    rest = wide[~gone].reset_index(drop=True)
    config = ProfileConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in meta.get("config", {}).items()})
    as_of = meta.get("as_of")
    last = pd.to_datetime(rest["last_seen"], utc=True) if "last_seen" in rest else None
    if config.as_of is None and last is not None and last.notna().any():
        as_of = last.max().isoformat()  # the latest comment left (it may have been theirs)
    if as_of and last is not None:
        at = pd.Timestamp(as_of)
        rest["recency_days"] = ((at.tz_localize("UTC") if at.tzinfo is None else at) - last) / pd.Timedelta(days=1)
        rest["recency_days"] = rest["recency_days"].round(4)
    segments = None
    if "segment" in rest and n_segments:
        topic_ids = [int(t["topic_id"]) for t in topics]
        shares = rest[[f"topic_{t}" for t in topic_ids]].to_numpy(dtype=np.float64)
        labels = rest["segment"].to_numpy(dtype=np.int64)
        segments = describe(labels, shares, rest, topic_ids, {int(t["topic_id"]): t["label"] for t in topics},
                            n_segments)
    comments = pq.read_table(corpus_dir / "comments.parquet", columns=["is_customer", "time"])
    own = pc.fill_null(comments.column("is_customer"), False)
    used = int(pc.sum(own).as_py() or 0)
    if config.as_of is not None and as_of:
        times = pc.filter(comments.column("time"), own).to_pandas()
        used = int((~(times > pd.Timestamp(as_of)).fillna(False)).sum())
    meta_update = {"as_of": as_of, "comments_rows": comments.num_rows, "comments_used": used}
    return rewrite_without(spath, wide.loc[gone, "customer_id"].tolist(), segments, meta_update)


def _rerender_report(ws: Workspace, name: str, removed: dict[str, int], can_render: bool,
                     progress: Progress | None) -> bool:
    """Re-render reports/<name>/ without them (or remove it when it cannot be rendered)."""
    import shutil

    folder = ws.report_dir(name)
    if not folder.is_dir():
        return False
    cards = folder / "customers"
    old_cards = {p.name for p in cards.glob("*.html")} if cards.is_dir() else set()
    if can_render:
        from textprofile.pipeline.report import report
        from textprofile.store.profile_store import ProfileStore

        with ProfileStore.open(ws, name) as store:
            n_customers = store.count()
        # a report made with --all-customers had a card for (nearly) every customer
        all_customers = len(old_cards) >= max(1, n_customers)
        report(name, ws, all_customers=all_customers, progress=progress)
        new_cards = {p.name for p in cards.glob("*.html")} if cards.is_dir() else set()
        removed["report_cards"] = len(old_cards - new_cards)
        return True
    # no model or store to render from: nothing of theirs may stay, so the stale report goes
    removed["report_cards"] = len(old_cards)
    shutil.rmtree(folder)
    return False


def _residue(ws: Workspace, name: str, ids: list[str]) -> list[str]:
    """Files textprofile did not write under the name's folders that still contain an erased id."""
    from textprofile.core.artifacts import MANIFEST, read_manifest
    from textprofile.ingest.erasure import AUDIT_FILE, ERASED_FILE
    from textprofile.pipeline.erase_corpus import DATASETS
    from textprofile.pipeline.load import CORPUS_FILES

    if not ids:
        return []
    needles = [i.encode("utf-8") for i in ids if len(i) >= 4]  # shorter ids match anything
    ours = {ERASED_FILE, AUDIT_FILE, *CORPUS_FILES}
    out = []
    corpus = ws.corpus_dir(name)
    model = ws.model_dir(name)
    model_files = set()
    if (model / MANIFEST).is_file():
        model_files = set(read_manifest(model).get("files", {})) | {MANIFEST, "profiles.duckdb"}
    for root, owned in ((corpus, ours), (model, model_files)):
        if not root.is_dir():
            continue
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root).as_posix()
            # a Spark dataset forget rewrote part by part is ours as a whole
            if not p.is_file() or rel in owned or rel.split("/")[0] in DATASETS or p.name.startswith("."):
                continue
            data = p.read_bytes()
            if any(n in data for n in needles):
                out.append(str(p))
    return out
