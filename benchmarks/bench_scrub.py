"""Time PII scrubbing with and without the contact-handle rules, side by side in one run.

    PYTHONPATH=. python benchmarks/bench_scrub.py [ROWS]

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


def timed(fn, data: list[str]) -> tuple[float, list[str]]:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        out = [fn(t) for t in data]
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    real = pii.scrub_contacts
    for name, data in texts(rows).items():
        chars = sum(map(len, data))
        t_with, out_with = timed(pii.scrub, data)
        pii.scrub_contacts = lambda t: t
        try:
            t_without, out_without = timed(pii.scrub, data)
        finally:
            pii.scrub_contacts = real
        changed = sum(a != b for a, b in zip(out_with, out_without))
        print(f"{name}: {len(data):,} texts, {chars:,} chars | with contacts {chars / t_with / 1e6:.2f} M chars/s, "
              f"without {chars / t_without / 1e6:.2f} M chars/s, ratio {t_without / t_with:.2f} | "
              f"texts changed by the contact rules: {changed}")
        for a, b in [(a, b) for a, b in zip(out_without, out_with) if a != b][:8]:
            print("   ", a[:120], "\n ->", b[:120])


if __name__ == "__main__":
    main()
