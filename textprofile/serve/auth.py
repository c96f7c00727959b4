"""Bearer-token check for every ``/v1`` request, in constant time.

The presented token and each configured one are hashed (SHA-256) and compared with
``hmac.compare_digest`` against *every* token, so neither the match position nor the token
lengths show in the response time.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request
from fastapi.security import HTTPBearer

from textprofile.serve.errors import ApiError

# declares the scheme in /openapi.json; ``TokenCheck`` does the checking
bearer = HTTPBearer(auto_error=False, description="An API token from TEXTPROFILE_API_TOKENS or --tokens-file.")


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class TokenCheck:
    """A FastAPI dependency: 401 unless the request carries one of ``tokens`` (None: auth off)."""

    def __init__(self, tokens: tuple[str, ...] | None):
        self.enabled = tokens is not None
        self._digests = [_digest(t) for t in tokens or ()]

    def matches(self, token: str) -> bool:
        given = _digest(token)
        ok = False
        for d in self._digests:
            ok |= hmac.compare_digest(given, d)
        return ok

    async def __call__(self, request: Request) -> None:  # async: no thread hop per request
        if not self.enabled:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            raise ApiError(401, "missing Authorization header — send: Authorization: Bearer <token>")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "the Authorization header must be: Bearer <token>")
        if not self.matches(token.strip()):
            raise ApiError(401, "invalid API token")

