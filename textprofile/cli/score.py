"""``textprofile score train|show``: predict a customer-level label from profiles, and say why."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from textprofile.cli.common import (
    DebugOpt,
    HomeOpt,
    JsonOpt,
    emit_json,
    handle_errors,
    stderr_console,
)

score_app = typer.Typer(name="score", help="Train a score (churn, complaint, purchase...) on profiles and explain it.",
                        no_args_is_help=True)

ScoreOpt = Annotated[str | None, typer.Option("--score", help="Score name (default: the label column's name).")]


@score_app.command("train")
@handle_errors
def train_cmd(
    name: Annotated[str, typer.Argument(help="Model name (after `profile build`).")],
    labels: Annotated[str, typer.Option("--labels", help="CSV, Parquet or JSONL file with one label per customer.")],
    id_col: Annotated[str, typer.Option("--id-col", help="Customer id column in the labels file.")] = "customer_id",
    label_col: Annotated[str, typer.Option("--label-col", help="Label column: 0/1, or two distinct values.")] = "label",
    score: ScoreOpt = None,
    model: Annotated[str, typer.Option("--model", help="'logistic' (default; explained by odds ratios) or 'gbm' (gradient boosting).")] = "logistic",
    seed: Annotated[int, typer.Option("--seed", help="Seed for folds, bootstrap and the model.")] = 0,
    json_out: JsonOpt = False,
    home: HomeOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Fit the score, cross-validate it beside two baselines, save it and score every profile."""
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.score import train_score

    result = train_score(name, labels, id_col=id_col, label_col=label_col, score=score, model=model, seed=seed,
                         ws=Workspace.resolve(home))
    if json_out:
        emit_json(result)
        return
    render(result)
    c = result["counts"]
    stderr_console().print(
        f"{c['labelled']:,} labelled customers; {c['unknown_ids']:,} label ids with no profile, "
        f"{c['unlabelled_profiles']:,} profiles with no label; {result['scored']:,} profiles scored "
        f"in {result['seconds']:.1f} s → {result['path']}")


@score_app.command("show")
@handle_errors
def show_cmd(
    name: Annotated[str, typer.Argument(help="Model name.")],
    score: ScoreOpt = None,
    json_out: JsonOpt = False,
    home: HomeOpt = None,
    debug: DebugOpt = False,
) -> None:
    """A saved score's cross-validated figures, its drivers, and its highest-scored customers."""
    from textprofile.core.workspace import Workspace
    from textprofile.pipeline.score import show_score

    result = show_score(name, score, Workspace.resolve(home))
    if json_out:
        emit_json(result)
        return
    render(result)
    if result.get("highest"):
        from rich.markup import escape

        console = stderr_console()
        console.print("[bold]Highest scores[/]")
        for h in result["highest"]:
            console.print(f"  {escape(h['customer_id'])}  {h['value']:.3f}  " + escape(reasons_text(h["reasons"])))


def reasons_text(reasons: list[dict[str, Any]]) -> str:
    return "; ".join(f"{r['feature']} ({'+' if r['effect'] > 0 else '−'})" for r in reasons)


def render(result: dict[str, Any]) -> None:
    """The figures table and the drivers, on stderr like every stage's summary."""
    from rich.markup import escape
    from rich.table import Table

    console = stderr_console()
    t = Table(title=f"{escape(result['score'])}: stratified 5-fold cross-validation "
                    f"({result['cv']['n']:,} customers, {result['cv']['positives']:,} positive)")
    for col in ("features", "ROC AUC", "PR AUC", "Brier"):
        t.add_column(col, justify="right" if col != "features" else "left")
    what = "keywords" if result["model"] == "logistic" else "pooled words"
    rows = [(f"{result['model']} (interests + behaviour + {what})", result["cv"]),
            ("baseline: behaviour only", result["baselines"]["behaviour"]),
            ("baseline: TF-IDF of pooled text + behaviour", result["baselines"]["tfidf_behaviour"])]
    for label, m in rows:
        t.add_row(label, f"{m['roc_auc']:.3f}", f"{m['pr_auc']:.3f}", f"{m['brier']:.3f}")
    console.print(t)
    d = Table(title="Drivers" + (" (odds ratio per SD, 95% bootstrap interval)" if result["model"] == "logistic"
                                 else " (permutation importance, ROC AUC)"))
    d.add_column("direction")
    d.add_column("feature")
    d.add_column("effect", justify="right")
    for direction in ("up", "down"):
        for r in result["drivers"][direction]:
            effect = (f"{r['odds_ratio']:.2f} [{r['low']:.2f}, {r['high']:.2f}]" if "odds_ratio" in r
                      else f"{r['importance']:.4f}")
            d.add_row("raises" if direction == "up" else "lowers", escape(r["feature"]), effect)
    console.print(d)
    words = result["drivers"].get("words")
    if words:  # logistic: the keyword columns' odds ratios; gbm: what "text: pooled words" reads
        console.print(("[bold]keywords[/] raising the score most: " if result["model"] == "logistic"
                       else "[bold]text: pooled words[/] — words raising the text score: ")
                      + escape(", ".join(w["feature"].removeprefix("keyword: ") for w in words["up"]))
                      + "; lowering it: " + escape(", ".join(w["feature"].removeprefix("keyword: ") for w in words["down"])))


def register(app: typer.Typer) -> None:
    app.add_typer(score_app, name="score")
