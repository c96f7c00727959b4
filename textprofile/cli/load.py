"""``textprofile load EXPORT... --name NAME``: exports in, a clean corpus out."""

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


def register(app: typer.Typer) -> None:
    @app.command("load")
    @handle_errors
    def load_cmd(
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
        no_tokenize: Annotated[bool, typer.Option("--no-tokenize", help="Only load and clean; skip tokenization (for debugging).", rich_help_panel="Tokenizing")] = False,
        backend: BackendOpt = "local",
        spark_master: SparkMasterOpt = None,
        spark_conf: SparkConfOpt = None,
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Read comment exports, map columns, clean and dedupe them into corpora/NAME/."""
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline import spark as on_spark
        from textprofile.pipeline.load import load

        config, tok = O.configs_from_options(locals())
        if no_tokenize:
            tok = None
        spark = on_spark.spark_options(backend, spark_master, spark_conf)
        ws = Workspace.resolve(home)
        with progress_bar(enabled=not json_out) as progress:
            if spark is None:
                result = load(exports, name, config, ws, tokenize_config=tok, jobs=jobs, progress=progress)
            else:
                result = on_spark.load(exports, name, config, ws, tokenize_config=tok, spark=spark, progress=progress)
        if json_out:
            emit_json(result)
        else:
            render_load(result)


def render_load(result: dict) -> None:
    """The load summary as rich tables on stderr."""
    from rich.table import Table

    c = result["counts"]
    console = stderr_console()
    t = Table(title=f"corpus {result['name']}", show_header=False, title_justify="left")
    t.add_column("what", style="bold")
    t.add_column("value")
    t.add_row("rows read", f"{c['read']:,}")
    t.add_row("kept", f"{c['kept']:,}")
    t.add_row("duplicates dropped", f"{c['duplicates']:,}")
    t.add_row("quarantined", f"{c['quarantined']:,}")
    t.add_row("customers", f"{result['customers']:,}")
    if result.get("agent_turns"):
        t.add_row("agent turns (context only)", f"{result['agent_turns']:,}")
    t.add_row("channels", ", ".join(f"{k} {v:,}" for k, v in result["channels"].items()))
    t.add_row("languages (by script)", ", ".join(f"{k} {v:,}" for k, v in result["languages"].items()))
    tr = result.get("time_range")
    t.add_row("time range", f"{tr[0]} … {tr[1]}" if tr else "(no timestamps)")
    if tr and result.get("rows_without_time"):
        t.add_row("rows without time", f"{result['rows_without_time']:,}")
    for s in result["sources"]:
        mapping = ", ".join(f"{k}←{v}" for k, v in s["mapping"].items())
        t.add_row(f"source {s['name']}", f"{s['format']}, {s['encoding'] or 'binary'}, {s['rows']:,} rows; {mapping}")
    tokens = result.get("tokenize")
    if isinstance(tokens, dict):
        parts = [f"{k} {tokens[k]:,}" for k in ("rows", "tokens", "empty") if isinstance(tokens.get(k), int)]
        langs = tokens.get("langs")
        if isinstance(langs, dict):
            parts.append("languages " + ", ".join(f"{k} {v:,}" for k, v in langs.items() if v))
        if tokens.get("cached"):
            parts.append("(cached)")
        t.add_row("tokenized", "; ".join(parts))
    console.print(t)
    if c["quarantined_by_reason"]:
        q = Table(title="quarantined by reason (see quarantine.csv)", title_justify="left")
        q.add_column("reason")
        q.add_column("rows", justify="right")
        for k, v in c["quarantined_by_reason"].items():
            q.add_row(k, f"{v:,}")
        console.print(q)
    console.print(f"wrote {result['corpus_dir']}")
