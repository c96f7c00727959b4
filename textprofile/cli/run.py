"""``textprofile run`` (load + fit + profile build + report) and ``textprofile demo``."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import DebugOpt, HomeOpt, JsonOpt, emit_json, handle_errors, progress_bar, stderr_console

_LOAD = "Load options (see `textprofile load --help`)"
_FIT = "Fit options (see `textprofile fit --help`)"


def _col(flag: str, what: str):
    return Annotated[str | None, typer.Option(flag, help=f"Column holding {what} (default: auto-detected).", rich_help_panel=_LOAD)]


def register(app: typer.Typer) -> None:
    @app.command("run")
    @handle_errors
    def run_cmd(
        exports: Annotated[list[str], typer.Argument(help="Export files (CSV, TSV, JSON, JSON Lines, XLSX, Parquet; .gz for text).")],
        name: Annotated[str, typer.Option("--name", help="Name of the corpus, model and report.")],
        customer_col: _col("--customer-col", "the customer id") = None,
        text_col: _col("--text-col", "the comment text") = None,
        time_col: _col("--time-col", "the timestamp") = None,
        channel_col: _col("--channel-col", "the channel") = None,
        channel: Annotated[str | None, typer.Option("--channel", help="One channel for every row: review, chat or social.", rich_help_panel=_LOAD)] = None,
        rating_col: _col("--rating-col", "the rating") = None,
        amount_col: _col("--amount-col", "the order amount") = None,
        role_col: _col("--role-col", "the chat speaker role") = None,
        thread_col: _col("--thread-col", "the thread id") = None,
        row_as_customer: Annotated[bool, typer.Option("--row-as-customer", help="Each row is its own customer.", rich_help_panel=_LOAD)] = False,
        customer_filter: Annotated[str | None, typer.Option("--customer-filter", help="Keep only customer-authored rows, e.g. inbound=True.", rich_help_panel=_LOAD)] = None,
        format: Annotated[str | None, typer.Option("--format", help="Input format (default: detected).", rich_help_panel=_LOAD)] = None,
        encoding: Annotated[str | None, typer.Option("--encoding", help="Input encoding (default: detected).", rich_help_panel=_LOAD)] = None,
        lenient_time: Annotated[bool, typer.Option("--lenient-time", help="Keep rows with unparseable times.", rich_help_panel=_LOAD)] = False,
        keep_pii: Annotated[bool, typer.Option("--keep-pii", help="Do not scrub PII.", rich_help_panel=_LOAD)] = False,
        pseudonymize: Annotated[bool, typer.Option("--pseudonymize", help="HMAC customer ids (key from $TEXTPROFILE_PSEUDONYM_KEY).", rich_help_panel=_LOAD)] = False,
        topics: Annotated[str, typer.Option("--topics", help="Number of topics K, or 'auto'.", rich_help_panel=_FIT)] = "auto",
        engine: Annotated[str, typer.Option("--engine", help="tomotopy (default) or gensim.", rich_help_panel=_FIT)] = "tomotopy",
        seed: Annotated[int, typer.Option("--seed", help="Random seed for every stage.", rich_help_panel=_FIT)] = 0,
        half_life: Annotated[float | None, typer.Option("--half-life", metavar="DAYS", help="Recency decay for interests.")] = None,
        no_report: Annotated[bool, typer.Option("--no-report", help="Stop after profile build.")] = False,
        jobs: Annotated[int | None, typer.Option("--jobs", help="Tokenizer processes (default: all cores).")] = None,
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Load, fit, build profiles and write the report, in one command."""
        from ..config import FitConfig, LoadConfig, ProfileConfig
        from ..pipeline.run import run
        from ..workspace import Workspace, check_name
        from .fit import _parse_topics

        check_name(name)
        load_config = LoadConfig(
            customer_col=customer_col, text_col=text_col, time_col=time_col, channel_col=channel_col,
            channel=channel.strip().lower() if channel else None, rating_col=rating_col,
            amount_col=amount_col, role_col=role_col, thread_col=thread_col, format=format,
            encoding=encoding, row_as_customer=row_as_customer, customer_filter=customer_filter,
            lenient_time=lenient_time, keep_pii=keep_pii, pseudonymize=pseudonymize,
        )
        fit_config = FitConfig(engine=engine, topics=_parse_topics(topics), seed=seed)
        profile_config = ProfileConfig(half_life_days=half_life, seed=seed)
        ws = Workspace.resolve(home)
        with progress_bar(enabled=not json_out) as progress:
            result = run(exports, name, ws, load_config=load_config, fit_config=fit_config,
                         profile_config=profile_config, report=not no_report, jobs=jobs, progress=progress)
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
        from ..pipeline.run import demo
        from ..workspace import Workspace

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
