"""``textprofile update NAME NEW_EXPORT...``: add new comments, refresh touched profiles."""

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


def register(app: typer.Typer) -> None:
    @app.command("update")
    @handle_errors
    def update_cmd(
        name: Annotated[str, typer.Argument(help="Corpus/model name with built profiles.")],
        exports: Annotated[list[str], typer.Argument(help="New export file(s), same columns as the corpus's.")],
        backend: BackendOpt = "local",
        spark_master: SparkMasterOpt = None,
        spark_conf: SparkConfOpt = None,
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Append new comments (no refit) and refresh only the touched customers' profiles."""
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline import spark as on_spark
        from textprofile.pipeline.update import update

        spark = on_spark.spark_options(backend, spark_master, spark_conf)
        with progress_bar(not json_out) as progress:
            if spark is None:
                result = update(name, exports, Workspace.resolve(home), progress)
            else:
                result = on_spark.update(name, exports, Workspace.resolve(home), spark=spark, progress=progress)
        if json_out:
            emit_json(result)
            return
        stderr_console().print(
            f"{result['comments_added']:,} comments added, {result['customers_changed']:,} customers changed "
            f"({result['customers_new']:,} new; {result['duplicates']:,} duplicates skipped) "
            f"in {result['seconds']:.1f} s"
        )
        if result.get("erased_skipped"):
            stderr_console().print(f"{result['erased_skipped']:,} rows of erased customers skipped")
        if result.get("repaired_rows"):
            stderr_console().print(f"repaired: the profiles now cover {result['repaired_rows']:,} rows "
                                   "an interrupted update had added")
