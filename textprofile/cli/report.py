"""``textprofile report NAME``: write reports/NAME/ (index.html, ldavis.html, customer cards)."""

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
    @app.command("report")
    @handle_errors
    def report_cmd(
        name: Annotated[str, typer.Argument(help="Model name (as given to `load --name` and `fit`).")],
        all_customers: Annotated[bool, typer.Option(
            "--all-customers", help="Write a card for every customer, not only those the report links to.")] = False,
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Write the interest-topic report, offline pyLDAvis and customer cards to reports/NAME/."""
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline.report import report

        ws = Workspace.resolve(home)
        with progress_bar(not json_out) as progress:
            result = report(name, ws, all_customers=all_customers, progress=progress)
        if json_out:
            emit_json(result)
        else:
            render_report(result)


def _size(n: int | None) -> str:
    if n is None:
        return "—"
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def render_report(result: dict) -> None:
    console = stderr_console()
    sizes = result["bytes"]
    console.print(f"report for [bold]{result['name']}[/] ({result['topics']} topics) in {result['seconds']:.1f} s")
    console.print(f"  {result['index_html']}  ({_size(sizes['index_html'])})")
    if result.get("ldavis_html"):
        console.print(f"  {result['ldavis_html']}  ({_size(sizes['ldavis_html'])})")
    console.print(f"  {result['customers_dir']}/  ({result['customers']} customer cards, {_size(sizes['customers'])})")
