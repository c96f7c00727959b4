"""``textprofile evaluate NAME``: topic coherence, diversity and agreement with a label column."""

from __future__ import annotations

from typing import Annotated

import typer

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
    @app.command("evaluate")
    @handle_errors
    def evaluate_cmd(
        name: Annotated[str, typer.Argument(help="Model name.")],
        label_col: Annotated[str | None, typer.Option("--label-col", help="A comments column or metadata key with known classes (e.g. cat) to score the dominant topic against.")] = None,
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """NPMI and C_V coherence, topic diversity; NMI, ARI and purity against --label-col."""
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline.evaluate import evaluate

        with progress_bar() as progress:
            result = evaluate(name, Workspace.resolve(home), label_col, progress)
        if json_out:
            emit_json(result)
            return
        from rich.table import Table

        t = Table(title=f"{name}: {result['k']} topics — NPMI {result['npmi']:.3f}, "
                        f"C_V {result['c_v']:.3f}, diversity {result['diversity']:.3f}")
        for c in ("id", "NPMI", "C_V", "label"):
            t.add_column(c)
        for row in result["per_topic"]:
            t.add_row(str(row["id"]), f"{row['npmi']:.3f}", f"{row['c_v']:.3f}", row["label"])
        console = stderr_console()
        console.print(t)
        if "labels" in result:
            s = result["labels"]
            console.print(f"against {s['column']!r} ({s['n']:,} comments): NMI {s['nmi']:.3f}, "
                          f"ARI {s['ari']:.3f}, purity {s['purity']:.3f}")
