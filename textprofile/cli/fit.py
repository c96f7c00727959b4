"""``textprofile fit NAME``: vocabulary, topic model and TF-IDF for a loaded corpus."""

from __future__ import annotations

from typing import Annotated

import typer

from textprofile.cli.backend_options import BackendOpt, SparkConfOpt, SparkMasterOpt
from textprofile.cli.common import (
    DebugOpt,
    HomeOpt,
    JsonOpt,
    emit_json,
    handle_errors,
    progress_bar,
    stderr_console,
)


def parse_topics(value: str) -> int | None:
    """``--topics``: 'auto' (None) or a whole number; its range is FitConfig.validate's to check."""
    from textprofile.core.errors import ConfigError

    if value.strip().lower() == "auto":
        return None
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"--topics must be a whole number or 'auto' (got {value!r})") from None


def _parse_k_range(value: str | None) -> tuple[int, ...] | None:
    from textprofile.core.errors import ConfigError

    if not value:
        return None
    try:
        ks = tuple(sorted({int(v) for v in value.replace(" ", "").split(",") if v}))
    except ValueError:
        raise ConfigError(f"--k-range must be comma-separated whole numbers, e.g. 5,10,15 (got {value!r})") from None
    if not ks:
        raise ConfigError(f"--k-range must be comma-separated whole numbers, e.g. 5,10,15 (got {value!r})")
    return ks


def register(app: typer.Typer) -> None:
    @app.command("fit")
    @handle_errors
    def fit_cmd(
        name: Annotated[str, typer.Argument(help="Corpus name (as given to `load --name`).")],
        topics: Annotated[str, typer.Option("--topics", help="Number of topics K, or 'auto' to sweep --k-range.")] = "auto",
        engine: Annotated[str, typer.Option("--engine", help="LDA engine: tomotopy (Gibbs, default), gensim (variational, online update), or spark-lda (Spark MLlib's LDA on every comment; needs --backend spark and --topics K).")] = "tomotopy",
        seed: Annotated[int, typer.Option("--seed", help="Random seed; the same corpus and seed give identical files.")] = 0,
        iterations: Annotated[int | None, typer.Option("--iterations", help="Training iterations (tomotopy; default 200) or passes (gensim; default 10).")] = None,
        restarts: Annotated[int, typer.Option("--restarts", min=1, help="Screen this many seeds (--seed, --seed+1, ...) for a quarter of the iterations each; the most coherent (highest NPMI) trains on to the full count.")] = 1,
        anchor: Annotated[float | None, typer.Option("--anchor", help="tomotopy: strength of the seed-free NMF start that keeps interests across seeds (default 0.03; 0 = off, each seed finds its own topics).")] = None,
        sample: Annotated[int, typer.Option("--sample", min=0, help="Train on at most this many comments (a seeded uniform sample beyond it; every comment still gets its mixture); 0 = all.")] = 2_000_000,
        workers: Annotated[int, typer.Option("--workers", help="Worker threads (tomotopy); results depend on it, so it is fixed by default.")] = 2,
        k_range: Annotated[str | None, typer.Option("--k-range", help="Candidate K values for --topics auto, e.g. 5,10,15,20.")] = None,
        no_below: Annotated[int, typer.Option("--no-below", help="Drop terms in fewer than this many comments.")] = 5,
        no_above: Annotated[float, typer.Option("--no-above", help="Drop terms in more than this fraction of comments.")] = 0.5,
        backend: BackendOpt = "local",
        spark_master: SparkMasterOpt = None,
        spark_conf: SparkConfOpt = None,
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Fit topics (LDA) and TF-IDF on a loaded corpus; writes models/NAME/."""
        from textprofile.core.config import FitConfig
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline import spark as on_spark
        from textprofile.pipeline.fit import fit

        spark = on_spark.spark_options(backend, spark_master, spark_conf)
        kwargs = {}
        ks = _parse_k_range(k_range)
        if ks:
            kwargs["k_range"] = ks
        if anchor is not None:
            kwargs["params"] = {"anchor": anchor}
        config = FitConfig(engine=engine, topics=parse_topics(topics), seed=seed, iterations=iterations,
                           workers=workers, no_below=no_below, no_above=no_above, restarts=restarts,
                           sample=sample or None, **kwargs).validate()
        ws = Workspace.resolve(home)
        with progress_bar() as progress:
            if spark is None:
                result = fit(name, config, ws, progress)
            else:
                result = on_spark.fit(name, config, ws, spark=spark, progress=progress)
        if json_out:
            emit_json(result)
        else:
            render_fit(result)


def render_fit(result: dict) -> None:
    from rich.table import Table

    console = stderr_console()
    if result["sweep"]:
        t = Table(title="K sweep (pick: highest NPMI)")
        for c in ("K", "NPMI", "diversity", "NPMI x diversity"):
            t.add_column(c, justify="right")
        for r in result["sweep"]:
            mark = " *" if r["k"] == result["k"] else ""
            t.add_row(f"{r['k']}{mark}", f"{r['npmi']:.3f}", f"{r['diversity']:.3f}", f"{r['tq']:.3f}")
        console.print(t)
    if result.get("restarts"):
        screen = result["restarts"][0]["iterations"]
        t = Table(title=f"restarts, screened after {screen} iterations (pick: highest NPMI, then trained on)")
        for c in ("seed", "NPMI", "diversity"):
            t.add_column(c, justify="right")
        for r in result["restarts"]:
            mark = " *" if r["seed"] == result["model_seed"] else ""
            t.add_row(f"{r['seed']}{mark}", f"{r['npmi']:.3f}", f"{r['diversity']:.3f}")
        console.print(t)
    t = Table(title=f"{result['k']} topics ({result['engine']}) — NPMI {result['coherence']:.3f}, "
                    f"diversity {result['diversity']:.3f}")
    t.add_column("id", justify="right")
    t.add_column("share", justify="right")
    t.add_column("label")
    for row in result["topics"]:
        t.add_row(str(row["id"]), f"{row['share']:.1%}", row["label"])
    console.print(t)
    console.print(f"{result['n_modelled']:,} of {result['n_comments']:,} comments modelled, "
                  f"{result['vocab_size']:,} terms, {result['seconds']:.1f} s → {result['paths']['model']}")
    skipped = result.get("skipped_languages") or {}
    if skipped:
        console.print("left out, no tokenizer for their language (see --languages): "
                      + ", ".join(f"{k} {v:,}" for k, v in skipped.items()))
