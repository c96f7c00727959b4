"""``update``: add new export rows to a corpus and refresh only the touched customers' profiles.

New rows are read with the corpus's saved LoadConfig and column mapping, deduplicated against the
corpus (same definition as ``load``), tokenized with the corpus's TokenizeConfig (and, when it
had phrases on, joined with the corpus's saved ``phrases.json``, not relearned), given topic
mixtures by the saved model (fold-in, no refit), and appended. Profiles of customers with new
rows are recomputed from their full histories and patched into a copy of the store, which is then
swapped in. Applying the same export twice adds nothing the second time. Rows of customers
erased with ``forget`` are skipped (``erased_skipped``).

Order of writes, so an interruption never leaves a state a re-run cannot repair: doc_topics rows
first (merging is idempotent), then tokens.parquet and comments.parquet back to back, then the
manifest, then the store. If the store is behind the corpus (an update interrupted before the
store was patched), the next ``update`` patches the customers of the rows past the store's count
(the corpus only grows at its end) and reports them as ``repaired_rows``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textprofile.core.errors import StateError
from textprofile.core.progress import Progress
from textprofile.core.workspace import Workspace


def _mappings(manifest: dict[str, Any], exports: list[str | Path]) -> list[dict[str, str]] | None:
    """The saved column mapping for each export: same file name's, else the first source's."""
    sources = [s for s in manifest.get("sources", []) if s.get("mapping")]
    if not sources:
        return None
    by_name = {Path(s["file"]).name: s["mapping"] for s in sources}
    return [by_name.get(Path(p).name, sources[0]["mapping"]) for p in exports]


def _tokenize_config(manifest: dict[str, Any]):
    import dataclasses

    from textprofile.core.config import TokenizeConfig

    saved = (manifest.get("tokenize") or {}).get("config") or {}
    fields = {f.name for f in dataclasses.fields(TokenizeConfig)}
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in saved.items() if k in fields}
    if saved and "zh_engine" not in saved:
        kwargs["zh_engine"] = "jieba"  # tokenized before jieba-rs: Python jieba's cuts match the corpus
    return TokenizeConfig(**kwargs)


def check_row_ids(manifest: dict[str, Any], load_config, name: str) -> None:
    """Refuse a --row-as-customer corpus whose row ids an older textprofile made (new ones would not match)."""
    if load_config.row_as_customer:
        from textprofile.ingest.read_export import ROW_ID_SCHEME

        if manifest.get("row_id_scheme") != ROW_ID_SCHEME:
            raise StateError(f"corpus {name!r} was loaded with --row-as-customer by an older textprofile, "
                             "whose customer ids new rows would not match — reload it: textprofile load "
                             f"EXPORT... --name {name} --row-as-customer")


def profile_config(meta: dict[str, Any]):
    """The ProfileConfig the store was built with."""
    from textprofile.core.config import ProfileConfig

    return ProfileConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in meta["config"].items()})


def patch_profiles(ws: Workspace, name: str, fm, meta: dict[str, Any], meta_update: dict[str, Any],
                   beh=None, shares=None, keywords=None, vectors=None, history=None) -> tuple[int, int]:
    """The touched customers' profiles (``beh`` None: none) segmented by the saved segment model,
    re-scored with the saved scores (no retraining) and patched into the store with ``meta_update``;
    (customers changed, customers in the store). The end of ``update`` on either backend."""
    from textprofile.pipeline.score import rescore
    from textprofile.profiles.scoring import ProfileInputs
    from textprofile.profiles.segments import SegmentModel, assign
    from textprofile.profiles.similarity import W_TOPICS
    from textprofile.store.profile_store import ProfileStore, ProfileTables, patch_store, store_path

    spath = store_path(ws.model_dir(name))
    tables = None
    if beh is not None and len(beh):
        beh["segment"] = assign(shares, beh, SegmentModel.from_dict(meta["segment_model"]))
        scores, _ = rescore(ws, name, ProfileInputs(beh, shares, list(range(fm.k)), keywords), fm, history=history)
        tables = ProfileTables(beh, shares, list(range(fm.k)), keywords, None, None, scores,
                               keyword_vectors=vectors, neighbour_weight=W_TOPICS)
    patch_store(spath, tables, meta_update)
    with ProfileStore(spath, model=name) as store:
        return (0 if tables is None else len(beh)), store.count()


def update(
    name: str, exports: list[str | Path], ws: Workspace | None = None, progress: Progress | None = None,
) -> dict[str, Any]:
    """Append new comments from ``exports`` to corpus ``name`` and refresh touched profiles.

    Returns ``comments_added``, ``customers_changed`` (customers whose profile was recomputed),
    ``customers_new`` (of those, first seen in this update), ``duplicates``, ``quarantined``.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from textprofile.core.artifacts import read_manifest
    from textprofile.pipeline.corpus import COMMENT_COLUMNS
    from textprofile.pipeline.load import CommentReader, config_from_manifest, read_comments
    from textprofile.pipeline.profile import customer_profiles, customer_vectors
    from textprofile.profiles.behaviour import customer_rows, resolve_as_of
    from textprofile.profiles.interests import encode_lists
    from textprofile.store.profile_store import ProfileStore, store_path
    from textprofile.topics.fitted import load_model_with_corpus

    ws = ws or Workspace.resolve()
    started = time.perf_counter()
    step = progress or (lambda stage, done, total=None: None)
    corpus_dir, fm = load_model_with_corpus(ws, name)
    spath = store_path(ws.model_dir(name))
    with ProfileStore(spath, model=name) as store:
        meta = dict(store.meta)
        store_customers = store.count()
    manifest = read_manifest(corpus_dir)
    load_config = config_from_manifest(manifest)
    check_row_ids(manifest, load_config, name)
    comments_path, tokens_path = corpus_dir / "comments.parquet", corpus_dir / "tokens.parquet"
    old = pq.read_table(comments_path)
    old_tokens = pq.read_table(tokens_path)
    if old_tokens.num_rows != old.num_rows:
        raise StateError(f"{tokens_path} does not match comments.parquet — run: textprofile tokenize {name}")
    store_rows = meta.get("comments_rows")
    if store_rows is not None and store_rows > old.num_rows:
        raise StateError(
            f"the profiles of {name!r} hold more comments than its corpus (it was changed since) "
            f"— run: textprofile profile build {name}"
        )
    # the corpus only grows at its end: rows past the store's count were appended by an update
    # interrupted before it patched the store; their customers are refreshed now (repair)
    behind = old.slice(store_rows) if store_rows is not None else old.slice(old.num_rows)

    step("update: read", 0, None)
    old_df = old.select(["customer_id", "text", "time"]).to_pandas()
    from textprofile.ingest.erasure import ERASED_FILE, ErasedIds

    # customers erased with ``forget`` never come back: their rows are skipped and counted
    erased = ErasedIds.open(corpus_dir) if (corpus_dir / ERASED_FILE).is_file() else None
    reader = read_comments(exports, load_config, progress, mappings=_mappings(manifest, exports),
                           known_keys=CommentReader.dedupe_keys(old_df), erased=erased)
    frames = list(reader)
    # rejected rows are kept with their reasons, as load keeps them (never only counted)
    _keep_quarantined(corpus_dir, reader.drain_quarantine(), reader.sources)
    new = pd.concat(frames, ignore_index=True) if frames else None
    if new is not None:
        # Arrow's hash lookup: pandas' isin over a million-id set iterates it in Python
        seen = pc.is_in(pa.array(new["comment_id"].astype(str).to_numpy(), pa.string()),
                        value_set=old.column("comment_id").combine_chunks()).to_numpy(zero_copy_only=False)
        new = new[~seen].drop_duplicates("comment_id").reset_index(drop=True)
    result = {
        "name": name, "comments_added": 0, "customers_changed": 0, "customers_new": 0,
        "duplicates": reader.counts["duplicates"], "quarantined": reader.counts["quarantined"],
        "customers": store_customers, "erased_skipped": int(reader.counts.get("erased", 0)),
        "repaired_rows": int(behind.num_rows),
    }
    if (new is None or new.empty) and not behind.num_rows:
        result["seconds"] = round(time.perf_counter() - started, 2)
        return result
    if new is None or new.empty:
        all_comments, all_tokens = old, old_tokens
        new = old.slice(0, 0).to_pandas()
    else:
        all_comments, all_tokens = _append(name, new, manifest, corpus_dir, fm, old, old_tokens, reader, step)

    step("update: profiles", 0, None)
    touched = sorted(set(customer_rows(new)["customer_id"].astype(str))
                     | set(customer_rows(behind.select(["customer_id", "is_customer"]).to_pandas())["customer_id"].astype(str)))
    config = profile_config(meta)
    # only the touched customers' rows are converted to Python; the as-of time needs all times
    is_cust = pc.fill_null(all_comments.column("is_customer"), False)
    own_times = pc.filter(all_comments.column("time"), is_cust).to_pandas()
    n_own_all = int(pc.sum(is_cust).as_py() or 0)
    as_of = resolve_as_of(config.as_of, own_times)
    mask = pc.and_(is_cust, pc.is_in(all_comments.column("customer_id"), value_set=pa.array(touched, pa.string())))
    own = all_comments.select(COMMENT_COLUMNS).filter(mask).to_pandas()
    own["lang"] = pc.filter(all_tokens.column("lang"), mask).to_pandas().to_numpy()
    own_tokens = pc.filter(all_tokens.column("tokens"), mask).combine_chunks()
    if config.as_of is not None:
        keep = ~(own["time"] > as_of).fillna(False).to_numpy()
        own, own_tokens = own[keep].reset_index(drop=True), own_tokens.filter(pa.array(keep))
    meta_update = {"as_of": None if as_of is None else as_of.isoformat(), "comments_rows": int(all_comments.num_rows),
                   "comments_used": n_own_all}
    if len(own):
        X_own = encode_lists(own_tokens, fm.vocab)
        beh, shares, keywords = customer_profiles(own, X_own, fm, config, as_of)
        customers_changed, total = patch_profiles(ws, name, fm, meta, meta_update, beh, shares, keywords,
                                                  customer_vectors(own, X_own, fm), history=(own, X_own))
    else:
        customers_changed, total = patch_profiles(ws, name, fm, meta, meta_update)
    result.update({
        "comments_added": len(new), "customers_changed": int(customers_changed),
        "customers_new": int(total - store_customers), "customers": int(total),
        "seconds": round(time.perf_counter() - started, 2),
    })
    return result


