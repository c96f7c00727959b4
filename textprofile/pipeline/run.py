"""``run`` (load + fit + profile build + report in one call) and ``demo`` on the bundled corpus."""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import Any

from textprofile.core.config import FitConfig, LoadConfig, ProfileConfig, TokenizeConfig
from textprofile.core.progress import Progress
from textprofile.core.workspace import Workspace

DEMO_NAME = "demo"
DEMO_EXPORT = Path("corpora") / "demo" / "export" / "comments.csv"


def run(
    exports: list[str | Path],
    name: str,
    ws: Workspace,
    load_config: LoadConfig | None = None,
    tokenize_config: TokenizeConfig | None = None,
    fit_config: FitConfig | None = None,
    profile_config: ProfileConfig | None = None,
    report: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run every stage on ``exports`` and return each stage's result under its own key."""
    from textprofile.pipeline.fit import fit
    from textprofile.pipeline.load import load
    from textprofile.pipeline.profile import build_profiles

    started = time.perf_counter()
    profile_config = (profile_config or ProfileConfig()).validate()  # before any work is done
    fit_config = (fit_config or FitConfig()).validate()
    out: dict[str, Any] = {"name": name}
    out["load"] = load(
        exports, name, load_config or LoadConfig(), ws,
        tokenize_config=tokenize_config or TokenizeConfig(), jobs=jobs, progress=progress,
    )
    out["fit"] = fit(name, fit_config or FitConfig(), ws, progress=progress)
    out["profiles"] = build_profiles(name, profile_config, ws, progress=progress)
    if report:
        from textprofile.pipeline.report import report as write_report

        out["report"] = write_report(name, ws, progress=progress)
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


def demo_export(ws: Workspace) -> Path:
    """The bundled demo export: the workspace's copy, else the repository's, else generated anew.

    The generator is deterministic, so a generated file is byte-identical to the bundled one.
    """
    for candidate in (ws.root / DEMO_EXPORT, Path(__file__).resolve().parents[2] / DEMO_EXPORT):
        if candidate.is_file():
            return candidate
    from textprofile.demo_corpus import generate_demo_corpus

    generate_demo_corpus(ws.root / DEMO_EXPORT.parent.parent)
    return ws.root / DEMO_EXPORT


def demo(ws: Workspace, jobs: int | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Run the whole pipeline on the bundled demo corpus; say where the outputs are."""
    export = demo_export(ws)
    out = run([export], DEMO_NAME, ws, jobs=jobs, progress=progress)
    out["export"] = str(export)
    out["example_customer"] = _busiest_customer(ws)
    home = "" if ws.root == Path.cwd().resolve() else f" --home {shlex.quote(str(ws.root))}"
    out["next"] = f"textprofile profile show {out['example_customer']} --model {DEMO_NAME}{home}"
    return out


def _busiest_customer(ws: Workspace) -> str:
    """The customer with the most comments: a good first `profile show` to try."""
    from textprofile.store.sql import connect

    path = ws.corpus_dir(DEMO_NAME) / "comments.parquet"
    con = connect()
    try:
        row = con.execute(
            "SELECT customer_id FROM read_parquet(?) WHERE is_customer "
            "GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1",
            [str(path)],
        ).fetchone()
    finally:
        con.close()
    return row[0]
