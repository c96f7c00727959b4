"""Plain ASGI middleware: the access log (outermost) and the request body guard.

The access log line is ``METHOD /path/{template} STATUS MS`` — the route's template, never the
raw path (it holds customer ids), the query, a header or the body. An exception that escapes a
route is answered with a JSON 500 here, so no traceback reaches a client or the log.
"""

from __future__ import annotations

import logging
import time
from itertools import accumulate

from textprofile.serve.errors import error_body

access_log = logging.getLogger("textprofile.serve.access")
log = logging.getLogger("textprofile.serve")

MAX_BODY = 1_048_576  # bytes; /infer's "1 MB per request"
MAX_DRAIN = 64 * MAX_BODY  # an oversized body is read and dropped up to this, so the client sees the 413
MAX_DEPTH = 32  # JSON nesting; the API's deepest document is 3 levels


async def _send_json(send, status: int, body: bytes, extra_headers=()) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               *extra_headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = {"code": 0, "sent": False}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["sent"] = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as e:
            log.error("internal error (%s) on %s %s", type(e).__name__, scope.get("method"), _template(scope))
            if log.isEnabledFor(logging.DEBUG):
                log.exception("traceback (--debug)")
            if not status["sent"]:
                status["code"] = 500
                await _send_json(send, 500, error_body(500, "internal error; the server log has the error type"))
        finally:
            ms = (time.perf_counter() - started) * 1000
            access_log.info("%s %s %d %.1f", scope.get("method"), _template(scope), status["code"], ms)


def _template(scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return "<no route>"
    return path.replace(":path}", "}")


def json_depth(body: bytes) -> int:
    """The nesting depth of a JSON document (brackets inside strings do not count)."""
    import re

    stripped = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", body)
    brackets = stripped.translate(None, delete=bytes(c for c in range(256) if c not in b"[]{}"))
    if not brackets:
        return 0
    steps = (1 if c in b"[{" else -1 for c in brackets)
    return max(accumulate(steps))


class BodyGuard:
    """413 for bodies over ``MAX_BODY``; 400 for JSON nested deeper than ``MAX_DEPTH``.

    The body is read here (at most MAX_BODY kept) and handed to the app unchanged.
    """

    def __init__(self, app, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        too_big = False
        try:
            too_big = declared is not None and int(declared) > self.max_body
        except ValueError:
            return await _send_json(send, 400, error_body(400, "Content-Length is not a number"))
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            part = message.get("body", b"")
            size += len(part)
            more = message.get("more_body", False)
            if size > self.max_body:
                too_big = True
            if too_big:
                if size > MAX_DRAIN:
                    break
                continue
            chunks.append(part)
        if too_big:
            return await _send_json(send, 413, error_body(
                413, f"request body over {self.max_body:,} bytes", max_bytes=self.max_body),
                [(b"connection", b"close")])
        body = b"".join(chunks)
        if json_depth(body) > MAX_DEPTH:
            return await _send_json(send, 400, error_body(400, f"JSON nested deeper than {MAX_DEPTH} levels"))
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
