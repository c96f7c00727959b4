"""A fitted model folder (``models/<name>/``) read back: topics, mixtures, inference, keywords.

``load_model`` checks the sha256 of every model file against ``manifest.json`` before reading
anything, so a tampered or foreign file (engine files are pickles for gensim) is refused with an
:class:`~textprofile.core.errors.IntegrityError`. Inference for new documents uses the saved
topic-word matrix and prior (a deterministic fold-in), so it never needs to unpickle an engine.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from textprofile.core import artifacts
from textprofile.core.errors import ColumnError, IntegrityError, StateError
from textprofile.core.workspace import Workspace

VOCAB_FILE = "vocab.json"
TOPIC_WORD_FILE = "topic_word.npy"
TERM_FREQ_FILE = "term_frequency.npy"
MODEL_FILE = "model.json"
TOPICS_FILE = "topics.json"
LABELS_FILE = "labels.json"
DOC_TOPICS_FILE = "doc_topics.parquet"
CORE_FILES = (VOCAB_FILE, TOPIC_WORD_FILE, TERM_FREQ_FILE, MODEL_FILE, TOPICS_FILE, LABELS_FILE,
              DOC_TOPICS_FILE)


def topic_columns(k: int) -> list[str]:
    return [f"topic_{i}" for i in range(k)]


# in models/<name>/, what ``profile build --backend spark`` writes: comment_topics/ and customers/
PROFILES_DIR = "profiles.parquet"
SPARK_MIXTURES = f"{PROFILES_DIR}/comment_topics"  # its every-comment mixtures


def doc_topics_table(comment_ids: Sequence[str], n_tokens: np.ndarray, theta: np.ndarray):
    """The doc_topics.parquet schema as a pyarrow Table (float32 shares, int64 counts)."""
    import pyarrow as pa

    theta = np.asarray(theta, dtype=np.float32)
    cols = {
        "comment_id": pa.array(list(comment_ids), type=pa.string()),
        "n_tokens": pa.array(np.asarray(n_tokens, dtype=np.int64)),
    }
    for i in range(theta.shape[1]):
        cols[f"topic_{i}"] = pa.array(np.ascontiguousarray(theta[:, i]), type=pa.float32())
    return pa.table(cols)


def write_table_atomic(table, target: Path) -> None:
    import pyarrow.parquet as pq

    with artifacts.atomic_path(target, suffix=".parquet") as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _save_npy(target: Path, arr: np.ndarray) -> None:
    with artifacts.atomic_path(target, suffix=".npy") as tmp, open(tmp, "wb") as f:
        np.save(f, arr, allow_pickle=False)


def write_model_files(folder: Path, data, engine, theta: np.ndarray | None, topics: list[dict[str, Any]],
                      tfidf, engine_name: str) -> list[str]:
    """Write a fitted model's files into ``folder`` (a temporary folder, renamed by the caller).

    ``data`` is the ``training.TrainingData`` the engine was fitted on, ``theta`` one mixture per
    row of it (None: doc_topics.parquet is written already). Returns the engine's and TF-IDF's own files, for the manifest's ``model_files``.
    """
    from textprofile.topics.base import FOLD_IN_ITERATIONS

    data.vocab.save(folder / VOCAB_FILE)
    _save_npy(folder / TOPIC_WORD_FILE, engine.topic_word_)
    _save_npy(folder / TERM_FREQ_FILE, data.term_frequency)
    if theta is not None:  # None: ``training.infer_doc_topics`` streamed it there already
        write_table_atomic(doc_topics_table(data.id_list(0, len(data.ids)), data.n_tokens, theta), folder / DOC_TOPICS_FILE)
    artifacts.write_json_atomic(folder / TOPICS_FILE, topics)
    artifacts.write_json_atomic(folder / LABELS_FILE, {})
    engine_files = engine.save(folder)
    tfidf_files = tfidf.save(folder)
    artifacts.write_json_atomic(folder / MODEL_FILE, {
        "engine": engine_name, "k": int(engine.topic_word_.shape[0]), "alpha": [float(a) for a in engine.alpha_],
        "fold_in_iterations": FOLD_IN_ITERATIONS, "settings": engine.settings(),
        "engine_files": engine_files, "vocab_size": len(data.vocab),
    })
    return sorted(engine_files + tfidf_files)


class FittedModel:
    """Read-only view of a verified model folder; see docs/internals.md for the contract."""

    def __init__(self, folder: Path, manifest: dict[str, Any]) -> None:
        from textprofile.topics.vocab import Vocab

        self.folder = Path(folder)
        self.manifest = manifest
        self._vocab = Vocab.load(self.folder / VOCAB_FILE)
        self.vocab: list[str] = list(self._vocab.terms)
        self.topic_word: np.ndarray = np.load(self.folder / TOPIC_WORD_FILE, allow_pickle=False)
        self.term_frequency: np.ndarray = np.load(self.folder / TERM_FREQ_FILE, allow_pickle=False)
        self._info = json.loads((self.folder / MODEL_FILE).read_text(encoding="utf-8"))
        self.k: int = int(self._info["k"])
        self.alpha: np.ndarray = np.asarray(self._info["alpha"], dtype=np.float64)
        self._topics = json.loads((self.folder / TOPICS_FILE).read_text(encoding="utf-8"))
        self._labels = json.loads((self.folder / LABELS_FILE).read_text(encoding="utf-8"))
        self._tfidf = None

    def __repr__(self) -> str:
        return f"FittedModel({self.folder.name!r}, engine={self._info.get('engine')!r}, k={self.k})"

    # -- topics -------------------------------------------------------------------------------
    def topics(self) -> list[dict[str, Any]]:
        """topics.json with human labels (``topics rename``) applied to ``label``."""
        out = []
        for t in self._topics:
            t = dict(t)
            t["label"] = self._labels.get(str(t["id"]), t["auto_label"])
            out.append(t)
        return out

    def label(self, topic_id: int) -> str:
        topic_id = int(topic_id)
        if not 0 <= topic_id < self.k:
            raise KeyError(topic_id)
        return self._labels.get(str(topic_id), self._topics[topic_id]["auto_label"])

    # -- documents ----------------------------------------------------------------------------
    def doc_topics(self):
        """doc_topics.parquet as a DataFrame (comment_id, n_tokens, topic_0..topic_{K-1})."""
        import pyarrow.parquet as pq

        return pq.read_table(self.folder / DOC_TOPICS_FILE).to_pandas()

    def mixtures(self):
        """Every modelled comment's mixture, as ``doc_topics()``: doc_topics.parquet, or where
        ``profile build --backend spark`` wrote them (``profiles.parquet/comment_topics/``, part
        files in corpus order; a Spark fit's doc_topics.parquet holds its training rows only)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        spark_rows = self.folder / SPARK_MIXTURES
        if not spark_rows.is_dir():
            return self.doc_topics()
        parts = artifacts.part_files(spark_rows)
        cols = topic_columns(self.k)
        if not parts:
            return self.doc_topics().iloc[0:0]
        dt = pa.concat_tables([pq.read_table(f, columns=["comment_id", "n_tokens", *cols]) for f in parts]).to_pandas()
        dt[cols] = dt[cols].astype(np.float32)
        dt["n_tokens"] = dt["n_tokens"].astype(np.int64)
        return dt

    def encode(self, token_lists: Sequence[Sequence[str]]):
        """Bag-of-words (n, V) int32 CSR of token lists over the model vocabulary."""
        return self._vocab.encode(token_lists)

    def encode_tokens_file(self, tokens_path):
        """(comment ids, bag-of-words CSR) of a tokens.parquet over the model vocabulary, streamed."""
        from textprofile.topics.vocab import encode_tokens_file

        return encode_tokens_file(tokens_path, self._vocab)

    def infer(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """(n, K) topic mixtures for (unseen) token lists; deterministic.

        Lists with no in-vocabulary token get the prior mean (alpha normalised).
        """
        from textprofile.topics.base import FOLD_IN_ITERATIONS, fold_in

        if len(token_lists) == 0:
            return np.zeros((0, self.k))
        return fold_in(self.encode(token_lists), self.topic_word, self.alpha,
                       int(self._info.get("fold_in_iterations", FOLD_IN_ITERATIONS)))

    def keywords(self, token_lists: Sequence[Sequence[str]], top_n: int = 10
                 ) -> list[list[tuple[str, float]]]:
        """The ``top_n`` TF-IDF terms of each token list (pool a customer's comments first)."""
        if self._tfidf is None:
            from textprofile.topics.tfidf import TfidfKeywords

            self._tfidf = TfidfKeywords.load(self.folder, self.vocab)
        return self._tfidf.keywords(token_lists, top_n)

    def engine(self):
        """The fitted engine object (e.g. for gensim's online ``update``); verified again first."""
        from textprofile.topics import engine_class

        listed = set(self._info.get("engine_files", []))
        for rel in sorted(listed):
            artifacts.verify_file(self.folder, rel, self.manifest)
        # gensim also opens files by name when they exist (``<name>.id2word``, ``.state``): a
        # file planted beside the listed ones would be unpickled unchecked, so none may be there
        engine_dirs = {Path(rel).parent for rel in listed}
        for d in sorted(engine_dirs):
            for p in sorted((self.folder / d).iterdir()):
                rel = p.relative_to(self.folder).as_posix()
                if rel not in listed and not p.name.startswith("."):
                    raise IntegrityError(
                        f"{p} is not one of the model's engine files; refusing to load the engine "
                        f"beside a foreign file — remove it, or rebuild: textprofile fit {self.folder.name}"
                    )
        return engine_class(self._info["engine"]).load(self.folder, self._info["settings"])

    # -- updates ------------------------------------------------------------------------------
    def add_doc_topics(self, frame) -> int:
        """Merge rows (by comment_id; new values win) into doc_topics.parquet; return row count.

        Idempotent: adding the same rows twice leaves the file byte-identical. Existing rows
        keep their order; new comment_ids are appended in the order given.
        """
        import pandas as pd
        import pyarrow.parquet as pq

        cols = ["comment_id", "n_tokens", *topic_columns(self.k)]
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ColumnError(f"add_doc_topics: missing column(s) {missing}; expected {cols}")
        new = frame[cols].drop_duplicates("comment_id", keep="last")
        new_ids = new["comment_id"].astype(str).to_numpy(dtype=object)
        new_n = new["n_tokens"].to_numpy(dtype=np.int64)
        new_theta = new[topic_columns(self.k)].to_numpy(dtype=np.float32)
        old = pq.read_table(self.folder / DOC_TOPICS_FILE)
        ids = old.column("comment_id").to_numpy(zero_copy_only=False)
        n_tok = old.column("n_tokens").to_numpy().astype(np.int64)
        theta = np.column_stack([old.column(c).to_numpy() for c in topic_columns(self.k)]).astype(np.float32)
        # rows already there are overwritten in place (new values win, order kept); others appended
        at = pd.Index(ids).get_indexer(new_ids) if len(ids) else np.full(len(new_ids), -1)
        known = at >= 0
        n_tok[at[known]] = new_n[known]
        theta[at[known]] = new_theta[known]
        fresh = ~known
        table = doc_topics_table(np.concatenate([ids, new_ids[fresh]]).tolist(),
                                 np.concatenate([n_tok, new_n[fresh]]),
                                 np.concatenate([theta, new_theta[fresh]]))
        write_table_atomic(table, self.folder / DOC_TOPICS_FILE)
        self.manifest = _refresh(self.folder, [DOC_TOPICS_FILE], {"doc_topics_rows": table.num_rows})
        return table.num_rows

    def drop_doc_topics(self, comment_ids) -> int:
        """Rewrite doc_topics.parquet without ``comment_ids`` (``forget``); return rows removed.

        A fresh file, so no byte of a removed row survives; the manifest is refreshed.
        """
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        old = pq.read_table(self.folder / DOC_TOPICS_FILE)
        gone = pc.is_in(old.column("comment_id"), value_set=pa.array(list(comment_ids), pa.string()))
        removed = int(pc.sum(gone).as_py() or 0)
        if removed:
            table = old.filter(pc.invert(gone))
            write_table_atomic(table, self.folder / DOC_TOPICS_FILE)
            self.manifest = _refresh(self.folder, [DOC_TOPICS_FILE], {"doc_topics_rows": table.num_rows})
        return removed

    def check_corpus(self, corpus_dir: Path, name: str) -> None:
        """Refuse to pair this model with a corpus whose tokens changed since it was fitted.

        A re-``load`` or re-``tokenize`` under the same name would otherwise be profiled
        with topics learned from other text, silently.
        """
        expected = self.manifest.get("corpus", {}).get("tokens_sha256")
        if expected and artifacts.digest(Path(corpus_dir) / "tokens.parquet") != expected:
            raise StateError(
                f"model {name!r} was fitted on an earlier version of corpus {name!r} (its tokens "
                f"changed since: re-loaded or re-tokenized) — run: textprofile fit {name}"
            )

    def record_corpus(self, corpus_dir: Path, tokens_sha256: str | None = None) -> None:
        """After ``update`` appended to the corpus: this model covers the new tokens too.

        ``tokens_sha256``: the digest if already computed (a file's sha256, or a dataset's ``digest``)."""
        corpus = dict(self.manifest.get("corpus", {}))
        corpus["tokens_sha256"] = tokens_sha256 or artifacts.digest(Path(corpus_dir) / "tokens.parquet")
        self.manifest = _refresh(self.folder, [], {"corpus": corpus})

    def rename_topic(self, topic_id: int, label: str) -> dict[str, str]:
        """Store a human label for ``topic_id`` in labels.json (empty label: back to automatic)."""
        from textprofile.core.errors import ConfigError

        topic_id = int(topic_id)
        if not 0 <= topic_id < self.k:
            raise ConfigError(f"topic id {topic_id} does not exist; ids are 0..{self.k - 1}")
        labels = dict(self._labels)
        label = label.strip()
        if label:
            labels[str(topic_id)] = label
        else:
            labels.pop(str(topic_id), None)
        labels = {k: labels[k] for k in sorted(labels, key=int)}
        artifacts.write_json_atomic(self.folder / LABELS_FILE, labels)
        self._labels = labels
        self.manifest = _refresh(self.folder, [LABELS_FILE], {})
        return labels


def _refresh(folder: Path, changed: list[str], extra: dict[str, Any]) -> dict[str, Any]:
    """Re-checksum only our ``changed`` files (never bless files we did not write)."""
    manifest = artifacts.read_manifest(folder)
    for rel in changed:
        manifest["files"][rel] = artifacts.sha256_file(folder / rel)
    manifest.update(extra)
    artifacts.write_json_atomic(folder / artifacts.MANIFEST, manifest)
    return manifest


def load_model_with_corpus(ws: Workspace, name: str, datasets: bool = False) -> tuple[Path, FittedModel]:
    """The corpus folder and the verified model of ``name``, refusing a model fitted on other tokens.

    For every stage that reads the model and the corpus together (profiles, update, report,
    evaluate): a re-``load`` or re-``tokenize`` must be followed by a re-``fit``. ``datasets``:
    the caller also reads a corpus of Parquet datasets (``--backend spark``).
    """
    corpus_dir = ws.require_corpus(name, datasets=datasets)
    fm = load_model(ws, name)
    fm.check_corpus(corpus_dir, name)
    return corpus_dir, fm


def load_model(ws: Workspace, name: str) -> FittedModel:
    """Open ``models/<name>/`` after verifying the sha256 of every model file it lists."""
    folder = ws.require_model(name)
    manifest = artifacts.read_manifest(folder)
    if manifest.get("format_version") != artifacts.FORMAT_VERSION or manifest.get("kind") != "model":
        raise IntegrityError(
            f"{folder / artifacts.MANIFEST} is not a textprofile model manifest (format "
            f"{manifest.get('format_version')!r}); rebuild it: textprofile fit {name}"
        )
    for rel in [*CORE_FILES, *manifest.get("model_files", [])]:
        artifacts.verify_file(folder, rel, manifest)
    return FittedModel(folder, manifest)
