"""Fitting a topic model on a tokenized corpus: the training matrix, K, restarts, the topic table.

In: tokens.parquet (and which rows are the customers' own words). Out: a trained engine and the
rows of topics.json. ``pipeline.fit`` calls these in order and writes the model folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from textprofile.core.config import FitConfig
from textprofile.core.errors import ColumnError, StateError
from textprofile.core.progress import Progress

LABEL_TERMS = 3
TOPIC_TERMS = 30
RELEVANCE_LAMBDA = 0.6
# with --restarts, candidates are screened after 1/SCREEN_FRACTION of the iterations
SCREEN_FRACTION = 4


@dataclass
class TrainingData:
    """A corpus as the topic model sees it.

    ``X`` holds every comment with at least one in-vocabulary token (``ids``, ``n_tokens``);
    ``train`` marks the customers' own comments among them, the rows that shape the topics
    (TF-IDF, term frequencies); ``sample_rows`` picks those the engine trains on (``fit
    --sample``; None: all, in corpus order), described by ``sample``.
    """

    vocab: Any  # topics.vocab.Vocab
    ids: Any  # pyarrow string array (compact: ten million ids as Python strings take ~0.7 GB)
    X: Any  # scipy CSR, one row per comment in ``ids``
    n_tokens: np.ndarray
    train: np.ndarray
    n_comments: int
    term_frequency: np.ndarray
    sample_rows: np.ndarray | None = None
    sample: dict | None = None
    _x_train: Any = field(default=None, repr=False)

    @property
    def X_train(self):
        """The customers' own comments' rows: ``X`` itself when every row is one (no copy), else
        one copy, made once."""
        if self.train.all():
            return self.X
        if self._x_train is None:
            self._x_train = self.X[self.train]
        return self._x_train

    def train_ids(self):
        """The comment ids of the ``X_train`` rows, in order (a pyarrow string array)."""
        import pyarrow as pa

        return self.ids if self.train.all() else self.ids.filter(pa.array(self.train))

    def id_list(self, start: int, stop: int) -> list[str]:
        """The comment ids of rows ``start:stop``."""
        return self.ids.slice(start, stop - start).to_pylist()

    @property
    def X_engine(self):
        """The rows the topic engine, the K sweep and coherence see (the sample, in its order)."""
        Xt = self.X_train
        return Xt if self.sample_rows is None else Xt[self.sample_rows]


def customer_authored(corpus_dir: Path) -> np.ndarray:
    """Per comments.parquet row (= tokens.parquet row): is the text the customer's own?"""
    import pyarrow.parquet as pq

    path = corpus_dir / "comments.parquet"
    if "is_customer" not in pq.read_schema(path).names:
        raise ColumnError(f"{path} lacks column is_customer; it was written by an older textprofile "
                          f"— reload the corpus: textprofile load EXPORT --name {corpus_dir.name}")
    col = pq.read_table(path, columns=["is_customer"]).column(0)
    return np.asarray(col.fill_null(True).to_numpy(zero_copy_only=False), dtype=bool)


def _rows_where(batches, mask: np.ndarray):
    """Filter a stream of pyarrow arrays by consecutive slices of ``mask``."""
    import pyarrow as pa

    start = 0
    for arr in batches:
        part = mask[start:start + len(arr)]
        start += len(arr)
        yield arr if part.all() else arr.filter(pa.array(part))


def training_data(corpus_dir: Path, config: FitConfig, progress: Progress | None = None) -> TrainingData:
    """The vocabulary (from customers' comments only) and every comment's bag of words."""
    from textprofile.topics.vocab import build_vocab, encode_tokens_file, iter_token_batches

    name = corpus_dir.name
    tokens_path = corpus_dir / "tokens.parquet"
    if not tokens_path.is_file():
        raise StateError(f"corpus {name!r} has no tokens.parquet — tokenize it first: "
                         f"textprofile tokenize {name}")
    if progress:
        progress("vocabulary", 0, None)
    authored = customer_authored(corpus_dir)
    vocab = build_vocab(_rows_where(iter_token_batches(tokens_path), authored), config.no_below,
                        config.no_above, config.keep_n)
    comment_ids, X, keep = encode_tokens_file(tokens_path, vocab, nonempty=True)
    if len(keep) != len(authored):
        raise StateError(f"corpus {name!r}: tokens.parquet does not match comments.parquet — "
                         f"re-tokenize it: textprofile tokenize {name} --force")
    # Agent turns get mixtures (for context) but do not shape the topics: their stock phrases
    # ("sorry for the inconvenience") would otherwise become topics of their own.
    data = TrainingData(vocab=vocab, ids=comment_ids, X=X, n_tokens=np.asarray(X.sum(axis=1)).ravel(),
                        train=authored[keep], n_comments=len(keep), term_frequency=np.zeros(0))
    del X
    Xt = data.X_train
    if Xt.shape[0] < 2:
        raise StateError(f"corpus {name!r} has {Xt.shape[0]} customer comment(s) with in-vocabulary "
                         "tokens; a topic model needs more — lower --no-below or load more comments")
    data.term_frequency = np.asarray(Xt.sum(axis=0), dtype=np.int64).ravel()
    # fit --sample: the engine sees a seeded sample; every comment still gets its mixture
    from textprofile.topics.sample import describe, training_rows

    data.sample_rows = training_rows(data.train_ids(), config.sample, config.seed)
    data.sample = describe(Xt.shape[0], data.sample_rows, config.sample, config.seed)
    return data


