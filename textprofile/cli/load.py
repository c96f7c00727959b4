"""``textprofile load EXPORT... --name NAME``: exports in, a clean corpus out."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    DebugOpt,
    HomeOpt,
    JsonOpt,
    emit_json,
    handle_errors,
    progress_bar,
    stderr_console,
)

_COL = "Columns"
_CLEAN = "Cleaning"
_TOK = "Tokenizing"


def _col(flag: str, what: str):
    return Annotated[str | None, typer.Option(flag, help=f"Column holding {what} (default: auto-detected from the header).", rich_help_panel=_COL)]


def register(app: typer.Typer) -> None:
    @app.command("load")
    @handle_errors
    def load_cmd(
        exports: Annotated[list[str], typer.Argument(help="Export files: CSV, TSV, JSON, JSON Lines, XLSX, Parquet (.gz for text formats).")],
        name: Annotated[str, typer.Option("--name", help="Corpus name; written to corpora/NAME/.")],
        customer_col: _col("--customer-col", "the customer id") = None,
        text_col: _col("--text-col", "the comment text") = None,
        time_col: _col("--time-col", "the timestamp") = None,
        channel_col: _col("--channel-col", "the channel (review/chat/social)") = None,
        channel: Annotated[str | None, typer.Option("--channel", help="One channel for every row, e.g. review, chat or social (instead of --channel-col).", rich_help_panel=_COL)] = None,
        rating_col: _col("--rating-col", "the rating") = None,
        amount_col: _col("--amount-col", "the order amount") = None,
        role_col: _col("--role-col", "the chat speaker role (customer/agent)") = None,
        thread_col: _col("--thread-col", "the thread / conversation id") = None,
        row_as_customer: Annotated[bool, typer.Option("--row-as-customer", help="The export has no customer column: each row is its own customer.", rich_help_panel=_COL)] = False,
        customer_filter: Annotated[str | None, typer.Option("--customer-filter", help="Keep only customer-authored rows, e.g. inbound=True (COL=V[,V...] or COL!=V); others are quarantined.", rich_help_panel=_COL)] = None,
        format: Annotated[str | None, typer.Option("--format", help="csv, tsv, json, jsonl, xlsx or parquet (default: detected).")] = None,
        encoding: Annotated[str | None, typer.Option("--encoding", help="Text encoding, e.g. utf-8, gb18030, utf-16 (default: detected).")] = None,
        sheet: Annotated[str | None, typer.Option("--sheet", help="Worksheet name (or 1-based number) for XLSX files with several sheets.")] = None,
        timezone: Annotated[str | None, typer.Option("--timezone", help="Time zone of timestamps written without one, e.g. Asia/Shanghai (default UTC).", rich_help_panel=_CLEAN)] = None,
        lenient_time: Annotated[bool, typer.Option("--lenient-time", help="Keep rows with unparseable timestamps (time left empty) instead of quarantining them.", rich_help_panel=_CLEAN)] = False,
        keep_pii: Annotated[bool, typer.Option("--keep-pii", help="Do not replace e-mails, phone numbers, ID and card numbers, URLs with placeholders.", rich_help_panel=_CLEAN)] = False,
        pseudonymize: Annotated[bool, typer.Option("--pseudonymize", help="Replace customer ids with a keyed HMAC (key from $TEXTPROFILE_PSEUDONYM_KEY).", rich_help_panel=_CLEAN)] = False,
        max_text_chars: Annotated[int, typer.Option("--max-text-chars", help="Quarantine texts longer than this many characters.", rich_help_panel=_CLEAN)] = 100_000,
        user_dict: Annotated[list[str] | None, typer.Option("--user-dict", help="jieba user dictionary file (repeatable).", rich_help_panel=_TOK)] = None,
        stopwords: Annotated[list[str] | None, typer.Option("--stopwords", help="Extra stop-word list file, one word a line (repeatable).", rich_help_panel=_TOK)] = None,
        jobs: Annotated[int | None, typer.Option("--jobs", help="Tokenizer processes (default: all cores).", rich_help_panel=_TOK)] = None,
        no_tokenize: Annotated[bool, typer.Option("--no-tokenize", help="Only load and clean; skip tokenization (for debugging).", rich_help_panel=_TOK)] = False,
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Read comment exports, map columns, clean and dedupe them into corpora/NAME/."""
        from ..config import LoadConfig, TokenizeConfig
        from ..errors import ConfigError
        from ..pipeline.load import load
        from ..workspace import Workspace, check_name

        check_name(name)
        if channel and channel_col:
            raise ConfigError("pass either --channel or --channel-col, not both")
        if row_as_customer and customer_col:
            raise ConfigError("pass either --customer-col or --row-as-customer, not both")
        if max_text_chars < 1:
            raise ConfigError(f"--max-text-chars must be at least 1 (got {max_text_chars})")
        config = LoadConfig(
            customer_col=customer_col, text_col=text_col, time_col=time_col, channel_col=channel_col,
            channel=channel.strip().lower() if channel else None, rating_col=rating_col,
            amount_col=amount_col, role_col=role_col, thread_col=thread_col, format=format,
            encoding=encoding, sheet=sheet, row_as_customer=row_as_customer,
            customer_filter=customer_filter, lenient_time=lenient_time, keep_pii=keep_pii,
            pseudonymize=pseudonymize, max_text_chars=max_text_chars, timezone=timezone,
        )
        tok = None if no_tokenize else TokenizeConfig(
            user_dicts=tuple(user_dict or ()), stopword_files=tuple(stopwords or ()))
        ws = Workspace.resolve(home)
        with progress_bar(enabled=not json_out) as progress:
            result = load(exports, name, config, ws, tokenize_config=tok, jobs=jobs, progress=progress)
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