def _keep_quarantined(corpus_dir: Path, rows: list[tuple], sources: list[dict[str, Any]]) -> int:
    """Append an update's quarantined rows to quarantine.csv (those not in it already: applying
    the same export again adds nothing) and record them in the manifest; return how many."""
    import csv
    import io

    from textprofile.core.artifacts import read_manifest, write_manifest, write_text_atomic
    from textprofile.ingest.erasure import QUARANTINE_FILE
    from textprofile.pipeline.load import QUARANTINE_HEADER

    if not rows:
        return 0
    path = corpus_dir / QUARANTINE_FILE
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    seen = {tuple(r) for r in csv.reader(io.StringIO(old))}
    buf = io.StringIO()
    w = csv.writer(buf)
    if not old:
        w.writerow(QUARANTINE_HEADER)
    added = 0
    for r in rows:
        line = [*(str(v) for v in r[:2]), *r[2:4], r[4] if len(r) > 4 and r[4] is not None else ""]
        if tuple(line) not in seen:
            seen.add(tuple(line))
            w.writerow(line)
            added += 1
    if not added:
        return 0
    if old and not old.endswith("\n"):
        old += "\r\n"
    write_text_atomic(path, old + buf.getvalue())
    manifest = read_manifest(corpus_dir)
    manifest.setdefault("updates_quarantined", []).append(
        {"sources": [s.get("file") for s in sources], "quarantined": added})
    write_manifest(corpus_dir, {k: v for k, v in manifest.items() if k not in ("files", "format_version")})
    return added


