"""Every error response is ``{"error": CODE, "detail": {"message": ..., ...}}``, nothing else.

No traceback, no input echoed back (validation errors drop pydantic's ``input``), and no path of
this machine (library messages name files; ``text_profile_error`` scrubs them).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger("textprofile.serve")

CODES = {
    400: "bad_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_request",
    500: "internal_error", 503: "not_ready",
}
# an absolute path: "/" not preceded by a word character, dot or slash, then non-space characters
_PATH = re.compile(r"(?<![\w./])/[^\s'\"(),;]+")


class ApiError(Exception):
    """Raised by routes and dependencies; rendered by ``api_error_handler``."""

    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def scrub(message: str) -> str:
    """``message`` with every absolute path replaced by ``<path>``."""
    return _PATH.sub("<path>", message)


def error_body(status: int, message: str, **extra: Any) -> bytes:
    detail = {"message": message, **extra}
    return json.dumps({"error": CODES.get(status, "error"), "detail": detail}, ensure_ascii=False).encode()


def error_response(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    return Response(error_body(status, message, **extra), status_code=status, headers=headers,
                    media_type="application/json")


async def api_error_handler(request: Request, exc: ApiError) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return error_response(exc.status, exc.message, headers, **exc.extra)


async def http_error_handler(request: Request, exc: StarletteHTTPException) -> Response:
    message = {404: "no such endpoint — see /openapi.json", 405: "method not allowed on this endpoint"}.get(
        exc.status_code, str(exc.detail))
    return error_response(exc.status_code, message, getattr(exc, "headers", None))


async def validation_error_handler(request: Request, exc) -> Response:
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
              for e in exc.errors()]
    if any(e["type"] == "json_invalid" for e in errors):
        return error_response(400, "the request body is not valid JSON")
    return error_response(422, "the request does not match the API schema (see /openapi.json)", errors=errors)


def text_profile_error(exc: Exception) -> ApiError:
    """A library error as an API error: not found -> 404, bad value -> 422, state -> 409."""
    from textprofile.core.errors import ColumnError, ConfigError, NotFoundError

    message = scrub(str(exc))  # library messages name files of this machine
    if isinstance(exc, NotFoundError):
        return ApiError(404, message)
    if isinstance(exc, (ConfigError, ColumnError)):
        return ApiError(422, message)
    return ApiError(409, message)


async def textprofile_error_handler(request: Request, exc: Exception) -> Response:
    return await api_error_handler(request, text_profile_error(exc))


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    # the type only: an exception's text may quote a customer's data
    log.error("internal error (%s) on %s %s", type(exc).__name__, request.method, _template(request))
    if log.isEnabledFor(logging.DEBUG):
        log.exception("traceback (--debug)")
    return error_response(500, "internal error; the server log has the error type")


def _template(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", "-")
