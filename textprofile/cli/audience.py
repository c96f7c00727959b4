"""``textprofile audience NAME (--like IDS_FILE | --topic ID --min-share X)``: select customers."""

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
    @app.command("audience")
    @handle_errors
    def audience_cmd(
        name: Annotated[str, typer.Argument(help="Model (corpus) name whose profiles to select from.")],
        like: Annotated[str | None, typer.Option("--like", metavar="IDS_FILE", help="Seed customers: one id per line, or a CSV with a customer_id column; finds the customers most like them (seeds excluded).")] = None,
        topic: Annotated[int | None, typer.Option("--topic", metavar="ID", help="Select by interest in this topic id instead (see `topics list`).")] = None,
        min_share: Annotated[float | None, typer.Option("--min-share", metavar="X", help="With --topic: the least share of that topic (0-1).")] = None,
        n: Annotated[int, typer.Option("-n", "--n", help="At most this many customers.")] = 1000,
        min_comments: Annotated[int | None, typer.Option("--min-comments", help="Only customers with at least this many comments.")] = None,
        active_days: Annotated[float | None, typer.Option("--active-days", help="Only customers last seen at most this many days before the profiles' as-of date.")] = None,
        channel: Annotated[str | None, typer.Option("--channel", help="Only customers who wrote on this channel: review, chat or social.")] = None,
        by: Annotated[str, typer.Option("--by", help="With --like: mixed (default), keywords or topics.")] = "mixed",
        output: Annotated[str | None, typer.Option("-o", "--output", help="Write the audience to this CSV (customer_id, score, why), atomically.")] = None,
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """A lookalike audience of a seed list, or the customers interested in a topic, with filters."""
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline.audience import audience, read_ids

        seeds = read_ids(like) if like is not None else None
        result = audience(name, Workspace.resolve(home), like=seeds, topic=topic, min_share=min_share, n=n,
                          min_comments=min_comments, active_days=active_days, channel=channel, by=by,
                          out=output)
        if json_out:
            emit_json(result)
            return
        render(result)


def render(result: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = stderr_console()
    if result.get("unknown_seeds"):
        console.print(f"[yellow]{result['unknown_seeds']} seed id(s) are not customers of {escape(result['name'])} "
                      f"and were skipped (first: {escape(', '.join(result['unknown_examples']))})[/]")
    if result.get("path"):
        console.print(f"{result['size']:,} customers → {escape(result['path'])}")
        return
    t = Table(title=f"audience of {escape(result['name'])}: {result['size']:,} customers")
    t.add_column("customer")
    t.add_column("score" if result["mode"] == "like" else "share", justify="right")
    if result["mode"] == "like":
        t.add_column("shared interests")
        t.add_column("shared keywords")
    for m in result["members"][:50]:
        row = [escape(m["customer_id"]), f"{m['score']:.3f}"]
        if result["mode"] == "like":
            row += [escape(", ".join(i["label"] for i in m["why"]["shared_interests"]) or "-"),
                    escape(", ".join(m["why"]["shared_keywords"]) or "-")]
        t.add_row(*row)
    console.print(t)
    if result["size"] > 50:
        console.print(f"... and {result['size'] - 50:,} more (use -o FILE or --json for all)")
