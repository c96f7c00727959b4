"""``textprofile forget NAME ID... [--ids-file FILE] [--json]``: erase customers from a workspace."""

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
    @app.command("forget")
    @handle_errors
    def forget_cmd(
        name: Annotated[str, typer.Argument(help="Corpus (and model) name.")],
        ids: Annotated[list[str] | None, typer.Argument(help="Customer ids to erase.", show_default=False)] = None,
        ids_file: Annotated[str | None, typer.Option("--ids-file", help="UTF-8 file with one customer id per line.")] = None,
        json_out: JsonOpt = False,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Erase customers: comments, tokens, mixtures, profiles, cards, quarantined rows.

        Erased ids are kept only as salted hashes, so later updates and re-loads skip their rows;
        one audit line per request goes to corpora/NAME/erasures.jsonl. The topic model is not
        retrained: run fit again after large erasures.
        """
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline.forget import forget, read_ids_file

        given = list(ids or [])
        if ids_file:
            given += read_ids_file(ids_file)
        with progress_bar(not json_out) as progress:
            result = forget(name, given, Workspace.resolve(home), progress=progress)
        if json_out:
            emit_json(result)
            return
        console = stderr_console()
        removed = ", ".join(f"{k} {v:,}" for k, v in result["removed"].items() if v)
        console.print(f"erased {result['erased']} customer(s) from {name!r}: {removed or 'nothing left to remove'}"
                      + (" (report re-rendered)" if result["report"] else ""))
        if result["already_erased"]:
            console.print(f"{result['already_erased']} id(s) were already erased")
        if result["unknown"]:
            shown = ", ".join(result["unknown"][:10]) + (" ..." if len(result["unknown"]) > 10 else "")
            console.print(f"[yellow]{len(result['unknown'])} unknown id(s): {shown}[/yellow]")
        if result["model_terms_only_theirs"]:
            console.print(f"{result['model_terms_only_theirs']} topic-model term(s) occurred only in their "
                          f"comments: run textprofile fit {name} (and profile build) to drop them")
        for path in result["still_mentioned_in"]:
            console.print(f"[yellow]still mentioned in {path} (not written by textprofile): edit or delete it[/yellow]")