def _append(name, new, manifest, corpus_dir, fm, old, old_tokens, reader, step):
    """Tokenize and fold in the new rows, then append them to the corpus (see the order above)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from textprofile.core.artifacts import atomic_path, read_manifest, sha256_file, write_manifest
    from textprofile.text.tokenizer import Tokenizer
    from textprofile.topics.fitted import topic_columns

    comments_path, tokens_path = corpus_dir / "comments.parquet", corpus_dir / "tokens.parquet"
    step("update: tokenize", 0, len(new))
    tokenize_config = _tokenize_config(manifest)
    grams = None
    if tokenize_config.phrases:
        from textprofile.text.phrases import read_table

        grams = read_table(corpus_dir, manifest, name)  # before any write: a bad table changes nothing
    langs, tokens = Tokenizer(tokenize_config).tokenize_chunk(list(new["text"]))
    if grams:
        from textprofile.text.phrases import join_tokens

        tokens = [join_tokens(grams, t)[0] for t in tokens]
    step("update: infer", 0, len(new))
    X = fm.encode(tokens)
    n_tok = np.asarray(X.sum(axis=1)).ravel().astype(np.int64)
    has = n_tok > 0
    if has.any():
        theta = fm.infer([t for t, h in zip(tokens, has) if h])
        dt = pd.DataFrame(theta.astype(np.float32), columns=topic_columns(fm.k))
        dt.insert(0, "n_tokens", n_tok[has])
        dt.insert(0, "comment_id", new.loc[has, "comment_id"].to_numpy())
        fm.add_doc_topics(dt)

    step("update: append", 0, None)
    new_comments = pa.Table.from_pandas(new[old.schema.names], schema=old.schema, preserve_index=False)
    new_tokens = pa.table({"comment_id": new["comment_id"].tolist(), "lang": langs, "tokens": tokens},
                          schema=old_tokens.schema)
    all_comments = pa.concat_tables([old, new_comments])
    all_tokens = pa.concat_tables([old_tokens, new_tokens])
    # tokens are renamed into place just before comments; see the module docstring
    with atomic_path(comments_path, ".parquet") as c_tmp, atomic_path(tokens_path, ".parquet") as t_tmp:
        pq.write_table(all_comments, c_tmp, compression="zstd")
        pq.write_table(all_tokens, t_tmp, compression="zstd", row_group_size=64_000)
    fm.record_corpus(corpus_dir)
    manifest = read_manifest(corpus_dir)
    if manifest.get("tokenize"):
        manifest["tokenize"]["input_sha256"] = sha256_file(comments_path)
    manifest.setdefault("updates", []).append({
        "sources": [s.get("file") for s in reader.sources], "added": len(new),
    })
    manifest.setdefault("counts", {})["kept"] = int(all_comments.num_rows)
    write_manifest(corpus_dir, {k: v for k, v in manifest.items() if k not in ("files", "format_version")})

    return all_comments, all_tokens
