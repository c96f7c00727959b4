"""``GET /v1/models/{model}/customers/{id}`` (the call a CRM screen or a website makes for every
customer it shows) answered without FastAPI's routing and dependency solving, which were most of
a lookup's CPU once the cards are in memory.

Only the plain success is answered here: a valid token, a served model, an id within limits, no
query string, a card found. Anything else goes on to the FastAPI route, which is the documented
one and gives every error, so a request gets the same response either way (tested).
"""

from __future__ import annotations

import re

import orjson

from textprofile.serve.auth import TokenCheck
from textprofile.serve.batch import CardLookups
from textprofile.serve.pool import StorePool
from textprofile.serve.routes import MAX_ID_CHARS, MODEL_PATTERN

# the route's own pattern; ids ending in /similar belong to the neighbours route, declared first
_PATH = re.compile(r"/v1/models/(" + MODEL_PATTERN.strip("^$") + r")/customers/(.+)")
_HEADERS = [(b"content-type", b"application/json")]


class CardFastPath:
    """ASGI middleware inside the access log and the body guard, in front of the FastAPI router."""

    def __init__(self, app, pool: StorePool, cards: CardLookups, tokens: TokenCheck, route):
        self.app = app
        self.pool = pool
        self.cards = cards
        self.tokens = tokens
        self.route = route  # the FastAPI route of CARD_PATH: the access log names its template

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("query_string"):
            return await self.app(scope, receive, send)
        match = _PATH.fullmatch(scope["path"])
        if match is None or not self._authorized(scope["headers"]):
            return await self.app(scope, receive, send)
        model, customer_id = match.groups()
        if (len(customer_id) > MAX_ID_CHARS or customer_id.endswith("/similar")
                or model not in self.pool.names()):
            return await self.app(scope, receive, send)
        try:
            card = await self.cards.get(model, customer_id)
        except Exception:  # noqa: BLE001 - the route looks again and answers with the proper error
            card = None
        if card is None:
            return await self.app(scope, receive, send)
        scope["route"] = self.route
        body = orjson.dumps(card, option=orjson.OPT_NON_STR_KEYS)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode()), *_HEADERS]})
        await send({"type": "http.response.body", "body": body})

    def _authorized(self, headers) -> bool:
        if not self.tokens.enabled:
            return True
        for key, value in headers:
            if key == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                return scheme.lower() == "bearer" and bool(token.strip()) and self.tokens.matches(token.strip())
        return False
