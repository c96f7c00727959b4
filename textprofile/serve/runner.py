"""Start uvicorn on the app: the settings go to every worker through the environment."""

from __future__ import annotations

import os
import sys

from textprofile.serve.settings import (
    SETTINGS_ENV,
    ServeSettings,
    check,
    check_port_free,
    load_tokens,
)


def prepare(settings: ServeSettings) -> tuple[str, ...]:
    """Refuse unsafe or impossible settings before anything listens; return the tokens."""
    tokens = () if settings.no_auth else load_tokens(settings)
    check(settings, tokens)
    if settings.models:
        from textprofile.core.workspace import Workspace
        from textprofile.pipeline.lookup import profile_models

        have = set(profile_models(Workspace.resolve(settings.home)))
        missing = [m for m in settings.models if m not in have]
        if missing:
            from textprofile.core.errors import NotFoundError

            raise NotFoundError(f"no profiles for model(s) {', '.join(missing)} — run: textprofile profile build {missing[0]}")
    check_port_free(settings.host, settings.port)
    return tokens


def run(settings: ServeSettings) -> None:
    """Serve until interrupted (SIGINT/SIGTERM end in-flight requests first)."""
    import uvicorn

    tokens = prepare(settings)
    os.environ[SETTINGS_ENV] = settings.to_env()
    auth = "off (--no-auth)" if settings.no_auth else f"{len(tokens)} token(s)"
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    sys.stderr.write(f"textprofile serve: http://{host}:{settings.port} (auth {auth}, "
                     f"{settings.workers} worker(s)); API reference at /openapi.json\n")
    sys.stderr.flush()
    uvicorn.run(
        "textprofile.serve.app:app_from_env", factory=True, host=settings.host, port=settings.port,
        workers=settings.workers if settings.workers > 1 else None,
        access_log=False,  # ours logs the route template, never the raw path with its ids
        log_level="debug" if settings.debug else "warning",
        server_header=False, proxy_headers=False, date_header=True,
        timeout_keep_alive=30, timeout_graceful_shutdown=10,
    )
