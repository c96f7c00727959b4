"""The FastAPI application: ``create_app(settings)``; ``app_from_env()`` for uvicorn's workers."""

from __future__ import annotations

import contextlib
import inspect
import logging
import sys
import threading

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from textprofile import __version__
from textprofile.core.errors import TextProfileError
from textprofile.core.workspace import Workspace
from textprofile.serve import errors, schemas
from textprofile.serve.auth import TokenCheck
from textprofile.serve.batch import CardLookups
from textprofile.serve.fastpath import CardFastPath
from textprofile.serve.middleware import AccessLog, BodyGuard
from textprofile.serve.pool import StorePool
from textprofile.serve.routes import CARD_PATH, build_router, ok
from textprofile.serve.settings import ServeSettings, cache_budget, load_tokens

log = logging.getLogger("textprofile.serve")

DESCRIPTION = """Customer interest profiles over HTTP: the objects `textprofile ... --json` prints.

Every `/v1` request needs `Authorization: Bearer <token>`. Errors are
`{"error": CODE, "detail": {"message": ..., ...}}`."""


# FastAPI >= 0.16x checks for OpenTelemetry providers on every request (3% of a lookup's CPU);
# textprofile configures none, so the check is switched off where the option exists
_NO_TELEMETRY = ({"telemetry": {"tracing": False, "metrics": False, "logs": False}}
                 if "telemetry" in inspect.signature(FastAPI.__init__).parameters else {})


def configure_logging(debug: bool = False) -> None:
    """Our log lines (access lines included) on stderr, once per process, written by a thread."""
    import atexit

    from textprofile.serve.logbuffer import BufferedHandler

    logger = logging.getLogger("textprofile.serve")
    if not logger.handlers:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(message)s"))
        handler = BufferedHandler(stream)
        atexit.register(handler.close)
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.DEBUG if debug else logging.INFO)


def create_app(settings: ServeSettings, tokens: tuple[str, ...] | None = None) -> FastAPI:
    """The app for ``settings``; ``tokens`` default to the configured ones (None with --no-auth)."""
    configure_logging(settings.debug)
    if tokens is None and not settings.no_auth:
        tokens = load_tokens(settings)
    pool = StorePool(Workspace.resolve(settings.home), tuple(settings.models), settings.poll_seconds,
                     cache_budget(settings))

    warmed = threading.Event()

    def warm_up() -> None:
        """Load each model and its tokenizers (jieba, spaCy: seconds) before the first /infer."""
        from textprofile.pipeline.infer import TextModel

        try:
            for name in pool.names():
                try:
                    pool.cached("text", name, TextModel).infer(["warm up 预热"], 1)
                except TextProfileError as e:  # e.g. a store without its corpus: /infer says so
                    log.info("model %s: /infer unavailable (%s)", name, errors.scrub(str(e)))
        finally:
            warmed.set()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        problems = pool.open_all()
        for name, message in problems.items():
            log.warning("model %s cannot be served yet: %s", name, errors.scrub(message))
        if settings.warm_up:
            threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
        else:
            warmed.set()
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(settings.poll_seconds):
                pool.refresh()

        watcher = threading.Thread(target=watch, name="store-watcher", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            watcher.join(5)
            pool.close()

    app = FastAPI(
        title="textprofile", version=__version__, description=DESCRIPTION, lifespan=lifespan,
        docs_url=None, redoc_url=None,  # both load scripts from a CDN; /openapi.json is the reference
        **_NO_TELEMETRY,
    )
    app.state.pool = pool
    app.add_exception_handler(errors.ApiError, errors.api_error_handler)
    app.add_exception_handler(StarletteHTTPException, errors.http_error_handler)
    app.add_exception_handler(RequestValidationError, errors.validation_error_handler)
    app.add_exception_handler(TextProfileError, errors.textprofile_error_handler)
    check = TokenCheck(None if settings.no_auth else tokens)
    cards = CardLookups(pool)
    router = build_router(pool, check, cards)
    app.include_router(router)

    @app.get("/healthz", response_model=None, responses={200: {"model": schemas.Health}}, tags=["health"])
    def healthz() -> Response:
        """The process is up."""
        return ok({"status": "ok"})

    @app.get("/readyz", response_model=None, tags=["health"],
             responses={200: {"model": schemas.Ready}, 503: {"model": schemas.ErrorBody, "description": "No model can be served"}})
    def readyz() -> Response:
        """Every served model's store opens and the warm-up is done (503 otherwise)."""
        names = pool.names()
        failed = pool.open_all()
        if not warmed.is_set():
            return errors.error_response(503, "loading models and tokenizers", failed=sorted(failed))
        if not names or failed:
            message = "no model with profiles in the workspace" if not names else "some models cannot be served"
            return errors.error_response(503, message, failed=sorted(failed))
        return ok({"status": "ready", "models": len(names)})

    # outermost last: the access log sees every response, the guard runs before any route
    app.add_middleware(CardFastPath, pool=pool, cards=cards, tokens=check,
                       route=next(r for r in router.routes if getattr(r, "path", None) == CARD_PATH))
    app.add_middleware(BodyGuard)
    app.add_middleware(AccessLog)
    return app


def app_from_env() -> FastAPI:
    """uvicorn factory: the settings the ``serve`` command put in the environment."""
    return create_app(ServeSettings.from_env())
