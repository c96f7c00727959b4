"""Shared by the profile/update/CLI tests: one small demo workspace built with the real pipeline.

Built once per test session (load -> fit -> profile build on 150 generated demo customers);
tests that change it work on a copy (``copy_workspace``).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

NAME = "d"
N_CUSTOMERS = 500  # the bundled demo's size; fewer customers leave too few comments per interest
HELD_OUT = 0.05  # share of export rows kept back for ``update`` tests
_CACHE: dict[str, object] = {}


def demo_workspace(tmp_path_factory):
    """(Workspace, paths of the generated export and planted interests), built once."""
    if "ws" not in _CACHE:
        from textprofile.core.config import FitConfig, LoadConfig, ProfileConfig
        from textprofile.core.workspace import Workspace
        from textprofile.demo_corpus import INTEREST_NAMES, generate_demo_corpus
        from textprofile.pipeline.fit import fit
        from textprofile.pipeline.load import load
        from textprofile.pipeline.profile import build_profiles

        root = tmp_path_factory.mktemp("demo_ws")
        ws = Workspace.resolve(root)
        paths = generate_demo_corpus(root / "gen", seed=0, n_customers=N_CUSTOMERS)
        paths.update(_split(paths["comments"], root / "gen"))
        load([paths["base"]], NAME, LoadConfig(), ws)
        fit(NAME, FitConfig(topics=len(INTEREST_NAMES), seed=0), ws)
        build_profiles(NAME, ProfileConfig(), ws)
        _CACHE["ws"] = (ws, paths)
    return _CACHE["ws"]


def _split(export: Path, out: Path) -> dict[str, Path]:
    """base.csv (most rows) and new.csv (a seeded random HELD_OUT share), same header."""
    import random

    with open(export, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    rng = random.Random(0)
    held = set(rng.sample(range(len(body)), int(len(body) * HELD_OUT)))
    paths = {"base": out / "base.csv", "new": out / "new.csv"}
    for key, keep in (("base", lambda i: i not in held), ("new", lambda i: i in held)):
        with open(paths[key], "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(r for i, r in enumerate(body) if keep(i))
    return paths


def copy_workspace(ws, dest: Path):
    from textprofile.core.workspace import Workspace

    shutil.copytree(ws.root, dest)
    return Workspace.resolve(dest)


def planted(path: Path) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["customer_id"], {})[row["interest"]] = float(row["weight"])
    return out


def topic_to_interest(fm) -> dict[int, str]:
    """Each topic's interest: the one whose key terms carry most of the topic's word weight."""
    from textprofile.demo_corpus import interest_keywords

    index = {t: i for i, t in enumerate(fm.vocab)}
    out = {}
    for k in range(fm.k):
        mass = {
            name: float(sum(fm.topic_word[k, index[t]] for t in terms if t in index))
            for name, terms in interest_keywords().items()
        }
        out[k] = max(sorted(mass), key=lambda n: mass[n])
    return out


def recovered_interests(card, mapping: dict[int, str]) -> dict[str, float]:
    agg: dict[str, float] = {}
    for i in card["interests"]:
        agg[mapping[i["topic_id"]]] = agg.get(mapping[i["topic_id"]], 0.0) + i["share"]
    return agg


def store_frame(ws, name: str, sql: str):
    """A query on model ``name``'s profiles.duckdb, read-only, as a DataFrame."""
    import duckdb

    con = duckdb.connect(str(ws.model_dir(name) / "profiles.duckdb"), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()
