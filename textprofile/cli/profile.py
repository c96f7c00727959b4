"""``textprofile profile build|show|similar``.

``show`` imports only typer, rich and duckdb (through ``textprofile.store.profile_store``), and
``similar`` numpy besides, so a lookup starts in well under a second. Cards and neighbour tables are the commands' answer and go
to stdout; ``build``'s summary goes to stderr like every other stage's.
"""

from __future__ import annotations

from typing import Annotated, Any

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

profile_app = typer.Typer(
    name="profile", help="Build customer profiles and look them up.", no_args_is_help=True,
)

ModelOpt = Annotated[str, typer.Option("--model", "-m", help="Model (corpus) name whose profiles to read.")]

BAR_WIDTH = 24
MIN_SHARE_SHOWN = 0.01


def _stdout_console():
    from rich.console import Console

    return Console(highlight=False)


METHOD_HELP = ("Interest mixture: 'comment' (each comment counts once, split by the topics of its words; "
               "default), 'one-topic' (each comment is about one topic of the customer's mixture; for very "
               "short comments), 'mean' (length-weighted) or 'pooled' (infer one mixture from all the "
               "customer's tokens).")


@profile_app.command("build")
@handle_errors
def build_cmd(
    name: Annotated[str, typer.Argument(help="Corpus/model name (after `load` and `fit`).")],
    half_life: Annotated[float | None, typer.Option("--half-life", help="Recency decay: a comment DAYS older weighs half as much.", metavar="DAYS")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Reference date for recency (ISO, e.g. 2024-06-30); later comments are ignored. Default: the latest timestamp in the corpus.", metavar="DATE")] = None,
    method: Annotated[str, typer.Option("--method", help=METHOD_HELP)] = "comment",
    keywords: Annotated[int, typer.Option("--keywords", help="Keywords kept per customer.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed for segment clustering.")] = 0,
    backend: BackendOpt = "local",
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = None,
    json_out: JsonOpt = False,
    home: HomeOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Merge topic mixtures, keywords, behaviour and segments into models/NAME/profiles.duckdb."""
    from textprofile.core.config import ProfileConfig
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline import spark as on_spark
    from textprofile.pipeline.profile import build_profiles

    # build_profiles validates the settings before any work
    config = ProfileConfig(half_life_days=half_life, as_of=as_of, method=method, n_keywords=keywords, seed=seed)
    spark = on_spark.spark_options(backend, spark_master, spark_conf)
    with progress_bar(not json_out) as progress:
        if spark is None:
            result = build_profiles(name, config, Workspace.resolve(home), progress)
        else:
            result = on_spark.build_profiles(name, config, Workspace.resolve(home), spark=spark, progress=progress)
    if json_out:
        emit_json(result)
        return
    stderr_console().print(
        f"{result['customers']:,} customer profiles from {result['comments_used']:,} comments "
        f"({result['method']}, {result['topics']} topics, {result['segments']} segments) "
        f"in {result['seconds']:.1f} s → {result['path']}"
    )


@profile_app.command("show")
@handle_errors
def show_cmd(
    customer_id: Annotated[str, typer.Argument(help="Customer id, exactly as in the export.")],
    model: ModelOpt,
    json_out: JsonOpt = False,
    home: HomeOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show one customer's profile: interests, keywords, behaviour, segment."""
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.lookup import show_profile

    card = show_profile(model, customer_id, Workspace.resolve(home))
    if json_out:
        emit_json(card)
    else:
        render_card(card)


@profile_app.command("similar")
@handle_errors
def similar_cmd(
    customer_id: Annotated[str, typer.Argument(help="Customer id, exactly as in the export.")],
    model: ModelOpt,
    n: Annotated[int, typer.Option("-n", "--n", help="How many neighbours (1-1000).")] = 10,
    by: Annotated[str, typer.Option("--by", help="mixed (keywords and topics; default), keywords or topics.")] = "mixed",
    json_out: JsonOpt = False,
    home: HomeOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Customers most like this one: what they write and what they are interested in, with why."""
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.lookup import similar_customers

    result = similar_customers(model, customer_id, n, by, Workspace.resolve(home))
    if json_out:
        emit_json(result)
        return
    from rich.markup import escape
    from rich.table import Table

    t = Table(title=f"Customers most like {escape(customer_id)} ({escape(result['metric'])})")
    t.add_column("customer")
    t.add_column("score", justify="right")
    t.add_column("shared interests")
    t.add_column("shared keywords")
    for r in result["similar"]:
        why = r["why"]
        t.add_row(escape(r["customer_id"]), f"{r['score']:.3f}",
                  escape(", ".join(i["label"] for i in why["shared_interests"]) or "-"),
                  escape(", ".join(why["shared_keywords"]) or "-"))
    _stdout_console().print(t)


def _bar(share: float) -> str:
    full = round(share * BAR_WIDTH)
    return "█" * full + "░" * (BAR_WIDTH - full)


def _fmt(key: str, value: Any) -> str:
    if isinstance(value, float):
        if key.startswith("share_"):
            return f"{value:.0%}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def render_card(card: dict[str, Any]) -> None:
    """A readable profile card on stdout."""
    from rich.markup import escape
    from rich.table import Table

    console = _stdout_console()
    seg = card.get("segment")
    console.print(f"[bold]Customer {escape(card['customer_id'])}[/]  · model {escape(card['model'])}")
    if seg:
        console.print(f"Segment {seg['segment_id']}: {escape(seg['description'])}")
    t = Table(title="Interests", show_header=False, box=None, padding=(0, 1))
    t.add_column("label")
    t.add_column("bar")
    t.add_column("share", justify="right")
    for i in card["interests"]:
        if i["share"] >= MIN_SHARE_SHOWN:
            t.add_row(f"{i['topic_id']:>2} {escape(i['label'])}", f"[cyan]{_bar(i['share'])}[/]", f"{i['share']:.1%}")
    console.print(t)
    if card["keywords"]:
        console.print("[bold]Keywords:[/] " + escape(", ".join(k["term"] for k in card["keywords"])))
    for sc in card.get("scores") or []:
        reasons = "; ".join(f"{r['feature']} ({'+' if r['effect'] > 0 else '−'})" for r in sc["reasons"])
        console.print(f"[bold]Score {escape(sc['score'])}:[/] {sc['value']:.3f}  " + escape(reasons))
    b = Table(title="Behaviour", show_header=False, box=None, padding=(0, 1))
    b.add_column("what")
    b.add_column("value", justify="right")
    for key, value in card["behaviour"].items():
        if value is not None and value != "":
            b.add_row(key.replace("_", " "), escape(_fmt(key, value)))
    console.print(b)


def register(app: typer.Typer) -> None:
    app.add_typer(profile_app, name="profile")
