"""``textprofile tokenize NAME``: (re)build corpora/NAME/tokens.parquet from comments.parquet."""

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
    @app.command("tokenize")
    @handle_errors
    def tokenize_cmd(
        name: Annotated[str, typer.Argument(help="Corpus name (corpora/NAME/, written by load).")],
        user_dict: Annotated[list[str] | None, typer.Option("--user-dict", help="jieba user dictionary file: 'word [freq] [tag]' lines (repeatable).")] = None,
        stopwords: Annotated[list[str] | None, typer.Option("--stopwords", help="Extra stop-word file, UTF-8, one word a line (repeatable).")] = None,
        keep_single: Annotated[list[str] | None, typer.Option("--keep-single", help="A single Han character to keep as a token, e.g. 书 (repeatable).")] = None,
        phrases: O.Phrases = False,
        phrase_min_count: O.PhraseMinCount = O.PHRASE_MIN_COUNT,
        phrase_threshold: O.PhraseThreshold = O.PHRASE_THRESHOLD,
        languages: O.Languages = None,
        jobs: Annotated[int | None, typer.Option("--jobs", min=1, help="Worker processes (default: all cores).")] = None,
        force: Annotated[bool, typer.Option("--force", help="Re-tokenize even when tokens.parquet is up to date.")] = False,
        backend: BackendOpt = "local",
        spark_master: SparkMasterOpt = None,
        spark_conf: SparkConfOpt = None,
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Tokenize a loaded corpus: jieba for Chinese, spaCy lemmas for English; cached by config."""
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline import spark as on_spark
        from textprofile.pipeline.tokenize import tokenize

        config = O.tokenize_config(locals())
        spark = on_spark.spark_options(backend, spark_master, spark_conf)
        ws = Workspace.resolve(home)
        with progress_bar(not json_out) as progress:
            if spark is None:
                result = tokenize(name, config, ws, jobs=jobs, progress=progress, force=force)
            else:
                result = on_spark.tokenize(name, config, ws, spark=spark, force=force)
        corpus = ws.corpus_dir(name)
        if json_out:
            emit_json(result)
            return
        langs = ", ".join(f"{k} {v}" for k, v in result["langs"].items() if v)
        state = "up to date (reused)" if result["cached"] else f"written in {result['seconds']:.1f} s"
        console = stderr_console()
        console.print(
            f"{corpus / 'tokens.parquet'}: {result['rows']} comments, {result['tokens']} tokens, "
            f"{result['empty']} with no tokens; {langs}; {state}"
        )
        ph = result.get("phrases")
        if ph:
            top = ", ".join(p for p, _, _ in ph["top"][:10]) or "none"
            console.print(f"phrases: {ph['learned']} learned, {ph['joined']} pairs joined; most frequent: {top}")
