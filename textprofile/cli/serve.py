"""``textprofile serve``: the profile API on uvicorn (needs the ``serve`` extra)."""

from __future__ import annotations

from typing import Annotated

import typer

from textprofile.cli.common import DebugOpt, HomeOpt, handle_errors


def register(app: typer.Typer) -> None:
    @app.command("serve")
    @handle_errors
    def serve_cmd(
        model: Annotated[list[str] | None, typer.Option("--model", "-m", help="Serve only this model (repeat for more). Default: every model with profiles, including ones built later.")] = None,
        host: Annotated[str, typer.Option("--host", help="Address to listen on. Anything but loopback needs API tokens.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
        workers: Annotated[int, typer.Option("--workers", help="uvicorn worker processes.")] = 1,
        tokens_file: Annotated[str | None, typer.Option("--tokens-file", help="File of API tokens, one per line (also: TEXTPROFILE_API_TOKENS, comma-separated).", metavar="FILE")] = None,
        no_auth: Annotated[bool, typer.Option("--no-auth", help="Accept requests without a token (loopback only).")] = False,
        warm_up: Annotated[bool, typer.Option("--warm-up/--no-warm-up", help="Load each model's tokenizers (seconds) before /readyz says ready, rather than on the first /infer.")] = True,
        cache_mb: Annotated[int | None, typer.Option("--cache-mb", help="Megabytes of profile stores each worker reads into memory at start and after each swap, so lookups do not read the file (a store that does not fit is read on demand). Default: a quarter of the RAM divided by --workers; 0: off.", metavar="MB")] = None,
        home: HomeOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Serve profiles, topics, segments and inference over HTTP (JSON; reference at /openapi.json)."""
        try:
            import fastapi  # noqa: F401
            import uvicorn  # noqa: F401
        except ImportError:
            from textprofile.core.errors import ConfigError

            raise ConfigError("serve needs FastAPI and uvicorn — run: pip install 'textprofile[serve]'") from None
        from textprofile.core.workspace import Workspace, check_name
        from textprofile.serve.runner import run
        from textprofile.serve.settings import ServeSettings

        settings = ServeSettings(
            home=str(Workspace.resolve(home).root), models=tuple(check_name(m) for m in model or ()),
            host=host, port=port, workers=workers, tokens_file=tokens_file, no_auth=no_auth, debug=debug, warm_up=warm_up,
            cache_mb=cache_mb,
        )
        run(settings)
