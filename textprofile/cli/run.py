"""``textprofile run`` (load + fit + profile build + report) and ``textprofile demo``."""

from __future__ import annotations

from typing import Annotated

import typer

from textprofile.cli import load_options as O
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
from textprofile.cli.profile import METHOD_HELP

_FIT = "Fit and profile options"


def register(app: typer.Typer) -> None:
    @app.command("run")
    @handle_errors
    def run_cmd(
        exports: O.Exports,
        name: O.Name,
        customer_col: O.CustomerCol = None,
        text_col: O.TextCol = None,
        time_col: O.TimeCol = None,
        channel_col: O.ChannelCol = None,
        channel: O.Channel = None,
        rating_col: O.RatingCol = None,
        amount_col: O.AmountCol = None,
        role_col: O.RoleCol = None,
        thread_col: O.ThreadCol = None,
        row_as_customer: O.RowAsCustomer = False,
        customer_filter: O.CustomerFilter = None,
        format: O.Format = None,
        encoding: O.Encoding = None,
        sheet: O.Sheet = None,
        timezone: O.Timezone = None,
        lenient_time: O.LenientTime = False,
        keep_pii: O.KeepPii = False,
        pseudonymize: O.Pseudonymize = False,
        max_text_chars: O.MaxTextChars = 100_000,
        user_dict: O.UserDict = None,
        stopwords: O.Stopwords = None,
        jobs: O.Jobs = None,
        phrases: O.Phrases = False,
        phrase_min_count: O.PhraseMinCount = O.PHRASE_MIN_COUNT,
        phrase_threshold: O.PhraseThreshold = O.PHRASE_THRESHOLD,
        languages: O.Languages = None,
        topics: Annotated[str, typer.Option("--topics", help="Number of topics K, or 'auto'.", rich_help_panel=_FIT)] = "auto",
        engine: Annotated[str, typer.Option("--engine", help="tomotopy (default) or gensim.", rich_help_panel=_FIT)] = "tomotopy",
        seed: Annotated[int, typer.Option("--seed", help="Random seed for every stage.", rich_help_panel=_FIT)] = 0,
        restarts: Annotated[int, typer.Option("--restarts", min=1, help="Screen this many seeds for a quarter of the iterations; the most coherent trains on.", rich_help_panel=_FIT)] = 1,
        sample: Annotated[int, typer.Option("--sample", min=0, help="Train on at most this many comments (a seeded uniform sample beyond it; every comment still gets its mixture); 0 = all.", rich_help_panel=_FIT)] = 2_000_000,
        half_life: Annotated[float | None, typer.Option("--half-life", metavar="DAYS", help="Recency decay for interests.", rich_help_panel=_FIT)] = None,
        method: Annotated[str, typer.Option("--method", help=METHOD_HELP, rich_help_panel=_FIT)] = "comment",
        no_report: Annotated[bool, typer.Option("--no-report", help="Stop after profile build.")] = False,
        backend: BackendOpt = "local",
        spark_master: SparkMasterOpt = None,
        spark_conf: SparkConfOpt = None,
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Load, fit, build profiles and write the report, in one command."""
        from textprofile.cli.fit import parse_topics
        from textprofile.core.config import FitConfig, ProfileConfig
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline import spark as on_spark
        from textprofile.pipeline.run import run

        load_config, tokenize_config = O.configs_from_options(locals())
        spark = on_spark.spark_options(backend, spark_master, spark_conf)
        fit_config = FitConfig(engine=engine, topics=parse_topics(topics), seed=seed, restarts=restarts,
                               sample=sample or None)
        profile_config = ProfileConfig(half_life_days=half_life, method=method, seed=seed)  # run validates it first
        ws = Workspace.resolve(home)
        with progress_bar(enabled=not json_out) as progress:
            if spark is None:
                result = run(exports, name, ws, load_config=load_config, tokenize_config=tokenize_config,
                             fit_config=fit_config, profile_config=profile_config, report=not no_report, jobs=jobs,
                             progress=progress)
            else:
                result = on_spark.run(exports, name, ws, load_config=load_config, tokenize_config=tokenize_config,
                                      fit_config=fit_config, profile_config=profile_config, report=not no_report,
                                      spark=spark, progress=progress)
        _finish(result, json_out)

    @app.command("demo")
    @handle_errors
    def demo_cmd(
        jobs: Annotated[int | None, typer.Option("--jobs", help="Tokenizer processes (default: all cores).")] = None,
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Run the whole pipeline on the bundled demo corpus (corpora/demo)."""
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline.run import demo

        ws = Workspace.resolve(home)
        with progress_bar(enabled=not json_out) as progress:
            result = demo(ws, jobs=jobs, progress=progress)
        _finish(result, json_out)


def _finish(result: dict, json_out: bool) -> None:
    if json_out:
        emit_json(result)
        return
    console = stderr_console()
    load, fit, prof = result["load"], result["fit"], result["profiles"]
    c = load["counts"]
    console.print(f"[bold]loaded[/] {c['kept']:,} comments from {load['customers']:,} customers "
                  f"({c['duplicates']:,} duplicates, {c['quarantined']:,} quarantined) → {load['corpus_dir']}")
    console.print(f"[bold]fitted[/] {fit['k']} topics with {fit['engine']} → {fit['paths']['model']}")
    console.print(f"[bold]profiled[/] {prof['customers']:,} customers → {prof['path']}")
    if "report" in result:
        console.print(f"[bold]report[/] → {result['report']['index_html']}")
    console.print(f"done in {result['seconds']} s")
    if "next" in result:
        console.print(f"try: [bold]{result['next']}[/]")