def choose_k(data: TrainingData, config: FitConfig, progress: Progress | None = None) -> tuple[int, list[dict]]:
    """``config.topics``, or (auto) the K of ``config.k_range`` with the highest NPMI, and the sweep."""
    from textprofile.topics.select import sweep, sweep_sample

    if config.topics is not None:
        return int(config.topics), []
    iterations = config.sweep_iterations
    if iterations is None:
        full = config.iterations or default_iterations(config.engine)
        iterations = max(1, full // 2)
    Xs = sweep_sample(data.X_engine, config.sweep_max_docs, config.seed)
    return sweep(Xs, data.vocab.terms, config.k_range, config.engine, config.seed, iterations,
                 config.workers, dict(config.params), progress)


def train(data: TrainingData, k: int, config: FitConfig,
          progress: Progress | None = None) -> tuple[Any, dict[str, Any], list[dict]]:
    """The trained engine, its topic quality (NPMI, diversity) and the restarts table.

    LDA finds a local optimum that depends on the seed. With restarts, each candidate seed is
    trained for a quarter of the iterations (a poor optimum already shows as low coherence by
    then), and the most coherent one continues to the full count.
    """
    from textprofile.topics import make_engine
    from textprofile.topics.coherence import score_topics

    Xt = data.X_engine
    full = int(config.iterations or default_iterations(config.engine))
    screen = max(1, full // SCREEN_FRACTION) if config.restarts > 1 else full
    eng, quality, restarts = None, None, []
    for r in range(config.restarts):
        cand = make_engine(config.engine, k=k, seed=config.seed + r, iterations=config.iterations,
                           workers=config.workers, **config.params)
        cand.fit(Xt, data.vocab.terms, progress, iterations=screen)
        q = score_topics(Xt, cand.topic_word_, top_n=10)
        restarts.append({"seed": config.seed + r, "iterations": screen, "npmi": round(q["npmi"], 6),
                         "diversity": round(q["diversity"], 6)})
        if quality is None or round(q["npmi"], 9) > round(quality["npmi"], 9):  # ties: the earlier seed
            eng, quality = cand, q
    if screen < full:
        eng.resume(full - screen, progress)
        quality = score_topics(Xt, eng.topic_word_, top_n=10)
    return eng, quality, restarts if config.restarts > 1 else []


def topic_table(topic_word: np.ndarray, term_frequency: np.ndarray, vocab: tuple[str, ...],
                shares: np.ndarray) -> list[dict[str, Any]]:
    """topics.json rows: terms ranked by LDAvis relevance (lambda 0.6), weight = p(term|topic)."""
    from textprofile.topics.base import relevance

    rel = relevance(topic_word, term_frequency, RELEVANCE_LAMBDA)
    out = []
    for k in range(topic_word.shape[0]):
        order = np.lexsort((np.arange(len(vocab)), -rel[k]))[:TOPIC_TERMS]
        terms = [[vocab[i], round(float(topic_word[k, i]), 6)] for i in order]
        auto = " · ".join(t for t, _ in terms[:LABEL_TERMS])
        out.append({"id": k, "label": auto, "auto_label": auto, "terms": terms,
                    "share": round(float(shares[k]), 6)})
    return out


def corpus_shares(data: TrainingData, theta: np.ndarray) -> np.ndarray:
    """Each topic's share of the customers' tokens (theta: one row per comment of ``data``)."""
    nt = data.n_tokens[data.train]
    return (nt @ theta[data.train]) / max(float(nt.sum()), 1.0)


def default_iterations(engine: str) -> int:
    if engine == "gensim":
        from textprofile.topics.gensim_engine import DEFAULT_PASSES

        return DEFAULT_PASSES
    from textprofile.topics.tomotopy_engine import DEFAULT_ITERATIONS

    return DEFAULT_ITERATIONS


INFER_ROWS = 1024 * 1024  # pyarrow's default row-group length: the row groups a one-shot write gets


def infer_doc_topics(data: TrainingData, transform, target: Path) -> np.ndarray:
    """Every comment's mixture (``transform`` of its counts), ``INFER_ROWS`` rows at a time, appended
    to doc_topics.parquet at ``target`` (written atomically); returns ``corpus_shares``.

    Only one row group's mixtures are held at a time, never the (rows, K) matrix of the corpus.
    The file is the same bytes as ``write_table_atomic`` of the whole matrix (the same row groups;
    each row's fold-in is computed alone). The shares are summed per row group: exactly the
    one-shot value up to INFER_ROWS rows, within float rounding (1e-16) beyond.
    """
    import pyarrow.parquet as pq

    from textprofile.core import artifacts
    from textprofile.topics.fitted import doc_topics_table

    n = int(data.X.shape[0])
    total = np.zeros(0)
    with artifacts.atomic_path(target, suffix=".parquet") as tmp:
        writer = None
        try:
            for start in range(0, n, INFER_ROWS):
                stop = min(n, start + INFER_ROWS)
                theta = transform(data.X[start:stop])
                own = data.train[start:stop]
                part = data.n_tokens[start:stop][own] @ theta[own]
                total = part if start == 0 else total + part
                table = doc_topics_table(data.id_list(start, stop), data.n_tokens[start:stop], theta)
                del theta
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                writer.write_table(table, row_group_size=INFER_ROWS)
        finally:
            if writer is not None:
                writer.close()
    return total / max(float(data.n_tokens[data.train].sum()), 1.0)
