"""Time to render the report for the Amazon reviews model, side by side with stock pyLDAvis.

    python benchmarks/bench_report.py [--topics 20] [--rebuild] [--all-customers]

Builds (once, cached under benchmarks/out/bench_report/k<K>/) a model of the three Amazon 5-core
review files in ../shared/data/amazon_reviews_5core_en with the real pipeline: load → fit →
profile build. Then, in one run:
  (a) stock pyLDAvis on the same model: ``pyLDAvis.prepare`` with its defaults (sorted topics,
      all terms, λ step 0.01, all cores) + ``prepared_data_to_html`` (scripts from a CDN);
  (b) ``textprofile.pipeline.report.report`` — the whole reports/<name>/ folder: index.html,
      self-contained ldavis.html and the linked customer cards;
and prints seconds, page sizes and the ratio (b)/(a). Run it twice for the warm figure.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "amazon_reviews_5core_en"
OUT = Path(__file__).resolve().parent / "out" / "bench_report"
NAME = "amazon"
FILES = ["reviews_Musical_Instruments_5.json.gz", "reviews_Digital_Music_5.partial.json.gz",
         "All_Beauty_5.json.gz"]


def build(ws, topics: int) -> dict:
    """load → fit → profile build with the project's own functions."""
    from textprofile.core.config import FitConfig, LoadConfig
    from textprofile.pipeline.fit import fit
    from textprofile.pipeline.load import load
    from textprofile.pipeline.profile import build_profiles

    t0 = time.perf_counter()
    cfg = LoadConfig(customer_col="reviewerID", text_col="reviewText", time_col="unixReviewTime",
                     rating_col="overall", channel="review")
    load([DATA / f for f in FILES], NAME, cfg, ws)
    t1 = time.perf_counter()
    fit(NAME, FitConfig(topics=topics, seed=0), ws)
    t2 = time.perf_counter()
    build_profiles(NAME, None, ws)
    t3 = time.perf_counter()
    return {"load": round(t1 - t0, 1), "fit": round(t2 - t1, 1), "profile build": round(t3 - t2, 1)}


def stock_pyldavis(ws, out: Path) -> tuple[float, int]:
    """pyLDAvis as its docs show it, on the same model arrays."""
    import warnings

    import numpy as np
    import pyLDAvis

    from textprofile.topics.fitted import load_model

    fm = load_model(ws, NAME)
    dt = fm.doc_topics()
    theta = dt[[f"topic_{t}" for t in range(fm.k)]].to_numpy(dtype=np.float64, copy=True)
    theta /= theta.sum(axis=1, keepdims=True)
    t0 = time.perf_counter()
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        prepared = pyLDAvis.prepare(fm.topic_word, theta, dt["n_tokens"].to_numpy(), fm.vocab,
                                    fm.term_frequency)
        html = pyLDAvis.prepared_data_to_html(prepared)
    seconds = time.perf_counter() - t0
    out.write_text(html, encoding="utf-8")
    return seconds, out.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--topics", type=int, default=20)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--all-customers", action="store_true")
    args = ap.parse_args()

    import pyLDAvis  # noqa: F401  - import cost paid once, outside both timings

    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.report import report

    ws = Workspace.resolve(OUT / f"k{args.topics}")
    if args.rebuild or not (ws.model_dir(NAME) / "profiles.duckdb").is_file():
        print("build (once):", json.dumps(build(ws, args.topics)))
    a_sec, a_size = stock_pyldavis(ws, ws.root / "stock_pyldavis.html")
    t0 = time.perf_counter()
    res = report(NAME, ws, all_customers=args.all_customers)
    b_sec = time.perf_counter() - t0
    ov = json.loads(Path(res["index_html"]).read_text(encoding="utf-8")
                     .split('id="report-data">')[1].split("</script>")[0])["overview"]
    print(f"corpus: {ov['comments']} comments, {ov['customers']} customers, {res['topics']} topics, "
          f"{ov['time_min']}..{ov['time_max']}")
    print(f"(a) stock pyLDAvis prepare+html : {a_sec:7.2f} s  {a_size / 1e3:8.0f} kB (loads d3/LDAvis from a CDN)")
    print(f"(b) textprofile report (folder) : {b_sec:7.2f} s  parts {res['seconds_by_part']}")
    print(f"    index.html {res['bytes']['index_html'] / 1e3:.0f} kB, ldavis.html "
          f"{res['bytes']['ldavis_html'] / 1e3:.0f} kB (self-contained), {res['customers']} customer cards "
          f"{res['bytes']['customers'] / 1e3:.0f} kB")
    print(f"ratio (b)/(a): {b_sec / a_sec:.2f}")


if __name__ == "__main__":
    main()
