"""Time PII scrubbing with and without the contact-handle rules, side by side in one run.

    PYTHONPATH=. python benchmarks/bench_scrub.py [ROWS]
    PYTHONPATH=. python benchmarks/bench_scrub.py --load   # whole `load` (no tokenizing), alternating

Reads online_shopping_10_cats (Chinese reviews) and twcs (English tweets) from ../shared/data,
cleans them as the loader does, and prints characters per second of ``pii.scrub`` with the
contact rules and with them switched off, plus how many texts each rule set changed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from textprofile.ingest import pii
from textprofile.ingest.clean import clean_texts

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def texts(rows: int) -> dict[str, list[str]]:
    zh = pd.read_csv(DATA / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz", nrows=rows)
    en = pd.read_csv(DATA / "twcs_customer_support_en" / "twcs_random_5000.csv.gz", nrows=rows)
    return {"shopping_zh": clean_texts(list(zh["review"].astype(str))),
            "twcs_en": clean_texts(list(en["text"].astype(str)))}


def _time_many(data: list[str]) -> float:
    t0 = time.perf_counter()
    for i in range(0, len(data), 2000):  # the loader's chunks
        pii.scrub_many(data[i:i + 2000])
    return time.perf_counter() - t0


def timed(fn, data: list[str]) -> tuple[float, list[str]]:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        out = [fn(t) for t in data]
        best = min(best, time.perf_counter() - t0)
    return best, out


def load_times(rounds: int = 2) -> None:
    """``load`` of online_shopping_10_cats without tokenizing, with and without the contact rules."""
    import tempfile

    from textprofile.core.config import LoadConfig
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.load import load

    src = DATA / "chinese_labelled_reviews_zh" / "online_shopping_10_cats.csv.gz"
    real = pii.scrub_contacts
    try:
        for r in range(rounds):
            for label in ("with", "without"):
                pii.scrub_contacts = real if label == "with" else (lambda t: t)
                with tempfile.TemporaryDirectory() as tmp:
                    t0 = time.perf_counter()
                    out = load([src], "s", LoadConfig(row_as_customer=True), Workspace.resolve(tmp),
                               tokenize_config=None)
                    print(f"round {r + 1}: load {label} contact rules {time.perf_counter() - t0:.2f} s "
                          f"({out['counts']['kept']:,} kept)", flush=True)
    finally:
        pii.scrub_contacts = real


def main() -> None:
    if sys.argv[1:] == ["--load"]:
        load_times()
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    real = pii.scrub_contacts
    for name, data in texts(rows).items():
        chars = sum(map(len, data))
        t_with, out_with = timed(pii.scrub, data)
        t_many = min(_time_many(data) for _ in range(3))
        pii.scrub_contacts = lambda t: t
        try:
            t_without, out_without = timed(pii.scrub, data)
        finally:
            pii.scrub_contacts = real
        changed = sum(a != b for a, b in zip(out_with, out_without))
        print(f"{name}: {len(data):,} texts, {chars:,} chars | with contacts {chars / t_with / 1e6:.2f} M chars/s "
              f"(scrub_many in 2,000-text chunks, as the loader calls it: {chars / t_many / 1e6:.2f}), "
              f"without {chars / t_without / 1e6:.2f} M chars/s, ratio {t_without / t_with:.2f} | "
              f"texts changed by the contact rules: {changed}")
        for a, b in [(a, b) for a, b in zip(out_without, out_with) if a != b][:8]:
            print("   ", a[:120], "\n ->", b[:120])


if __name__ == "__main__":
    main()
