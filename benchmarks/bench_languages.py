"""Language mix of the twcs customer tweets and their K = 10 topics, before and after langid.

    python benchmarks/bench_languages.py [--baseline REV] [--languages en,zh]

Both twcs samples in ../shared/data/twcs_customer_support_en (10,000 tweets, 5,496 from customers;
the whole of what is stored, so no further sampling) are loaded as the README says
(``--customer-filter inbound=True --channel social``) and fitted with ``fit --topics 10 --seed 0``,
twice in one run, each in its own process and workspace under benchmarks/out/languages/:

- before: the textprofile of git revision ``--baseline`` (default ``fec8494``, the last one that
  told languages by script only), extracted with ``git archive``;
- after: this working tree (``--languages`` passed to load).

Printed for each: the ``lang`` mix of tokens.parquet, the comments left out of the topics for their
language, and the top 10 terms of every topic; a topic is flagged when at least
``FLAG_AT`` of its top 10 terms are function words of another language (spaCy's stop words of
de/es/fr/id/it/nl/pt/tr that are not English stop words). Bar: no flagged topic after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "twcs_customer_support_en"
OUT = Path(__file__).resolve().parent / "out" / "languages"
FILES = ("twcs_head_5000.csv.gz", "twcs_random_5000.csv.gz")
FLAG_AT = 5
FOREIGN = ("de", "es", "fr", "id", "it", "nl", "pt", "tr")


def source_tree(rev: str) -> Path:
    """This repository's ``textprofile`` package at ``rev``, extracted once under OUT."""
    dest = OUT / f"src_{rev}"
    if not (dest / "textprofile").is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "textprofile"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def run_pipeline(src: Path, home: Path, languages: str | None) -> tuple[float, dict]:
    """load + fit in a fresh process with ``src`` first on the path; seconds taken, fit's JSON."""
    env = {**os.environ, "PYTHONPATH": str(src), "TEXTPROFILE_HOME": str(home)}
    home.mkdir(parents=True, exist_ok=True)
    load = [sys.executable, "-m", "textprofile", "load", *(str(DATA / f) for f in FILES), "--name", "twcs",
            "--customer-filter", "inbound=True", "--channel", "social", "--json"]
    if languages:
        load += ["--languages", languages]
    t0 = time.perf_counter()
    for cmd in (load, [sys.executable, "-m", "textprofile", "fit", "twcs", "--topics", "10", "--seed", "0", "--json"]):
        p = subprocess.run(cmd, env=env, cwd=home, capture_output=True, text=True, check=False)
        if p.returncode:
            raise SystemExit(f"{' '.join(cmd[2:5])} failed:\n{p.stderr[-2000:]}")
    return time.perf_counter() - t0, json.loads(p.stdout)


def foreign_function_words() -> frozenset[str]:
    sys.path.insert(0, str(ROOT))
    from textprofile.text.stopwords import spacy_stop_words

    english = {w.lower() for w in spacy_stop_words("en")}
    words = set()
    for code in FOREIGN:
        words.update(w.lower() for w in spacy_stop_words(code))
    return frozenset(words - english)


def report(label: str, home: Path, seconds: float, fit: dict, foreign: frozenset[str]) -> int:
    import pyarrow.parquet as pq

    langs = Counter(pq.read_table(home / "corpora" / "twcs" / "tokens.parquet", columns=["lang"]).column(0).to_pylist())
    topics = json.loads((home / "models" / "twcs" / "topics.json").read_text())
    total = sum(langs.values())
    mix = ", ".join(f"{k} {v} ({v / total:.1%})" for k, v in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0])))
    print(f"{label}: {total} customer tweets, load + fit {seconds:.1f} s; lang mix: {mix}")
    skipped = fit.get("skipped_languages", "(not reported)")
    print(f"  modelled comments {fit['n_modelled']}; left out for their language: {skipped}")
    flagged = 0
    for t in topics:
        terms = [w for w, _ in t["terms"][:10]]
        n = sum(w in foreign for w in terms)
        mark = f"  <-- {n}/10 non-English function words" if n >= FLAG_AT else ""
        flagged += n >= FLAG_AT
        print(f"  topic {t['id']}: {' · '.join(terms)}{mark}")
    print(f"  {label}: {flagged} flagged topic(s) (bar after: 0)")
    return flagged


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="fec8494")
    ap.add_argument("--languages", default=None, help="--languages for the 'after' load (default: en,zh)")
    a = ap.parse_args()
    foreign = foreign_function_words()
    runs = [("before", source_tree(a.baseline), None), ("after", ROOT, a.languages)]
    for label, src, langs in runs:
        home = OUT / label
        seconds, fit = run_pipeline(src, home, langs)
        report(f"{label} ({a.baseline if label == 'before' else 'working tree'})", home, seconds, fit, foreign)


if __name__ == "__main__":
    main()
