"""Tokenizer bars, measured side by side in one run (run by hand, not a test).

    python benchmarks/bench_tokenize.py zh      [--jobs 2] [--repeat 1]
    python benchmarks/bench_tokenize.py en
    python benchmarks/bench_tokenize.py en --baseline fec8494 [--repeat 3] [--limit N]
    python benchmarks/bench_tokenize.py en-langid [--repeat 5] [--limit N]
    python benchmarks/bench_tokenize.py zh-chunk [--baseline REV] [--repeat 3]
    python benchmarks/bench_tokenize.py memory  [--rows 500000]
    python benchmarks/bench_tokenize.py all

zh:     the 62,774 reviews of online_shopping_10_cats.csv.gz. (a) a plain one-process loop of
        ``jieba.lcut`` over the texts (its dictionary load included, as a script would pay it),
        then (b) ``tokenize_corpus`` on the same texts as comments.parquet, end to end (read,
        clean, segment, stop words, write tokens.parquet) with ``--jobs``, then (c) ``load`` of
        the csv.gz itself plus tokenize (what ``textprofile load`` does) in this process, with an
        empty cache of Latin lemmas and again with it warm, then the same as the command
        ``textprofile load`` in a fresh process (empty cache), then (d) a plain one-process
        ``rjieba`` loop for reference. Bars: a / b >= 1.8, a / c >= 8 (issue 18).
zh-chunk: the same cleaned reviews through ``Tokenizer.tokenize_chunk`` in 2,000-row chunks, one
        process, jieba-rs and spaCy loaded before timing (what a worker does); CPU seconds. With
        ``--baseline REV``, alternating fresh processes for REV and this tree.
en:     the Amazon 5-core reviews, one process: spaCy tokens processed per second by
        ``Tokenizer.tokenize_chunk`` (tokenizer construction excluded). Bar: >= 50k tokens/s.
        With ``--baseline REV``, the same measure in alternating fresh processes for git revision
        REV (extracted with ``git archive``) and this tree, and the ratio of each pair. Bar for
        the Latin language detection: this tree >= 0.8 x the revision before it.
en-langid: the same Tokenizer in one process with Latin language detection on and off, rounds
        alternating, best of --repeat; isolates the detection's cost from machine noise.
memory: generated corpora of N and N/10 rows (real reviews sampled with a seed, zh and en),
        tokenized in a fresh process each; peak RSS of the parent and of the largest worker.
Scratch output goes to benchmarks/out/tokenize/ (git-ignored).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out" / "tokenize"


def zh_texts() -> list[str]:
    import pandas as pd

    df = pd.read_csv(DATA / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz")
    return ["" if pd.isna(x) else str(x) for x in df["review"]]


def en_texts() -> list[str]:
    texts = []
    for f in ("reviews_Musical_Instruments_5.json.gz", "reviews_Digital_Music_5.partial.json.gz", "All_Beauty_5.json.gz"):
        with gzip.open(DATA / "amazon_reviews_5core_en" / f, "rt", encoding="utf-8") as fh:
            for line in fh:
                t = json.loads(line).get("reviewText") or ""
                if t.strip():
                    texts.append(t)
    return texts


def write_comments(folder: Path, texts) -> None:
    """A comments.parquet with the columns tokenize_corpus reads, streamed in batches."""
    import hashlib

    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([("comment_id", pa.string()), ("customer_id", pa.string()), ("text", pa.string())])
    with pq.ParquetWriter(folder / "comments.parquet", schema) as w:
        batch: list[str] = []
        n = 0

        def flush():
            nonlocal n
            ids = [hashlib.sha256(f"{n + i}\x1f{t}".encode()).hexdigest()[:16] for i, t in enumerate(batch)]
            w.write_table(pa.table({"comment_id": ids, "customer_id": [str(n + i) for i in range(len(batch))], "text": batch}, schema=schema))
            n += len(batch)
            batch.clear()

        for t in texts:
            batch.append(t)
            if len(batch) >= 50_000:
                flush()
        if batch:
            flush()


def _cpu() -> float:
    """User + system CPU seconds of this process and its finished children (pool workers)."""
    a = resource.getrusage(resource.RUSAGE_SELF)
    b = resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def _load_and_tokenize(jobs: int) -> dict:
    """``textprofile load`` of the csv.gz (review text, one customer per row) with tokenizing."""
    from textprofile.core.config import LoadConfig, TokenizeConfig
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.load import load

    ws = Workspace.resolve(OUT / "home")
    src = DATA / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz"
    return load([src], "zh_load", LoadConfig(text_col="review", row_as_customer=True), ws, TokenizeConfig(), jobs=jobs)


def bench_zh(jobs: int, repeat: int) -> None:
    import jieba
    import rjieba

    from textprofile.core.config import TokenizeConfig
    from textprofile.text.stage import tokenize_corpus

    texts = zh_texts()
    chars = sum(map(len, texts))
    folder = OUT / "zh"
    write_comments(folder, texts)
    print(f"zh: {len(texts)} reviews, {chars} characters, jobs={jobs}")
    for r in range(repeat):
        c0 = _cpu()
        t0 = time.perf_counter()
        tk = jieba.Tokenizer()
        n = 0
        for t in texts:
            n += len(tk.lcut(t))
        plain = time.perf_counter() - t0
        c1 = _cpu()
        del tk  # its dictionary would otherwise be in every worker forked below
        t0 = time.perf_counter()
        res = tokenize_corpus(folder, TokenizeConfig(), jobs=jobs, force=True)
        ours = time.perf_counter() - t0
        c2 = _cpu()
        cpu_plain, cpu_ours = c1 - c0, c2 - c1
        t0 = time.perf_counter()
        loaded = _load_and_tokenize(jobs)
        with_load = time.perf_counter() - t0
        c3 = _cpu()
        cpu_load = c3 - c2
        # the command a user runs: a fresh process (its imports and spaCy's included)
        src = DATA / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz"
        cmd = [sys.executable, "-m", "textprofile", "load", str(src), "--name", "zh_cli", "--text-col", "review",
               "--row-as-customer", "--jobs", str(jobs), "--json", "--home", str(OUT / "home")]
        t0 = time.perf_counter()
        # from this tree's root: ``-m`` imports the package from the working directory first
        subprocess.run(cmd, check=True, capture_output=True, cwd=Path(__file__).resolve().parents[1])
        cli = time.perf_counter() - t0
        cpu_cli = _cpu() - c3
        c3 = _cpu()
        t0 = time.perf_counter()
        rs = rjieba.Jieba()
        n_rs = sum(len(rs.cut(t)) for t in texts)
        plain_rs = time.perf_counter() - t0
        print(
            f"  round {r + 1}: plain jieba.lcut loop {plain:.2f} s wall, {cpu_plain:.2f} s CPU "
            f"({chars / plain / 1000:.0f} k chars/s, {n} words) | tokenize_corpus jobs={jobs} {ours:.2f} s wall, "
            f"{cpu_ours:.2f} s CPU in parent+workers ({chars / ours / 1000:.0f} k chars/s, {res['tokens']} tokens kept)\n"
            f"  round {r + 1}: speed-up {plain / ours:.2f}x wall (bar 1.8x); CPU per text {cpu_plain / cpu_ours:.2f}x less; "
            f"load average during the run {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
            f"  round {r + 1}: load + tokenize of the csv.gz jobs={jobs}: {with_load:.2f} s wall, "
            f"{cpu_load:.2f} s CPU ({loaded['counts']['kept']} kept, {loaded['tokenize']['tokens']} tokens): "
            f"{plain / with_load:.2f}x the plain jieba.lcut loop wall, {cpu_plain / cpu_load:.2f}x CPU (bar 8x)\n"
            f"  round {r + 1}: `textprofile load` in a fresh process: {cli:.2f} s wall, {cpu_cli:.2f} s CPU: "
            f"{plain / cli:.2f}x wall, {cpu_plain / cpu_cli:.2f}x CPU\n"
            f"  round {r + 1}: a plain rjieba loop {plain_rs:.2f} s ({n_rs} words, {plain / plain_rs:.1f}x); "
            f"load average {os.getloadavg()[0]:.1f}"
        )


def bench_en() -> None:
    from textprofile.text.tokenizer import Tokenizer

    texts = en_texts()
    tok = Tokenizer()
    tok.en  # build spaCy before timing  # noqa: B018
    nlp = tok.en.nlp
    n_in = sum(len(d) for d in nlp.tokenizer.pipe(texts[:200]))  # warm up
    t0 = time.perf_counter()
    _, toks = tok.tokenize_chunk(texts)
    dt = time.perf_counter() - t0
    n_in = sum(len(d) for d in nlp.tokenizer.pipe(texts))
    n_out = sum(map(len, toks))
    print(
        f"en: {len(texts)} Amazon reviews, {n_in} spaCy tokens in, {n_out} kept, one process {dt:.2f} s: "
        f"{n_in / dt / 1000:.1f} k tokens/s per core (bar 50k)"
    )


def _en_child(limit: int | None = None) -> None:
    from textprofile.text.tokenizer import Tokenizer

    texts = en_texts()[:limit]
    tok = Tokenizer()
    tok.en  # noqa: B018
    nlp = tok.en.nlp
    tok.tokenize_chunk(texts[:200])  # warm up (and build what the first texts need)
    load = 0.0
    if hasattr(tok, "langid"):  # lingua's models, a one-off start-up cost like spaCy's: not timed
        c0 = time.process_time()
        tok.langid.detector  # noqa: B018
        load = time.process_time() - c0
    n_in = sum(len(d) for d in nlp.tokenizer.pipe(texts))
    t0, c0 = time.perf_counter(), time.process_time()
    _, toks = tok.tokenize_chunk(texts)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"texts": len(texts), "tokens_in": n_in, "kept": sum(map(len, toks)), "seconds": dt, "cpu": cpu, "langid_load_cpu": load}))


def _zh_chunk_child() -> None:
    from textprofile.ingest.clean import clean_texts
    from textprofile.text.tokenizer import CHUNK_ROWS, Tokenizer

    texts = clean_texts(zh_texts())
    tok = Tokenizer()
    tok.zh  # noqa: B018
    tok.en  # noqa: B018
    c0 = time.process_time()
    n = 0
    for i in range(0, len(texts), CHUNK_ROWS):
        n += sum(map(len, tok.tokenize_chunk(texts[i:i + CHUNK_ROWS])[1]))
    print(json.dumps({"texts": len(texts), "tokens": n, "cpu": time.process_time() - c0}))


def _revision_tree(rev: str) -> Path:
    root = Path(__file__).resolve().parents[1]
    src = OUT / f"src_{rev}"
    if not (src / "textprofile").is_dir():
        src.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(root), "archive", rev, "textprofile"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    return src


def bench_zh_chunk(rev: str | None, repeat: int) -> None:
    root = Path(__file__).resolve().parents[1]
    trees = ([(rev, _revision_tree(rev))] if rev else []) + [("this tree", root)]
    best: dict[str, float] = {}
    for r in range(repeat):
        for label, path in trees:
            env = {**os.environ, "PYTHONPATH": str(path)}
            p = subprocess.run([sys.executable, __file__, "_zhchunk"], env=env, capture_output=True, text=True, check=True)
            res = json.loads(p.stdout.strip().splitlines()[-1])
            best[label] = min(best.get(label, res["cpu"]), res["cpu"])
            print(f"  round {r + 1}: {label}: {res['texts']} reviews, {res['tokens']} tokens, {res['cpu']:.2f} s CPU; "
                  f"load average {os.getloadavg()[0]:.1f}")
    line = ", ".join(f"{k} {v:.2f} s" for k, v in best.items())
    ratio = f"; {rev} / this tree = {best[rev] / best['this tree']:.2f}x" if rev else ""
    print(f"zh-chunk: best of {repeat} CPU seconds: {line}{ratio}")


def bench_en_baseline(rev: str, repeat: int, limit: int | None) -> None:
    root = Path(__file__).resolve().parents[1]
    src = _revision_tree(rev)
    best: dict[str, float] = {}
    for r in range(repeat):
        rates = {}
        for label, path in ((rev, src), ("this tree", root)):
            env = {**os.environ, "PYTHONPATH": str(path)}
            extra = ["--limit", str(limit)] if limit else []
            p = subprocess.run([sys.executable, __file__, "_enchild", *extra], env=env, capture_output=True, text=True, check=True)
            res = json.loads(p.stdout.strip().splitlines()[-1])
            # CPU seconds, not wall: on a shared machine the wall clock mostly measures the neighbours
            rates[label] = res["tokens_in"] / res["cpu"]
            print(f"  round {r + 1}: {label}: {res['texts']} reviews, {res['tokens_in']} spaCy tokens in, "
                  f"{res['kept']} kept, {res['cpu']:.2f} s CPU ({res['seconds']:.2f} s wall): "
                  f"{rates[label] / 1000:.1f} k tokens per CPU second"
                  + (f" (lingua models loaded before timing: {res['langid_load_cpu']:.2f} s CPU)" if res["langid_load_cpu"] else ""))
        print(f"  round {r + 1}: this tree / {rev} = {rates['this tree'] / rates[rev]:.3f} (bar 0.8); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        for label, rate in rates.items():
            best[label] = max(best.get(label, 0.0), rate)
    print(f"en: best of {repeat} rounds: {rev} {best[rev] / 1000:.1f} k, this tree {best['this tree'] / 1000:.1f} k "
          f"tokens per CPU second; ratio {best['this tree'] / best[rev]:.3f} (bar 0.8)")


def bench_en_langid(repeat: int, limit: int | None) -> None:
    """One process, one Tokenizer: the same texts with Latin language detection on and off
    (``LatinLanguageId.language`` replaced by "always English"), alternating; CPU seconds."""
    from textprofile.text import langid
    from textprofile.text.tokenizer import Tokenizer

    texts = en_texts()[:limit]
    tok = Tokenizer()
    tok.tokenize_chunk(texts[:200])
    tok.langid.detector  # noqa: B018
    real = langid.LatinLanguageId.language
    best: dict[str, float] = {}
    try:
        for r in range(repeat):
            for label in ("off", "on"):
                langid.LatinLanguageId.language = real if label == "on" else (lambda self, text: "en")
                c0 = time.process_time()
                tok.tokenize_chunk(texts)
                dt = time.process_time() - c0
                best[label] = min(best.get(label, dt), dt)
                print(f"  round {r + 1}: detection {label}: {dt:.2f} s CPU for {len(texts)} reviews")
    finally:
        langid.LatinLanguageId.language = real
    print(f"en: best of {repeat}: detection on / off = {best['off'] / best['on']:.3f} of the speed (bar 0.8)")


def _memory_child(folder: str, jobs: int) -> None:
    from textprofile.core.config import TokenizeConfig
    from textprofile.text.stage import tokenize_corpus

    t0 = time.perf_counter()
    res = tokenize_corpus(folder, TokenizeConfig(), jobs=jobs, force=True)
    # this process's own peak from VmHWM: its ru_maxrss would carry the benchmark's high-water mark
    # (Linux keeps the parent's through vfork+exec). The workers are forked after the parent's
    # start-up, so theirs starts at the parent's RSS then (shared pages included), as RSS counts them
    with open("/proc/self/status", encoding="ascii") as f:
        own = next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM")) / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"rows": res["rows"], "tokens": res["tokens"], "seconds": time.perf_counter() - t0, "parent_mb": own, "worker_mb": kids}))


def bench_memory(rows: int, jobs: int) -> None:
    import random

    pool = zh_texts() + en_texts()
    out = {}
    for n in (rows // 10, rows):
        folder = OUT / f"mem_{n}"
        if not (folder / "comments.parquet").is_file():
            rng = random.Random(0)
            write_comments(folder, (pool[rng.randrange(len(pool))] for _ in range(n)))
        p = subprocess.run(
            [sys.executable, __file__, "_memchild", str(folder), "--jobs", str(jobs)], capture_output=True, text=True, check=True
        )
        out[n] = json.loads(p.stdout.strip().splitlines()[-1])
        r = out[n]
        print(f"memory: {n} rows, {r['tokens']} tokens, {r['seconds']:.1f} s: peak RSS parent {r['parent_mb']:.0f} MB, largest worker {r['worker_mb']:.0f} MB")
    small, big = out[rows // 10], out[rows]
    print(
        f"memory: 10x the rows -> parent peak x{big['parent_mb'] / small['parent_mb']:.2f}, "
        f"worker peak x{big['worker_mb'] / small['worker_mb']:.2f} (flat = about 1)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["zh", "zh-chunk", "en", "en-langid", "memory", "all", "_memchild", "_enchild", "_zhchunk"])
    ap.add_argument("folder", nargs="?")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--baseline", default=None, help="en: also measure this git revision, side by side")
    ap.add_argument("--limit", type=int, default=None, help="en, en-langid: only the first N reviews")
    a = ap.parse_args()
    if a.what == "_enchild":
        _en_child(a.limit)
        return
    if a.what == "_zhchunk":
        _zh_chunk_child()
        return
    if a.what == "zh-chunk":
        bench_zh_chunk(a.baseline, a.repeat)
        return
    if a.what == "en" and a.baseline:
        bench_en_baseline(a.baseline, a.repeat, a.limit)
        return
    if a.what == "en-langid":
        bench_en_langid(a.repeat, a.limit)
        return
    if a.what == "_memchild":
        _memory_child(a.folder, a.jobs)
        return
    if a.what in ("zh", "all"):
        bench_zh(a.jobs, a.repeat)
    if a.what in ("en", "all"):
        bench_en()
    if a.what in ("memory", "all"):
        bench_memory(a.rows, a.jobs)


if __name__ == "__main__":
    main()
