"""``textprofile topics list|rename``: see and name a model's topics."""

from __future__ import annotations

from typing import Annotated

import typer

from textprofile.cli.common import (
    DebugOpt,
    HomeOpt,
    JsonOpt,
    emit_json,
    handle_errors,
    stderr_console,
)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="List a model's topics or give them human labels.", no_args_is_help=True)
    app.add_typer(group, name="topics")

    @group.command("list")
    @handle_errors
    def list_cmd(
        name: Annotated[str, typer.Argument(help="Model name.")],
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Show each topic's id, share, label and top terms."""
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline.lookup import open_model, topic_list

        result = topic_list(open_model(Workspace.resolve(home), name), name)
        topics = result["topics"]
        if json_out:
            emit_json(result)
            return
        from rich.table import Table

        t = Table(title=f"topics of {name}")
        for c in ("id", "share", "label", "top terms"):
            t.add_column(c)
        for row in topics:
            t.add_row(str(row["id"]), f"{row['share']:.1%}", row["label"],
                      " ".join(term for term, _ in row["terms"][:8]))
        stderr_console().print(t)

    @group.command("rename")
    @handle_errors
    def rename_cmd(
        name: Annotated[str, typer.Argument(help="Model name.")],
        topic_id: Annotated[int, typer.Argument(metavar="ID", help="Topic id (0..K-1).")],
        label: Annotated[str, typer.Argument(help="Human label; an empty string restores the automatic one.")],
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Store a human label for topic ID (used by profiles and reports)."""
        from textprofile.core.workspace import Workspace
        from textprofile.topics.fitted import load_model

        fm = load_model(Workspace.resolve(home), name)
        labels = fm.rename_topic(topic_id, label)
        result = {"name": name, "id": topic_id, "label": fm.label(topic_id), "labels": labels}
        if json_out:
            emit_json(result)
        else:
            stderr_console().print(f"topic {topic_id} of {name} is now labelled: {result['label']}")
